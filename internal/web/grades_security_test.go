package web_test

// An attacker's review of grades: stale or concurrent saves, forged ids,
// audiences and the links each one is offered.

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"cartable/internal/timetable"
)

var inputTag = regexp.MustCompile(`<input[^>]*>`)
var attr = regexp.MustCompile(`\b(name|value)="([^"]*)"`)

// formFields reads the inputs of a page as a browser would post them.
func formFields(body string) url.Values {
	out := url.Values{}
	for _, tag := range inputTag.FindAllString(body, -1) {
		var name, value string
		for _, m := range attr.FindAllStringSubmatch(tag, -1) {
			if m[1] == "name" {
				name = html.UnescapeString(m[2])
			} else {
				value = html.UnescapeString(m[2])
			}
		}
		if name != "" {
			out.Set(name, value)
		}
	}
	return out
}

// gbEvaluation creates an evaluation of the cast's teaching in trimester
// 1 and returns its grid's path.
func (e *env) gbEvaluation(b *browser, c gbCast) string {
	e.t.Helper()
	form := url.Values{"csrf": {b.csrf()}, "teaching": {"class:" + c.class + "/" + c.subject}, "title": {"Contrôle"},
		"held_on": {"2026-11-18"}, "scale": {"20"}, "coefficient": {"1"}, "kind": {"summative"}, "to20": {"1"},
		"period": {e.strs(`SELECT p.id FROM periods p JOIN school_years y ON y.id = p.school_year_id WHERE y.establishment_id = ? AND p.number = 1`, c.est)[0]}}
	r := b.post("/gradebook/new", form)
	m := evalLocation.FindStringSubmatch(r.header.Get("Location"))
	if r.status != http.StatusSeeOther || m == nil {
		e.t.Fatalf("create: %d → %s", r.status, r.header.Get("Location"))
	}
	return "/gradebook/evaluations/" + m[1]
}

func (e *env) markOf(grid, student string) string {
	e.t.Helper()
	id := strings.TrimPrefix(grid, "/gradebook/evaluations/")
	if e.count(`SELECT COUNT(*) FROM gr_marks WHERE evaluation_id = ? AND student_id = ?`, id, student) == 0 {
		return ""
	}
	return e.strs(`SELECT COALESCE(CAST(value_x100 AS TEXT), special) FROM gr_marks WHERE evaluation_id = ? AND student_id = ?`, id, student)[0]
}

// Two pages of one grid (two tabs, or two teachers of the teaching): the
// second save keeps the marks the first wrote, and a mark changed over
// someone else's change is refused, naming the row and the mark now.
func TestGradesGridStaleSaveKeepsOthersMarks(t *testing.T) {
	e := newEnv(t, 120)
	e.setClock(time.Date(2026, 11, 20, 10, 0, 0, 0, timetable.Paris))
	c := e.gbCast()
	b := e.signInStrong(c.teacher)
	grid := e.gbEvaluation(b, c)

	pageA, pageB := b.get(grid), b.get(grid)
	formA := formFields(pageA.body)
	formA.Set("m."+c.roster[0], "12")
	if r := b.post(grid+"/marks", formA); r.status != http.StatusSeeOther {
		t.Fatalf("first save: %d", r.status)
	}
	formB := formFields(pageB.body)
	formB.Set("m."+c.roster[1], "15")
	if r := b.post(grid+"/marks", formB); r.status != http.StatusSeeOther {
		t.Fatalf("second save: %d", r.status)
	}
	if got := e.markOf(grid, c.roster[0]); got != "1200" {
		t.Errorf("the first save's mark became %q after a save from an older page", got)
	}
	if got := e.markOf(grid, c.roster[1]); got != "1500" {
		t.Errorf("second save's mark %q", got)
	}

	// From the first page again: changing the mark someone else wrote
	// since is refused, nothing saved, the row named.
	stale := formFields(pageA.body)
	stale.Set("m."+c.roster[1], "9")
	stale.Set("m."+c.roster[2], "10")
	r := b.post(grid+"/marks", stale)
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, c.names[1]+" : quelqu&#39;un d&#39;autre a changé cette note") ||
		!strings.Contains(r.body, "elle vaut maintenant 15") || !strings.Contains(r.body, `value="9"`) {
		t.Fatalf("change over another's: %d %.600s", r.status, r.body)
	}
	if got, other := e.markOf(grid, c.roster[1]), e.markOf(grid, c.roster[2]); got != "1500" || other != "" {
		t.Errorf("a refused save changed marks: %q %q", got, other)
	}
	// The page it answers shows the mark now: saving again is deliberate.
	again := formFields(r.body)
	if r := b.post(grid+"/marks", again); r.status != http.StatusSeeOther || e.markOf(grid, c.roster[1]) != "900" {
		t.Errorf("deliberate save: %d %q", r.status, e.markOf(grid, c.roster[1]))
	}
	// A row the form does not carry is left alone.
	if r := b.post(grid+"/marks", url.Values{"csrf": {b.csrf()}, "m." + c.roster[2]: {"11"}}); r.status != http.StatusSeeOther {
		t.Fatalf("one row: %d", r.status)
	}
	if got := e.markOf(grid, c.roster[0]); got != "1200" {
		t.Errorf("a row absent from the form lost its mark: %q", got)
	}
	// The history tells each change once, before → after, in order.
	id := strings.TrimPrefix(grid, "/gradebook/evaluations/")
	if got := strings.Join(e.strs(`SELECT before_state || '→' || after_state FROM gr_history WHERE subject = ? AND student_id = ? ORDER BY id`,
		"mark:"+id, c.roster[1]), " "); got != "→15 15→9" {
		t.Errorf("history of the contested row: %q", got)
	}
}
