package directory

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"cartable/internal/access"
	"cartable/internal/db"
)

// A visit of the home page: what "new since your last visit" covers. It is
// kept per person and per person the news are about (oneself, or each child
// a relative looks at), so that a relative looking at one child does not
// mark the other's news as seen.
//
// A visit is a run of home pages each less than VisitGap after the
// previous one: coming back from a lesson page, or reloading, shows the
// same news again; coming back later shows what was published since the
// last home page of the previous visit. The first visit covers FirstVisit.

// VisitGap ends a visit: the idle time after which a session ends too.
const VisitGap = 30 * time.Minute

// FirstVisit is what the first visit of all covers.
const FirstVisit = 7 * 24 * time.Hour

// seenEvery bounds the writes: a visit's latest home page is recorded at
// most once a minute, so that a busy home page is a read, not a write.
const seenEvery = time.Minute

// Visit is the span of news a home page shows.
type Visit struct {
	Since time.Time // news published after this instant
	First bool      // no earlier visit: Since is FirstVisit ago
}

// HomeVisit records v's home page at now, showing the news about person
// about (v themself, or a child v may read the record of), and returns the
// span its news cover. d is the database (the visit is written outside any
// other transaction).
func HomeVisit(ctx context.Context, v *access.Viewer, d *db.DB, about string, now time.Time) (Visit, error) {
	if v == nil || v.ID == "" || v.IsSystem() {
		return Visit{}, access.Refuse(access.ReadRecord, access.Person(about), "no person visits for the system")
	}
	if about != v.ID {
		if err := v.Can(ctx, access.ReadRecord, access.Person(about)); err != nil {
			return Visit{}, err
		}
	}
	since, seen, err := homeVisit(ctx, d, v.ID, about)
	if errors.Is(err, sql.ErrNoRows) {
		first := Visit{Since: now.Add(-FirstVisit), First: true}
		return first, startVisit(ctx, d, v.ID, about, first.Since.Unix(), now.Unix())
	}
	if err != nil {
		return Visit{}, err
	}
	at := now.Unix()
	switch {
	case at-seen >= int64(VisitGap/time.Second):
		// A new visit: its news start at the previous visit's last page.
		return Visit{Since: time.Unix(seen, 0)}, moveVisit(ctx, d, v.ID, about, seen, seen, at)
	case at-seen >= int64(seenEvery/time.Second):
		return Visit{Since: time.Unix(since, 0)}, moveVisit(ctx, d, v.ID, about, seen, since, at)
	}
	return Visit{Since: time.Unix(since, 0)}, nil
}

func homeVisit(ctx context.Context, q db.Querier, person, about string) (since, seen int64, err error) {
	err = q.QueryRow(ctx, `SELECT since_at, seen_at FROM home_visits WHERE person_id = ? AND about_id = ?`, person, about).Scan(&since, &seen)
	return
}

// startVisit records a first visit; two first pages at once agree.
func startVisit(ctx context.Context, q db.Querier, person, about string, since, seen int64) error {
	_, err := q.Exec(ctx, `INSERT INTO home_visits (person_id, about_id, since_at, seen_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (person_id, about_id) DO NOTHING`, person, about, since, seen)
	return err
}

// moveVisit records the latest page of a visit, only if no other page
// moved it since it was read (two pages at once start one visit, not two).
func moveVisit(ctx context.Context, q db.Querier, person, about string, wasSeen, since, seen int64) error {
	_, err := q.Exec(ctx, `UPDATE home_visits SET since_at = ?, seen_at = ? WHERE person_id = ? AND about_id = ? AND seen_at = ?`,
		since, seen, person, about, wasSeen)
	return err
}
