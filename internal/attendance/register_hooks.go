package attendance

import (
	"context"

	"cartable/internal/db"
	"cartable/internal/timetable"
)

// Registers follow the lessons they were taken for, as the class log's
// entries do (internal/classlog/timetable_hooks.go): a register and its
// marks name an occurrence (slot_id, lesson_date). When the timetable
// splits a lesson changed after it began, the registers of the
// occurrences from that day go to the new slot; a change of day or week
// pattern that would leave a register off the lesson's occurrences is
// refused. Registered at initialisation, so that every binary linking
// attendance has them.
func init() {
	timetable.RegisterOccurrenceHooks(timetable.OccurrenceHooks{
		Name:  "attendance-registers",
		Held:  registersHeld,
		Moved: moveRegisters,
	})
}

// registersHeld counts the registers taken for the occurrences of slot
// from since on.
func registersHeld(ctx context.Context, tx *db.Tx, slot, since string) (int, error) {
	var n int
	err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM att_registers WHERE slot_id = ? AND lesson_date >= ?`, slot, since).Scan(&n)
	return n, err
}

// moveRegisters hands the registers of slot from's occurrences from since
// on, with their marks, to slot to (the marks refer to their register:
// the new rows first, then the marks, then the old rows).
func moveRegisters(ctx context.Context, tx *db.Tx, from, to, since string) error {
	for _, q := range []string{
		`INSERT INTO att_registers (slot_id, lesson_date, establishment_id, state, taken_by, started_at, done_at, reminded_at)
			SELECT ?, lesson_date, establishment_id, state, taken_by, started_at, done_at, reminded_at FROM att_registers
			WHERE slot_id = ? AND lesson_date >= ?`,
		`UPDATE att_marks SET slot_id = ? WHERE slot_id = ? AND lesson_date >= ?`,
	} {
		if _, err := tx.Exec(ctx, q, to, from, since); err != nil {
			return err
		}
	}
	_, err := tx.Exec(ctx, `DELETE FROM att_registers WHERE slot_id = ? AND lesson_date >= ?`, from, since)
	return err
}
