package attendance

import (
	"context"
	"time"

	"cartable/internal/access"
	"cartable/internal/db"
	"cartable/internal/notify"
	"cartable/internal/timetable"
)

// alert queues, in tx (the register's transaction), the notice of kind
// ("absence" or "lateness") about student at reg's lesson to each of the
// student's legal guardians (not the other relatives). Its key names the
// student, the day and the half-day, so that a student marked absent at
// three lessons of a morning is told once.
func (s *Service) alert(ctx context.Context, v *access.Viewer, tx *db.Tx, reg Register, student Student, kind string, now time.Time) error {
	l := reg.Lesson
	day, from, to := spanOf(l)
	guardians, err := guardiansOf(ctx, tx, student.ID)
	if err != nil {
		return err
	}
	key := AlertKey(kind, student.ID, day, reg.Settings.HalfDay(from))
	args := map[string]string{
		"child":   student.FirstName,
		"date":    day,
		"time":    timetable.HHMM(from) + "–" + timetable.HHMM(to),
		"subject": l.Slot.SubjectName,
	}
	nb := AlertTime(reg.Settings, now)
	for _, g := range guardians {
		if _, err := notify.Queue(ctx, v, tx, notify.Notice{Establishment: l.Slot.EstablishmentID, Recipient: g, About: student.ID,
			Kind: kind, Key: key, Args: args, Link: "/?child=" + student.ID, NotBefore: nb}); err != nil {
			return err
		}
	}
	return nil
}

// AlertKey is the outbox key of an alert: "absence/STUDENT/2026-12-07/am".
func AlertKey(kind, student, day, half string) string {
	return kind + "/" + student + "/" + day + "/" + half
}

// AlertTime is when an alert marked at now may go out: after the
// establishment's delay, within its hours (before them: at their start;
// after them: the next morning).
func AlertTime(st Settings, now time.Time) time.Time {
	t := now.Add(time.Duration(st.AlertDelay) * time.Minute).In(timetable.Paris)
	m := t.Hour()*60 + t.Minute()
	day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, timetable.Paris)
	switch {
	case m < st.AlertFrom:
		return timetable.At(day, st.AlertFrom)
	case m >= st.AlertUntil:
		return timetable.At(day.AddDate(0, 0, 1), st.AlertFrom)
	}
	return t
}
