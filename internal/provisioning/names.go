package provisioning

import (
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// lastName is the convention of the directory: the family name in capitals.
func lastName(s string) string { return strings.ToUpper(collapse(s)) }

// firstName keeps a first name as written, except one written all in
// capitals ("JEAN-PIERRE"), which becomes "Jean-Pierre".
func firstName(s string) string {
	s = collapse(s)
	if s != strings.ToUpper(s) || s == strings.ToLower(s) {
		return s
	}
	var b strings.Builder
	start := true
	for _, r := range s {
		if start {
			b.WriteRune(unicode.ToUpper(r))
		} else {
			b.WriteRune(unicode.ToLower(r))
		}
		start = r == ' ' || r == '-' || r == '\''
	}
	return b.String()
}

// collapse trims and folds runs of spaces.
func collapse(s string) string { return strings.Join(strings.Fields(s), " ") }

// title maps the civilities of the feeds to the directory's (M., Mme).
func title(s string) string {
	switch strings.ToUpper(strings.TrimSuffix(strings.TrimSpace(s), ".")) {
	case "M", "MR", "MONSIEUR":
		return "M."
	case "MME", "MLLE", "MADAME", "MADEMOISELLE":
		return "Mme"
	}
	return ""
}

// frenchDate turns dd/mm/yyyy (or yyyy-mm-dd) into YYYY-MM-DD; ok is false
// for anything else.
func frenchDate(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", true
	}
	for _, layout := range []string{"02/01/2006", "2006-01-02", "2/1/2006", "02/01/06"} {
		if t, err := time.Parse(layout, s); err == nil && t.Year() > 1900 {
			return t.Format("2006-01-02"), true
		}
	}
	return "", false
}

// slug is the login form of a name: lower-case ASCII letters and digits,
// words joined by '-' ("Éloïse Le Gall" → "eloise-le-gall").
func slug(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range norm.NFD.String(strings.ToLower(s)) {
		switch {
		case unicode.Is(unicode.Mn, r):
			// an accent, dropped with its letter kept
		case r == 'æ':
			b.WriteString("ae")
			dash = false
		case r == 'œ':
			b.WriteString("oe")
			dash = false
		case r == 'ß':
			b.WriteString("ss")
			dash = false
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			b.WriteRune(r)
			dash = false
		default:
			if !dash && b.Len() > 0 {
				b.WriteByte('-')
				dash = true
			}
		}
	}
	return strings.TrimRight(b.String(), "-")
}

// loginBase is "prenom.nom" as in the demo; "compte" when a name has no
// letter a login can use.
func loginBase(first, last string) string {
	f, l := slug(first), slug(last)
	switch {
	case f != "" && l != "":
		return truncate(f+"."+l, 60)
	case f+l != "":
		return truncate(f+l, 60)
	}
	return "compte"
}

func truncate(s string, n int) string {
	if len(s) > n {
		return strings.TrimRight(s[:n], "-.")
	}
	return s
}
