package discipline

import (
	"strconv"

	"cartable/internal/i18n"
	"cartable/internal/timetable"
)

func hhmm(min int) string { return timetable.HHMM(min) }
func itoa(n int) string   { return strconv.Itoa(n) }

// value writes a field's value of the history in the reader's words: the
// names of kinds, outcomes and states, days with their weekday; other
// values as stored.
func value(lang, field, v string) string {
	key := ""
	switch field {
	case "kind":
		if i18n.T(lang, "dis.kind."+v) != "dis.kind."+v {
			return i18n.T(lang, "dis.kind."+v)
		}
		key = "dis.sanction.kind." + v
	case "outcome":
		key = "dis.outcome." + v
	case "suspension":
		key = "dis.suspension." + v
	case "incident_kind":
		key = "dis.incident.kind." + v
	case "seriousness":
		key = "dis.seriousness." + v
	case "role":
		key = "dis.role." + v
	case "processed", "cancelled":
		key = "dis.bool." + v
	}
	if key != "" {
		if s := i18n.T(lang, key); s != key {
			return s
		}
		return v
	}
	if t, err := timetable.ParseDate(v); err == nil && len(v) == 10 {
		return i18n.DayName(lang, t)
	}
	return v
}
