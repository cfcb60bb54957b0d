// Package timetable holds the weekly timetable of an establishment: rooms,
// week patterns (alternations), weekly lessons ("slots"), dated changes to
// single occurrences, the school calendar that suppresses lessons on
// holidays, and the expansion of all that into the dated lessons of a week
// for a student, a teacher, a class, a group or a room. It also reads the
// timetable exports (EDT_STS XML, CSV) and records change events for the
// notification outbox. It knows nothing of HTTP. Every exported read and
// write takes the viewer and asks the access policy itself (guard.go);
// what other domains hold on a lesson's occurrences follows through the
// hooks they register (hooks.go).
package timetable

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"time"
	_ "time/tzdata" // Europe/Paris even on a machine without zoneinfo

	"cartable/internal/access"
	"cartable/internal/db"
)

// Paris is the time zone of every establishment (metropolitan France).
var Paris = mustLoad("Europe/Paris")

func mustLoad(name string) *time.Location {
	l, err := time.LoadLocation(name)
	if err != nil {
		panic("timetable: " + err.Error())
	}
	return l
}

// DateFormat is the layout of calendar dates in the database and URLs.
const DateFormat = "2006-01-02"

// ParseDate reads YYYY-MM-DD as a date at midnight in Paris.
func ParseDate(s string) (time.Time, error) {
	return time.ParseInLocation(DateFormat, s, Paris)
}

// Monday returns the Monday of the week holding d (YYYY-MM-DD).
func Monday(d time.Time) time.Time {
	wd := int(d.Weekday()+6) % 7 // Monday 0 … Sunday 6
	return time.Date(d.Year(), d.Month(), d.Day()-wd, 0, 0, 0, 0, Paris)
}

// Weekday returns 1 for Monday … 7 for Sunday, as stored in tt_slots.
func Weekday(d time.Time) int { return int(d.Weekday()+6)%7 + 1 }

// At returns the instant of minute-of-day min on date d in Paris; Go's
// time package applies the daylight-saving offset of that very day.
func At(d time.Time, min int) time.Time {
	return time.Date(d.Year(), d.Month(), d.Day(), min/60, min%60, 0, 0, Paris)
}

// addDays moves a date by n calendar days (not 24-hour steps, which the
// daylight-saving changes would break).
func addDays(d time.Time, n int) time.Time {
	return time.Date(d.Year(), d.Month(), d.Day()+n, 0, 0, 0, 0, Paris)
}

// Holiday is a span of days without classes, both ends included.
type Holiday struct {
	Label          string
	StartsOn, Ends string
	Public         bool // a public holiday (jour férié) rather than school holidays
}

// Calendar tells which days have no classes.
type Calendar struct {
	Holidays []Holiday
}

// Closed reports the holiday covering date (YYYY-MM-DD), if any.
func (c Calendar) Closed(date string) (Holiday, bool) {
	for _, h := range c.Holidays {
		if h.StartsOn <= date && date <= h.Ends {
			return h, true
		}
	}
	return Holiday{}, false
}

// easter returns Easter Sunday of year y (anonymous Gregorian algorithm).
func easter(y int) time.Time {
	a, b, c := y%19, y/100, y%100
	d, e := b/4, b%4
	f := (b + 8) / 25
	g := (b - f + 1) / 3
	h := (19*a + b - d - g + 15) % 30
	i, k := c/4, c%4
	l := (32 + 2*e + 2*i - h - k) % 7
	m := (a + 11*h + 22*l) / 451
	month := (h + l - 7*m + 114) / 31
	day := (h+l-7*m+114)%31 + 1
	return time.Date(y, time.Month(month), day, 0, 0, 0, 0, Paris)
}

// publicHolidays memoises PublicHolidays: a pure function of the year.
var publicHolidays sync.Map // int → []Holiday

// PublicHolidays lists the French public holidays (jours fériés) of year y.
func PublicHolidays(y int) []Holiday {
	if v, ok := publicHolidays.Load(y); ok {
		return v.([]Holiday)
	}
	hs := computePublicHolidays(y)
	publicHolidays.Store(y, hs)
	return hs
}

func computePublicHolidays(y int) []Holiday {
	e := easter(y)
	day := func(label string, d time.Time) Holiday {
		s := d.Format(DateFormat)
		return Holiday{Label: label, StartsOn: s, Ends: s, Public: true}
	}
	fixed := func(label string, m time.Month, d int) Holiday {
		return day(label, time.Date(y, m, d, 0, 0, 0, 0, Paris))
	}
	return []Holiday{
		fixed("Jour de l'an", time.January, 1),
		day("Lundi de Pâques", addDays(e, 1)),
		fixed("Fête du Travail", time.May, 1),
		fixed("Victoire 1945", time.May, 8),
		day("Ascension", addDays(e, 39)),
		day("Lundi de Pentecôte", addDays(e, 50)),
		fixed("Fête nationale", time.July, 14),
		fixed("Assomption", time.August, 15),
		fixed("Toussaint", time.November, 1),
		fixed("Armistice", time.November, 11),
		fixed("Noël", time.December, 25),
	}
}

