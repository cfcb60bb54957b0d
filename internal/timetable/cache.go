package timetable

import (
	"context"
	"slices"
	"strings"
	"sync"
	"time"

	"cartable/internal/access"
	"cartable/internal/db"
)

// Cache keeps, in one server process and for a few seconds, the parts of
// a timetable read that many people share: each slot's teachers and
// audiences (a class's lessons are read by each of its students, their
// relatives and teachers) and each school year's calendar; and the bare
// coming week of a person, which the home page's "now and next" reads at
// every visit of the 8 a.m. rush. The week view still reads a person's own
// lessons, changes and week patterns every time. Access is asked by the
// exported reads before anything is read, cached or not. Any write of
// this package in this process empties every Cache (guard.go, edits);
// another process's edit shows after at most TTL. A nil *Cache reads
// everything; the zero Cache keeps entries DefaultTTL.
type Cache struct {
	TTL time.Duration

	mu        sync.Mutex
	gen       uint64 // bumped by Reset: a read begun before it stores nothing
	seen      uint64 // the count of edits the entries were read after
	details   map[string]cachedDetails
	calendars map[string]cachedCalendar
	weeks     map[string]cachedWeek
}

type cachedWeek struct {
	lessons []Lesson
	expires time.Time
}

type cachedDetails struct {
	teachers  []Person
	audiences []Audience
	expires   time.Time
}

type cachedCalendar struct {
	cal     Calendar
	expires time.Time
}

// cacheLimit bounds each map: beyond it, the map starts afresh.
const cacheLimit = 50000

// DefaultTTL is how long the zero Cache keeps an entry.
const DefaultTTL = 15 * time.Second

func (c *Cache) ttl() time.Duration {
	if c.TTL <= 0 {
		return DefaultTTL
	}
	return c.TTL
}

// Reset forgets everything. The package's writes do it themselves; this
// is for an edit made around them.
func (c *Cache) Reset() {
	if c == nil {
		return
	}
	c.mu.Lock()
	c.reset()
	c.mu.Unlock()
}

func (c *Cache) reset() {
	c.details, c.calendars, c.weeks = nil, nil, nil
	c.gen++
}

// begin returns the generation a read starts in, first forgetting what
// was read before an edit of this process. Callers hold c.mu.
func (c *Cache) begin() uint64 {
	if n := edits.Load(); n != c.seen {
		c.reset()
		c.seen = n
	}
	return c.gen
}

// current tells whether what a read begun in gen found may be stored: no
// Reset and no edit happened meanwhile. Callers hold c.mu.
func (c *Cache) current(gen uint64) bool {
	return gen == c.gen && edits.Load() == c.seen
}

// Period is the package's Period, reading slot details and calendars
// through the cache.
func (c *Cache) Period(ctx context.Context, v *access.Viewer, q db.Querier, t Target, from, to string) (Span, error) {
	if err := canRead(ctx, v, t); err != nil {
		return Span{}, err
	}
	return period(ctx, q, c, t, from, to, true)
}

// fill sets the teachers and audiences of the given slots, from the cache
// when fresh. Cached slices are shared between requests: they are capped
// (len == cap) so that an append by a caller copies instead of writing
// into them.
func (c *Cache) fill(ctx context.Context, q db.Querier, into map[string]*Slot, ids []string) error {
	if c == nil {
		return fillSlots(ctx, q, into, ids)
	}
	now := time.Now()
	var missing []string
	c.mu.Lock()
	gen := c.begin()
	for _, id := range ids {
		if d, ok := c.details[id]; ok && now.Before(d.expires) {
			into[id].Teachers, into[id].Audiences = d.teachers, d.audiences
		} else {
			missing = append(missing, id)
		}
	}
	c.mu.Unlock()
	if len(missing) == 0 {
		return nil
	}
	if err := fillSlots(ctx, q, into, missing); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.current(gen) {
		return nil // an edit happened meanwhile: what was read may be older
	}
	if c.details == nil || len(c.details) >= cacheLimit {
		c.details = map[string]cachedDetails{}
	}
	for _, id := range missing {
		s := into[id]
		s.Teachers, s.Audiences = slices.Clip(s.Teachers), slices.Clip(s.Audiences)
		c.details[id] = cachedDetails{teachers: s.Teachers, audiences: s.Audiences, expires: now.Add(c.ttl())}
	}
	return nil
}

// calendar is LoadCalendar through the cache. Callers only read the
// calendar's holidays.
func (c *Cache) calendar(ctx context.Context, q db.Querier, years []string) (Calendar, error) {
	if c == nil {
		return LoadCalendar(ctx, q, years)
	}
	key := strings.Join(years, ",")
	now := time.Now()
	c.mu.Lock()
	gen := c.begin()
	e, ok := c.calendars[key]
	c.mu.Unlock()
	if ok && now.Before(e.expires) {
		return e.cal, nil
	}
	cal, err := LoadCalendar(ctx, q, years)
	if err != nil {
		return cal, err
	}
	cal.Holidays = slices.Clip(cal.Holidays)
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.current(gen) {
		return cal, nil
	}
	if c.calendars == nil || len(c.calendars) >= cacheLimit {
		c.calendars = map[string]cachedCalendar{}
	}
	c.calendars[key] = cachedCalendar{cal: cal, expires: now.Add(c.ttl())}
	return cal, nil
}

// lessonsBare is the package's lessonsBare through the cache. Callers must
// not change the lessons or their slots (copy first: fillLessons writes).
func (c *Cache) lessonsBare(ctx context.Context, q db.Querier, t Target, from, to string) ([]Lesson, error) {
	if c == nil {
		return lessonsBare(ctx, q, t, from, to)
	}
	key := t.Kind + "/" + t.ID + "/" + from + "/" + to
	now := time.Now()
	c.mu.Lock()
	gen := c.begin()
	e, ok := c.weeks[key]
	c.mu.Unlock()
	if ok && now.Before(e.expires) {
		return e.lessons, nil
	}
	ls, err := lessonsBare(ctx, q, t, from, to)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.current(gen) {
		return ls, nil
	}
	if c.weeks == nil || len(c.weeks) >= cacheLimit {
		c.weeks = map[string]cachedWeek{}
	}
	c.weeks[key] = cachedWeek{lessons: ls, expires: now.Add(c.ttl())}
	return ls, nil
}
