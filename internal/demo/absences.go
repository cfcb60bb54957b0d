package demo

import (
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"cartable/internal/attendance"
	"cartable/internal/check"
	"cartable/internal/db"
	"cartable/internal/ids"
	"cartable/internal/timetable"
)

// The collège's school life as school life recorded it over the demo
// term: the reasons (the defaults and a few of the collège's own),
// absences over hours or days with their reasons and states (older ones
// mostly settled, recent ones waiting), one class trip, a few PE
// exemptions. Registers and their marks are the registers' demo.

// demoReasons are the collège's reasons: the defaults, then its own.
var demoReasons = append(append([]attendance.Reason{}, attendance.DefaultReasons...),
	attendance.Reason{Label: "Compétition sportive (UNSS)", Legitimate: true},
	attendance.Reason{Label: "Rendez-vous orthophoniste", Legitimate: true, Confidential: true},
	attendance.Reason{Label: "Démarche administrative", Legitimate: true},
)

// demoComments are school life's follow-up notes.
var demoComments = []string{"", "", "Appel de la mère le matin même.", "Certificat médical demandé.", "", "Famille jointe par téléphone.",
	"Retour prévu lundi.", ""}

// schoolLife writes the collège's school life around today (YYYY-MM-DD).
func (t *ttGen) schoolLife(ctx context.Context, seed int64, today string) error {
	var s, idSeed [32]byte
	binary.LittleEndian.PutUint64(s[:], uint64(seed))
	copy(s[8:], "cartable demo: school life")
	binary.LittleEndian.PutUint64(idSeed[:], uint64(seed))
	copy(idSeed[8:], "cartable demo: school life ids")
	rng := rand.New(rand.NewChaCha8(s))
	src := rand.NewChaCha8(idSeed)
	id := func() string { return ids.From(src) }
	q, v := t.tx, t.v

	ests, err := db.Strings(ctx, q, `SELECT id FROM establishments WHERE uai = ?`, MainUAI)
	if err != nil || len(ests) == 0 {
		return err
	}
	est := ests[0]
	day, err := timetable.ParseDate(today)
	if err != nil {
		return fmt.Errorf("today %q: %v", today, err)
	}
	now := timetable.At(day, 7*60+30)

	reasons := make([]attendance.Reason, len(demoReasons))
	for i, r := range demoReasons {
		r.ID, r.Active, r.Position = id(), true, i
		reasons[i] = r
	}
	if err := attendance.AddReasonsIn(ctx, v, q, est, reasons); err != nil {
		return err
	}

	var yearStart, yearEnd string
	if err := q.QueryRow(ctx, `SELECT starts_on, ends_on FROM school_years WHERE establishment_id = ? AND starts_on <= ? AND ends_on >= ?`,
		est, today, today).Scan(&yearStart, &yearEnd); errors.Is(err, sql.ErrNoRows) {
		return nil // today is outside the school year: nothing to record
	} else if err != nil {
		return err
	}
	// The term: the seven weeks before today (from the start of the year at
	// the earliest), weekends and holidays skipped.
	from := day.AddDate(0, 0, -49).Format(timetable.DateFormat)
	if from < yearStart {
		from = yearStart
	}
	holidays, err := db.All(ctx, q, func(s db.Scanner) ([2]string, error) {
		var h [2]string
		err := s.Scan(&h[0], &h[1])
		return h, err
	}, `SELECT h.starts_on, h.ends_on FROM holidays h JOIN school_years y ON y.id = h.school_year_id WHERE y.establishment_id = ?`, est)
	if err != nil {
		return err
	}
	schoolDay := func(d time.Time) bool {
		if wd := d.Weekday(); wd == time.Saturday || wd == time.Sunday {
			return false
		}
		s := d.Format(timetable.DateFormat)
		for _, h := range holidays {
			if s >= h[0] && s <= h[1] {
				return false
			}
		}
		return true
	}
	var days []time.Time
	start, _ := timetable.ParseDate(from)
	for d := start; !d.After(day); d = d.AddDate(0, 0, 1) {
		if schoolDay(d) {
			days = append(days, d)
		}
	}

	students, err := db.Strings(ctx, q, `SELECT p.id FROM people p JOIN memberships m ON m.person_id = p.id
		WHERE m.establishment_id = ? AND p.profile = 'student' AND p.active ORDER BY p.id`, est)
	if err != nil || len(students) == 0 || len(days) == 0 {
		return err
	}
	busyUntil := map[string]string{} // a student's last absent day: no overlap
	perDay := max(1, len(students)/60)
	for di, d := range days {
		for n := 0; n < perDay; n++ {
			st := students[rng.IntN(len(students))]
			ds := d.Format(timetable.DateFormat)
			if busyUntil[st] >= ds {
				continue
			}
			in := attendance.AbsenceInput{StudentID: st, StartDate: ds, EndDate: ds}
			switch k := rng.IntN(6); {
			case k == 0: // several days, up to three school days
				last := d
				for j, left := 1, 1+rng.IntN(3); left > 0 && di+j < len(days); j++ {
					last, left = days[di+j], left-1
				}
				in.EndDate = last.Format(timetable.DateFormat)
				in.StartTime, in.EndTime = "08:00", "17:30"
			case k <= 2: // a morning
				in.StartTime, in.EndTime = "08:00", "12:30"
			case k == 3: // an afternoon
				in.StartTime, in.EndTime = "13:30", "17:30"
			default: // a couple of hours
				h := 8 + rng.IntN(7)
				in.StartTime, in.EndTime = fmt.Sprintf("%02d:00", h), fmt.Sprintf("%02d:00", h+2)
			}
			age := len(days) - di // school days ago
			r := reasons[rng.IntN(len(reasons))]
			switch x := rng.IntN(10); {
			case age <= 3 && x < 6: // recent: not yet explained
				in.State = attendance.NoReason
			case x < 1:
				in.State = attendance.NoReason
			case !r.Legitimate:
				in.ReasonID, in.State = r.ID, attendance.NotAccepted
			case age <= 5:
				in.ReasonID, in.State = r.ID, attendance.ReasonGiven
			default:
				in.ReasonID, in.State = r.ID, attendance.Justified
			}
			in.Comment = demoComments[rng.IntN(len(demoComments))]
			err := attendance.RecordAbsenceIn(ctx, v, q, id(), in, now.Add(-time.Duration(age)*24*time.Hour))
			if _, bad := check.As(err); bad {
				continue // outside the year or overlapping: skipped
			}
			if err != nil {
				return fmt.Errorf("absence: %w", err)
			}
			busyUntil[st] = in.EndDate
		}
	}

	// A trip for the first class, next Thursday (or today's week's).
	classes, err := db.Strings(ctx, q, `SELECT c.id FROM classes c JOIN school_years y ON y.id = c.school_year_id
		WHERE c.establishment_id = ? AND y.starts_on <= ? AND y.ends_on >= ? ORDER BY c.code`, est, today, today)
	if err != nil {
		return err
	}
	if len(classes) > 0 {
		trip := timetable.Monday(day).AddDate(0, 0, 10)
		if trip.Format(timetable.DateFormat) > yearEnd {
			trip = timetable.Monday(day).AddDate(0, 0, 3)
		}
		ts := trip.Format(timetable.DateFormat)
		err := attendance.AddCollectiveIn(ctx, v, q, id(), est, attendance.CollectiveInput{Audience: "class:" + classes[0],
			Label: "Sortie au musée des Arts et Métiers", StartDate: ts, StartTime: "08:30", EndDate: ts, EndTime: "16:30"}, now)
		if _, bad := check.As(err); err != nil && !bad {
			return fmt.Errorf("trip: %w", err)
		}
	}

	// A few PE exemptions: one-off, weekly, one week in two.
	pe, err := db.Strings(ctx, q, `SELECT id FROM subjects WHERE establishment_id = ? AND code = '100100'`, est)
	if err != nil || len(pe) == 0 {
		return err
	}
	end := day.AddDate(0, 0, 28).Format(timetable.DateFormat)
	if end > yearEnd {
		end = yearEnd
	}
	ex := []attendance.ExemptionInput{
		{SubjectID: pe[0], StartDate: today, EndDate: day.AddDate(0, 0, 7).Format(timetable.DateFormat), Attendance: true, Comment: "Entorse de la cheville, certificat reçu."},
		{SubjectID: pe[0], StartDate: today, EndDate: end, Weekdays: []string{"2", "4"}, Attendance: false, Comment: "Dispense médicale jusqu'à nouvel ordre."},
		{SubjectID: pe[0], StartDate: today, EndDate: end, Weekdays: []string{"5"}, EveryOtherWeek: true, Attendance: true},
	}
	for i, x := range ex {
		x.StudentID = students[(i*7+3)%len(students)]
		err := attendance.AddExemptionIn(ctx, v, q, id(), x, now)
		if _, bad := check.As(err); err != nil && !bad {
			return fmt.Errorf("exemption: %w", err)
		}
	}
	return nil
}
