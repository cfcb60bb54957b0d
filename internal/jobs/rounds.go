package jobs

import (
	"context"
	"errors"
	"time"

	"cartable/internal/access"
	"cartable/internal/db"
)

// Round is a periodic round taken by one replica (TakeRound).
type Round struct {
	Name, Holder string
	TakenAt      int64 // Unix milliseconds, the claim's
}

// TakeRound claims the round called name for the period starting at now,
// for the replica holder: ok when it is this replica's to run.
//
// Each serve loop's round (register reminders, announcements, sweeps) is
// idempotent, so any replica may run it; without a claim every replica
// ran every round, and a region's two replicas read each establishment's
// day twice a minute. The claim is one upsert, atomic on both engines: the
// first replica whose tick finds next_at passed moves it a period on, the
// others' ticks in that period find it ahead and skip. next_at is set a
// tenth of the period short, so that the holder's next tick (which may
// fire a little earlier than a full period after the moment it read)
// takes the next round too. A next_at more than a period ahead was set by
// a replica whose clock runs ahead: it is taken over rather than waited
// for. A replica that dies holding the round delays it by at most that
// period; a round that fails gives its claim back (ReleaseRound). A round
// that outlasts its period may overlap the next one on another replica:
// harmless, the rounds being idempotent.
func TakeRound(ctx context.Context, v *access.Viewer, q db.Querier, name, holder string, now time.Time, every time.Duration) (r Round, ok bool, err error) {
	if err := instance(v, "take-round"); err != nil {
		return r, false, err
	}
	if name == "" || holder == "" || every <= 0 {
		return r, false, errors.New("jobs: a round needs a name, a holder and a period")
	}
	r = Round{Name: name, Holder: holder, TakenAt: now.UnixMilli()}
	next := now.Add(every - every/10).UnixMilli()
	res, err := q.Exec(ctx, `INSERT INTO job_rounds (name, next_at, holder, taken_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET next_at = excluded.next_at, holder = excluded.holder, taken_at = excluded.taken_at
		WHERE job_rounds.next_at <= ? OR job_rounds.next_at > ?`, name, next, holder, r.TakenAt, r.TakenAt, now.Add(every).UnixMilli())
	if err != nil {
		return r, false, err
	}
	n, err := res.RowsAffected()
	return r, n == 1, err
}

// ReleaseRound gives back the claim of a round that failed, so that the
// next tick of any replica runs it again rather than waiting a period. A
// claim taken over since is left alone.
func ReleaseRound(ctx context.Context, v *access.Viewer, q db.Querier, r Round) error {
	if err := instance(v, "release-round"); err != nil {
		return err
	}
	_, err := q.Exec(ctx, `UPDATE job_rounds SET next_at = 0 WHERE name = ? AND holder = ? AND taken_at = ?`, r.Name, r.Holder, r.TakenAt)
	return err
}
