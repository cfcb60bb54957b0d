package demo

import (
	"context"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"time"

	"cartable/internal/access"
	"cartable/internal/averages"
	"cartable/internal/db"
	"cartable/internal/grades"
	"cartable/internal/timetable"
)

// GenerateGrades gives the collège a first term of marks: every teaching
// (class or group in a subject) has 3 to 6 evaluations of trimester 1 on
// varied scales (/10, /20, /40) and coefficients (0,5 to 3), a few of them
// formative, bonus or optional; French has written and oral sub-subjects.
// Every student has a mark in each, drawn around their own level, with
// every special kind appearing a few times. The head sets trimester 1's
// entry deadline and council day, and some students have subject
// appraisals. Each is written through the grades service, as the teacher
// of the teaching (a session that passed its second factor) or the head,
// with identifiers from ctx's source and values from the seed.
func GenerateGrades(ctx context.Context, v *access.Viewer, tx *db.Tx, seed int64, today string) error {
	if err := v.Can(ctx, access.Provision, access.Instance()); err != nil {
		return err
	}
	var rs [32]byte
	binary.LittleEndian.PutUint64(rs[:], uint64(seed))
	copy(rs[8:], "cartable demo: grades")
	rng := rand.New(rand.NewChaCha8(rs))

	var est, period, starts, ends, headID string
	if err := tx.QueryRow(ctx, `SELECT e.id, p.id, p.starts_on, p.ends_on FROM establishments e JOIN school_years y ON y.establishment_id = e.id
		JOIN periods p ON p.school_year_id = y.id WHERE e.uai = ? AND NOT y.closed AND p.number = 1 ORDER BY y.starts_on LIMIT 1`, MainUAI).
		Scan(&est, &period, &starts, &ends); err != nil {
		return err
	}
	if err := tx.QueryRow(ctx, `SELECT person_id FROM functions WHERE establishment_id = ? AND function = 'head' ORDER BY person_id LIMIT 1`,
		est).Scan(&headID); err != nil {
		return err
	}
	// The school days of the term, holidays excluded: when evaluations are held.
	type span struct{ from, to string }
	holidays, err := db.All(ctx, tx, func(s db.Scanner) (h span, err error) {
		err = s.Scan(&h.from, &h.to)
		return
	}, `SELECT h.starts_on, h.ends_on FROM holidays h JOIN periods p ON p.school_year_id = h.school_year_id WHERE p.id = ?`, period)
	if err != nil {
		return err
	}
	var days []string
	first, _ := timetable.ParseDate(starts)
	last, _ := timetable.ParseDate(ends)
next:
	for d := first.AddDate(0, 0, 7); !d.After(last); d = d.AddDate(0, 0, 1) {
		iso := d.Format(timetable.DateFormat)
		if timetable.Weekday(d) > 5 || timetable.Weekday(d) == 3 {
			continue
		}
		for _, h := range holidays {
			if h.from <= iso && iso <= h.to {
				continue next
			}
		}
		days = append(days, iso)
	}
	if len(days) == 0 {
		return nil
	}
	at := &fixedClock{}
	svc := &grades.Service{Now: at.now}
	policy := access.New(tx)
	viewers := map[string]*access.Viewer{}
	as := func(id string) (*access.Viewer, error) {
		if w, ok := viewers[id]; ok {
			return w, nil
		}
		w, err := policy.Viewer(ctx, id)
		if err != nil {
			return nil, err
		}
		w.SetSecondFactor(true) // the demo's teachers stepped up to enter marks
		viewers[id] = w
		return w, nil
	}
	head, err := as(headID)
	if err != nil {
		return err
	}

	// French: written and oral.
	at.set(starts, 8*60)
	var french string
	_ = tx.QueryRow(ctx, `SELECT id FROM subjects WHERE establishment_id = ? AND name = 'Français'`, est).Scan(&french)
	var subs []string
	if french != "" {
		for _, s := range []grades.SubSubjectInput{{Subject: french, Name: "Écrit", Coefficient: "2"}, {Subject: french, Name: "Oral", Coefficient: "1"}} {
			id, err := svc.SaveSubSubjectIn(ctx, head, tx, est, s)
			if err != nil {
				return fmt.Errorf("demo grades: sub-subject: %w", err)
			}
			subs = append(subs, id)
		}
	}

	type teaching struct{ class, group, subject, subjectName, teacher string }
	ts, err := db.All(ctx, tx, func(s db.Scanner) (t teaching, err error) {
		err = s.Scan(&t.class, &t.group, &t.subject, &t.subjectName, &t.teacher)
		return
	}, `SELECT COALESCE(a.class_id, ''), COALESCE(a.group_id, ''), a.subject_id, s.name, MIN(a.teacher_id)
		FROM teaching_assignments a JOIN subjects s ON s.id = a.subject_id WHERE a.establishment_id = ?
		GROUP BY a.class_id, a.group_id, a.subject_id, s.name ORDER BY 1, 2, 3`, est)
	if err != nil {
		return err
	}
	// A student's level, drawn once: their marks stay alike across subjects.
	level := map[string]float64{}
	levelOf := func(id string) float64 {
		if l, ok := level[id]; ok {
			return l
		}
		l := min(0.95, max(0.2, 0.6+rng.NormFloat64()*0.15))
		level[id] = l
		return l
	}
	titles := []string{"Contrôle", "Interrogation écrite", "Devoir maison", "Exposé", "Évaluation de fin de chapitre", "Exercices en classe"}
	scales := []string{"20", "20", "20", "10", "40"}
	coefs := []string{"1", "1", "2", "0,5", "3", "1,5"}
	specials := averages.Codes
	forced := 0 // the special kinds given once each, first
	for i, t := range ts {
		structure := access.Class(t.class)
		if t.class == "" {
			structure = access.Group(t.group)
		}
		res := access.Teaching(structure, t.subject)
		teacher, err := as(t.teacher)
		if err != nil {
			return err
		}
		roster, err := rosterIDs(ctx, tx, structure)
		if err != nil {
			return err
		}
		n := 3 + rng.IntN(4)
		cols := make([]grades.Column, n)
		for k := range n {
			day := days[min(len(days)-1, (k*len(days))/n+rng.IntN(max(1, len(days)/n)))]
			in := grades.EvaluationInput{Title: fmt.Sprintf("%s %d", titles[rng.IntN(len(titles))], k+1), HeldOn: day, Period: period,
				Scale: scales[rng.IntN(len(scales))], Coefficient: coefs[rng.IntN(len(coefs))], To20: true}
			switch {
			case k == 0 && i%4 == 0:
				in.Formative, in.Title = true, "Évaluation diagnostique"
			case k == n-1 && i%5 == 1:
				in.Bonus, in.Title, in.Scale = true, "Bonus : défi", "10"
			case k == n-1 && i%6 == 2:
				in.Optional, in.Title = true, "Devoir facultatif"
			}
			if in.Scale == "40" && rng.IntN(2) == 0 {
				in.To20 = false
			}
			if t.subject == french && len(subs) == 2 {
				in.SubSubject = subs[k%3/2] // written twice as often as oral
			}
			scale, _ := grades.ParseX100(in.Scale)
			cells := make(map[string]string, len(roster))
			for _, st := range roster {
				switch {
				case forced < len(specials) && k == 1:
					cells[st] = string(specials[forced])
					forced++
				case rng.IntN(40) == 0:
					cells[st] = string(specials[rng.IntN(len(specials))])
				default:
					x := min(1, max(0, levelOf(st)+rng.NormFloat64()*0.12))
					// Half points on the scale, as teachers mark.
					v := int(x*float64(scale)/50+0.5) * 50
					cells[st] = grades.FormatX100("", min(v, scale))
				}
			}
			d, _ := timetable.ParseDate(day)
			cols[k] = grades.Column{Input: in, Cells: cells, At: timetable.At(d, 17*60)}
		}
		if _, err := svc.LoadIn(ctx, teacher, tx, res, cols); err != nil {
			return fmt.Errorf("demo grades: marks: %w", err)
		}
		// Appraisals of a few students of the first teachings of each class.
		if t.class != "" && i%3 == 0 {
			bodies := map[string]string{}
			for j, st := range roster {
				if j%2 == 0 {
					bodies[st] = appraisalFor(levelOf(st), rng)
				}
			}
			at.set(ends, 12*60)
			if err := svc.SaveAppraisalsIn(ctx, teacher, tx, res, period, bodies); err != nil {
				return fmt.Errorf("demo grades: appraisals: %w", err)
			}
		}
	}
	// The head closes trimester 1's entry a week after it ends.
	deadline, _ := timetable.ParseDate(ends)
	at.set(starts, 8*60)
	return svc.SavePeriodIn(ctx, head, tx, period, grades.PeriodInput{
		EntryDeadline: deadline.AddDate(0, 0, 6).Format(timetable.DateFormat),
		CouncilOn:     deadline.AddDate(0, 0, 10).Format(timetable.DateFormat)})
}

