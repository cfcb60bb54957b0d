package timetable

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"cartable/internal/db"
)

// Lengths accepted for the codes and names typed in the setup pages. Codes
// are short keys matched by imports; names are what the timetable shows.
const (
	MaxCodeLen  = 30
	MaxNameLen  = 100
	MaxLabelLen = 60
)

// reservedWeekCodes mean "every week" in CSV imports: a pattern so coded
// could never be referenced by a file.
var reservedWeekCodes = []string{"H", "TOUTES", "ALL"}

// RoomInput is a room as typed in the setup form.
type RoomInput struct{ Code, Name string }

// AlternationInput is a week pattern as typed in the setup form. When
// EveryOtherFrom is set, the weeks are every other school week of the year
// from that Monday on (holiday weeks skipped, as WeeksAB does); otherwise
// they are the ticked Mondays.
type AlternationInput struct {
	Code, Label    string
	EveryOtherFrom string
	Alternate      bool // use EveryOtherFrom rather than Mondays
	Mondays        []string
}

// checkText trims a code or name and reports it missing, too long or
// holding control characters.
func checkText(field, value string, max int) (string, Problems) {
	v := strings.TrimSpace(value)
	switch {
	case v == "":
		return v, Problems{{Field: field, Code: "required"}}
	case utf8.RuneCountInString(v) > max:
		return v, Problems{{Field: field, Code: "too-long", Value: fmt.Sprint(max)}}
	case strings.IndexFunc(v, unicode.IsControl) >= 0 || !utf8.ValidString(v):
		return v, Problems{{Field: field, Code: "bad-text", Value: v}}
	}
	return v, nil
}

// SaveRoom creates (id "") or renames a room of an establishment after
// checking its code (required, unique in the establishment whatever the
// case and spacing, as imports match it) and its name. It returns the
// room's ID, Problems with nothing saved, or ErrNotFound for a room of
// another establishment.
func SaveRoom(ctx context.Context, tx *db.Tx, est, id string, in RoomInput) (string, error) {
	if id != "" {
		r, err := RoomByID(ctx, tx, id)
		if err != nil {
			return "", err
		}
		if r.EstablishmentID != est {
			return "", ErrNotFound
		}
	}
	code, ps := checkText("code", in.Code, MaxCodeLen)
	name, nps := checkText("name", in.Name, MaxNameLen)
	ps = append(ps, nps...)
	if code != "" && !hasField(ps, "code") {
		rooms, err := Rooms(ctx, tx, est)
		if err != nil {
			return "", err
		}
		for _, r := range rooms {
			if r.ID != id && norm(r.Code) == norm(code) {
				ps = append(ps, Problem{Field: "code", Code: "duplicate-room", Value: r.Code})
				break
			}
		}
	}
	if len(ps) > 0 {
		return "", ps
	}
	var err error
	if id == "" {
		r := Room{EstablishmentID: est, Code: code, Name: name}
		err = CreateRoom(ctx, tx, &r)
		id = r.ID
	} else {
		_, err = tx.Exec(ctx, `UPDATE tt_rooms SET code = ?, name = ? WHERE id = ? AND establishment_id = ?`, code, name, id, est)
	}
	if db.IsUniqueViolation(err) { // the same code saved meanwhile by someone else
		return "", Problems{{Field: "code", Code: "duplicate-room", Value: code}}
	}
	return id, err
}

// RoomUse counts what refers to a room: weekly lessons held there (any
// school year) and changes moving an occurrence there.
func RoomUse(ctx context.Context, q db.Querier, roomID string) (lessons, changes int, err error) {
	if err = q.QueryRow(ctx, `SELECT COUNT(*) FROM tt_slots WHERE room_id = ?`, roomID).Scan(&lessons); err != nil {
		return
	}
	err = q.QueryRow(ctx, `SELECT COUNT(*) FROM tt_changes WHERE new_room_id = ?`, roomID).Scan(&changes)
	return
}

// RoomLessons counts the weekly lessons of each room of an establishment.
func RoomLessons(ctx context.Context, q db.Querier, est string) (map[string]int, error) {
	return countBy(ctx, q, `SELECT room_id, COUNT(*) FROM tt_slots WHERE establishment_id = ? AND room_id IS NOT NULL GROUP BY room_id`, est)
}

// AlternationLessons counts the weekly lessons of each week pattern of an
// establishment.
func AlternationLessons(ctx context.Context, q db.Querier, est string) (map[string]int, error) {
	return countBy(ctx, q, `SELECT alternation_id, COUNT(*) FROM tt_slots WHERE establishment_id = ? AND alternation_id IS NOT NULL GROUP BY alternation_id`, est)
}

func countBy(ctx context.Context, q db.Querier, query, est string) (map[string]int, error) {
	rows, err := q.Query(ctx, query, est)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var id string
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			return nil, err
		}
		out[id] = n
	}
	return out, rows.Err()
}

