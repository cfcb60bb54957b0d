package directory

import (
	"context"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"cartable/internal/access"
	"cartable/internal/check"
	"cartable/internal/db"
)

// The people search of the school's staff: by name, class or login, in the
// establishments where the viewer may search (access.SearchPeople), and
// only among the people the viewer may read by name; a login matches only
// people whose record (which holds it) the viewer may read.
//
// Accents and case do not count ("elodie" finds "Élodie"), which neither
// engine does alike in SQL: the store reads the establishments' people
// (names, logins, class codes: what a card shows) and the matching is done
// here, on folded text. A collège of 1,700 people is read in a few
// milliseconds (BenchmarkSearch).

const (
	// SearchLimit bounds the people a search shows; beyond it the page asks
	// to refine.
	SearchLimit = 30
	// SearchMinLen and SearchMaxLen bound a query, in letters and digits
	// and in characters.
	SearchMinLen = 2
	SearchMaxLen = 100
)

// Found is a person a search found: their card (with a student's class
// codes) and, when the viewer may read their record, their login.
type Found struct {
	Card
	Login string
}

// SearchResult is what a search found, by name; More tells that more than
// SearchLimit people match and only the first are listed.
type SearchResult struct {
	People []Found
	More   bool
}

// MaySearch tells whether v may search people anywhere: the menu offers
// the search to those only.
func MaySearch(ctx context.Context, v *access.Viewer) (bool, error) {
	ests, err := searchable(ctx, v)
	return len(ests) > 0, err
}

// CheckSearch is the validator of the search form: a query of at least
// SearchMinLen letters or digits and at most SearchMaxLen characters.
func CheckSearch(query string) check.Problems {
	var ps check.Problems
	switch {
	case utf8.RuneCountInString(query) > SearchMaxLen:
		ps = append(ps, check.Problem{Field: "q", Code: "too-long", N: SearchMaxLen})
	case len(strings.Join(strings.Fields(fold(query)), "")) < SearchMinLen:
		ps = append(ps, check.Problem{Field: "q", Code: "too-short", N: SearchMinLen})
	}
	return ps
}

// Search finds the people matching query that v may see: every word of the
// query begins a word of their name, of a student's class (code or name)
// or, for those whose record v may read, of their login. A viewer who may
// search nowhere is refused, whatever the query; an empty query finds
// nobody (the form alone); a query that CheckSearch refuses is returned as
// its problems.
func Search(ctx context.Context, v *access.Viewer, q db.Querier, query string) (SearchResult, error) {
	ests, err := searchable(ctx, v)
	if err != nil {
		return SearchResult{}, err
	}
	if len(ests) == 0 {
		return SearchResult{}, access.Refuse(access.SearchPeople, access.Resource{Kind: access.KindEstablishment}, "searches no establishment")
	}
	if strings.TrimSpace(query) == "" {
		return SearchResult{}, nil
	}
	if ps := CheckSearch(query); len(ps) > 0 {
		return SearchResult{}, ps
	}
	words := strings.Fields(fold(query))
	candidates, err := searchCandidates(ctx, q, ests, words)
	if err != nil {
		return SearchResult{}, err
	}
	var hits []*candidate
	for _, c := range candidates {
		if c == nil {
			continue // a second membership of someone already read
		}
		c.byName = matches(c.hay, words)
		if c.byName || matches(c.hay+c.login, words) {
			hits = append(hits, c)
		}
	}
	sort.Slice(hits, func(i, j int) bool {
		a, b := hits[i], hits[j]
		if a.sortKey != b.sortKey {
			return a.sortKey < b.sortKey
		}
		return a.id < b.id
	})
	// The policy is asked by batches, in name order, until one more than
	// the limit is found: a common name costs a few questions, not one per
	// person of the school.
	var out SearchResult
	const batch = 4 * SearchLimit
	for start := 0; start < len(hits) && len(out.People) <= SearchLimit; start += batch {
		part := hits[start:min(start+batch, len(hits))]
		ids := make([]string, len(part))
		for i, c := range part {
			ids[i] = c.id
		}
		names, err := v.Visible(ctx, access.ReadName, ids)
		if err != nil {
			return SearchResult{}, err
		}
		records, err := v.Visible(ctx, access.ReadRecord, ids)
		if err != nil {
			return SearchResult{}, err
		}
		var kept []Found
		for _, c := range part {
			if !names[c.id] || !c.byName && !records[c.id] {
				continue // out of sight, or found by a login v may not read
			}
			f := Found{Card: Card{ID: c.id}}
			if records[c.id] {
				f.Login = c.login0
			}
			kept = append(kept, f)
			if len(out.People)+len(kept) > SearchLimit {
				break
			}
		}
		if err := foundCards(ctx, q, ests, kept); err != nil {
			return SearchResult{}, err
		}
		out.People = append(out.People, kept...)
	}
	if len(out.People) > SearchLimit {
		out.People, out.More = out.People[:SearchLimit], true
	}
	return out, nil
}

