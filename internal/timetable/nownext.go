package timetable

import (
	"context"
	"time"

	"cartable/internal/access"
	"cartable/internal/db"
)

// NowNext is the home page's "now and next" of a timetable: the lesson
// under way, the next one not cancelled, and the coming changes (at most
// MaxChanges), over the coming week.
type NowNext struct {
	Now, Next *Lesson
	Changes   []Lesson
}

// MaxChanges bounds the changes NowNext lists.
const MaxChanges = 6

// NowNext reads target's coming week at now through the cache, if v may
// read target's timetable; nil when there is nothing to show. The week is
// read bare; only the few lessons shown get their teachers and audiences:
// the home page is the busiest page of all.
func (c *Cache) NowNext(ctx context.Context, v *access.Viewer, q db.Querier, t Target, now time.Time) (*NowNext, error) {
	if err := canRead(ctx, v, t); err != nil {
		return nil, err
	}
	today := now.In(Paris)
	from := today.Format(DateFormat)
	to := today.AddDate(0, 0, 7).Format(DateFormat)
	ls, err := c.lessonsBare(ctx, q, t, from, to)
	if err != nil {
		return nil, err
	}
	nowIdx, nextIdx := -1, -1
	var changes []int
	for i, l := range ls {
		switch {
		case nowIdx < 0 && !now.Before(l.Start) && now.Before(l.End):
			nowIdx = i
		case nextIdx < 0 && l.Start.After(now) && !l.Cancelled():
			nextIdx = i
		}
		if l.End.After(now) && l.Changed() && len(changes) < MaxChanges {
			changes = append(changes, i)
		}
	}
	var shown []Lesson
	index := map[int]int{}
	for _, i := range append([]int{nowIdx, nextIdx}, changes...) {
		if _, ok := index[i]; i >= 0 && !ok {
			index[i] = len(shown)
			shown = append(shown, ls[i])
		}
	}
	if len(shown) == 0 {
		return nil, nil
	}
	for i := range shown { // the cached slots are shared: fill copies
		sl := *shown[i].Slot
		shown[i].Slot = &sl
	}
	if err := fillLessons(ctx, q, shown); err != nil {
		return nil, err
	}
	n := &NowNext{}
	if nowIdx >= 0 {
		n.Now = &shown[index[nowIdx]]
	}
	if nextIdx >= 0 {
		n.Next = &shown[index[nextIdx]]
	}
	for _, i := range changes {
		n.Changes = append(n.Changes, shown[index[i]])
	}
	return n, nil
}
