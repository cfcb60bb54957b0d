package page

import (
	"regexp"
	"time"

	"cartable/internal/i18n"
)

var placeholder = regexp.MustCompile(`\{([a-z_]+)\}`)

// NoticeText writes a notice of the outbox (internal/notify) in lang: the
// catalog's "notice.<kind>" with its {name} placeholders replaced by the
// notice's arguments (a missing one is left empty); an unknown kind says
// only that there is news. The notifications page and the home block
// write them alike.
//
// A notice with a "state" argument ("accepted", "refused") is told by
// "notice.<kind>.<state>" when the catalog has it; a "date" argument
// holding a calendar date (2026-12-07) is written as the reader's
// language writes dates.
func NoticeText(lang, kind string, args map[string]string) string {
	key := "notice." + kind
	msg := i18n.T(lang, key)
	if st := args["state"]; st != "" {
		if m := i18n.T(lang, key+"."+st); m != key+"."+st {
			msg = m
		}
	}
	if msg == key {
		msg = i18n.T(lang, "notice.other")
	}
	return placeholder.ReplaceAllStringFunc(msg, func(m string) string {
		name := m[1 : len(m)-1]
		v := args[name]
		if name == "date" {
			if d, err := time.ParseInLocation("2006-01-02", v, i18n.Zone); err == nil {
				return i18n.Date(lang, d)
			}
		}
		return v
	})
}
