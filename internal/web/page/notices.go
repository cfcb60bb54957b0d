package page

import (
	"regexp"

	"cartable/internal/i18n"
)

var placeholder = regexp.MustCompile(`\{([a-z_]+)\}`)

// NoticeText writes a notice of the outbox (internal/notify) in lang: the
// catalog's "notice.<kind>" with its {name} placeholders replaced by the
// notice's arguments (a missing one is left empty); an unknown kind says
// only that there is news. The notifications page and the home block
// write them alike.
func NoticeText(lang, kind string, args map[string]string) string {
	key := "notice." + kind
	msg := i18n.T(lang, key)
	if msg == key {
		msg = i18n.T(lang, "notice.other")
	}
	return placeholder.ReplaceAllStringFunc(msg, func(m string) string { return args[m[1:len(m)-1]] })
}
