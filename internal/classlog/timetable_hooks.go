package classlog

import (
	"cartable/internal/files"
	"context"

	"cartable/internal/db"
	"cartable/internal/timetable"
)

// The class log follows the lessons of the timetable it refers to: an
// entry is written for one occurrence (slot_id, lesson_date), a homework
// may be due at one (due_slot_id, due_date). When the timetable splits a
// lesson changed after it began, the occurrences from that day belong to
// the new slot; before it changes a lesson's day or week pattern, it asks
// what would be left off. The timetable calls these hooks in its own
// transaction and never touches these tables itself.
//
// They are registered here, at package initialisation: any binary that
// links the class log (the server, the command) has them, and the
// composer's test checks that they are registered.
func init() {
	// The files this package's tables refer to: the purge keeps them.
	files.RegisterReference("classlog_attachments", "file_id")
	files.RegisterReference("homework_submissions", "file_id")
	timetable.RegisterOccurrenceHooks(timetable.OccurrenceHooks{
		Name:  "classlog",
		Held:  heldOnOccurrences,
		Moved: moveOccurrences,
	})
}

// heldOnOccurrences counts the entries written for, and the homework due
// at, the occurrences of slot from since on.
func heldOnOccurrences(ctx context.Context, tx *db.Tx, slot, since string) (int, error) {
	var n int
	err := tx.QueryRow(ctx, `SELECT (SELECT COUNT(*) FROM classlog_entries WHERE slot_id = ? AND lesson_date >= ?)
		+ (SELECT COUNT(*) FROM homework WHERE due_slot_id = ? AND due_date >= ?)`, slot, since, slot, since).Scan(&n)
	return n, err
}

// moveOccurrences hands the entries and the homework due of slot from's
// occurrences from since on to slot to.
func moveOccurrences(ctx context.Context, tx *db.Tx, from, to, since string) error {
	for _, q := range []string{
		`UPDATE classlog_entries SET slot_id = ? WHERE slot_id = ? AND lesson_date >= ?`,
		`UPDATE homework SET due_slot_id = ? WHERE due_slot_id = ? AND due_date >= ?`,
	} {
		if _, err := tx.Exec(ctx, q, to, from, since); err != nil {
			return err
		}
	}
	return nil
}
