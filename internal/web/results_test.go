package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"cartable/internal/access"
	"cartable/internal/db"
	"cartable/internal/demo"
	"cartable/internal/grades"
	"cartable/internal/timetable"
)

// resNow is the moment of the results tests: Monday 7 December 2026, in
// the second term, the first one's marks all published.
var resNow = time.Date(2026, 12, 7, 10, 0, 0, 0, timetable.Paris)

// seedMarks gives every class of the main collège, in each subject taught
// to it, a term of evaluations (until the demo's own lands): five in the
// first term, two in the second so far and one not yet published
// ("Bilan à venir"), each student marked (a few special marks), on
// scales 20, 10 and 40, coefficients 1 to 3.
func seedMarks(t testing.TB, e *env) {
	t.Helper()
	ctx := context.Background()
	type teaching struct{ est, class, subject, teacher string }
	var ts []teaching
	rows, err := e.db.Query(ctx, `SELECT a.establishment_id, a.class_id, a.subject_id, a.teacher_id FROM teaching_assignments a
		JOIN establishments es ON es.id = a.establishment_id WHERE es.uai = ? AND a.class_id IS NOT NULL ORDER BY a.id`, demo.MainUAI)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var x teaching
		if err := rows.Scan(&x.est, &x.class, &x.subject, &x.teacher); err != nil {
			t.Fatal(err)
		}
		ts = append(ts, x)
	}
	rows.Close()
	periods, err := db.Strings(ctx, e.db, `SELECT p.id FROM periods p JOIN school_years y ON y.id = p.school_year_id
		JOIN establishments es ON es.id = y.establishment_id WHERE es.uai = ? ORDER BY p.number`, demo.MainUAI)
	if err != nil || len(periods) < 2 {
		t.Fatalf("periods %v %v", periods, err)
	}
	type ev struct {
		title, held, publish string
		period, scale, coef  int
	}
	evs := []ev{
		{"Évaluation diagnostique", "2026-09-15", "2026-09-17", 0, 20, 1},
		{"Contrôle 1", "2026-10-06", "2026-10-09", 0, 20, 2},
		{"Devoir maison", "2026-10-13", "2026-10-16", 0, 10, 1},
		{"Contrôle 2", "2026-11-17", "2026-11-20", 0, 40, 2},
		{"Exposé", "2026-11-24", "2026-11-26", 0, 20, 1},
		{"Interrogation", "2026-12-01", "2026-12-03", 1, 20, 1},
		{"Contrôle 3", "2026-12-04", "2026-12-07", 1, 20, 3},
		{"Bilan à venir", "2026-12-05", "2027-01-15", 1, 20, 1},
	}
	specials := []string{"abs", "disp", "abs0", "nr", "nr0"}
	err = e.db.Tx(ctx, func(tx *db.Tx) error {
		for i, x := range ts {
			students, err := db.Strings(ctx, tx, `SELECT student_id FROM enrolments WHERE class_id = ? ORDER BY student_id`, x.class)
			if err != nil {
				return err
			}
			for j, v := range evs {
				id := fmt.Sprintf("seed-%d-%d", i, j)
				if _, err := tx.Exec(ctx, `INSERT INTO gr_evaluations (id, establishment_id, class_id, subject_id, period_id, title, held_on,
					scale_x100, coef_x100, publish_on, author_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0)`,
					id, x.est, x.class, x.subject, periods[v.period], v.title, v.held, v.scale*100, v.coef*100, v.publish, x.teacher); err != nil {
					return err
				}
				for k, st := range students {
					h := (i*31 + j*17 + k*13) % 97
					var value any = (v.scale * 100 * (35 + h%65)) / 100 / 25 * 25 // quarter points, 35–99 % of the scale
					special := ""
					if h%41 == 0 {
						value, special = nil, specials[(i+j+k)%len(specials)]
					}
					if _, err := tx.Exec(ctx, `INSERT INTO gr_marks (evaluation_id, student_id, value_x100, special, updated_at, updated_by)
						VALUES (?, ?, ?, ?, 0, '')`, id, st, value, special); err != nil {
						return err
					}
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.db.Analyze(ctx); err != nil {
		t.Fatal(err)
	}
}

// gradesEnv is the demo with a term of marks, at resNow.
func gradesEnv(t testing.TB, students int) *env {
	e := newTTEnvAt(t, students, resNow)
	e.clock.Add(resNow.Sub(e.clock.Now()))
	seedMarks(t, e)
	return e
}

// a student with a legal guardian, and that guardian's login.
func studentAndGuardian(t *testing.T, e *env) (demo.Account, demo.Account) {
	t.Helper()
	for _, a := range e.accounts {
		if a.Profile != "relative" || len(a.Children) != 1 || a.Establishment != demo.MainUAI {
			continue
		}
		for _, s := range e.accounts {
			if s.Login == a.Children[0] && s.Establishment == demo.MainUAI {
				return s, a
			}
		}
	}
	t.Fatal("no student with a relative")
	return demo.Account{}, demo.Account{}
}

func grTableCounts(t *testing.T, e *env) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, tb := range []string{"gr_settings", "gr_periods", "gr_subject_coefficients", "gr_sub_subjects", "gr_evaluations", "gr_marks",
		"gr_drafts", "gr_appraisals", "gr_mark_notices", "gr_history", "notifications"} {
		var n int
		if err := e.db.QueryRow(context.Background(), `SELECT COUNT(*) FROM `+tb).Scan(&n); err != nil {
			t.Fatal(err)
		}
		out[tb] = n
	}
	return out
}

func TestGradesPages(t *testing.T) {
	e := gradesEnv(t, 200)
	ctx := context.Background()
	student, parent := studentAndGuardian(t, e)
	sid := e.person(student.Login).ID
	var subject, class string
	if err := e.db.QueryRow(ctx, `SELECT e.subject_id, e.class_id FROM gr_evaluations e JOIN enrolments en ON en.class_id = e.class_id
		WHERE en.student_id = ? ORDER BY e.id LIMIT 1`, sid).Scan(&subject, &class); err != nil {
		t.Fatal(err)
	}

	s := e.signIn(student.Login)
	r := s.get("/grades")
	if r.status != http.StatusOK || !strings.Contains(r.body, "Moyenne générale") || !strings.Contains(r.body, "Comment est calculée cette moyenne ?") ||
		!strings.Contains(r.body, "Interrogation") || strings.Contains(r.body, "Bilan à venir") || strings.Contains(r.body, "Contrôle 1<") {
		t.Fatalf("student's grades: %d %.3000s", r.status, r.body)
	}
	// The first term, and the year.
	if r := s.get("/grades?period=year"); r.status != http.StatusOK || !strings.Contains(r.body, "Contrôle 1") {
		t.Errorf("year: %d", r.status)
	}
	// The explanation of a subject's average, and of the overall one.
	r = s.get("/grades/explain?subject=" + url.QueryEscape(subject))
	if r.status != http.StatusOK || !strings.Contains(r.body, `<ol class="steps">`) || !strings.Contains(r.body, "/grades/rules") {
		t.Errorf("explain: %d %.2000s", r.status, r.body)
	}
	if r := s.get("/grades/explain"); r.status != http.StatusOK || !strings.Contains(r.body, "Moyenne générale") {
		t.Errorf("overall explain: %d", r.status)
	}
	if r := s.get("/grades/rules"); r.status != http.StatusOK || !strings.Contains(r.body, "compte 0") {
		t.Errorf("rules: %d", r.status)
	}
	// The CSV: French separators and decimal commas.
	r = s.get("/grades/export.csv")
	if r.status != http.StatusOK || !strings.HasPrefix(r.header.Get("Content-Type"), "text/csv") || !strings.Contains(r.body, "Matière;Évaluation") {
		t.Errorf("csv: %d %q %.300s", r.status, r.header.Get("Content-Type"), r.body)
	}
	// A student asking for a classmate's page reads their own.
	mate, err := db.Strings(ctx, e.db, `SELECT student_id FROM enrolments WHERE class_id = ? AND student_id <> ? LIMIT 1`, class, sid)
	if err != nil || len(mate) == 0 {
		t.Fatal(err)
	}
	if r := s.get("/grades?student=" + mate[0]); !strings.Contains(r.body, student.Name[:strings.IndexByte(student.Name, ' ')]) {
		t.Errorf("student=: %.500s", r.body)
	}
	// The class table is the teachers'.
	if r := s.get("/grades/teaching/class/" + class + "/" + subject); r.status != http.StatusNotFound {
		t.Errorf("a student on the class table: %d", r.status)
	}
	// The home page's latest marks.
	if r := s.get("/"); !strings.Contains(r.body, "Dernières notes") || !strings.Contains(r.body, "/grades/subject/") {
		t.Errorf("home: no latest marks")
	}

	// The relative: their child's page; another family's child is refused.
	p := e.signIn(parent.Login)
	if r := p.get("/grades?child=" + sid); r.status != http.StatusOK || !strings.Contains(r.body, "Moyenne générale") {
		t.Errorf("relative: %d", r.status)
	}
	if r := p.get("/grades?child=" + mate[0]); r.status != http.StatusNotFound {
		t.Errorf("another family's child: %d", r.status)
	}
	if r := p.get("/grades/export.csv?child=" + mate[0]); r.status != http.StatusNotFound {
		t.Errorf("another family's child's csv: %d", r.status)
	}
	if r := p.get("/grades/subject/" + subject + "?child=" + sid); r.status != http.StatusOK || !strings.Contains(r.body, "Simulation — rien n&#39;est enregistré") {
		t.Errorf("subject page: %d %.2000s", r.status, r.body)
	}

	// The what-if: recomputed, flagged, nothing written.
	before := grTableCounts(t, e)
	form := url.Values{"csrf": {p.csrf()}, "child": {sid}, "subject": {subject}, "period": {""},
		"value-1": {"20"}, "scale-1": {"20"}, "coef-1": {"2"}, "value-2": {""}, "scale-2": {""}, "coef-2": {""}}
	r = p.post("/grades/simulate", form)
	if r.status != http.StatusOK || !strings.Contains(r.body, "Moyenne simulée de la matière") || !strings.Contains(r.body, `class="hypothetical"`) {
		t.Errorf("simulate: %d %.3000s", r.status, r.body)
	}
	form.Set("value-1", "25")
	form.Set("coef-2", "x")
	form.Set("value-2", "12")
	r = p.post("/grades/simulate", form)
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "Note ajoutée 1") || !strings.Contains(r.body, "dépasse le barème") ||
		!strings.Contains(r.body, "Coefficient de la note 2") || !strings.Contains(r.body, `value="25"`) || !strings.Contains(r.body, `aria-invalid="true"`) {
		t.Errorf("bad simulation: %d %.3000s", r.status, r.body)
	}
	form.Set("child", mate[0])
	if r := p.post("/grades/simulate", form); r.status != http.StatusNotFound {
		t.Errorf("simulating another family's child: %d", r.status)
	}
	after := grTableCounts(t, e)
	for tb, n := range before {
		if after[tb] != n {
			t.Errorf("%s: %d rows before the simulations, %d after", tb, n, after[tb])
		}
	}

	// New-mark notices: the switch.
	r = p.post("/grades/notices", url.Values{"csrf": {p.csrf()}, "on": {"1"}, "child": {sid}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("notices: %d", r.status)
	}
	var n int
	if err := e.db.QueryRow(ctx, `SELECT COUNT(*) FROM gr_mark_notices WHERE person_id = ?`, e.person(parent.Login).ID).Scan(&n); err != nil || n != 1 {
		t.Errorf("opted in: %d %v", n, err)
	}
	if r := p.get(r.header.Get("Location")); !strings.Contains(r.body, "Ne plus me prévenir") {
		t.Errorf("the switch does not say it is on")
	}
	// The serve loop's round: today's "Contrôle 3" of each subject is
	// told, in words, leading to the subject's page.
	n, err = grades.AnnounceMarks(ctx, access.System("test"), e.db, resNow)
	if err != nil || n == 0 {
		t.Fatalf("announced %d: %v", n, err)
	}
	first := student.Name[:strings.IndexByte(student.Name, ' ')]
	if r := p.get("/notifications"); !strings.Contains(r.body, "Nouvelle note de "+first+" en ") || !strings.Contains(r.body, "« Contrôle 3 »") ||
		!strings.Contains(r.body, "child="+sid) {
		t.Errorf("notifications: %.3000s", r.body)
	}

	// The class's teacher reads the table and its CSV; another teacher
	// does not.
	var teacherID, other string
	if err := e.db.QueryRow(ctx, `SELECT teacher_id FROM teaching_assignments WHERE class_id = ? AND subject_id = ?`, class, subject).Scan(&teacherID); err != nil {
		t.Fatal(err)
	}
	if err := e.db.QueryRow(ctx, `SELECT MIN(a.teacher_id) FROM teaching_assignments a JOIN classes c ON c.id = a.class_id
		WHERE c.establishment_id = (SELECT establishment_id FROM classes WHERE id = ?) AND a.teacher_id NOT IN
		(SELECT teacher_id FROM teaching_assignments WHERE class_id = ?) AND a.teacher_id NOT IN (SELECT teacher_id FROM head_teachers WHERE class_id = ?)`,
		class, class, class).Scan(&other); err != nil {
		t.Fatal(err)
	}
	login := func(id string) string {
		var l string
		if err := e.db.QueryRow(ctx, `SELECT login FROM people WHERE id = ?`, id).Scan(&l); err != nil {
			t.Fatal(err)
		}
		return l
	}
	tb := e.signIn(login(teacherID))
	path := "/grades/teaching/class/" + class + "/" + subject
	r = tb.get(path)
	if r.status != http.StatusOK || !strings.Contains(r.body, "Bilan à venir") || !strings.Contains(r.body, `<th scope="row">Médiane</th>`) {
		t.Errorf("teacher's table: %d %.2000s", r.status, r.body)
	}
	if r := tb.get("/grades"); !strings.Contains(r.body, path) {
		t.Errorf("the teacher's list does not lead to the table")
	}
	r = tb.get(path + "/export.csv?period=year")
	if r.status != http.StatusOK || !strings.Contains(r.body, "Nom;Prénom") {
		t.Errorf("teacher's csv: %d %.300s", r.status, r.body)
	}
	if r := tb.get("/grades?student=" + sid); r.status != http.StatusNotFound {
		t.Errorf("a subject teacher on a student's whole results: %d", r.status)
	}
	ob := e.signIn(login(other))
	for _, u := range []string{path, path + "/export.csv", "/grades/teaching/class/" + class + "/nope", "/grades/teaching/room/x/y"} {
		if r := ob.get(u); r.status != http.StatusNotFound {
			t.Errorf("another teacher on %s: %d", u, r.status)
		}
	}
	// The head: every teaching of the establishment is listed, and the
	// table leads to each student's results.
	var head string
	if err := e.db.QueryRow(ctx, `SELECT MIN(f.person_id) FROM functions f JOIN classes c ON c.establishment_id = f.establishment_id
		WHERE c.id = ? AND f.function = 'head'`, class).Scan(&head); err != nil {
		t.Fatal(err)
	}
	hb := e.signIn(login(head))
	if r := hb.get("/grades"); !strings.Contains(r.body, path) {
		t.Errorf("the head's list does not lead to the table")
	}
	if r := hb.get(path); !strings.Contains(r.body, "/grades?student="+sid) {
		t.Errorf("the head's table does not lead to the student's results")
	}
	if r := hb.get("/grades?student=" + sid); r.status != http.StatusOK || !strings.Contains(r.body, "Bilan à venir") {
		t.Errorf("the head on a student's results: %d", r.status)
	}
	if r := tb.get(path); strings.Contains(r.body, "/grades?student=") {
		t.Errorf("a subject teacher is led to students' whole results")
	}
	// English: decimal points and the English separator.
	r = s.do("GET", "/grades/export.csv", nil, map[string]string{"Cookie": "lang=en"})
	if r.status != http.StatusOK {
		t.Errorf("english csv: %d", r.status)
	}
}
