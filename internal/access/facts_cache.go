package access

import (
	"context"
	"sync"
)

// Facts keeps, in one process, what the policy loads about each viewer —
// their profile, establishments and functions, and the scope of their
// relations — under the directory's version (migration 0017: a counter
// that every change to the tables behind those facts bumps, read by the
// session lookup in its own statement). A request that brings the version
// it read gets the facts of that version without a query; a newer version
// empties the cache, so an edit made on any replica is seen by every
// replica at its next request. Viewers still answer every question
// themselves: the cache only saves the loading.
type Facts struct {
	mu      sync.Mutex
	version int64
	entries map[string]*factsEntry
	people  map[string]*target // the facts of people looked at (nil: unknown)
	// rules holds establishments' edits of the communication rules
	// (comm_rules, whose changes bump the version: migration 0023).
	rules map[string]map[string]CommScope
	memo  map[string]any // directory rows kept by Viewer.Memo
}

type factsEntry struct {
	facts *viewerFacts
	scope *scope   // nil until a request of this version loaded it
	grade *grading // idem (grades.go)
}

// factsLimit bounds the entries kept for one version: beyond it, the map
// starts afresh (a region's rush signs in more people than that).
const factsLimit = 200000

// entry returns the entry of person at version, creating it; nil when the
// version is older than the cache's (a request that raced an edit loads
// everything itself).
func (c *Facts) entry(person string, version int64) *factsEntry {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case version < c.version:
		return nil
	case version > c.version || c.entries == nil || len(c.entries) >= factsLimit:
		c.version, c.entries, c.people, c.memo = version, map[string]*factsEntry{}, map[string]*target{}, nil
		c.rules = map[string]map[string]CommScope{}
	}
	e := c.entries[person]
	if e == nil {
		e = &factsEntry{}
		c.entries[person] = e
	}
	return e
}

// ViewerAt is Policy.Viewer for a request that read the directory's
// version (the session lookup does): the viewer's facts come from c when
// it holds them for that version, and what the viewer loads later (its
// scope) is kept there for the next request. A nil cache or a version of
// 0 loads everything, as Viewer does.
func (p *Policy) ViewerAt(ctx context.Context, c *Facts, personID string, version int64) (*Viewer, error) {
	if c == nil || version <= 0 {
		return p.Viewer(ctx, personID)
	}
	e := c.entry(personID, version)
	if e == nil {
		return p.Viewer(ctx, personID)
	}
	c.mu.Lock()
	f, s, g := e.facts, e.scope, e.grade
	c.mu.Unlock()
	if f == nil {
		var err error
		if f, err = loadViewer(ctx, p.q, personID); err != nil {
			return nil, err
		}
		if f == nil {
			f = &viewerFacts{} // unknown: remembered as inactive
		}
		c.mu.Lock()
		e.facts = f
		c.mu.Unlock()
	}
	v, err := p.viewerOf(personID, f)
	if err != nil {
		return nil, err
	}
	v.scope, v.grading = s, g
	v.shared, v.sharedVersion = c, version
	v.keep = func(s *scope, g *grading) {
		c.mu.Lock()
		if s != nil {
			e.scope = s
		}
		if g != nil {
			e.grade = g
		}
		c.mu.Unlock()
	}
	return v, nil
}

// targets copies into into the facts c holds, for version, of the people
// among ids, and returns the ids it does not hold.
func (c *Facts) targets(version int64, ids []string, into map[string]*target) []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if version != c.version {
		return ids
	}
	missing := ids[:0:0]
	for _, id := range ids {
		if t, ok := c.people[id]; ok {
			into[id] = t
		} else {
			missing = append(missing, id)
		}
	}
	return missing
}

// keepTargets keeps the facts of ids loaded at version (absent from found:
// unknown people).
func (c *Facts) keepTargets(version int64, ids []string, found map[string]*target) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if version != c.version || len(c.people)+len(ids) > factsLimit {
		return
	}
	for _, id := range ids {
		c.people[id] = found[id]
	}
}

// commRules returns the edits of establishment e kept for version.
func (c *Facts) commRules(version int64, e string) (map[string]CommScope, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if version != c.version {
		return nil, false
	}
	r, ok := c.rules[e]
	return r, ok
}

// keepCommRules keeps the edits of establishment e loaded at version.
func (c *Facts) keepCommRules(version int64, e string, r map[string]CommScope) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if version == c.version && c.rules != nil {
		c.rules[e] = r
	}
}

// memoLimit bounds the rows kept by Memo for one version.
const memoLimit = 100000

// Memo returns the value load gives for key, kept in the Facts cache under
// the directory version the viewer's request read, so that the next
// request of any viewer at that version skips the query. It is only for
// rows read from the tables the directory version covers (migration 0017
// and 0025: people, families, enrolments, classes, establishments…), read
// raw: each viewer still filters what it may see. The value is shared
// between requests: callers must treat it as read-only (copy before
// changing). Without a cache (a viewer not made by ViewerAt) load runs.
func (v *Viewer) Memo(key string, load func() (any, error)) (any, error) {
	if v == nil || v.shared == nil || v.sharedVersion <= 0 {
		return load()
	}
	c, version := v.shared, v.sharedVersion
	c.mu.Lock()
	val, ok := c.memo[key]
	ok = ok && c.version == version
	c.mu.Unlock()
	if ok {
		return val, nil
	}
	val, err := load()
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if c.version == version && len(c.memo) < memoLimit {
		if c.memo == nil {
			c.memo = map[string]any{}
		}
		c.memo[key] = val
	}
	c.mu.Unlock()
	return val, nil
}
