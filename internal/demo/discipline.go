package demo

import (
	"context"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"time"

	"cartable/internal/access"
	"cartable/internal/check"
	"cartable/internal/db"
	"cartable/internal/discipline"
	"cartable/internal/ids"
	"cartable/internal/timetable"
)

// generateDiscipline gives the collège a term of discipline around today:
// the student shown first on the console (Notable's) has a detention they
// attended and extra work, is the author of an incident (a classmate its
// victim, another its witness) followed by a punishment from the CPE and
// a temporary exclusion from the class with a total suspension decided by
// the head; a classmate missed a detention and has a note in the
// correspondence book; another was excluded from a lesson with its report.
// Each is written through the discipline's checks, as the person who gives
// it (a teacher of the class, the CPE, the head), with identifiers from the
// seed. Nothing is written when the collège has no such student.
func generateDiscipline(ctx context.Context, v *access.Viewer, tx *db.Tx, seed int64, today string) error {
	if err := v.Can(ctx, access.Provision, access.Instance()); err != nil {
		return err
	}
	var idSeed [32]byte
	binary.LittleEndian.PutUint64(idSeed[:], uint64(seed))
	copy(idSeed[8:], "cartable demo: discipline ids")
	src := rand.NewChaCha8(idSeed)
	newID := func() string { return ids.From(src) }

	var est, start, end string
	if err := tx.QueryRow(ctx, `SELECT e.id, y.starts_on, y.ends_on FROM establishments e JOIN school_years y ON y.establishment_id = e.id
		WHERE e.uai = ? AND NOT y.closed ORDER BY y.starts_on LIMIT 1`, MainUAI).Scan(&est, &start, &end); err != nil {
		return err
	}
	base, err := timetable.ParseDate(today)
	if err != nil || today < start {
		base, _ = timetable.ParseDate(start)
		base = base.AddDate(0, 0, 28)
	}
	if last, _ := timetable.ParseDate(end); base.After(last) {
		base = last
	}
	// A school day n days before base (weekends step back to Friday),
	// never before the year's first day.
	day := func(n int) time.Time {
		d := base.AddDate(0, 0, -n)
		for timetable.Weekday(d) > 5 {
			d = d.AddDate(0, 0, -1)
		}
		if first, _ := timetable.ParseDate(start); d.Before(first) {
			d = first
		}
		return d
	}
	at := func(d time.Time, min int) discipline.Stamp {
		return discipline.Stamp{Now: timetable.At(d, min), ID: newID}
	}
	iso := func(d time.Time) string { return d.Format(timetable.DateFormat) }

	student, err := notableStudent(ctx, tx)
	if err != nil || student == "" {
		return err
	}
	var class string
	if err := tx.QueryRow(ctx, `SELECT c.id FROM enrolments en JOIN classes c ON c.id = en.class_id
		WHERE en.student_id = ? AND c.establishment_id = ? ORDER BY c.code LIMIT 1`, student, est).Scan(&class); err != nil {
		return err
	}
	mates, err := db.Strings(ctx, tx, `SELECT p.id FROM enrolments en JOIN people p ON p.id = en.student_id
		WHERE en.class_id = ? AND p.id <> ? AND p.active ORDER BY p.last_name, p.first_name, p.id LIMIT 3`, class, student)
	if err != nil || len(mates) < 3 {
		return err
	}
	teachers, err := db.Strings(ctx, tx, `SELECT DISTINCT teacher_id FROM teaching_assignments WHERE class_id = ? ORDER BY teacher_id`, class)
	if err != nil || len(teachers) == 0 {
		return err
	}
	staff := func(fn string) (string, error) {
		var id string
		err := tx.QueryRow(ctx, `SELECT person_id FROM functions WHERE establishment_id = ? AND function = ? ORDER BY person_id LIMIT 1`, est, fn).Scan(&id)
		return id, err
	}
	headID, err := staff("head")
	if err != nil {
		return err
	}
	cpeID, err := staff("cpe")
	if err != nil {
		return err
	}
	policy := access.New(tx)
	as := func(id string) (*access.Viewer, error) { return policy.Viewer(ctx, id) }
	teacher, err := as(teachers[0])
	if err != nil {
		return err
	}
	other, err := as(teachers[len(teachers)-1])
	if err != nil {
		return err
	}
	cpe, err := as(cpeID)
	if err != nil {
		return err
	}
	head, err := as(headID)
	if err != nil {
		return err
	}

	give := func(by *access.Viewer, when discipline.Stamp, in discipline.PunishmentInput, incident string) (string, error) {
		id, err := discipline.GiveIn(ctx, by, tx, in, incident, when)
		if err != nil {
			return "", fmt.Errorf("demo discipline: %s: %w", in.Kind, err)
		}
		return id, nil
	}
	// The notable student: a detention attended, extra work due next week.
	d := day(24)
	id, err := give(teacher, at(d, 12*60), discipline.PunishmentInput{StudentID: student, Kind: discipline.Detention,
		Reason: "Travail non fait à trois reprises.", OnDate: iso(day(21)), Start: "16:00", Duration: "60",
		Place: "Salle d'étude", Work: "Reprendre les exercices non faits."}, "")
	if err != nil {
		return err
	}
	if err := discipline.EditIn(ctx, teacher, tx, id, discipline.PunishmentInput{StudentID: student, Kind: discipline.Detention,
		Reason: "Travail non fait à trois reprises.", OnDate: iso(day(21)), Start: "16:00", Duration: "60",
		Place: "Salle d'étude", Work: "Reprendre les exercices non faits.", Outcome: discipline.Done}, at(day(21), 17*60+5)); err != nil {
		return fmt.Errorf("demo discipline: detention done: %w", err)
	}
	due := iso(base.AddDate(0, 0, 4))
	if due > end {
		due = end
	}
	if _, err := give(other, at(day(3), 10*60), discipline.PunishmentInput{StudentID: student, Kind: discipline.ExtraWork,
		Reason: "Bavardages pendant le contrôle.", Work: "Une page sur le respect des règles de la classe.", DueOn: due}, ""); err != nil {
		return err
	}
	// A classmate: a detention missed, a note in the correspondence book.
	if _, err := give(teacher, at(day(17), 11*60), discipline.PunishmentInput{StudentID: mates[0], Kind: discipline.Detention,
		Reason: "Retards répétés en cours.", OnDate: iso(day(14)), Start: "13:00", Duration: "55", Place: "Salle 104",
		Outcome: discipline.NotDone}, ""); err != nil {
		return err
	}
	if _, err := give(other, at(day(6), 9*60), discipline.PunishmentInput{StudentID: mates[0], Kind: discipline.Note,
		Reason: "Oubli du matériel pour la troisième fois ce mois-ci."}, ""); err != nil {
		return err
	}
	// An exclusion from a lesson of the class, with its written report.
	ls, err := timetable.Lessons(ctx, v, tx, timetable.Target{Kind: timetable.TargetClass, ID: class}, iso(day(9)), iso(day(2)))
	if err != nil {
		return err
	}
	for _, l := range ls {
		if l.Cancelled() || !teachesLesson(l, teachers[0]) {
			continue
		}
		if _, err := give(teacher, at(day(0), 8*60), discipline.PunishmentInput{StudentID: mates[2], Kind: discipline.LessonExclusion,
			Reason: "Refus répété de se mettre au travail, perturbe la classe.", Lesson: l.Slot.ID + "/" + l.Date,
			Report: "L'élève a refusé à plusieurs reprises de sortir ses affaires et a interpellé ses camarades ; conduit à la vie scolaire avec un travail à faire."},
			""); err == nil {
			break
		} else if _, problems := check.As(err); !problems {
			return err
		}
	}
	// The incident, processed, and what followed it.
	inc, err := discipline.RecordIncidentIn(ctx, cpe, tx, discipline.IncidentInput{EstablishmentID: est, OccurredOn: iso(day(8)),
		OccurredAt: "10:10", Place: "Cour de récréation", Kind: "violence", Seriousness: "3", Processed: true,
		Description: "Bousculade violente pendant la récréation ; la victime est tombée et s'est écorché le genou. Un surveillant est intervenu.",
		Protagonists: []discipline.ProtagonistInput{{StudentID: student, Role: discipline.Author}, {StudentID: mates[1], Role: discipline.Victim},
			{StudentID: mates[2], Role: discipline.Witness}}}, at(day(8), 11*60))
	if err != nil {
		return fmt.Errorf("demo discipline: incident: %w", err)
	}
	if _, err := give(cpe, at(day(8), 15*60), discipline.PunishmentInput{StudentID: student, Kind: discipline.Apology,
		Reason: "Excuses écrites à la victime de la bousculade."}, inc); err != nil {
		return err
	}
	_, err = discipline.DecideIn(ctx, head, tx, discipline.SanctionInput{StudentID: student, Kind: discipline.ClassExclusion,
		DecidedOn: iso(day(5)), Reason: "Violence physique envers un camarade pendant la récréation.", Days: "2",
		StartsOn: iso(day(5)), Suspension: discipline.TotalSuspension, SuspendedUntil: end, IncidentID: inc}, at(day(5), 17*60))
	if err != nil {
		return fmt.Errorf("demo discipline: sanction: %w", err)
	}
	return nil
}

