package web

import (
	"context"
	"sync"
	"time"

	"cartable/internal/timetable"
)

// weekCache keeps, for a few seconds, the bare lessons of the coming week of
// a student or teacher: the home page's "now and next" is the busiest read
// of the 8 a.m. rush and the week rarely changes within seconds. Access is
// still decided on every request before the cache is read; an edit made
// through this replica empties the cache at once, another replica's edit is
// seen after at most weekTTL.
type weekCache struct {
	mu      sync.Mutex
	gen     uint64 // bumped by reset: a read begun before it stores nothing
	entries map[string]weekEntry
	// shared keeps what many week views share (slot details, calendars),
	// under the same rule.
	shared timetable.Cache
}

type weekEntry struct {
	lessons []timetable.Lesson
	expires time.Time
}

const (
	weekTTL        = timetable.DefaultTTL
	weekCacheLimit = 20000 // entries; beyond it the cache starts afresh
)

// lessons returns the bare lessons of t from..to, from the cache when fresh.
// Callers must not change the returned lessons or their slots (copy first).
func (c *weekCache) lessons(ctx context.Context, s *Server, t timetable.Target, from, to string) ([]timetable.Lesson, error) {
	key := t.Kind + "/" + t.ID + "/" + from + "/" + to
	now := time.Now()
	c.mu.Lock()
	e, ok := c.entries[key]
	gen := c.gen
	c.mu.Unlock()
	if ok && now.Before(e.expires) {
		return e.lessons, nil
	}
	ls, err := timetable.LessonsBare(ctx, s.DB, t, from, to)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if gen != c.gen {
		c.mu.Unlock()
		return ls, nil
	}
	if c.entries == nil || len(c.entries) >= weekCacheLimit {
		c.entries = map[string]weekEntry{}
	}
	c.entries[key] = weekEntry{lessons: ls, expires: now.Add(weekTTL)}
	c.mu.Unlock()
	return ls, nil
}

// reset forgets everything; called after any timetable edit.
func (c *weekCache) reset() {
	c.mu.Lock()
	c.entries = nil
	c.gen++
	c.mu.Unlock()
	c.shared.Reset()
}
