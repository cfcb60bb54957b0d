package jobs

import (
	"context"
	"errors"
	"time"

	"cartable/internal/access"
	"cartable/internal/db"
)

// TakeRound claims the round called name for the period starting at now,
// for the replica holder: true when it is this replica's to run.
//
// Each serve loop's round (register reminders, announcements, sweeps) is
// idempotent, so any replica may run it; without a claim every replica
// ran every round, and a region's two replicas read each establishment's
// day twice a minute. The claim is one upsert, atomic on both engines: the
// first replica whose tick finds next_at passed moves it a period on, the
// others' ticks in that period find it ahead and skip. next_at is set a
// tenth of the period short, so that the holder's next tick (which may
// fire a little earlier than a full period after the moment it read)
// takes the next round too. A replica that dies holding the round delays
// nothing beyond that period: the next tick of another replica takes it.
// A round that outlasts its period may overlap the next one, on another
// replica: harmless, the rounds being idempotent.
func TakeRound(ctx context.Context, v *access.Viewer, q db.Querier, name, holder string, now time.Time, every time.Duration) (bool, error) {
	if err := instance(v, "take-round"); err != nil {
		return false, err
	}
	if name == "" || holder == "" || every <= 0 {
		return false, errors.New("jobs: a round needs a name, a holder and a period")
	}
	at := now.UnixMilli()
	next := now.Add(every - every/10).UnixMilli()
	res, err := q.Exec(ctx, `INSERT INTO job_rounds (name, next_at, holder, taken_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET next_at = excluded.next_at, holder = excluded.holder, taken_at = excluded.taken_at
		WHERE job_rounds.next_at <= ?`, name, next, holder, at, at)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}
