package timetable

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"

	"cartable/internal/access"
	"cartable/internal/check"
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

// RoomOf returns a room of est, for its form, to those who edit est's
// timetable.
func RoomOf(ctx context.Context, v *access.Viewer, q db.Querier, est, id string) (Room, error) {
	if err := canEdit(ctx, v, est); err != nil {
		return Room{}, err
	}
	r, err := roomByID(ctx, q, id)
	if err == nil && r.EstablishmentID != est { // another establishment's room through one's own
		err = errNotFound
	}
	return r, notFound(err, access.EditTimetable, access.Room(id))
}

// SaveRoom creates (id "") or renames a room of an establishment, for
// those who edit its timetable, after checking its code (required, unique
// in the establishment whatever the case and spacing, as imports match it)
// and its name. It returns the room's ID, or check.Problems with nothing
// saved.
func SaveRoom(ctx context.Context, v *access.Viewer, d *db.DB, est, id string, in RoomInput) (string, error) {
	if err := canEdit(ctx, v, est); err != nil {
		return "", err
	}
	err := write(ctx, d, func(tx *db.Tx) error {
		if id != "" {
			if _, err := RoomOf(ctx, v, tx, est, id); err != nil {
				return err
			}
		}
		in, ps := CheckRoom(in)
		if in.Code != "" && !ps.Has("code") {
			rooms, err := rooms(ctx, tx, est)
			if err != nil {
				return err
			}
			for _, r := range rooms {
				if r.ID != id && norm(r.Code) == norm(in.Code) {
					ps.Add("code", "duplicate-room", r.Code)
					break
				}
			}
		}
		if len(ps) > 0 {
			return ps
		}
		var err error
		if id == "" {
			r := Room{EstablishmentID: est, Code: in.Code, Name: in.Name}
			err = createRoom(ctx, tx, &r)
			id = r.ID
		} else {
			_, err = tx.Exec(ctx, `UPDATE tt_rooms SET code = ?, name = ? WHERE id = ? AND establishment_id = ?`, in.Code, in.Name, id, est)
		}
		if db.IsUniqueViolation(err) { // the same code saved meanwhile by someone else
			return check.Problems{{Field: "code", Code: "duplicate-room", Value: in.Code}}
		}
		return err
	})
	if err != nil {
		return "", err
	}
	return id, nil
}

// roomUse counts what refers to a room: weekly lessons held there (any
// school year) and changes moving an occurrence there.
func roomUse(ctx context.Context, q db.Querier, roomID string) (lessons, changes int, err error) {
	if err = q.QueryRow(ctx, `SELECT COUNT(*) FROM tt_slots WHERE room_id = ?`, roomID).Scan(&lessons); err != nil {
		return
	}
	err = q.QueryRow(ctx, `SELECT COUNT(*) FROM tt_changes WHERE new_room_id = ?`, roomID).Scan(&changes)
	return
}

// RoomLessons counts the weekly lessons of each room of an establishment,
// for those who edit its timetable.
func RoomLessons(ctx context.Context, v *access.Viewer, q db.Querier, est string) (map[string]int, error) {
	if err := canEdit(ctx, v, est); err != nil {
		return nil, err
	}
	return countBy(ctx, q, `SELECT room_id, COUNT(*) FROM tt_slots WHERE establishment_id = ? AND room_id IS NOT NULL GROUP BY room_id`, est)
}

// AlternationLessons counts the weekly lessons of each week pattern of an
// establishment, for those who edit its timetable.
func AlternationLessons(ctx context.Context, v *access.Viewer, q db.Querier, est string) (map[string]int, error) {
	if err := canEdit(ctx, v, est); err != nil {
		return nil, err
	}
	return countBy(ctx, q, `SELECT alternation_id, COUNT(*) FROM tt_slots WHERE establishment_id = ? AND alternation_id IS NOT NULL GROUP BY alternation_id`, est)
}

func countBy(ctx context.Context, q db.Querier, query, est string) (map[string]int, error) {
	type count struct {
		id string
		n  int
	}
	cs, err := db.All(ctx, q, func(sc db.Scanner) (c count, err error) {
		err = sc.Scan(&c.id, &c.n)
		return
	}, query, est)
	out := make(map[string]int, len(cs))
	for _, c := range cs {
		out[c.id] = c.n
	}
	return out, err
}

// DeleteRoom removes a room that nothing uses, for those who edit its
// establishment's timetable. A room still used by lessons or changes is
// refused with check.Problems counting them: the foreign keys would
// silently empty those rooms, and the timetable would lose where the
// lessons take place.
func DeleteRoom(ctx context.Context, v *access.Viewer, d *db.DB, est, id string) error {
	if _, err := RoomOf(ctx, v, d, est, id); err != nil {
		return err
	}
	return write(ctx, d, func(tx *db.Tx) error {
		lessons, changes, err := roomUse(ctx, tx, id)
		if err != nil {
			return err
		}
		var ps check.Problems
		if lessons > 0 {
			ps = append(ps, check.Problem{Field: "room", Code: "room-used-lessons", Value: fmt.Sprint(lessons), N: lessons})
		}
		if changes > 0 {
			ps = append(ps, check.Problem{Field: "room", Code: "room-used-changes", Value: fmt.Sprint(changes), N: changes})
		}
		if len(ps) > 0 {
			return ps
		}
		_, err = tx.Exec(ctx, `DELETE FROM tt_rooms WHERE id = ? AND establishment_id = ?`, id, est)
		return err
	})
}

