package browser_test

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"cartable/internal/access"
	"cartable/internal/demo"
	"cartable/internal/timetable"
)

// schoolDay is the test server's clock for the school-life story: Tuesday
// 1 December 2026, 10:30 in Paris, when the morning's first registers are
// open (a register opens some minutes before its lesson).
var schoolDay = time.Date(2026, 12, 1, 10, 30, 0, 0, timetable.Paris)

// query runs q on the suite's database and returns its one column.
func (s *suite) query(q string, args ...any) []string {
	s.t.Helper()
	rows, err := s.db.Query(context.Background(), q, args...)
	if err != nil {
		s.t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			s.t.Fatal(err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		s.t.Fatal(err)
	}
	return out
}

// openRegister is a lesson of the collège on the story's day, of one class
// and one teacher without staff functions, begun before the clock (its
// register is open) and in the morning, with nothing changed on it and its
// register not taken yet.
func (s *suite) openRegister() (teacher demo.Account, lesson timetable.Lesson) {
	s.t.Helper()
	ctx := context.Background()
	day := schoolDay.Format(timetable.DateFormat)
	for _, a := range s.accounts {
		if a.Profile != "teacher" || len(a.Functions) > 0 || len(a.Establishments) != 1 || a.Establishment != demo.MainUAI {
			continue
		}
		ls, err := timetable.Lessons(ctx, access.System("test"), s.db, timetable.Target{Kind: timetable.TargetTeacher, ID: s.person(a.Login).ID}, day, day)
		if err != nil {
			s.t.Fatal(err)
		}
		for _, l := range ls {
			if l.Change != nil || l.Cancelled() || l.Slot.Exceptional || len(l.Slot.Teachers) != 1 || len(l.Slot.Audiences) != 1 ||
				l.Slot.Audiences[0].ClassID == "" || l.Start.After(schoolDay) || l.Start.In(timetable.Paris).Hour() >= 12 {
				continue
			}
			if len(s.query(`SELECT slot_id FROM att_registers WHERE slot_id = ? AND lesson_date = ?`, l.Slot.ID, day)) == 0 {
				return a, l
			}
		}
	}
	s.t.Fatalf("the demo has no register open on %s at %s", day, schoolDay.Format("15:04"))
	return
}

// halfDays reads the student's justified and unjustified half-days on the
// school-life counts page (the period holding today).
func (b *tab) halfDays(student string) (justified, unjustified int) {
	b.t.Helper()
	cells := eval[[]string](b, `[...(document.querySelector('a[href="/school-life/students/`+student+`/record.pdf"]')?.closest('tr')?.cells ?? [])].map(c => c.innerText.trim())`)
	if len(cells) < 4 {
		b.t.Fatalf("%s: no line for the student %s (%v)", b.path(), student, cells)
	}
	j, err1 := strconv.Atoi(cells[2])
	u, err2 := strconv.Atoi(cells[3])
	if err1 != nil || err2 != nil {
		b.t.Fatalf("%s: the student's half-days are %q and %q", b.path(), cells[2], cells[3])
	}
	return j, u
}

// step checks that the page shown fits a 390 px phone and keeps a
// screenshot of it when CARTABLE_SCREENSHOTS is set.
func (b *tab) step(name string) {
	b.t.Helper()
	b.narrowOK(name + " (" + b.path() + ")")
	b.screenshot("schoollife-" + name)
}

// TestBrowserAbsenceJustifiedOnAPhone is the school-life story of issue 11
// on 390 px phones, through the pages alone: a teacher opens a register
// from the home page, marks a student absent and validates; a legal
// guardian of that student sees the absence to justify, sends a
// justification for the day with a reason and a PDF; the CPE accepts it in
// the review queue; the family's page shows the absence justified, and the
// period's counts one justified half-day more and one unjustified fewer.
// No page may be wider than the phone.
func TestBrowserAbsenceJustifiedOnAPhone(t *testing.T) {
	s := newSuiteAt(t, schoolDay)
	day := schoolDay.Format(timetable.DateFormat)
	teacher, lesson := s.openRegister()
	reg := "/registers/" + lesson.Key()

	// 1. The teacher: home, "Appels à faire aujourd'hui", the register.
	tb := s.newTab()
	tb.viewport(390, 844)
	tb.signIn(teacher.Login)
	tb.step("1-teacher-home")
	if h := tb.text("section[aria-labelledby=b-registers]"); !strings.Contains(h, "Appels à faire aujourd'hui") {
		t.Fatalf("the teacher's block of registers: %q", h)
	}
	if tb.count(`section[aria-labelledby=b-registers] a[href="`+reg+`"]`) != 1 {
		t.Fatalf("the teacher's home does not link to %s: %v", reg, eval[[]string](tb, `[...document.querySelectorAll('section[aria-labelledby=b-registers] a')].map(a => a.getAttribute('href'))`))
	}
	if st := tb.load(chromedp.Click(chromedp.CSS(`section[aria-labelledby=b-registers] a[href="` + reg + `"]`))); st != http.StatusOK || tb.path() != reg {
		t.Fatalf("the register from the home: %d at %s", st, tb.path())
	}
	tb.step("1-register")
	if tb.count(`.reg-actions button[name=done][value="1"]`) != 1 {
		t.Fatalf("the register is not open at %s: %q", schoolDay.Format("15:04"), tb.text("main"))
	}
	// A student expected, present so far, with a legal guardian and
	// nothing else recorded that day.
	var student string
	for _, id := range eval[[]string](tb, `[...document.querySelectorAll('form.register input[name=student]')].map(i => i.value)`) {
		if tb.count(`input[name="p:`+id+`"][value=present]:checked`) == 1 &&
			len(s.query(`SELECT id FROM att_absences WHERE student_id = ? AND start_date <= ? AND end_date >= ?`, id, day, day)) == 0 &&
			len(s.query(`SELECT relative_id FROM family_links WHERE student_id = ? AND legal_guardian`, id)) > 0 {
			student = id
			break
		}
	}
	if student == "" {
		t.Fatal("no student of the register to mark absent")
	}
	tb.do(chromedp.Click(chromedp.CSS(`input[name="p:` + student + `"][value=absent]`)))
	if st := tb.load(chromedp.Click(chromedp.CSS(`.reg-actions button[name=done][value="1"]`))); st != http.StatusOK {
		t.Fatalf("saving the register: %d", st)
	}
	tb.step("1-register-saved")
	if got := tb.text(`p.ok[role=status]`); got != "Appel enregistré." {
		t.Fatalf("after saving the register: %q", got)
	}
	if st := tb.text(".reg-state"); !strings.HasPrefix(st, "Fait") || !strings.Contains(st, "1 absent") {
		t.Errorf("the register's state: %q", st)
	}
	if tb.count(`input[name="p:`+student+`"][value=absent]:checked`) != 1 {
		t.Error("the student is not shown absent after saving")
	}
	abs := s.query(`SELECT id FROM att_absences WHERE student_id = ? AND start_date = ? AND source = 'register'`, student, day)
	if len(abs) != 1 {
		t.Fatalf("the absence made by the register: %v", abs)
	}
	absence := abs[0]

	// 2. A legal guardian: the absence to justify, at home and on the
	// family's page; a justification for the day, with a reason and a PDF.
	guardian := s.login(s.query(`SELECT MIN(relative_id) FROM family_links WHERE student_id = ? AND legal_guardian`, student)[0])
	gb := s.newTab()
	gb.viewport(390, 844)
	gb.signIn(guardian)
	if st := gb.open("/?child=" + student); st != http.StatusOK {
		t.Fatalf("the guardian's home for the child: %d", st)
	}
	gb.step("2-guardian-home")
	item := "#item-" + absence
	if gb.count(`section[aria-labelledby=b-tojustify] a[href$="`+item+`"]`) != 1 {
		t.Fatalf("the guardian's home does not list the absence to justify: %q", gb.text("main"))
	}
	if st := gb.load(chromedp.Click(chromedp.CSS(`section[aria-labelledby=b-tojustify] a[href$="` + item + `"]`))); st != http.StatusOK || !strings.HasPrefix(gb.path(), "/justifications") {
		t.Fatalf("the absence from the home: %d at %s", st, gb.path())
	}
	gb.step("2-family-page")
	if got := gb.text(item); !strings.Contains(got, "À justifier") {
		t.Fatalf("the absence on the family's page: %q", got)
	}
	reason := eval[string](gb, `[...document.querySelectorAll('#j-reason option')].find(o => o.textContent.trim() === 'Maladie')?.value ?? ''`)
	if reason == "" {
		t.Fatal("no reason Maladie in the list")
	}
	pdf := filepath.Join(t.TempDir(), "certificat.pdf")
	if err := os.WriteFile(pdf, []byte("%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	gb.do(chromedp.SetValue(chromedp.ID("j-from"), day),
		chromedp.SetValue(chromedp.ID("j-to"), day),
		chromedp.SetValue(chromedp.ID("j-reason"), reason),
		chromedp.SendKeys(chromedp.ID("j-body"), "Fièvre ce matin, certificat joint."),
		chromedp.Click(chromedp.ID("c-"+absence)),
		chromedp.SetUploadFiles(chromedp.ID("j-doc"), []string{pdf}))
	if st := gb.load(chromedp.Click(chromedp.CSS(`form[action="/justifications"] button[type=submit]`))); st != http.StatusOK {
		t.Fatalf("sending the justification: %d %q", st, gb.text("main"))
	}
	gb.step("2-justification-sent")
	if gb.count(`[role=alert]`) > 0 {
		t.Fatalf("the justification is refused: %q", gb.text("[role=alert]"))
	}
	if got := gb.text(`p.ok[role=status]`); !strings.HasPrefix(got, "Justificatif envoyé") {
		t.Fatalf("after sending: %q", got)
	}
	if got := gb.text(item); !strings.Contains(got, "Motif donné") || !strings.Contains(got, "Maladie") {
		t.Errorf("the absence after sending: %q", got)
	}
	js := s.query(`SELECT justification_id FROM att_justification_covers WHERE absence_id = ?`, absence)
	if len(js) != 1 {
		t.Fatalf("justifications covering the absence: %v", js)
	}
	jid := js[0]
	if got := gb.text("#j-" + jid); !strings.Contains(got, "En attente") || !strings.Contains(got, "certificat.pdf") {
		t.Errorf("the justification sent: %q", got)
	}

	// 3. The CPE: the counts before, the review queue, accepted.
	cpe := s.account("CPE of the collège", func(a demo.Account) bool { return hasFunction("cpe")(a) && a.Establishment == demo.MainUAI })
	cb := s.newTab()
	cb.viewport(390, 844)
	cb.signIn(cpe.Login)
	if st := cb.open("/school-life/counts"); st != http.StatusOK {
		t.Fatalf("the counts: %d", st)
	}
	cb.step("3-counts-before")
	j0, u0 := cb.halfDays(student)
	if u0 < 1 {
		t.Errorf("the absence of the morning is not counted unjustified: %d justified, %d unjustified", j0, u0)
	}
	if st := cb.open("/"); st != http.StatusOK {
		t.Fatalf("the CPE's home: %d", st)
	}
	toReview := `section[aria-labelledby=b-review] a[href^="/school-life/justifications"][href$="#j-` + jid + `"]`
	if cb.count(toReview) != 1 {
		t.Fatalf("the CPE's home does not list the justification to review: %q", cb.text("main"))
	}
	cb.step("3-cpe-home")
	if st := cb.load(chromedp.Click(chromedp.CSS(toReview))); st != http.StatusOK || !strings.HasPrefix(cb.path(), "/school-life/justifications") {
		t.Fatalf("the queue from the home: %d at %s", st, cb.path())
	}
	cb.step("3-queue")
	card := "#j-" + jid
	if got := cb.text(card); !strings.Contains(got, "Maladie") || !strings.Contains(got, "certificat.pdf") || !strings.Contains(got, "Fièvre ce matin") {
		t.Errorf("the justification in the queue: %q", got)
	}
	if st := cb.load(chromedp.Click(chromedp.CSS(card + ` button[name=decision][value=accept]`))); st != http.StatusOK {
		t.Fatalf("accepting: %d", st)
	}
	cb.step("3-accepted")
	if got := cb.text(`p.ok[role=status]`); !strings.HasPrefix(got, "Justificatif accepté") {
		t.Errorf("after accepting: %q", got)
	}
	if cb.count(card) != 0 {
		t.Error("the accepted justification stays in the queue")
	}

	// 4. The counts: one justified half-day more, one unjustified fewer;
	// the family's page says justified.
	if st := cb.open("/school-life/counts"); st != http.StatusOK {
		t.Fatalf("the counts: %d", st)
	}
	cb.step("4-counts-after")
	if j1, u1 := cb.halfDays(student); j1 != j0+1 || u1 != u0-1 {
		t.Errorf("the counts: justified %d → %d, unjustified %d → %d", j0, j1, u0, u1)
	}
	if st := gb.open("/justifications?child=" + student); st != http.StatusOK {
		t.Fatalf("the family's page: %d", st)
	}
	gb.step("4-family-justified")
	if got := gb.text(item); !strings.Contains(got, "Justifiée") {
		t.Errorf("the absence on the family's page after the review: %q", got)
	}
	if got := gb.text("#j-" + jid); !strings.Contains(got, "Accepté") {
		t.Errorf("the justification on the family's page after the review: %q", got)
	}
}
