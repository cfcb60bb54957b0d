package demo

import (
	"context"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"time"

	"cartable/internal/access"
	"cartable/internal/db"
	"cartable/internal/directory"
	"cartable/internal/ids"
	"cartable/internal/liaison"
	"cartable/internal/timetable"
)

// demoNotes are what the demo's teachers write in the carnet de liaison.
var demoNotes = []struct{ subject, body string }{
	{"Oubli de matériel", "Bonjour,\nVotre enfant a oublié son matériel pour la troisième fois ce mois-ci. Merci de vérifier son cartable la veille.\nCordialement."},
	{"Travail non rendu", "Bonjour,\nLe devoir demandé pour cette semaine n'a pas été rendu. Il peut me le remettre au prochain cours.\nCordialement."},
	{"Bavardages en classe", "Bonjour,\nJ'ai dû reprendre votre enfant plusieurs fois pour des bavardages pendant le cours. Je compte sur vous pour en parler avec lui.\nCordialement."},
	{"Félicitations", "Bonjour,\nJe tenais à vous dire que votre enfant a fourni un très bon travail ces dernières semaines. Bravo à lui !\nCordialement."},
	{"Sortie pédagogique", "Bonjour,\nUne sortie au musée est prévue le mois prochain. Une autorisation papier sera distribuée ; merci de la signer.\nCordialement."},
	{"Carnet de correspondance oublié", "Bonjour,\nVotre enfant n'avait pas son carnet ce matin. Merci de veiller à ce qu'il l'ait chaque jour.\nCordialement."},
}

var demoReplies = []string{
	"Bonjour,\nMerci de nous avoir prévenus, nous en avons parlé à la maison.\nBien cordialement.",
	"Bonjour,\nC'est noté, nous y veillerons.\nCordialement.",
}

var demoAnswers = []string{"Merci pour votre retour.\nBonne journée.", "Merci, je reste à votre disposition si besoin."}

// generateNotes gives the main establishment's students correspondence
// notes written over the three weeks before today: each teacher of each
// class writes one, to a different student; the legal guardians have
// signed about half of them (both, or one of two), some answered and were
// answered; the rest waits, some long enough to be reminded. The output
// depends only on the seed and today.
func generateNotes(ctx context.Context, v *access.Viewer, tx *db.Tx, seed int64, today string) error {
	var s, idSeed [32]byte
	binary.LittleEndian.PutUint64(s[:], uint64(seed))
	copy(s[8:], "cartable demo: liaison")
	binary.LittleEndian.PutUint64(idSeed[:], uint64(seed))
	copy(idSeed[8:], "cartable demo: liaison ids")
	rng, idsrc := rand.New(rand.NewChaCha8(s)), rand.NewChaCha8(idSeed)
	newID := func() string { return ids.From(idsrc) }
	e, err := directory.EstablishmentByUAI(ctx, tx, MainUAI)
	if err != nil {
		return err
	}
	if today == "" { // the first Monday of the school year, as the timetable's
		var starts string
		if err := tx.QueryRow(ctx, `SELECT starts_on FROM school_years WHERE establishment_id = ? AND NOT closed ORDER BY starts_on LIMIT 1`, e.ID).Scan(&starts); err != nil {
			return err
		}
		d, _ := timetable.ParseDate(starts)
		for timetable.Weekday(d) != 1 {
			d = d.AddDate(0, 0, 1)
		}
		today = d.Format(timetable.DateFormat)
	}
	day, err := timetable.ParseDate(today)
	if err != nil {
		return fmt.Errorf("demo notes: today %q: %w", today, err)
	}
	classes, err := directory.ClassesOfEstablishment(ctx, tx, e.ID)
	if err != nil {
		return err
	}
	if err := showcaseNotes(ctx, v, tx, e.ID, day, newID); err != nil {
		return err
	}
	answered := false // at least one exchange, whatever the draw
	for ci, c := range classes {
		view, err := directory.ViewClass(ctx, v, tx, c.ID)
		if err != nil {
			return err
		}
		if len(view.Roster) == 0 {
			continue
		}
		seen := map[string]bool{}
		for ti, t := range view.Teaching {
			if t.ClassID != c.ID || seen[t.Teacher.ID] {
				continue // a group's teacher, or a second subject
			}
			seen[t.Teacher.ID] = true
			student := view.Roster[(ti*7+ci)%len(view.Roster)]
			text := demoNotes[rng.IntN(len(demoNotes))]
			ago := rng.IntN(21)
			at := time.Date(day.Year(), day.Month(), day.Day()-ago, 9+rng.IntN(8), rng.IntN(60), 0, 0, timetable.Paris)
			if ago == 0 {
				at = time.Date(day.Year(), day.Month(), day.Day(), 8, 10+ti, 0, 0, timetable.Paris)
			}
			noteIDs, err := liaison.WriteIn(ctx, v, tx, t.Teacher.ID, liaison.NoteInput{Students: []string{student.ID},
				Subject: text.subject, Body: text.body}, at, newID)
			if err != nil {
				return fmt.Errorf("demo notes: %w", err)
			}
			p, err := directory.ViewPerson(ctx, v, tx, student.ID)
			if err != nil {
				return err
			}
			var guardians []string
			if p.Record != nil {
				for _, k := range p.Record.Relatives {
					if k.Link.LegalGuardian {
						guardians = append(guardians, k.ID)
					}
				}
			}
			// Signed by every guardian (half of the notes older than a
			// day), by the first only (one in six), or not yet.
			signers := 0
			switch r := rng.IntN(12); {
			case ago > 1 && r < 6:
				signers = len(guardians)
			case ago > 1 && r < 8:
				signers = min(1, len(guardians))
			}
			for gi := 0; gi < signers; gi++ {
				when := at.Add(time.Duration(3+gi*5+rng.IntN(20)) * time.Hour)
				if _, err := liaison.SignIn(ctx, v, tx, noteIDs[0], guardians[gi], when); err != nil {
					return err
				}
				if gi == 0 && (!answered || rng.IntN(3) == 0) {
					if err := liaison.ReplyIn(ctx, v, tx, newID(), noteIDs[0], guardians[gi], guardians[gi], demoReplies[rng.IntN(len(demoReplies))], when.Add(time.Minute)); err != nil {
						return err
					}
					if !answered || rng.IntN(2) == 0 {
						answered = true
						if err := liaison.ReplyIn(ctx, v, tx, newID(), noteIDs[0], guardians[gi], t.Teacher.ID, demoAnswers[rng.IntN(len(demoAnswers))], when.Add(20*time.Hour)); err != nil {
							return err
						}
					}
				}
			}
		}
	}
	return nil
}

