package page

import (
	"regexp"
	"strings"
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
// language writes dates, and so is any argument named "…_date".
//
// A "parts" argument ("moved,room") appends, in that order, the catalog's
// "notice.<kind>.part.<part>" sentences: a notice that tells several
// things at once (a lesson moved to another room) is written from parts
// the catalogs translate whole.
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
	} else if parts := args["parts"]; parts != "" {
		for _, p := range strings.Split(parts, ",") {
			if m := i18n.T(lang, key+".part."+p); m != key+".part."+p {
				msg += " " + m
			}
		}
	}
	return placeholder.ReplaceAllStringFunc(msg, func(m string) string {
		name := m[1 : len(m)-1]
		v := args[name]
		if name == "date" || strings.HasSuffix(name, "_date") {
			if d, err := time.ParseInLocation("2006-01-02", v, i18n.Zone); err == nil {
				return i18n.Date(lang, d)
			}
		}
		return v
	})
}
