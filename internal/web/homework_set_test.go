package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
)

var setItemRe = regexp.MustCompile(`<li id="hw-([a-z2-7]+)" class="hw">`)

// The teacher's homework list: by due date, what is to come first
// (soonest first), then the past (latest first); a page of twenty with
// links to the others; filtered by class or group and by due dates
// through a plain GET form whose filter stays in the address. A bad
// filter says what and where, keeping what was typed; a class or group
// the teacher never set homework for shows nothing of it.
func TestTeacherHomeworkListSortedFilteredPaged(t *testing.T) {
	e := newTTEnv(t, 120)
	// The demo teacher who set the most homework.
	teacher := e.query(`SELECT e.author_id FROM homework h JOIN classlog_entries e ON e.id = h.entry_id
		GROUP BY e.author_id ORDER BY COUNT(*) DESC, e.author_id LIMIT 1`)[0]
	tb := e.signIn(e.login(teacher))
	const today, since = "2026-11-30", "2026-11-02" // the clock's day, four weeks before
	// order is the list as the page must give it, computed here in SQL.
	order := func(cond string, args ...any) []string {
		t.Helper()
		return e.query(`SELECT h.id FROM homework h JOIN classlog_entries e ON e.id = h.entry_id
			JOIN subjects su ON su.id = e.subject_id LEFT JOIN classes c ON c.id = h.class_id LEFT JOIN groups g ON g.id = h.group_id
			WHERE e.author_id = ? `+cond+`
			ORDER BY CASE WHEN h.due_date >= ? THEN 0 ELSE 1 END, CASE WHEN h.due_date >= ? THEN h.due_date ELSE '' END,
			h.due_date DESC, su.name, COALESCE(c.name, g.name, ''), h.created_at, h.id`, append(append([]any{teacher}, args...), today, today)...)
	}
	ids := func(r response) []string {
		var out []string
		for _, m := range setItemRe.FindAllStringSubmatch(r.body, -1) {
			out = append(out, m[1])
		}
		return out
	}

	// Unfiltered: from four weeks ago, paged by twenty.
	want := order(`AND h.due_date >= ?`, since)
	if len(want) <= 20 {
		// Enough homework for two pages: the teacher sets more, due later.
		t.Fatalf("the demo teacher set only %d homework since %s", len(want), since)
	}
	r := tb.get("/homework")
	if r.status != 200 || !slices.Equal(ids(r), want[:20]) {
		t.Fatalf("the first page: %d\n got %v\nwant %v", r.status, ids(r), want[:20])
	}
	first := e.query(`SELECT due_date FROM homework WHERE id = ?`, want[0])[0]
	if first < today && len(e.query(`SELECT h.id FROM homework h JOIN classlog_entries e ON e.id = h.entry_id WHERE e.author_id = ? AND h.due_date >= ?`, teacher, today)) > 0 {
		t.Error("the list does not start with what is to come")
	}
	for _, s := range []string{`<form method="get" action="/homework" class="filters">`, `name="from" value="` + since + `"`, "<h3>À venir</h3>", "<h3>Date passée</h3>",
		`rel="next" href="/homework?aud=&amp;from=` + since + `&amp;page=2&amp;to="`} {
		if !strings.Contains(r.body, s) {
			t.Errorf("the first page lacks %s", s)
		}
	}
	r = tb.get("/homework?aud=&from=" + since + "&page=2&to=")
	end := min(40, len(want))
	if r.status != 200 || !slices.Equal(ids(r), want[20:end]) || !strings.Contains(r.body, `rel="prev"`) {
		t.Errorf("the second page: %d\n got %v\nwant %v", r.status, ids(r), want[20:end])
	}
	// The shape, whatever the SQL: to come ascending, then past descending.
	var dues []string
	for _, id := range append(ids(tb.get("/homework")), ids(r)...) {
		dues = append(dues, e.query(`SELECT due_date FROM homework WHERE id = ?`, id)[0])
	}
	for i := 1; i < len(dues); i++ {
		a, b := dues[i-1], dues[i]
		if a >= today && b >= today && b < a || a < today && b >= today || a < today && b < today && b > a {
			t.Fatalf("due dates out of order at %d: %v", i, dues)
		}
	}
	if a, b := title(tb.get("/homework")), title(r); a == b {
		t.Errorf("two pages share the title %q", a)
	}

	// By class or group, and by due dates: only those, in order; the
	// filter stays in the address of the next pages.
	aud := e.query(`SELECT COALESCE(h.class_id, '') || '|' || COALESCE(h.group_id, '') FROM homework h JOIN classlog_entries e ON e.id = h.entry_id
		WHERE e.author_id = ? GROUP BY h.class_id, h.group_id ORDER BY COUNT(*) DESC LIMIT 1`, teacher)[0]
	classID, groupID, _ := strings.Cut(aud, "|")
	key, cond, arg := "c:"+classID, `AND h.class_id = ?`, classID
	if groupID != "" {
		key, cond, arg = "g:"+groupID, `AND h.group_id = ?`, groupID
	}
	want = order(cond, arg)
	r = tb.get("/homework?" + url.Values{"aud": {key}, "from": {""}}.Encode())
	if r.status != 200 || !slices.Equal(ids(r), want[:min(20, len(want))]) || !strings.Contains(r.body, `<option value="`+key+`" selected>`) {
		t.Errorf("filtered by %s: %d\n got %v\nwant %v", key, r.status, ids(r), want)
	}
	want = order(`AND h.due_date >= ? AND h.due_date <= ?`, "2026-11-24", "2026-12-02")
	r = tb.get("/homework?from=2026-11-24&to=2026-12-02")
	if r.status != 200 || len(want) == 0 || !slices.Equal(ids(r), want[:min(20, len(want))]) {
		t.Errorf("filtered by dates: %d\n got %v\nwant %v", r.status, ids(r), want)
	}

	// A teacher who set nothing yet is told so, without a filter.
	if idle := e.query(`SELECT p.id FROM people p WHERE p.profile = 'teacher' AND p.active
		AND NOT EXISTS (SELECT 1 FROM classlog_entries c WHERE c.author_id = p.id) ORDER BY p.id LIMIT 1`); len(idle) == 1 {
		if r := e.signIn(e.login(idle[0])).get("/homework"); r.status != 200 || !strings.Contains(r.body, "Vous n&#39;avez encore donné aucun travail.") ||
			strings.Contains(r.body, `class="filters"`) {
			t.Errorf("a teacher without homework: %d", r.status)
		}
	}

	// Bad filters: said, kept, nothing listed.
	other := e.query(`SELECT id FROM classes WHERE id NOT IN (SELECT h.class_id FROM homework h JOIN classlog_entries e ON e.id = h.entry_id
		WHERE e.author_id = ? AND h.class_id IS NOT NULL) ORDER BY id LIMIT 1`, teacher)[0]
	for _, c := range []struct{ query, says, kept string }{
		{"from=2026-13-45", "À rendre à partir du : date impossible « 2026-13-45 »", `name="from" value="2026-13-45" aria-invalid="true"`},
		{"from=2026-12-10&to=2026-12-01", "À rendre jusqu&#39;au : « 2026-12-01 » précède la date de début", `name="to" value="2026-12-01" aria-invalid="true"`},
		{"aud=c:" + other, "Classe ou groupe : choix impossible « c:" + other + " »", `id="f-aud" name="aud" aria-invalid="true"`},
	} {
		r := tb.get("/homework?" + c.query)
		if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, c.says) || !strings.Contains(r.body, c.kept) || len(ids(r)) != 0 {
			t.Errorf("%s: %d, %d listed\n%s", c.query, r.status, len(ids(r)), alertRe.FindString(r.body))
		}
	}
}
