package page

import (
	"net/url"
	"strings"
)

// LocalPath returns next when it can only name a page of this site, else
// fallback. It is the one check of every redirect target a request names
// ("next" parameters). Accepted: a path starting with one "/", at most 200
// bytes of printable ASCII, without a backslash or "//" anywhere, that
// parses with neither scheme nor host. Browsers drop tabs and newlines
// from a Location and read a backslash as a slash, so "/\t/evil.example",
// "/\\evil.example" and "//evil.example" would all leave the site.
func LocalPath(next, fallback string) string {
	if next == "" || len(next) > 200 || next[0] != '/' || strings.Contains(next, "//") {
		return fallback
	}
	for i := 0; i < len(next); i++ {
		if c := next[i]; c <= ' ' || c >= 0x7f || c == '\\' {
			return fallback
		}
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.Opaque != "" || u.User != nil {
		return fallback
	}
	return next
}
