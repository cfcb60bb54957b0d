package attendance

import (
	"context"
	"time"

	"cartable/internal/access"
	"cartable/internal/db"
	"cartable/internal/notify"
	"cartable/internal/timetable"
)

// RemindLate tells the teachers of today's lessons whose register is not
// done LateAfter minutes after the start (the establishment's setting):
// one notice "register-late" to each of the lesson's teachers (the
// replacement, when there is one), once per register (the notice's key),
// and the register, when it was begun, remembers it was chased
// (reminded_at). The serve loop calls it every minute as the system; it
// returns how many notices it queued.
func (s *Service) RemindLate(ctx context.Context, v *access.Viewer, now time.Time) (int, error) {
	if !v.IsSystem() {
		return 0, access.Refuse(access.ManageSchoolLife, access.Establishment(""), "reminders are the instance's work")
	}
	today := now.In(timetable.Paris).Format(timetable.DateFormat)
	ests, err := establishmentsWithLessons(ctx, s.DB, today)
	if err != nil {
		return 0, err
	}
	sent := 0
	for _, est := range ests {
		st, err := settingsOf(ctx, s.DB, est)
		if err != nil {
			return sent, err
		}
		regs, err := s.dayRegisters(ctx, s.DB, est, today, now, st)
		if err != nil {
			return sent, err
		}
		for _, r := range regs {
			if !r.Late {
				continue
			}
			l := r.Lesson
			_, from, to := spanOf(l)
			err := s.DB.Tx(ctx, func(tx *db.Tx) error {
				for _, t := range l.Teachers {
					ok, err := notify.Queue(ctx, v, tx, notify.Notice{Establishment: est, Recipient: t.ID, Kind: "register-late",
						Key: "register-late/" + l.Key(), Link: "/registers/" + l.Key(),
						Args: map[string]string{"subject": l.Slot.SubjectName, "audience": l.Audience(), "date": today,
							"time": timetable.HHMM(from) + "–" + timetable.HHMM(to)}})
					if err != nil {
						return err
					}
					if ok {
						sent++
					}
				}
				_, err := tx.Exec(ctx, `UPDATE att_registers SET reminded_at = ? WHERE slot_id = ? AND lesson_date = ? AND reminded_at IS NULL`,
					now.Unix(), l.Slot.ID, l.Date)
				return err
			})
			if err != nil {
				return sent, err
			}
		}
	}
	return sent, nil
}