// showcaseNotes gives the family shown first on the console (Notable: the
// first relative, by login, of two children in two classes of the collège
// only) a note to sign for each child and, for the first, one signed with
// an exchange of answers, so that the notable accounts see the carnet at
// work on their first sign-in.
func showcaseNotes(ctx context.Context, v *access.Viewer, tx *db.Tx, est string, day time.Time, newID func() string) error {
	parents, err := db.Strings(ctx, tx, `SELECT r.id FROM people r JOIN memberships m ON m.person_id = r.id AND m.establishment_id = ?
		WHERE r.profile = 'relative' AND r.active AND (SELECT COUNT(*) FROM memberships o WHERE o.person_id = r.id) = 1
		AND (SELECT COUNT(*) FROM family_links f WHERE f.relative_id = r.id) = 2
		AND (SELECT COUNT(DISTINCT x.class_id) FROM family_links f JOIN enrolments x ON x.student_id = f.student_id WHERE f.relative_id = r.id) = 2
		ORDER BY r.login LIMIT 1`, est)
	if err != nil || len(parents) == 0 {
		return err
	}
	type child struct{ id, teacher string }
	children, err := db.All(ctx, tx, func(s db.Scanner) (child, error) {
		var c child
		err := s.Scan(&c.id, &c.teacher)
		return c, err
	}, `SELECT p.id, (SELECT a.teacher_id FROM teaching_assignments a JOIN people t ON t.id = a.teacher_id
			WHERE a.class_id = x.class_id ORDER BY t.login LIMIT 1)
		FROM family_links f JOIN people p ON p.id = f.student_id JOIN enrolments x ON x.student_id = p.id
		WHERE f.relative_id = ? ORDER BY p.login`, parents[0])
	if err != nil {
		return err
	}
	for i, c := range children {
		if c.teacher == "" {
			continue
		}
		if i == 0 {
			at := time.Date(day.Year(), day.Month(), day.Day()-6, 16, 20, 0, 0, timetable.Paris)
			ids, err := liaison.WriteIn(ctx, v, tx, c.teacher, liaison.NoteInput{Students: []string{c.id}, Subject: demoNotes[3].subject, Body: demoNotes[3].body}, at, newID)
			if err != nil {
				return err
			}
			gs, err := db.Strings(ctx, tx, `SELECT relative_id FROM family_links WHERE student_id = ? AND legal_guardian ORDER BY relative_id`, c.id)
			if err != nil {
				return err
			}
			for gi, g := range gs {
				signed := at.Add(time.Duration(4+gi*20) * time.Hour)
				if _, err := liaison.SignIn(ctx, v, tx, ids[0], g, signed); err != nil {
					return err
				}
				if g == parents[0] {
					if err := liaison.ReplyIn(ctx, v, tx, newID(), ids[0], g, g, demoReplies[0], signed.Add(time.Minute)); err != nil {
						return err
					}
					if err := liaison.ReplyIn(ctx, v, tx, newID(), ids[0], g, c.teacher, demoAnswers[1], signed.Add(18*time.Hour)); err != nil {
						return err
					}
				}
			}
		}
		text := demoNotes[4+i%2]
		at := time.Date(day.Year(), day.Month(), day.Day()-1-i, 11, 40, 0, 0, timetable.Paris)
		if _, err := liaison.WriteIn(ctx, v, tx, c.teacher, liaison.NoteInput{Students: []string{c.id}, Subject: text.subject, Body: text.body}, at, newID); err != nil {
			return err
		}
	}
	return nil
}
