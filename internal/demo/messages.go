package demo

import (
	"context"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"time"

	"cartable/internal/access"
	"cartable/internal/db"
	"cartable/internal/messaging"
	"cartable/internal/timetable"
)

// GenerateMessages writes a few conversations in the main establishment,
// in the week before today, through the messaging's system functions (so
// the communication rules apply): the head teacher of the first class
// writes to its families, about half of whom have read it (read
// receipts); a parent of that class asks that teacher a question and gets
// an answer; another parent writes to the CPE; one parent of the class is
// its elected representative, to whom another family writes. The output depends only on
// the seed, today and ctx's identifier source.
func GenerateMessages(ctx context.Context, v *access.Viewer, tx *db.Tx, seed int64, today string) error {
	if err := v.Can(ctx, access.Provision, access.Instance()); err != nil {
		return err
	}
	var rs [32]byte
	binary.LittleEndian.PutUint64(rs[:], uint64(seed))
	copy(rs[8:], "cartable demo: messages")
	rng := rand.New(rand.NewChaCha8(rs))

	var est, class, teacher, cpe, starts string
	err := tx.QueryRow(ctx, `SELECT e.id, c.id, h.teacher_id, y.starts_on FROM establishments e
		JOIN classes c ON c.establishment_id = e.id JOIN school_years y ON y.id = c.school_year_id
		JOIN head_teachers h ON h.class_id = c.id
		WHERE e.uai = ? AND NOT y.closed ORDER BY c.name, h.teacher_id LIMIT 1`, MainUAI).Scan(&est, &class, &teacher, &starts)
	if err != nil {
		return fmt.Errorf("demo messages: no class with a head teacher: %w", err)
	}
	if err := tx.QueryRow(ctx, `SELECT person_id FROM functions WHERE establishment_id = ? AND function = 'cpe' ORDER BY person_id LIMIT 1`,
		est).Scan(&cpe); err != nil {
		return fmt.Errorf("demo messages: no CPE: %w", err)
	}
	if today == "" {
		today = starts
	}
	day, err := timetable.ParseDate(today)
	if err != nil {
		return fmt.Errorf("demo messages: today %q: %w", today, err)
	}
	at := func(daysBefore, hour, minute int) time.Time {
		d := day.AddDate(0, 0, -daysBefore)
		return time.Date(d.Year(), d.Month(), d.Day(), hour, minute, 0, 0, timetable.Paris)
	}
	families, err := messaging.ClassFamiliesIn(ctx, v, tx, est, class)
	if err != nil {
		return err
	}
	if len(families) < 3 {
		return fmt.Errorf("demo messages: %d families in the class", len(families))
	}

	// A teacher to the class's families, with receipts.
	conv, err := messaging.SendIn(ctx, v, tx, teacher, families, "Réunion parents-professeurs",
		"Bonjour,\n\nLa réunion parents-professeurs de la classe aura lieu jeudi à 17 h 30 en salle polyvalente. "+
			"Merci de me dire si vous ne pouvez pas venir.\n\nCordialement.", at(6, 18, 5))
	if err != nil {
		return fmt.Errorf("demo messages: to the families: %w", err)
	}
	for i, f := range families {
		if rng.IntN(2) == 0 || i == 0 {
			if err := messaging.ReadIn(ctx, v, tx, f, conv, at(5-rng.IntN(3), 7+rng.IntN(12), rng.IntN(60))); err != nil {
				return err
			}
		}
	}

	// A parent of the class asks the teacher, who answers.
	parent := families[rng.IntN(len(families))]
	q, err := messaging.SendIn(ctx, v, tx, parent, []string{teacher}, "Devoirs de la semaine",
		"Bonjour,\n\nMon enfant était absent mardi : pourriez-vous m'indiquer les exercices à rattraper ?\n\nMerci d'avance.", at(3, 20, 12))
	if err != nil {
		return fmt.Errorf("demo messages: parent to teacher: %w", err)
	}
	if err := messaging.ReadIn(ctx, v, tx, teacher, q, at(2, 7, 48)); err != nil {
		return err
	}
	if err := messaging.ReplyIn(ctx, v, tx, teacher, q, "Bonjour,\n\nLes exercices 4 à 7 page 52, et la leçon est dans le cahier de textes.\n\nBonne soirée.", at(2, 7, 55)); err != nil {
		return err
	}

	// Another parent writes to school life.
	other := families[(rng.IntN(len(families)-1)+1+indexOf(families, parent))%len(families)]
	if _, err := messaging.SendIn(ctx, v, tx, other, []string{cpe}, "Absence vendredi",
		"Bonjour,\n\nNotre enfant aura un rendez-vous médical vendredi matin et arrivera vers 11 h.\n\nCordialement.", at(1, 8, 30)); err != nil {
		return fmt.Errorf("demo messages: parent to school life: %w", err)
	}

	// The class's elected parent representative, designated by the head
	// after the elections, whom a family of the class asks a question.
	var head string
	if err := tx.QueryRow(ctx, `SELECT person_id FROM functions WHERE establishment_id = ? AND function = 'head' ORDER BY person_id LIMIT 1`,
		est).Scan(&head); err != nil {
		return fmt.Errorf("demo messages: no head: %w", err)
	}
	rep := families[rng.IntN(len(families))]
	if err := messaging.DesignateIn(ctx, v, tx, est, class, rep, head, at(20, 9, 0)); err != nil {
		return fmt.Errorf("demo messages: representative: %w", err)
	}
	asker := families[(indexOf(families, rep)+1)%len(families)]
	if _, err := messaging.SendIn(ctx, v, tx, asker, []string{rep}, "Conseil de classe",
		"Bonjour,\n\nPourriez-vous signaler au conseil de classe que les devoirs du mercredi sont très chargés ?\n\nMerci.", at(2, 21, 4)); err != nil {
		return fmt.Errorf("demo messages: parent to representative: %w", err)
	}
	return nil
}

func indexOf(list []string, s string) int {
	for i, x := range list {
		if x == s {
			return i
		}
	}
	return 0
}
