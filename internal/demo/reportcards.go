package demo

import (
	"context"
	"encoding/binary"
	"math/rand/v2"
	"time"

	"cartable/internal/access"
	"cartable/internal/db"
	"cartable/internal/grades"
	"cartable/internal/ids"
	"cartable/internal/timetable"
)

// Council entries the demo draws from: a general appraisal and a mention
// that go together, from praise to a warning.
var demoCouncil = []struct{ general, mention string }{
	{"Excellent trimestre, travail régulier et approfondi. Félicitations.", grades.MentionFelicitations},
	{"Très bon trimestre, une participation active et des résultats solides.", grades.MentionCompliments},
	{"Des progrès nets ce trimestre ; continuez ainsi.", grades.MentionEncouragement},
	{"Trimestre correct dans l'ensemble, le travail personnel doit être plus régulier.", ""},
	{"Résultats fragiles : il faut fournir un travail plus soutenu à la maison.", grades.MentionWarnWork},
	{"Le comportement en classe nuit au travail : un changement d'attitude est attendu.", grades.MentionWarnConduct},
}

var demoLife = []string{
	"Élève assidu et ponctuel.",
	"Quelques retards à surveiller.",
	"Attitude respectueuse, bonne intégration dans la classe.",
	"",
}

// GenerateReportCards fills the class council of one class of the collège
// (the first class with a head teacher, by code) for the first trimester
// and publishes its report cards, from the marks and appraisals already
// written (the grades generator runs first). The entries are drawn from
// the seed; the cards are published on the trimester's last day, or today
// when that is earlier, and dated 17:00 that day. Nothing is written when
// the collège has no such class or the trimester has not begun.
func GenerateReportCards(ctx context.Context, v *access.Viewer, tx *db.Tx, seed int64, today string) error {
	if err := v.Can(ctx, access.Provision, access.Instance()); err != nil {
		return err
	}
	var idSeed [32]byte
	binary.LittleEndian.PutUint64(idSeed[:], uint64(seed))
	copy(idSeed[8:], "cartable demo: report cards")
	ctx = ids.WithSource(ctx, rand.NewChaCha8(idSeed))
	var s [32]byte
	binary.LittleEndian.PutUint64(s[:], uint64(seed))
	copy(s[8:], "cartable demo: council entries")
	rng := rand.New(rand.NewChaCha8(s))

	classes, err := db.Strings(ctx, tx, `SELECT c.id FROM classes c JOIN establishments e ON e.id = c.establishment_id
		JOIN school_years y ON y.id = c.school_year_id WHERE e.uai = ? AND NOT y.closed
		AND EXISTS (SELECT 1 FROM head_teachers h WHERE h.class_id = c.id)
		AND EXISTS (SELECT 1 FROM enrolments en WHERE en.class_id = c.id) ORDER BY c.code, c.id LIMIT 1`, MainUAI)
	if err != nil || len(classes) == 0 {
		return err
	}
	class := classes[0]
	var period, starts, ends string
	err = tx.QueryRow(ctx, `SELECT p.id, p.starts_on, p.ends_on FROM periods p JOIN classes c ON c.school_year_id = p.school_year_id
		WHERE c.id = ? AND p.number = 1`, class).Scan(&period, &starts, &ends)
	if err != nil {
		return err
	}
	if today < starts {
		return nil
	}
	publishOn := ends
	if today < publishOn {
		publishOn = today
	}
	students, err := db.Strings(ctx, tx, `SELECT e.student_id FROM enrolments e JOIN people p ON p.id = e.student_id
		WHERE e.class_id = ? AND p.active ORDER BY p.last_name, p.first_name, p.id`, class)
	if err != nil {
		return err
	}
	rows := make([]grades.CouncilRow, len(students))
	for i, st := range students {
		c := demoCouncil[rng.IntN(len(demoCouncil))]
		orientation := ""
		if rng.IntN(3) == 0 {
			orientation = "Poursuite de la scolarité dans le niveau supérieur."
		}
		rows[i] = grades.CouncilRow{Student: st, General: c.general, Mention: c.mention,
			Life: demoLife[rng.IntN(len(demoLife))], Orientation: orientation}
	}
	day, err := timetable.ParseDate(publishOn)
	if err != nil {
		return err
	}
	at := time.Date(day.Year(), day.Month(), day.Day(), 17, 0, 0, 0, timetable.Paris)
	if err := grades.SaveCouncilIn(ctx, v, tx, class, period, rows, at); err != nil {
		return err
	}
	_, err = grades.PublishIn(ctx, v, tx, class, period, publishOn, at)
	return err
}