// SchoolYear is the part of the directory's school year the timetable needs.
type SchoolYear struct {
	ID, EstablishmentID, Label string
	StartsOn, EndsOn           string
}

// LoadCalendar reads the holidays of the given school years (the directory's
// holidays table) and adds the public holidays of the calendar years they
// span.
func LoadCalendar(ctx context.Context, q db.Querier, yearIDs []string) (Calendar, error) {
	var c Calendar
	if len(yearIDs) == 0 {
		return c, nil
	}
	rows, err := q.Query(ctx, `SELECT h.label, h.starts_on, h.ends_on, y.starts_on, y.ends_on
		FROM school_years y LEFT JOIN holidays h ON h.school_year_id = y.id
		WHERE `+db.In(q, "y.id")+` ORDER BY 2`, db.ListArg(q, yearIDs))
	if err != nil {
		return c, err
	}
	defer rows.Close()
	years := map[int]bool{}
	for rows.Next() {
		var label, from, to *string
		var ys, ye string
		if err := rows.Scan(&label, &from, &to, &ys, &ye); err != nil {
			return c, err
		}
		if label != nil {
			c.Holidays = append(c.Holidays, Holiday{Label: *label, StartsOn: *from, Ends: *to})
		}
		if len(ys) >= 4 && len(ye) >= 4 {
			var a, b int
			fmt.Sscan(ys[:4], &a)
			fmt.Sscan(ye[:4], &b)
			for y := a; y <= b && y-a < 3; y++ {
				years[y] = true
			}
		}
	}
	if err := rows.Err(); err != nil {
		return c, err
	}
	for y := 1990; y < 2200; y++ { // in order, so the result is stable
		if years[y] {
			c.Holidays = append(c.Holidays, PublicHolidays(y)...) // appended to c's own slice: the memo is never written
		}
	}
	return c, nil
}

// CurrentYear returns the open school year of an establishment holding
// date, or its latest open year, to those who edit its timetable;
// ErrNoYear when it has no open year.
func CurrentYear(ctx context.Context, v *access.Viewer, q db.Querier, establishmentID, date string) (SchoolYear, error) {
	if err := canEdit(ctx, v, establishmentID); err != nil {
		return SchoolYear{}, err
	}
	return currentYear(ctx, q, establishmentID, date)
}

// ErrNoYear is returned when an establishment has no open school year.
var ErrNoYear = errors.New("timetable: no open school year")

func currentYear(ctx context.Context, q db.Querier, establishmentID, date string) (SchoolYear, error) {
	var y SchoolYear
	err := q.QueryRow(ctx, `SELECT id, establishment_id, label, starts_on, ends_on FROM school_years
		WHERE establishment_id = ? AND NOT closed
		ORDER BY CASE WHEN starts_on <= ? AND ends_on >= ? THEN 0 ELSE 1 END, starts_on DESC LIMIT 1`,
		establishmentID, date, date).Scan(&y.ID, &y.EstablishmentID, &y.Label, &y.StartsOn, &y.EndsOn)
	if errors.Is(err, sql.ErrNoRows) {
		return y, ErrNoYear
	}
	return y, err
}

// establishmentsOf selects the establishments a target belongs to.
var establishmentsOf = map[string]string{
	TargetStudent: `SELECT establishment_id FROM memberships WHERE person_id = ? ORDER BY establishment_id`,
	TargetTeacher: `SELECT establishment_id FROM memberships WHERE person_id = ? ORDER BY establishment_id`,
	TargetClass:   `SELECT establishment_id FROM classes WHERE id = ?`,
	TargetGroup:   `SELECT establishment_id FROM groups WHERE id = ?`,
	TargetRoom:    `SELECT establishment_id FROM tt_rooms WHERE id = ?`,
}

// YearOf returns the first and last day of the current school years of
// target's establishments (from the earliest start to the latest end), if
// v may read target's timetable; two empty dates when none is open.
func YearOf(ctx context.Context, v *access.Viewer, q db.Querier, t Target, today string) (from, to string, err error) {
	if err := canRead(ctx, v, t); err != nil {
		return "", "", err
	}
	ests, err := db.Strings(ctx, q, establishmentsOf[t.Kind], t.ID)
	if err != nil {
		return "", "", err
	}
	for _, e := range ests {
		y, err := currentYear(ctx, q, e, today)
		if errors.Is(err, ErrNoYear) {
			continue
		}
		if err != nil {
			return "", "", err
		}
		if from == "" || y.StartsOn < from {
			from = y.StartsOn
		}
		if y.EndsOn > to {
			to = y.EndsOn
		}
	}
	return from, to, nil
}