// teachesLesson tells whether a teacher gives a lesson.
func teachesLesson(l timetable.Lesson, id string) bool {
	for _, t := range l.Slot.Teachers {
		if t.ID == id {
			return true
		}
	}
	return false
}

// notableStudent is the student Notable shows first: the first child (by
// login) of the first relative (by login) of the collège alone with two
// children in different classes; "" when there is none.
func notableStudent(ctx context.Context, q db.Querier) (string, error) {
	type row struct{ relative, student, class string }
	rows, err := db.All(ctx, q, func(s db.Scanner) (r row, err error) {
		err = s.Scan(&r.relative, &r.student, &r.class)
		return
	}, `SELECT r.login, s.id, COALESCE((SELECT MIN(c.code) FROM enrolments en JOIN classes c ON c.id = en.class_id WHERE en.student_id = s.id), '')
		FROM people r JOIN family_links f ON f.relative_id = r.id JOIN people s ON s.id = f.student_id
		WHERE r.profile = 'relative'
		AND (SELECT COUNT(*) FROM memberships m JOIN establishments e ON e.id = m.establishment_id WHERE m.person_id = r.id AND e.uai <> ?) = 0
		ORDER BY r.login, s.login`, MainUAI)
	if err != nil {
		return "", err
	}
	for i := 0; i < len(rows); {
		j := i
		for j < len(rows) && rows[j].relative == rows[i].relative {
			j++
		}
		if j-i == 2 && rows[i].class != "" && rows[i+1].class != "" && rows[i].class != rows[i+1].class {
			return rows[i].student, nil
		}
		i = j
	}
	if len(rows) > 0 {
		return rows[0].student, nil
	}
	return "", nil
}
