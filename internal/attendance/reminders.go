package attendance

import (
	"context"
	"slices"
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
		var late []DayRegister
		for _, r := range regs {
			if r.Late {
				late = append(late, r)
			}
		}
		told, err := toldLate(ctx, s.DB, late)
		if err != nil {
			return sent, err
		}
		for _, r := range late {
			l := r.Lesson
			key := "register-late/" + l.Key()
			var todo []timetable.Person
			for _, t := range l.Teachers {
				if !told[t.ID+"\x00"+key] {
					todo = append(todo, t)
				}
			}
			// Every teacher told, and no register begun (no row to mark)
			// or the begun one marked already: nothing to write. Without
			// this, each round wrote one empty transaction per late
			// register of the day, some 850 a second for a region in the
			// afternoon.
			if len(todo) == 0 && (r.State == ToDo || r.Reminded) {
				continue
			}
			_, from, to := spanOf(l)
			err := s.DB.Tx(ctx, func(tx *db.Tx) error {
				for _, t := range todo {
					ok, err := notify.Queue(ctx, v, tx, notify.Notice{Establishment: est, Recipient: t.ID, Kind: "register-late",
						Key: key, Link: "/registers/" + l.Key(),
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

// toldLate reads which teachers of the late registers hold their notice
// already, as "teacher\x00key": one lookup of the notices' unique index
// per establishment and round.
func toldLate(ctx context.Context, q db.Querier, late []DayRegister) (map[string]bool, error) {
	if len(late) == 0 {
		return nil, nil
	}
	var people, keys []string
	for _, r := range late {
		keys = append(keys, "register-late/"+r.Lesson.Key())
		for _, t := range r.Lesson.Teachers {
			people = append(people, t.ID)
		}
	}
	slices.Sort(people)
	people = slices.Compact(people)
	told := map[string]bool{}
	_, err := db.All(ctx, q, func(sc db.Scanner) (struct{}, error) {
		var who, key string
		err := sc.Scan(&who, &key)
		told[who+"\x00"+key] = true
		return struct{}{}, err
	}, `SELECT recipient_id, dedupe_key FROM notifications WHERE `+db.In(q, "recipient_id")+` AND `+db.In(q, "dedupe_key"),
		db.ListArg(q, people), db.ListArg(q, keys))
	return told, err
}