// DeleteRoom removes a room that nothing uses. A room still used by
// lessons or changes is refused with Problems counting them: the foreign
// keys would silently empty those rooms, and the timetable would lose
// where the lessons take place.
func DeleteRoom(ctx context.Context, tx *db.Tx, est, id string) error {
	r, err := RoomByID(ctx, tx, id)
	if err != nil {
		return err
	}
	if r.EstablishmentID != est {
		return ErrNotFound
	}
	lessons, changes, err := RoomUse(ctx, tx, id)
	if err != nil {
		return err
	}
	var ps Problems
	if lessons > 0 {
		ps = append(ps, Problem{Field: "room", Code: "room-used-lessons", Value: fmt.Sprint(lessons)})
	}
	if changes > 0 {
		ps = append(ps, Problem{Field: "room", Code: "room-used-changes", Value: fmt.Sprint(changes)})
	}
	if len(ps) > 0 {
		return ps
	}
	_, err = tx.Exec(ctx, `DELETE FROM tt_rooms WHERE id = ? AND establishment_id = ?`, id, est)
	return err
}

// AlternationByID returns a week pattern with all its weeks.
func AlternationByID(ctx context.Context, q db.Querier, id string) (Alternation, error) {
	var a Alternation
	err := q.QueryRow(ctx, `SELECT id, establishment_id, code, label FROM tt_alternations WHERE id = ?`, id).
		Scan(&a.ID, &a.EstablishmentID, &a.Code, &a.Label)
	if errors.Is(err, sql.ErrNoRows) {
		return a, ErrNotFound
	}
	if err != nil {
		return a, err
	}
	a.Mondays, err = db.Strings(ctx, q, `SELECT monday FROM tt_alternation_weeks WHERE alternation_id = ? ORDER BY monday`, id)
	return a, err
}

// Week is one week of a school year as offered in the setup form.
type Week struct {
	Monday   string
	Holidays []string // labels of the holidays closing some of its weekdays
	Closed   bool     // no weekday with classes: wholly on holiday
}

// YearWeeks lists every week (by its Monday) from the week holding the
// first day of the year to the one holding its last, with its holidays.
func YearWeeks(c Calendar, y SchoolYear) []Week {
	start, err := ParseDate(y.StartsOn)
	if err != nil {
		return nil
	}
	var out []Week
	for m := Monday(start); m.Format(DateFormat) <= y.EndsOn; m = addDays(m, 7) {
		w := Week{Monday: m.Format(DateFormat), Closed: !c.SchoolWeek(m, y.StartsOn, y.EndsOn)}
		for i := 0; i < 5; i++ {
			if h, closed := c.Closed(addDays(m, i).Format(DateFormat)); closed && !slices.Contains(w.Holidays, h.Label) {
				w.Holidays = append(w.Holidays, h.Label)
			}
		}
		out = append(out, w)
	}
	return out
}

// EveryOtherWeek returns every other week with classes of the school year
// from the week of start on, start's week first: weeks wholly on holiday
// are skipped and do not count, as in WeeksAB. Starting from week 1 and
// from week 2 gives a week A / week B pair.
func EveryOtherWeek(c Calendar, y SchoolYear, start string) []string {
	from := start
	if from < y.StartsOn {
		from = y.StartsOn
	}
	a, _ := WeeksAB(c, from, y.EndsOn, false)
	return a
}

// checkMondays reports the weeks that are not Mondays of the school year.
func checkMondays(field string, y SchoolYear, mondays []string) Problems {
	var ps Problems
	first := ""
	if d, err := ParseDate(y.StartsOn); err == nil {
		first = Monday(d).Format(DateFormat)
	}
	for _, m := range mondays {
		d, err := ParseDate(m)
		if err != nil || Weekday(d) != 1 || m < first || m > y.EndsOn {
			ps = append(ps, Problem{Field: field, Code: "bad-week", Value: m})
		}
	}
	return ps
}