// fixedClock is the generator's "now": the day each piece is written.
type fixedClock struct{ t *time.Time }

func (c *fixedClock) set(day string, minute int) {
	d, _ := timetable.ParseDate(day)
	t := timetable.At(d, minute)
	c.t = &t
}

func (c *fixedClock) now() time.Time { return *c.t }

func rosterIDs(ctx context.Context, q db.Querier, structure access.Resource) ([]string, error) {
	if structure.Kind == access.KindClass {
		return db.Strings(ctx, q, `SELECT p.id FROM enrolments m JOIN people p ON p.id = m.student_id WHERE m.class_id = ? AND p.active
			ORDER BY p.last_name, p.first_name, p.id`, structure.ID)
	}
	return db.Strings(ctx, q, `SELECT p.id FROM group_members m JOIN people p ON p.id = m.student_id WHERE m.group_id = ? AND p.active
		ORDER BY p.last_name, p.first_name, p.id`, structure.ID)
}

func appraisalFor(level float64, rng *rand.Rand) string {
	var choices []string
	switch {
	case level >= 0.75:
		choices = []string{"Excellent trimestre : travail sérieux et participation constructive.", "Très bons résultats, continuez ainsi."}
	case level >= 0.55:
		choices = []string{"Bon trimestre dans l'ensemble ; des efforts à poursuivre à l'écrit.", "Travail régulier, résultats satisfaisants."}
	default:
		choices = []string{"Des difficultés : il faut revoir les leçons régulièrement et demander de l'aide.", "Trimestre fragile, le travail personnel doit s'intensifier."}
	}
	return choices[rng.IntN(len(choices))]
}
