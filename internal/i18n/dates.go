package i18n

import (
	"fmt"
	"time"
	_ "time/tzdata" // Europe/Paris even on a machine without zoneinfo
)

// Zone is the time zone every date of the interface is shown in: the
// schools served are in metropolitan France. Stored instants are UTC.
var Zone = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		panic(err)
	}
	return loc
}()

var (
	frDays     = [...]string{"dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"}
	frMonths   = [...]string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"}
	frMonthsAb = [...]string{"janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."}
)

// frDay writes a day of the month the French way: the first is "1er".
func frDay(d int) string {
	if d == 1 {
		return "1er"
	}
	return fmt.Sprint(d)
}

// Date writes a calendar date: "1er février 2027", "1 February 2027".
// Every date function shows t in Zone: a date is never shown in UTC.
func Date(lang string, t time.Time) string {
	t = t.In(Zone)
	if lang == "fr" {
		return fmt.Sprintf("%s %s %d", frDay(t.Day()), frMonths[t.Month()-1], t.Year())
	}
	return t.Format("2 January 2006")
}

// ShortDate writes a compact date for tables: "1er févr. 2027",
// "1 Feb 2027".
func ShortDate(lang string, t time.Time) string {
	t = t.In(Zone)
	if lang == "fr" {
		return fmt.Sprintf("%s %s %d", frDay(t.Day()), frMonthsAb[t.Month()-1], t.Year())
	}
	return t.Format("2 Jan 2006")
}

// DayName writes a day of the current school year with its weekday:
// "lundi 1er février", "Monday 1 February".
func DayName(lang string, t time.Time) string {
	t = t.In(Zone)
	if lang == "fr" {
		return fmt.Sprintf("%s %s %s", frDays[t.Weekday()], frDay(t.Day()), frMonths[t.Month()-1])
	}
	return t.Format("Monday 2 January")
}

// LongDate writes a full date with its weekday: "lundi 1er février 2027",
// "Monday 1 February 2027".
func LongDate(lang string, t time.Time) string {
	t = t.In(Zone)
	if lang == "fr" {
		return fmt.Sprintf("%s %d", DayName(lang, t), t.Year())
	}
	return t.Format("Monday 2 January 2006")
}

// DateTime writes an instant to the minute: "1er février 2027 à 08:05",
// "1 February 2027 at 08:05".
func DateTime(lang string, t time.Time) string {
	return T(lang, "date.at", Date(lang, t), Clock(t))
}

// Clock writes the time of day in Zone: "08:05".
func Clock(t time.Time) string {
	return t.In(Zone).Format("15:04")
}

// Weekday names a weekday (time.Sunday = 0) in lang.
func Weekday(lang string, d time.Weekday) string {
	if lang == "fr" {
		return frDays[d]
	}
	return d.String()
}

// Month names a month in lang.
func Month(lang string, m time.Month) string {
	if lang == "fr" {
		return frMonths[m-1]
	}
	return m.String()
}