// searchable lists the establishments where v may search people.
func searchable(ctx context.Context, v *access.Viewer) ([]string, error) {
	if v == nil {
		return nil, nil
	}
	var out []string
	for _, e := range v.Establishments {
		ok, err := v.May(ctx, access.SearchPeople, access.Establishment(e))
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, e)
		}
	}
	return out, nil
}

// candidate is a person of the searched establishments with the folded
// words a query is matched against, each preceded by a space.
type candidate struct {
	id     string
	login0 string // as stored
	hay    string // " first last class-code class-name …"
	login  string // " login words"
	// folded "last first", the order of the results
	sortKey string
	byName  bool
}

// matches tells whether every word begins a word of hay.
func matches(hay string, words []string) bool {
	for _, w := range words {
		if !strings.Contains(hay, " "+w) {
			return false
		}
	}
	return true
}

// searchCandidates reads the names and logins of the people attached to
// the establishments ests and, when a word of the query begins a word of
// a class of theirs (code or name, in open years), that class's students
// with its words; the rest of the cards is read for the people found only
// (foundCards).
func searchCandidates(ctx context.Context, q db.Querier, ests []string, words []string) ([]*candidate, error) {
	args := make([]any, len(ests))
	for i, e := range ests {
		args[i] = e
	}
	in := db.Placeholders(len(ests))
	type class struct{ id, words string }
	classes, err := db.All(ctx, q, func(s db.Scanner) (c class, err error) {
		var code, name string
		err = s.Scan(&c.id, &code, &name)
		c.words = spaced(code + " " + name)
		return c, err
	}, `SELECT c.id, c.code, c.name FROM classes c JOIN school_years y ON y.id = c.school_year_id
		WHERE c.establishment_id IN (`+in+`) AND NOT y.closed`, args...)
	if err != nil {
		return nil, err
	}
	var named []any // classes a word of the query names
	classWords := map[string]string{}
	for _, c := range classes {
		for _, w := range words {
			if strings.Contains(c.words, " "+w) {
				named = append(named, c.id)
				classWords[c.id] = c.words
				break
			}
		}
	}
	extra := map[string]string{} // student → words of their named classes
	if len(named) > 0 {
		type enrolled struct{ student, class string }
		es, err := db.All(ctx, q, func(s db.Scanner) (e enrolled, err error) {
			err = s.Scan(&e.student, &e.class)
			return e, err
		}, `SELECT student_id, class_id FROM enrolments WHERE class_id IN (`+db.Placeholders(len(named))+`)`, named...)
		if err != nil {
			return nil, err
		}
		for _, e := range es {
			extra[e.student] += classWords[e.class]
		}
	}
	seen := map[string]bool{}
	return db.All(ctx, q, func(s db.Scanner) (*candidate, error) {
		c := &candidate{}
		var first, last string
		if err := s.Scan(&c.id, &first, &last, &c.login0); err != nil {
			return nil, err
		}
		if seen[c.id] {
			return nil, nil // attached to two of the establishments searched
		}
		seen[c.id] = true
		b := appendWords(make([]byte, 0, len(first)+len(last)+2), first)
		n := len(b)
		b = appendWords(b, last)
		c.hay = string(b) + extra[c.id]
		c.login = spaced(c.login0)
		c.sortKey = string(b[n:]) + "\x00" + string(b[:n])
		return c, nil
	}, `SELECT p.id, p.first_name, p.last_name, p.login
		FROM people p JOIN memberships m ON m.person_id = p.id
		WHERE m.establishment_id IN (`+in+`)`, args...)
}

