package grades_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"cartable/internal/access"
	"cartable/internal/check"
	"cartable/internal/db"
	"cartable/internal/dbtest"
	"cartable/internal/demo"
	"cartable/internal/grades"
)

// world is a small demo establishment with one class's marks of the first
// trimester, its people by role, and the service at a settable clock.
type world struct {
	t       testing.TB
	ctx     context.Context
	d       *db.DB
	s       *grades.Service
	now     time.Time
	est     string
	class   string
	period  string
	pupils  []string
	subject string
	eval    string

	head, headTeacher, cpe, teacher, relative, otherRelative, otherHead string
}

func (w *world) one(q string, args ...any) string {
	w.t.Helper()
	var s string
	if err := w.d.QueryRow(w.ctx, q, args...).Scan(&s); err != nil {
		w.t.Fatalf("%s: %v", q, err)
	}
	return s
}

func (w *world) exec(q string, args ...any) {
	w.t.Helper()
	if _, err := w.d.Exec(w.ctx, q, args...); err != nil {
		w.t.Fatalf("%s: %v", q, err)
	}
}

func (w *world) viewer(id string) *access.Viewer {
	w.t.Helper()
	v, err := access.New(w.d).Viewer(w.ctx, id)
	if err != nil {
		w.t.Fatal(err)
	}
	v.SetSecondFactor(true) // writing the council needs one
	return v
}