// AlternationByID returns a week pattern of est with all its weeks, to
// those who edit est's timetable.
func AlternationByID(ctx context.Context, v *access.Viewer, q db.Querier, est, id string) (Alternation, error) {
	if err := canEdit(ctx, v, est); err != nil {
		return Alternation{}, err
	}
	a, err := alternationByID(ctx, q, id)
	if err == nil && a.EstablishmentID != est {
		err = errNotFound
	}
	return a, notFound(err, access.EditTimetable, access.Resource{Kind: "alternation", ID: id})
}

func alternationByID(ctx context.Context, q db.Querier, id string) (Alternation, error) {
	var a Alternation
	err := q.QueryRow(ctx, `SELECT id, establishment_id, code, label FROM tt_alternations WHERE id = ?`, id).
		Scan(&a.ID, &a.EstablishmentID, &a.Code, &a.Label)
	if errors.Is(err, sql.ErrNoRows) {
		return a, errNotFound
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

// WeeksOfYear is YearWeeks with the year's calendar, for the week
// pattern form of those who edit the timetable of y's establishment.
func WeeksOfYear(ctx context.Context, v *access.Viewer, q db.Querier, y SchoolYear) ([]Week, error) {
	if err := canEdit(ctx, v, y.EstablishmentID); err != nil {
		return nil, err
	}
	c, err := LoadCalendar(ctx, q, []string{y.ID})
	if err != nil {
		return nil, err
	}
	return YearWeeks(c, y), nil
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

// SaveAlternation creates (id "") or changes a week pattern, for those who
// edit the establishment's timetable: code (unique in the establishment,
// as for rooms), label, and its weeks in school year y. Weeks of other
// years are left as they are. A change of weeks that would make lessons of
// the pattern overlap lessons they did not overlap before is refused with
// the clash named. It returns the pattern's ID, or check.Problems with
// nothing saved.
func SaveAlternation(ctx context.Context, v *access.Viewer, d *db.DB, est string, y SchoolYear, id string, in AlternationInput) (string, error) {
	if err := canEdit(ctx, v, est); err != nil {
		return "", err
	}
	if y.EstablishmentID != est {
		return "", refused(access.EditTimetable, access.Resource{Kind: "school-year", ID: y.ID})
	}
	err := write(ctx, d, func(tx *db.Tx) (err error) {
		id, err = saveAlternation(ctx, v, tx, est, y, id, in)
		return err
	})
	if err != nil {
		return "", err
	}
	return id, nil
}

func saveAlternation(ctx context.Context, v *access.Viewer, tx *db.Tx, est string, y SchoolYear, id string, in AlternationInput) (string, error) {
	if id != "" {
		if _, err := AlternationByID(ctx, v, tx, est, id); err != nil {
			return "", err
		}
	}
	cal, err := LoadCalendar(ctx, tx, []string{y.ID})
	if err != nil {
		return "", err
	}
	code, label, weeks, ps := CheckAlternation(cal, y, in)
	if code != "" && !ps.Has("code") {
		alts, err := alternations(ctx, tx, est)
		if err != nil {
			return "", err
		}
		for _, a := range alts {
			if a.ID != id && norm(a.Code) == norm(code) {
				ps.Add("code", "duplicate-alternation", a.Code)
				break
			}
		}
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
		err = createAlternation(ctx, tx, &a)
		if db.IsUniqueViolation(err) {
			return "", check.Problems{{Field: "code", Code: "duplicate-alternation", Value: code}}
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
			return "", check.Problems{{Field: "code", Code: "duplicate-alternation", Value: code}}
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
		return "", errOr(err, ps)
	}
	return id, nil
}

// maxClashes bounds how many clashes a refusal lists.
const maxClashes = 5

// newClashes finds the pairs of lessons of year, one of them in pattern
// alt, that overlap with the weeks "after" and did not with "before". Each
// is reported as "overlap-" and what they share (teacher, class, group,
// room), with the day and times of the lesson.
func newClashes(ctx context.Context, q db.Querier, est, year, alt string, before, after map[string]map[string]bool) (check.Problems, error) {
	slots, err := yearSlots(ctx, q, est, year)
	if err != nil {
		return nil, err
	}
	var ps check.Problems
	for i, a := range slots {
		for j, b := range slots {
			if j <= i || a.AlternationID != alt && b.AlternationID != alt {
				continue
			}
			if what := clash(a, b, after); what != "" && clash(a, b, before) == "" {
				p := check.Problem{Field: "weeks", Code: "overlap-" + what,
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

// DeleteAlternation removes a week pattern no lesson uses, for those who
// edit its establishment's timetable; one still used is refused with
// check.Problems counting the lessons (they would silently run every
// week).
func DeleteAlternation(ctx context.Context, v *access.Viewer, d *db.DB, est, id string) error {
	if _, err := AlternationByID(ctx, v, d, est, id); err != nil {
		return err
	}
	return write(ctx, d, func(tx *db.Tx) error {
		var n int
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM tt_slots WHERE alternation_id = ?`, id).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return check.Problems{{Field: "alternation", Code: "alternation-used", Value: fmt.Sprint(n), N: n}}
		}
		_, err := tx.Exec(ctx, `DELETE FROM tt_alternations WHERE id = ? AND establishment_id = ?`, id, est)
		return err
	})
}
