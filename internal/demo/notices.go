package demo

import (
	"context"
	"fmt"

	"cartable/internal/access"
	"cartable/internal/classlog"
	"cartable/internal/db"
	"cartable/internal/timetable"
)

// Notices of lesson changes and homework: the demo tells, as the server's
// rounds would at 07:45 on today, the first two change events of its
// outbox (the absent teacher's first cancelled lessons: their pupils,
// families and co-teachers) and the first homework to tell, so that the
// notifications page shows both kinds from the start. The other events
// and homework are left to the server's rounds (cmd/cartable), which tell
// them within minutes of its start.
const (
	demoChangeEvents = 2
	demoHomeworkTold = 1
)

func learningNotices(ctx context.Context, v *access.Viewer, tx *db.Tx, today string) error {
	if today == "" {
		return nil
	}
	day, err := timetable.ParseDate(today)
	if err != nil {
		return fmt.Errorf("demo notices: today %q: %w", today, err)
	}
	now := timetable.At(day, 7*60+45)
	if _, err := timetable.AnnounceChangesTx(ctx, v, tx, now, demoChangeEvents); err != nil {
		return fmt.Errorf("demo notices: %w", err)
	}
	if _, err := classlog.AnnounceHomeworkTx(ctx, v, tx, now, demoHomeworkTold); err != nil {
		return fmt.Errorf("demo notices: %w", err)
	}
	return nil
}