func newWorld(t testing.TB) *world {
	t.Helper()
	ctx := context.Background()
	d := dbtest.Open(t)
	err := d.Tx(ctx, func(tx *db.Tx) error {
		_, err := demo.Generate(ctx, access.System("test"), tx, demo.Options{Seed: 3, Students: 60})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	w := &world{t: t, ctx: ctx, d: d, now: time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)}
	w.s = &grades.Service{DB: d, Policy: access.New(d), Now: func() time.Time { return w.now }}
	w.est = w.one(`SELECT id FROM establishments WHERE uai = ?`, demo.MainUAI)
	w.class = w.one(`SELECT c.id FROM classes c JOIN head_teachers h ON h.class_id = c.id
		WHERE c.establishment_id = ? AND (SELECT COUNT(*) FROM enrolments e WHERE e.class_id = c.id) > 2 ORDER BY c.code LIMIT 1`, w.est)
	w.period = w.one(`SELECT p.id FROM periods p JOIN classes c ON c.school_year_id = p.school_year_id WHERE c.id = ? AND p.number = 1`, w.class)
	w.pupils, err = db.Strings(ctx, d, `SELECT e.student_id FROM enrolments e JOIN people p ON p.id = e.student_id
		WHERE e.class_id = ? ORDER BY p.last_name, p.first_name, p.id`, w.class)
	if err != nil {
		t.Fatal(err)
	}
	w.head = w.one(`SELECT person_id FROM functions WHERE establishment_id = ? AND function = 'head'`, w.est)
	w.cpe = w.one(`SELECT person_id FROM functions WHERE establishment_id = ? AND function = 'cpe' ORDER BY person_id LIMIT 1`, w.est)
	w.otherHead = w.one(`SELECT person_id FROM functions WHERE establishment_id <> ? AND function = 'head' LIMIT 1`, w.est)
	w.headTeacher = w.one(`SELECT teacher_id FROM head_teachers WHERE class_id = ?`, w.class)
	w.teacher = w.one(`SELECT teacher_id FROM teaching_assignments WHERE class_id = ? AND teacher_id <> ? ORDER BY teacher_id LIMIT 1`, w.class, w.headTeacher)
	w.subject = w.one(`SELECT subject_id FROM teaching_assignments WHERE class_id = ? AND teacher_id = ?`, w.class, w.teacher)
	w.relative = w.one(`SELECT relative_id FROM family_links WHERE student_id = ? ORDER BY relative_id LIMIT 1`, w.pupils[0])
	w.otherRelative = w.one(`SELECT relative_id FROM family_links WHERE relative_id NOT IN
		(SELECT relative_id FROM family_links WHERE student_id = ?) ORDER BY relative_id LIMIT 1`, w.pupils[0])

	// One evaluation with a mark per student (10, 11, 12…), an appraisal.
	w.eval = "eval-rc-1"
	w.exec(`INSERT INTO gr_evaluations (id, establishment_id, class_id, subject_id, period_id, title, held_on, scale_x100, coef_x100,
		publish_on, author_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 'Contrôle 1', '2026-10-05', 2000, 100, '2026-10-05', ?, 1, 1)`,
		w.eval, w.est, w.class, w.subject, w.period, w.teacher)
	for i, st := range w.pupils {
		w.exec(`INSERT INTO gr_marks (evaluation_id, student_id, value_x100, updated_at, updated_by) VALUES (?, ?, ?, 1, ?)`,
			w.eval, st, 1000+100*i, w.teacher)
	}
	w.exec(`INSERT INTO gr_appraisals (period_id, student_id, subject_id, body, author_id, updated_at) VALUES (?, ?, ?, ?, ?, 1)`,
		w.period, w.pupils[0], w.subject, "Élève sérieux, des progrès à l'écrit.", w.teacher)
	return w
}

func denied(t *testing.T, what string, err error) {
	t.Helper()
	if !errors.Is(err, access.ErrDenied) {
		t.Errorf("%s: want a refusal, got %v", what, err)
	}
}

func TestCouncilWritesAndRefusals(t *testing.T) {
	w := newWorld(t)
	ctx := w.ctx
	row := grades.CouncilRow{Student: w.pupils[0], General: "Bon trimestre.", Mention: grades.MentionCompliments, Orientation: "Passage en 3e"}
	if err := w.s.SaveCouncil(ctx, w.viewer(w.headTeacher), w.class, w.period, grades.CouncilInput{Council: true, Rows: []grades.CouncilRow{row}}); err != nil {
		t.Fatal(err)
	}
	life := grades.CouncilRow{Student: w.pupils[0], Life: "Assidu et ponctuel."}
	if err := w.s.SaveCouncil(ctx, w.viewer(w.cpe), w.class, w.period, grades.CouncilInput{Life: true, Rows: []grades.CouncilRow{life}}); err != nil {
		t.Fatal(err)
	}
	// The CPE may not write the head teacher's appraisal; a teacher who is
	// not the head teacher writes nothing; nor does the other head.
	denied(t, "CPE writes the general appraisal", w.s.SaveCouncil(ctx, w.viewer(w.cpe), w.class, w.period,
		grades.CouncilInput{Council: true, Rows: []grades.CouncilRow{row}}))
	denied(t, "a teacher writes the council", w.s.SaveCouncil(ctx, w.viewer(w.teacher), w.class, w.period,
		grades.CouncilInput{Council: true, Rows: []grades.CouncilRow{row}}))
	denied(t, "head teacher writes the CPE's appraisal", w.s.SaveCouncil(ctx, w.viewer(w.headTeacher), w.class, w.period,
		grades.CouncilInput{Life: true, Rows: []grades.CouncilRow{life}}))
	denied(t, "other head", w.s.SaveCouncil(ctx, w.viewer(w.otherHead), w.class, w.period,
		grades.CouncilInput{Council: true, Rows: []grades.CouncilRow{row}}))
	denied(t, "forged student", w.s.SaveCouncil(ctx, w.viewer(w.headTeacher), w.class, w.period,
		grades.CouncilInput{Council: true, Rows: []grades.CouncilRow{{Student: w.otherRelative}}}))
	denied(t, "forged class", w.s.SaveCouncil(ctx, w.viewer(w.headTeacher), "nope", w.period,
		grades.CouncilInput{Council: true, Rows: []grades.CouncilRow{row}}))

	// Too long: a problem naming the row, nothing written.
	long := grades.CouncilRow{Student: w.pupils[0], General: strings.Repeat("é", 301), Mention: "bravo"}
	err := w.s.SaveCouncil(ctx, w.viewer(w.headTeacher), w.class, w.period, grades.CouncilInput{Council: true, Rows: []grades.CouncilRow{long}})
	ps, ok := check.As(err)
	if !ok || len(ps) != 2 || ps[0].Code != "too-long" || ps[0].N != 301 || ps[0].Value == "" || ps[1].Code != "unknown-mention" {
		t.Fatalf("too long: %v", err)
	}
	view, err := w.s.Council(ctx, w.viewer(w.headTeacher), w.class, w.period)
	if err != nil {
		t.Fatal(err)
	}
	first := view.Students[0]
	if first.Entry.General != "Bon trimestre." || first.Entry.Life != "Assidu et ponctuel." || first.Entry.Mention != grades.MentionCompliments {
		t.Errorf("entry: %+v", first.Entry)
	}
	if !view.MayCouncil || view.MayLife || view.MayPublish || first.Overall != "10,00" {
		t.Errorf("view: council %v life %v publish %v overall %q", view.MayCouncil, view.MayLife, view.MayPublish, first.Overall)
	}
	if _, err := w.s.Council(ctx, w.viewer(w.teacher), w.class, w.period); !errors.Is(err, access.ErrDenied) {
		t.Errorf("a teacher opens the council: %v", err)
	}
	var n int
	w.d.QueryRow(ctx, `SELECT COUNT(*) FROM gr_history WHERE subject = ?`, "council:"+w.period+"/"+w.pupils[0]).Scan(&n)
	if n != 2 {
		t.Errorf("%d history lines of the council", n)
	}
}

func TestPublishReadAndCorrect(t *testing.T) {
	w := newWorld(t)
	ctx := w.ctx
	if err := w.s.SaveCouncil(ctx, w.viewer(w.headTeacher), w.class, w.period, grades.CouncilInput{Council: true,
		Rows: []grades.CouncilRow{{Student: w.pupils[0], General: "Bon trimestre.", Mention: grades.MentionEncouragement}}}); err != nil {
		t.Fatal(err)
	}
	in := grades.PublishInput{PublishOn: "2026-12-10"}
	if _, err := w.s.Publish(ctx, w.viewer(w.headTeacher), w.class, w.period, in); !errors.Is(err, access.ErrDenied) {
		t.Fatalf("the head teacher publishes: %v", err)
	}
	if _, err := w.s.Publish(ctx, w.viewer(w.otherHead), w.class, w.period, in); !errors.Is(err, access.ErrDenied) {
		t.Fatalf("another establishment's head publishes: %v", err)
	}
	if _, err := w.s.Publish(ctx, w.viewer(w.head), w.class, w.period, grades.PublishInput{PublishOn: "demain"}); err == nil {
		t.Fatal("a bad date is accepted")
	}
	n, err := w.s.Publish(ctx, w.viewer(w.head), w.class, w.period, in)
	if err != nil || n != len(w.pupils) {
		t.Fatalf("publish: %d, %v", n, err)
	}
	if _, err := w.s.Publish(ctx, w.viewer(w.head), w.class, w.period, in); err == nil {
		t.Fatal("published twice")
	}
	id := w.one(`SELECT id FROM gr_report_cards WHERE student_id = ? AND period_id = ?`, w.pupils[0], w.period)

	// Families: not before the day of publication; never another family.
	denied(t, "relative before publication", errOf(w.s.Card(ctx, w.viewer(w.relative), id)))
	idx, err := w.s.Index(ctx, w.viewer(w.relative))
	if err != nil || len(idx.Cards) != 0 {
		t.Errorf("index before publication: %v %v", idx.Cards, err)
	}
	w.now = time.Date(2026, 12, 10, 8, 0, 0, 0, time.UTC)
	v1, err := w.s.Card(ctx, w.viewer(w.relative), id)
	if err != nil {
		t.Fatal(err)
	}
	if v1.Card.Version != 1 || v1.Card.Subjects[0].Appraisal == "" && len(v1.Card.Subjects) == 1 || v1.Card.Council.Mention != grades.MentionEncouragement || v1.Versions != nil {
		t.Errorf("card: %+v", v1)
	}
	if _, err := w.s.Card(ctx, w.viewer(w.pupils[0]), id); err != nil {
		t.Errorf("the student reads their card: %v", err)
	}
	denied(t, "another family", errOf(w.s.Card(ctx, w.viewer(w.otherRelative), id)))
	denied(t, "another student", errOf(w.s.Card(ctx, w.viewer(w.pupils[1]), id)))
	denied(t, "a teacher of the class", errOf(w.s.Card(ctx, w.viewer(w.teacher), id)))
	denied(t, "another head", errOf(w.s.Card(ctx, w.viewer(w.otherHead), id)))
	denied(t, "forged id", errOf(w.s.Card(ctx, w.viewer(w.head), "forged")))
	if idx, err := w.s.Index(ctx, w.viewer(w.relative)); err != nil || len(idx.Cards) != 1 || idx.Cards[0].ID != id {
		t.Errorf("index after publication: %+v %v", idx.Cards, err)
	}
	pdf1, _, err := w.s.CardPDF(ctx, w.viewer(w.relative), id)
	if err != nil || len(pdf1) < 1000 {
		t.Fatalf("pdf: %d bytes, %v", len(pdf1), err)
	}
	json1 := w.one(`SELECT content FROM gr_report_cards WHERE id = ?`, id)

	// Marks change: the published card does not.
	w.exec(`UPDATE gr_marks SET value_x100 = 2000 WHERE student_id = ?`, w.pupils[0])
	pdf2, _, _ := w.s.CardPDF(ctx, w.viewer(w.head), id)
	if string(pdf1) != string(pdf2) || w.one(`SELECT content FROM gr_report_cards WHERE id = ?`, id) != json1 {
		t.Error("the published card changed with the marks")
	}
	if _, err := w.d.Exec(ctx, `UPDATE gr_report_cards SET reason = 'x' WHERE id = ?`, id); err == nil {
		t.Error("the database let a published card be changed")
	}

	// A correction: version 2, the first kept for the head only.
	denied(t, "the head teacher corrects", errOf(w.s.Correct(ctx, w.viewer(w.headTeacher), id, grades.CorrectInput{Reason: "erreur"})))
	if _, err := w.s.Correct(ctx, w.viewer(w.head), id, grades.CorrectInput{}); err == nil {
		t.Error("a correction without a reason")
	}
	id2, err := w.s.Correct(ctx, w.viewer(w.head), id, grades.CorrectInput{Reason: "Note de contrôle corrigée"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.s.Correct(ctx, w.viewer(w.head), id, grades.CorrectInput{Reason: "encore"}); err == nil {
		t.Error("an old version corrected")
	}
	v2, err := w.s.Card(ctx, w.viewer(w.relative), id2)
	if err != nil {
		t.Fatal(err)
	}
	if v2.Card.Version != 2 || v2.Card.Replaces != "10 décembre 2026" || v2.Card.Overall != "20,00" {
		t.Errorf("version 2: %+v", v2.Card)
	}
	denied(t, "family reads the replaced version", errOf(w.s.Card(ctx, w.viewer(w.relative), id)))
	old, err := w.s.Card(ctx, w.viewer(w.head), id)
	if err != nil || old.Latest || len(old.Versions) != 2 || old.Card.Overall != "10,00" {
		t.Errorf("the head reads version 1: %+v %v", old, err)
	}
	var hist int
	w.d.QueryRow(ctx, `SELECT COUNT(*) FROM gr_history WHERE subject LIKE 'report-card:%'`).Scan(&hist)
	if hist != len(w.pupils)+1 { // the cards of version 1, the correction
		t.Errorf("%d history lines of report cards", hist)
	}
	var c grades.Card
	json.Unmarshal([]byte(json1), &c)
	if c.Student == "" || c.Establishment == "" || c.Class == "" || len(c.HeadTeachers) == 0 || c.Period != "Trimestre 1" {
		t.Errorf("frozen identity: %+v", c)
	}

	// A student enrolled since gets their card when the head publishes
	// again; nobody else's changes.
	newcomer := w.one(`SELECT e.student_id FROM enrolments e JOIN classes c ON c.id = e.class_id
		WHERE c.establishment_id = ? AND e.class_id <> ? ORDER BY e.student_id LIMIT 1`, w.est, w.class)
	w.exec(`INSERT INTO enrolments (student_id, class_id) VALUES (?, ?)`, newcomer, w.class)
	if n, err := w.s.Publish(ctx, w.viewer(w.head), w.class, w.period, in); err != nil || n != 1 {
		t.Errorf("publishing the newcomer's card: %d, %v", n, err)
	}

	// The class PDF: the head teacher and the CPE, not a teacher.
	if _, published, err := w.s.ClassPDF(ctx, w.viewer(w.headTeacher), w.class, w.period); err != nil || !published {
		t.Errorf("class pdf: %v %v", published, err)
	}
	denied(t, "a teacher prints the class", errOf2(w.s.ClassPDF(ctx, w.viewer(w.teacher), w.class, w.period)))

	// Read the PDF back.
	text := pdfText(t, pdf2)
	for _, want := range []string{c.Student, c.Class, "Trimestre", "Moyenne générale", "Vie scolaire", "Encouragements", "Bon trimestre.", "Élève sérieux"} {
		if !strings.Contains(text, want) {
			t.Errorf("the PDF lacks %q", want)
		}
	}
	pdfv2, _, _ := w.s.CardPDF(ctx, w.viewer(w.head), id2)
	if text := pdfText(t, pdfv2); !strings.Contains(text, "Version 2, remplace la version du") || !strings.Contains(text, "Note de contrôle corrigée") {
		t.Errorf("version 2's PDF does not say it replaces the first:\n%s", text)
	}
}

func errOf[T any](_ T, err error) error          { return err }
func errOf2[T, U any](_ T, _ U, err error) error { return err }

// pdfText reads a PDF back with pdftotext (CI installs poppler-utils).
func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	tool, err := exec.LookPath("pdftotext")
	if err != nil {
		if os.Getenv("CI") == "" {
			t.Skip("pdftotext is needed to read the report card back: install Debian's poppler-utils (.ci/run does)")
		}
		t.Fatal("pdftotext is needed to read the report card back: install Debian's poppler-utils (.ci/run does)")
	}
	f := filepath.Join(t.TempDir(), "card.pdf")
	if err := os.WriteFile(f, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(tool, "-layout", f, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext cannot open the card: %v", err)
	}
	return strings.Join(strings.Fields(string(out)), " ")
}

func TestLSUExport(t *testing.T) {
	w := newWorld(t)
	ctx := w.ctx
	if _, err := w.s.LSU(ctx, w.viewer(w.headTeacher), w.class, w.period); !errors.Is(err, access.ErrDenied) {
		t.Fatalf("the head teacher exports: %v", err)
	}
	if _, err := w.s.LSU(ctx, w.viewer(w.otherHead), w.class, w.period); !errors.Is(err, access.ErrDenied) {
		t.Fatalf("another head exports: %v", err)
	}
	// Without national ids: refused, naming the students and teachers.
	if _, err := w.d.Exec(ctx, `UPDATE people SET external_id = NULL WHERE profile IN ('student', 'teacher')`); err != nil {
		t.Fatal(err)
	}
	_, err := w.s.LSU(ctx, w.viewer(w.head), w.class, w.period)
	ps, ok := check.As(err)
	if !ok {
		t.Fatalf("export without ids: %v", err)
	}
	codes := map[string]int{}
	for _, p := range ps {
		codes[p.Code]++
	}
	if codes["lsu-ine"] != len(w.pupils) || codes["lsu-general"] != len(w.pupils) || codes["lsu-sts"] == 0 {
		t.Fatalf("problems: %v", codes)
	}

	// Give everyone their ids, as the local feeds key them (SIECLE for
	// students, STS for teachers), and appraisals: the file validates, with
	// the national numbers alone.
	people, _ := db.Strings(ctx, w.d, `SELECT id FROM people ORDER BY id`)
	for i, id := range people {
		w.exec(`UPDATE people SET external_id = ? WHERE id = ?`, "siecle:0750999X:"+strconv.Itoa(100000+i), id)
	}
	var rows []grades.CouncilRow
	for _, st := range w.pupils {
		rows = append(rows, grades.CouncilRow{Student: st, General: "Trimestre satisfaisant & régulier <ok>."})
	}
	if err := w.s.SaveCouncil(ctx, w.viewer(w.head), w.class, w.period, grades.CouncilInput{Council: true, Rows: rows}); err != nil {
		t.Fatal(err)
	}
	xml, err := w.s.LSU(ctx, w.viewer(w.head), w.class, w.period)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(xml), "siecle:") || !strings.Contains(string(xml), `id-be="1`) {
		t.Fatal("the file carries the feed's keys instead of the national numbers")
	}
	validate(t, xml)
	if !strings.Contains(string(xml), `moyenne-eleve="10,00"`) || !strings.Contains(string(xml), "<bilan-periodique") {
		t.Errorf("the file lacks the averages:\n%s", xml)
	}

	// End-of-cycle reports from the stored positioning: one student's
	// incomplete grid refuses the export, naming them; complete, it
	// validates with the council's appraisal as the synthesis.
	year := w.one(`SELECT school_year_id FROM classes WHERE id = ?`, w.class)
	for i, st := range w.pupils {
		for j, c := range grades.Components {
			if i == 0 && j > 0 {
				break
			}
			w.exec(`INSERT INTO gr_cycle_positions (student_id, school_year_id, component, cycle, position, updated_at) VALUES (?, ?, ?, 4, ?, 1)`,
				st, year, string(c), (i+j)%5)
		}
	}
	_, err = w.s.LSU(ctx, w.viewer(w.head), w.class, w.period)
	if ps, ok := check.As(err); !ok || len(ps) != 1 || ps[0].Code != "lsu-cycle" || ps[0].Value == "" {
		t.Fatalf("incomplete cycle: %v", err)
	}
	for j, c := range grades.Components[1:] {
		w.exec(`INSERT INTO gr_cycle_positions (student_id, school_year_id, component, cycle, position, updated_at) VALUES (?, ?, ?, 4, ?, 1)`,
			w.pupils[0], year, string(c), j%5)
	}
	xml, err = w.s.LSU(ctx, w.viewer(w.head), w.class, w.period)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(xml), "<bilan-cycle") || !strings.Contains(string(xml), "<synthese>Trimestre satisfaisant") {
		t.Fatal("no bilan de cycle from the stored positions")
	}
	validate(t, xml)

	// End-of-cycle reports from a registered source.
	grades.RegisterCycleSource(func(ctx context.Context, q db.Querier, class string, students []string) (map[string]grades.CycleReport, error) {
		out := map[string]grades.CycleReport{}
		for i, st := range students {
			pos := map[string]int{}
			for j, c := range grades.Components {
				pos[string(c)] = (i+j)%4 + 1
			}
			out[st] = grades.CycleReport{Cycle: 4, Positions: pos, Synthesis: "Maîtrise satisfaisante du socle."}
		}
		return out, nil
	})
	defer grades.RegisterCycleSource(nil)
	xml, err = w.s.LSU(ctx, w.viewer(w.head), w.class, w.period)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(xml), "<bilan-cycle") {
		t.Fatal("no bilan de cycle")
	}
	validate(t, xml)
}

