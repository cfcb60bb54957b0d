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
	"cartable/internal/news"
	"cartable/internal/timetable"
)

// GenerateNews gives the main establishment news and a survey: the head's
// news to every teacher and member of staff; a teacher's news to one class's
// families asking for an acknowledgement within a week, acknowledged by
// about half of them; a draft; and an anonymous survey of the same
// families, answered by about half. The class is that of the first child
// of the family shown first on the console (showcaseNotes), who has
// acknowledged and answered nothing, so that the account sees both in its
// to-do list. The output depends only on the seed and today.
func GenerateNews(ctx context.Context, v *access.Viewer, tx *db.Tx, seed int64, today string) error {
	var s, idSeed [32]byte
	binary.LittleEndian.PutUint64(s[:], uint64(seed))
	copy(s[8:], "cartable demo: news")
	binary.LittleEndian.PutUint64(idSeed[:], uint64(seed))
	copy(idSeed[8:], "cartable demo: news ids")
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
		return fmt.Errorf("demo news: today %q: %w", today, err)
	}
	at := func(daysAgo, hour int) time.Time {
		return time.Date(day.Year(), day.Month(), day.Day()-daysAgo, hour, 0, 0, 0, timetable.Paris)
	}
	date := func(days int) string { return day.AddDate(0, 0, days).Format(timetable.DateFormat) }
	heads, err := db.Strings(ctx, tx, `SELECT f.person_id FROM functions f JOIN people p ON p.id = f.person_id
		WHERE f.establishment_id = ? AND f.function = 'head' AND p.active ORDER BY p.login LIMIT 1`, e.ID)
	if err != nil {
		return err
	}
	// The showcase family's first child's class and its first teacher.
	shown, err := db.Strings(ctx, tx, `SELECT r.id FROM people r JOIN memberships m ON m.person_id = r.id AND m.establishment_id = ?
		WHERE r.profile = 'relative' AND r.active AND (SELECT COUNT(*) FROM memberships o WHERE o.person_id = r.id) = 1
		AND (SELECT COUNT(*) FROM family_links f WHERE f.relative_id = r.id) = 2
		AND (SELECT COUNT(DISTINCT x.class_id) FROM family_links f JOIN enrolments x ON x.student_id = f.student_id WHERE f.relative_id = r.id) = 2
		ORDER BY r.login LIMIT 1`, e.ID)
	if err != nil {
		return err
	}
	classQuery := `SELECT c.id FROM classes c JOIN school_years y ON y.id = c.school_year_id WHERE c.establishment_id = ? AND NOT y.closed
		AND EXISTS (SELECT 1 FROM teaching_assignments a WHERE a.class_id = c.id) ORDER BY c.code LIMIT 1`
	args := []any{e.ID}
	if len(shown) > 0 {
		classQuery = `SELECT x.class_id FROM family_links f JOIN people p ON p.id = f.student_id JOIN enrolments x ON x.student_id = p.id
			WHERE f.relative_id = ? ORDER BY p.login LIMIT 1`
		args = []any{shown[0]}
	}
	class, err := db.Strings(ctx, tx, classQuery, args...)
	if err != nil || len(class) == 0 || len(heads) == 0 {
		return err
	}
	teacher, err := db.Strings(ctx, tx, `SELECT a.teacher_id FROM teaching_assignments a JOIN people t ON t.id = a.teacher_id
		WHERE a.class_id = ? ORDER BY t.login LIMIT 1`, class[0])
	if err != nil || len(teacher) == 0 {
		return err
	}
	skip := map[string]bool{}
	if len(shown) > 0 {
		skip[shown[0]] = true
	}
	toClass := []string{"class:" + class[0]}

	if err := news.CreateIn(ctx, v, tx, newID(), heads[0], news.Input{Establishment: e.ID, Title: "Conseils de classe du premier trimestre",
		Body:    "Bonjour,\nLe calendrier des conseils de classe du premier trimestre est affiché en salle des professeurs. Merci de saisir vos appréciations au plus tard la veille de chaque conseil.\nBien cordialement,\nLa direction.",
		Targets: []string{"profile:teacher", "profile:staff"}}.Published(), at(5, 10)); err != nil {
		return fmt.Errorf("demo news: %w", err)
	}
	trip := newID()
	if err := news.CreateIn(ctx, v, tx, trip, teacher[0], news.Input{Establishment: e.ID, Title: "Sortie au musée : autorisation",
		Body:    "Bonjour,\nLa classe visitera le musée des Beaux-Arts le mois prochain. Merci de confirmer que vous avez pris connaissance de cette sortie ; l'autorisation papier sera distribuée en classe.\nCordialement.",
		Targets: toClass, ClassFamilies: true, AckRequired: true, AckBy: date(7)}.Published(), at(2, 17)); err != nil {
		return fmt.Errorf("demo news: %w", err)
	}
	recipients, err := db.Strings(ctx, tx, `SELECT person_id FROM news_recipients WHERE news_id = ? ORDER BY person_id`, trip)
	if err != nil {
		return err
	}
	for _, p := range recipients {
		if skip[p] || rng.IntN(2) == 0 {
			continue
		}
		if _, err := news.AcknowledgeIn(ctx, v, tx, trip, p, at(2, 18).Add(time.Duration(rng.IntN(40*60))*time.Minute)); err != nil {
			return err
		}
	}
	if err := news.CreateIn(ctx, v, tx, newID(), teacher[0], news.Input{Establishment: e.ID, Title: "Fournitures pour le prochain chapitre",
		Body: "Brouillon : liste à compléter.", Targets: toClass, ClassStudents: true}, at(1, 19)); err != nil {
		return fmt.Errorf("demo news: %w", err)
	}

	survey := newID()
	if err := news.CreateSurveyIn(ctx, v, tx, survey, teacher[0], news.SurveyInput{Establishment: e.ID, Title: "Horaires de la réunion de classe",
		Intro: "Pour fixer la réunion de classe, merci d'indiquer vos disponibilités. Ce sondage est anonyme.", Targets: toClass,
		ClassFamilies: true, Anonymous: true, ClosesOn: date(10), Publish: true, Questions: []news.QuestionInput{
			{Kind: news.KindSingle, Label: "Quel jour vous convient le mieux ?", Required: true, Choices: []string{"Lundi", "Mardi", "Jeudi"}},
			{Kind: news.KindMultiple, Label: "Quels horaires ?", MaxChoices: 2, Choices: []string{"17 h", "18 h", "19 h"}},
			{Kind: news.KindText, Label: "Une remarque ?"},
		}}, at(3, 12), newID); err != nil {
		return fmt.Errorf("demo survey: %w", err)
	}
	sv, err := news.SurveyIn(ctx, v, tx, survey)
	if err != nil {
		return err
	}
	asked, err := db.Strings(ctx, tx, `SELECT person_id FROM survey_recipients WHERE survey_id = ? ORDER BY person_id`, survey)
	if err != nil {
		return err
	}
	remarks := []string{"", "", "Plutôt en fin de semaine si possible.", "Merci pour l'organisation."}
	for _, p := range asked {
		if skip[p] || rng.IntN(2) == 0 {
			continue
		}
		in := news.AnswerInput{Choices: map[string][]string{}, Texts: map[string]string{}}
		q := sv.Questions
		in.Choices[q[0].ID] = []string{q[0].Choices[rng.IntN(len(q[0].Choices))].ID}
		for _, c := range rng.Perm(len(q[1].Choices))[:rng.IntN(3)] {
			in.Choices[q[1].ID] = append(in.Choices[q[1].ID], q[1].Choices[c].ID)
		}
		in.Texts[q[2].ID] = remarks[rng.IntN(len(remarks))]
		if err := news.AnswerIn(ctx, v, tx, survey, p, in, newID); err != nil {
			return err
		}
	}
	return nil
}