// SaveAlternation creates (id "") or changes a week pattern: code (unique
// in the establishment, as for rooms), label, and its weeks in school year
// y. Weeks of other years are left as they are. A change of weeks that
// would make lessons of the pattern overlap lessons they did not overlap
// before is refused with the clash named. It returns the pattern's ID,
// Problems with nothing saved, or ErrNotFound.
func SaveAlternation(ctx context.Context, tx *db.Tx, est string, y SchoolYear, id string, in AlternationInput) (string, error) {
	if y.EstablishmentID != est {
		return "", ErrNotFound
	}
	if id != "" {
		a, err := AlternationByID(ctx, tx, id)
		if err != nil {
			return "", err
		}
		if a.EstablishmentID != est {
			return "", ErrNotFound
		}
	}
	code, ps := checkText("code", in.Code, MaxCodeLen)
	label, lps := checkText("label", in.Label, MaxLabelLen)
	ps = append(ps, lps...)
	if code != "" && slices.Contains(reservedWeekCodes, norm(code)) {
		ps = append(ps, Problem{Field: "code", Code: "reserved-code", Value: code})
	}
	if code != "" && !hasField(ps, "code") {
		alts, err := Alternations(ctx, tx, est)
		if err != nil {
			return "", err
		}
		for _, a := range alts {
			if a.ID != id && norm(a.Code) == norm(code) {
				ps = append(ps, Problem{Field: "code", Code: "duplicate-alternation", Value: a.Code})
				break
			}
		}
	}
	cal, err := LoadCalendar(ctx, tx, []string{y.ID})
	if err != nil {
		return "", err
	}
	var weeks []string
	if in.Alternate {
		if in.EveryOtherFrom == "" {
			ps = append(ps, Problem{Field: "start", Code: "required"})
		} else if bad := checkMondays("start", y, []string{in.EveryOtherFrom}); len(bad) > 0 {
			ps = append(ps, bad...)
		} else {
			weeks = EveryOtherWeek(cal, y, in.EveryOtherFrom)
		}
	} else {
		ps = append(ps, checkMondays("weeks", y, in.Mondays)...)
		weeks = dedupe(in.Mondays)
		slices.Sort(weeks)
	}
	if len(weeks) == 0 && !hasField(ps, "start", "weeks") {
		ps = append(ps, Problem{Field: "weeks", Code: "no-week"})
	}
	if len(ps) > 0 {
		return "", ps
	}

	first := weeks[0]
	if d, err := ParseDate(y.StartsOn); err == nil {
		first = Monday(d).Format(DateFormat)
	}
	if id == "" {
		a := Alternation{EstablishmentID: est, Code: code, Label: label, Mondays: weeks}
		err = CreateAlternation(ctx, tx, &a)
		if db.IsUniqueViolation(err) {
			return "", Problems{{Field: "code", Code: "duplicate-alternation", Value: code}}
		}
		return a.ID, err // a new pattern has no lessons yet: nothing can clash
	}
	before, err := alternationWeeks(ctx, tx, est)
	if err != nil {
		return "", err
	}
	if _, err := tx.Exec(ctx, `UPDATE tt_alternations SET code = ?, label = ? WHERE id = ? AND establishment_id = ?`,
		code, label, id, est); err != nil {
		if db.IsUniqueViolation(err) {
			return "", Problems{{Field: "code", Code: "duplicate-alternation", Value: code}}
		}
		return "", err
	}
	if _, err := tx.Exec(ctx, `DELETE FROM tt_alternation_weeks WHERE alternation_id = ? AND monday BETWEEN ? AND ?`,
		id, first, y.EndsOn); err != nil {
		return "", err
	}
	for _, m := range weeks {
		if _, err := tx.Exec(ctx, `INSERT INTO tt_alternation_weeks (alternation_id, monday) VALUES (?, ?)`, id, m); err != nil {
			return "", err
		}
	}
	after, err := alternationWeeks(ctx, tx, est)
	if err != nil {
		return "", err
	}
	if ps, err := newClashes(ctx, tx, est, y.ID, id, before, after); err != nil || len(ps) > 0 {
		if err == nil {
			err = ps
		}
		return "", err
	}
	return id, nil
}

// maxClashes bounds how many clashes a refusal lists.
const maxClashes = 5

// newClashes finds the pairs of lessons of year, one of them in pattern
// alt, that overlap with the weeks "after" and did not with "before". Each
// is reported as "overlap-" and what they share (teacher, class, group,
// room), with the day and times of the lesson.
func newClashes(ctx context.Context, q db.Querier, est, year, alt string, before, after map[string]map[string]bool) (Problems, error) {
	slots, err := yearSlots(ctx, q, est, year)
	if err != nil {
		return nil, err
	}
	var ps Problems
	for i, a := range slots {
		for j, b := range slots {
			if j <= i || a.AlternationID != alt && b.AlternationID != alt {
				continue
			}
			if what := clash(a, b, after); what != "" && clash(a, b, before) == "" {
				p := Problem{Field: "weeks", Code: "overlap-" + what,
					Value: fmt.Sprintf("%s %s–%s", dayName(a.Weekday), HHMM(a.StartMin), HHMM(a.StartMin+a.DurationMin))}
				if !slices.Contains(ps, p) {
					ps = append(ps, p)
				}
				if len(ps) == maxClashes {
					return ps, nil
				}
			}
		}
	}
	return ps, nil
}

// DeleteAlternation removes a week pattern no lesson uses; one still used
// is refused with Problems counting the lessons (they would silently run
// every week).
func DeleteAlternation(ctx context.Context, tx *db.Tx, est, id string) error {
	a, err := AlternationByID(ctx, tx, id)
	if err != nil {
		return err
	}
	if a.EstablishmentID != est {
		return ErrNotFound
	}
	var n int
	if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM tt_slots WHERE alternation_id = ?`, id).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return Problems{{Field: "alternation", Code: "alternation-used", Value: fmt.Sprint(n)}}
	}
	_, err = tx.Exec(ctx, `DELETE FROM tt_alternations WHERE id = ? AND establishment_id = ?`, id, est)
	return err
}

func hasField(ps Problems, fields ...string) bool {
	return slices.ContainsFunc(ps, func(p Problem) bool { return slices.Contains(fields, p.Field) })
}
