package demo

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"codeberg.org/go-pdf/fpdf"

	"cartable/internal/access"
	"cartable/internal/attendance"
	"cartable/internal/db"
	"cartable/internal/files"
	"cartable/internal/timetable"
)

// justifications gives the demo collège a few absences and families'
// justifications around today: one student over the monthly counter of
// L131-8 (four unexcused half-days in the last complete month), one
// justification pending (with a small PDF certificate when a file store
// is given), one accepted, one refused, and an absence still to justify.
// The guardians and the CPE act as themselves (their viewers are built on
// tx); the students are chosen by login order, so the output is a
// function of the seed and today.
func justifications(ctx context.Context, tx *db.Tx, today string, store *files.Store, newID func() string) error {
	var est, year, start, end string
	if err := tx.QueryRow(ctx, `SELECT e.id, y.id, y.starts_on, y.ends_on FROM establishments e JOIN school_years y ON y.establishment_id = e.id
		WHERE e.uai = ? AND NOT y.closed ORDER BY y.starts_on LIMIT 1`, MainUAI).Scan(&est, &year, &start, &end); err != nil {
		return err
	}
	if today == "" || today < start {
		return nil // the year has not begun: nothing happened yet
	}
	if today > end {
		today = end
	}
	policy := access.New(tx)
	var cpeID string
	if err := tx.QueryRow(ctx, `SELECT person_id FROM functions WHERE establishment_id = ? AND function = 'cpe' ORDER BY person_id LIMIT 1`, est).
		Scan(&cpeID); err != nil {
		return err
	}
	cpe, err := policy.Viewer(ctx, cpeID)
	if err != nil {
		return err
	}
	type pupil struct{ student, guardian string }
	var pupils []pupil
	rows, err := tx.Query(ctx, `SELECT p.id, MIN(f.relative_id) FROM people p JOIN enrolments e ON e.student_id = p.id JOIN classes c ON c.id = e.class_id
		JOIN family_links f ON f.student_id = p.id AND f.legal_guardian WHERE c.school_year_id = ? AND p.active GROUP BY p.id, p.login ORDER BY p.login`, year)
	if err != nil {
		return err
	}
	for rows.Next() {
		var p pupil
		if err := rows.Scan(&p.student, &p.guardian); err != nil {
			rows.Close()
			return err
		}
		pupils = append(pupils, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if len(pupils) < 5 {
		return nil
	}
	cal, err := timetable.LoadCalendar(ctx, tx, []string{year})
	if err != nil {
		return err
	}
	t0, err := timetable.ParseDate(today)
	if err != nil {
		return err
	}
	now := timetable.At(t0, 9*60)
	// schoolDays are the days with lessons from d back, most recent first.
	schoolDay := func(d time.Time) bool {
		wd := timetable.Weekday(d)
		_, closed := cal.Closed(d.Format(timetable.DateFormat))
		return wd <= 5 && !closed
	}
	back := func(n int) string { // the n-th school day before today (1: the last)
		d := t0
		for n > 0 {
			d = d.AddDate(0, 0, -1)
			if d.Format(timetable.DateFormat) < start {
				return ""
			}
			if schoolDay(d) {
				n--
			}
		}
		return d.Format(timetable.DateFormat)
	}
	absence := func(student, from string, fm int, to string, tm int) error {
		if from == "" || to == "" {
			return errSkip
		}
		_, err := attendance.AbsenceIn(ctx, cpe, tx, newID(), est, student, from, fm, to, tm, now.Add(-72*time.Hour))
		return err
	}
	if _, err := attendance.ReasonsIn(ctx, cpe, tx, est); err != nil {
		return err
	}
	reason := func(label string) (string, error) {
		var id string
		err := tx.QueryRow(ctx, `SELECT id FROM att_reasons WHERE establishment_id = ? AND label = ?`, est, label).Scan(&id)
		return id, err
	}
	justify := func(p pupil, from, to, label, body string, doc bool, at time.Time) (string, error) {
		v, err := policy.Viewer(ctx, p.guardian)
		if err != nil {
			return "", err
		}
		r, err := reason(label)
		if err != nil {
			return "", err
		}
		var d *attendance.Document
		if doc && store != nil {
			pdf, err := certificate(from)
			if err != nil {
				return "", err
			}
			d = &attendance.Document{Name: "certificat.pdf", Size: int64(len(pdf)),
				Open: func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(pdf)), nil }}
		}
		return attendance.JustifyIn(ctx, v, tx, store, at, attendance.JustificationInput{StudentID: p.student, FromDate: from, ToDate: to,
			ReasonID: r, Body: body}, d)
	}

	// 1. Over the monthly counter: four unexcused half-days in the last
	// complete month (a whole day, a morning, an afternoon).
	month := attendance.LastCompleteMonth(now)
	first, last, _ := attendance.ParseMonth(month)
	var days []string
	for d, _ := timetable.ParseDate(first); d.Format(timetable.DateFormat) <= last && len(days) < 3; d = d.AddDate(0, 0, 1) {
		if ds := d.Format(timetable.DateFormat); schoolDay(d) && timetable.Weekday(d) != 3 && ds >= start && ds < today {
			days = append(days, ds)
		}
	}
	if len(days) == 3 {
		p := pupils[len(pupils)/2]
		for i, sp := range [][2]int{{8 * 60, 17 * 60}, {8 * 60, 12 * 60}, {13*60 + 30, 16*60 + 30}} {
			if err := absence(p.student, days[i], sp[0], days[i], sp[1]); err != nil {
				return err
			}
		}
	}
	// 2. Justified online yesterday with a certificate, pending.
	p := pupils[1]
	d := back(1)
	if err := absence(p.student, d, 8*60, d, 10*60); err == nil {
		if _, err := justify(p, d, d, "Maladie", "Fièvre le matin, il est revenu l'après-midi.", true, now.Add(-20*time.Hour)); err != nil {
			return err
		}
	} else if !errors.Is(err, errSkip) {
		return err
	}
	// 3. A day last week, justified and accepted.
	p = pupils[2]
	d = back(5)
	if err := absence(p.student, d, 8*60, d, 17*60); err == nil {
		id, err := justify(p, d, d, "Rendez-vous médical", "Rendez-vous chez le spécialiste.", true, now.Add(-96*time.Hour))
		if err != nil {
			return err
		}
		if err := attendance.ReviewIn(ctx, cpe, tx, now.Add(-80*time.Hour), id, true, ""); err != nil {
			return err
		}
	} else if !errors.Is(err, errSkip) {
		return err
	}
	// 4. A morning two weeks ago, the reason refused.
	p = pupils[3]
	d = back(8)
	if err := absence(p.student, d, 8*60, d, 12*60); err == nil {
		id, err := justify(p, d, d, "Panne de réveil", "", false, now.Add(-150*time.Hour))
		if err != nil {
			return err
		}
		if err := attendance.ReviewIn(ctx, cpe, tx, now.Add(-140*time.Hour), id, false,
			"Une panne de réveil n'est pas un motif recevable : merci de veiller à l'heure d'arrivée."); err != nil {
			return err
		}
	} else if !errors.Is(err, errSkip) {
		return err
	}
	// 5. Still to justify.
	p = pupils[4]
	d = back(2)
	if err := absence(p.student, d, 13*60+30, d, 15*60+30); err != nil && !errors.Is(err, errSkip) {
		return err
	}
	return nil
}

var errSkip = errors.New("demo: no school day there")

// certificate is a small PDF standing for a medical certificate.
func certificate(day string) ([]byte, error) {
	pdf := fpdf.New("P", "mm", "A5", "")
	tr := pdf.UnicodeTranslatorFromDescriptor("")
	pdf.AddPage()
	pdf.SetFont("Helvetica", "B", 14)
	pdf.MultiCell(0, 8, tr("Certificat médical (démonstration)"), "", "L", false)
	pdf.SetFont("Helvetica", "", 11)
	pdf.MultiCell(0, 6, tr(fmt.Sprintf("Je soussigné certifie avoir examiné l'enfant le %s. Document fictif de la démonstration Cartable.", day)), "", "L", false)
	var b bytes.Buffer
	err := pdf.Output(&b)
	return b.Bytes(), err
}