// foundCards fills the cards of the people found (the IDs of found): the
// columns of the card and a student's class codes in the establishments
// searched, in two queries.
func foundCards(ctx context.Context, q db.Querier, ests []string, found []Found) error {
	if len(found) == 0 {
		return nil
	}
	args := make([]any, len(found))
	at := make(map[string]int, len(found))
	for i, f := range found {
		args[i] = f.ID
		at[f.ID] = i
	}
	in := db.Placeholders(len(found))
	cards, err := db.All(ctx, q, func(s db.Scanner) (c Card, err error) {
		err = s.Scan(&c.ID, &c.Profile, &c.Title, &c.FirstName, &c.LastName, &c.Active)
		return c, err
	}, `SELECT id, profile, title, first_name, last_name, active FROM people WHERE id IN (`+in+`)`, args...)
	if err != nil {
		return err
	}
	for _, c := range cards {
		found[at[c.ID]].Card = c
	}
	for _, e := range ests {
		args = append(args, e)
	}
	type enrolled struct{ student, code string }
	es, err := db.All(ctx, q, func(s db.Scanner) (e enrolled, err error) {
		err = s.Scan(&e.student, &e.code)
		return e, err
	}, `SELECT e.student_id, c.code FROM enrolments e
		JOIN classes c ON c.id = e.class_id JOIN school_years y ON y.id = c.school_year_id
		WHERE e.student_id IN (`+in+`) AND c.establishment_id IN (`+db.Placeholders(len(ests))+`) AND NOT y.closed
		ORDER BY c.code`, args...)
	if err != nil {
		return err
	}
	for _, e := range es {
		f := &found[at[e.student]]
		f.Classes = append(f.Classes, e.code)
	}
	return nil
}

// fold lower-cases s, strips its accents and ligatures ("Œ" → "oe") and
// turns what is neither a letter nor a digit into a space: "Marie-Élodie
// d'Aubigné" → "marie elodie d aubigne".
func fold(s string) string { return strings.TrimSpace(string(appendWords(nil, s))) }

// spaced is s's folded words, each preceded by a space: the form matches
// looks into.
func spaced(s string) string { return string(appendWords(nil, s)) }

// appendWords appends to b the folded words of s (see fold), each preceded
// by a space, in one pass: it runs on every person of a search.
func appendWords(b []byte, s string) []byte {
	gap := true // a space is due before the next letter or digit
	add := func(c ...byte) {
		if gap {
			b = append(b, ' ')
			gap = false
		}
		b = append(b, c...)
	}
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			i++
			switch {
			case 'A' <= c && c <= 'Z':
				add(c + 'a' - 'A')
			case 'a' <= c && c <= 'z', '0' <= c && c <= '9':
				add(c)
			default:
				gap = true
			}
			continue
		}
		// A run of non-ASCII text is decomposed as a whole, so that a
		// combining accent written apart stays with its letter.
		j := i + 1
		for j < len(s) && s[j] >= utf8.RuneSelf {
			j++
		}
		for _, r := range norm.NFD.String(s[i:j]) {
			switch {
			case unicode.Is(unicode.Mn, r):
				// an accent, once decomposed
			case r == 'œ' || r == 'Œ':
				add('o', 'e')
			case r == 'æ' || r == 'Æ':
				add('a', 'e')
			case r == 'ß':
				add('s', 's')
			case unicode.IsLetter(r) || unicode.IsDigit(r):
				add(utf8.AppendRune(nil, unicode.ToLower(r))...)
			default:
				gap = true
			}
		}
		i = j
	}
	return b
}