// validate checks a file against the national schema with xmllint.
func validate(t *testing.T, file []byte) {
	t.Helper()
	tool, err := exec.LookPath("xmllint")
	if err != nil {
		if os.Getenv("CI") == "" {
			t.Skip("xmllint is needed to validate the LSU file: install Debian's libxml2-utils")
		}
		t.Fatal("xmllint is needed to validate the LSU file: install Debian's libxml2-utils")
	}
	xsd := lsuSchema(t)
	f := filepath.Join(t.TempDir(), "lsu.xml")
	if err := os.WriteFile(f, file, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(tool, "--noout", "--schema", xsd, f).CombinedOutput()
	if err != nil {
		t.Fatalf("the LSU file is invalid: %v\n%s", err, out)
	}
}

// lsuSchema finds the national schema: docs/formats/lsu/ in the repository
// or the shared reference beside it.
func lsuSchema(t *testing.T) string {
	for _, p := range []string{"../../docs/formats/lsu/import-complet-strict.xsd", "../../../shared/formats/lsu/import-complet-strict.xsd",
		"/work/shared/formats/lsu/import-complet-strict.xsd"} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "" {
		t.Skip("the LSU schema import-complet-strict.xsd is not at hand")
	}
	t.Fatal("the LSU schema import-complet-strict.xsd is not at hand (docs/formats/lsu/)")
	return ""
}

// BenchmarkClassReportPDF renders a class of 30: each student's PDF (as
// publishing does) and the class's one document.
func BenchmarkClassReportPDF(b *testing.B) {
	cards := make([]grades.Card, 30)
	for i := range cards {
		c := grades.Card{Establishment: "Collège Jean Moulin", UAI: "0750999X", City: "Paris", Year: "2026-2027", Period: "Trimestre 1",
			StartsOn: "2026-09-01", EndsOn: "2026-11-28", Student: "ÉLÈVE Prénom " + strconv.Itoa(i), Class: "4e B",
			HeadTeachers: []string{"Mme BOUVIER"}, Overall: "12,34", ClassOverall: "11,80", Version: 1, PublishOn: "2026-12-10",
			Life:    grades.CardLife{Available: true, Justified: 2, Unjustified: 1, Lateness: 3},
			Council: grades.CardCouncil{General: strings.Repeat("Trimestre sérieux. ", 14), Life: "Assidu.", Mention: grades.MentionCompliments}}
		for j := 0; j < 12; j++ {
			c.Subjects = append(c.Subjects, grades.CardSubject{Name: "Discipline " + strconv.Itoa(j), Teachers: []string{"M. PROFESSEUR"},
				Student: "13,50", Graded: true, Mean: "11,20", Min: "4,00", Max: "18,50", Appraisal: strings.Repeat("Des efforts à poursuivre. ", 10)})
		}
		cards[i] = c
	}
	at := time.Date(2026, 12, 10, 8, 0, 0, 0, time.UTC)
	b.ResetTimer()
	for b.Loop() {
		for i := range cards {
			if _, err := grades.RenderPDF(cards[i:i+1], at); err != nil {
				b.Fatal(err)
			}
		}
		if _, err := grades.RenderPDF(cards, at); err != nil {
			b.Fatal(err)
		}
	}
}

// The demo publishes one class's first-trimester cards, the same for the
// same seed.
func TestDemoReportCards(t *testing.T) {
	ctx := context.Background()
	var contents [2]string
	for i := range contents {
		d := dbtest.Open(t)
		err := d.Tx(ctx, func(tx *db.Tx) error {
			sys := access.System("test")
			if _, err := demo.Generate(ctx, sys, tx, demo.Options{Seed: 5, Students: 60}); err != nil {
				return err
			}
			return demo.GenerateReportCards(ctx, sys, tx, 5, "2026-12-07")
		})
		if err != nil {
			t.Fatal(err)
		}
		var n int
		d.QueryRow(ctx, `SELECT COUNT(*) FROM gr_report_cards`).Scan(&n)
		if n == 0 {
			t.Fatal("no report card published")
		}
		d.QueryRow(ctx, `SELECT id || content FROM gr_report_cards ORDER BY id LIMIT 1`).Scan(&contents[i])
	}
	if contents[0] != contents[1] || !strings.Contains(contents[0], `"version":1`) {
		t.Errorf("the demo's cards differ for the same seed:\n%s\n%s", contents[0], contents[1])
	}
}

// A card whose appraisals do not fit on a page continues on a second one,
// the table's head repeated, nothing lost.
func TestLongCardTakesTwoPages(t *testing.T) {
	c := grades.Card{Establishment: "Collège Île-de-Ré", UAI: "0170001A", Year: "2026-2027", Period: "Trimestre 2",
		StartsOn: "2026-11-29", EndsOn: "2027-03-06", Student: "GAËLLE Noé", Class: "5e C", Overall: "NN", Version: 1, PublishOn: "2027-03-20"}
	for j := 0; j < 14; j++ {
		c.Subjects = append(c.Subjects, grades.CardSubject{Name: "Discipline " + strconv.Itoa(j), Student: "NN",
			Appraisal: strings.Repeat("Œuvre à poursuivre ; des efforts. ", 9) + "fin " + strconv.Itoa(j)})
	}
	pdf, err := grades.RenderPDF([]grades.Card{c}, time.Date(2027, 3, 20, 8, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	text := pdfText(t, pdf)
	for _, want := range []string{"GAËLLE Noé - Trimestre 2 (suite)", "fin 0", "fin 13", "Œuvre à poursuivre", "Moyenne générale", "Conseil de classe", "Mention : aucune"} {
		if !strings.Contains(text, want) {
			t.Errorf("the long card lacks %q", want)
		}
	}
}
