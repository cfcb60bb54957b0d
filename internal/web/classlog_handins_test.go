package web_test

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"cartable/internal/i18n"
)

var (
	titleRe    = regexp.MustCompile(`<title>(.*?)</title>`)
	handInsRe  = regexp.MustCompile(`href="(/homework/[a-z2-7]+/hand-ins)"`)
	hrefFileRe = regexp.MustCompile(`href="/files/([a-z2-7]+)"`)
)

// title is a page's <title>.
func title(r response) string {
	m := titleRe.FindStringSubmatch(r.body)
	if m == nil {
		return ""
	}
	return htmlUnescape(m[1])
}

// relativeOf returns an active relative of the student who has no other
// child in the class.
func (e *env) relativeOf(student, class string) string {
	e.t.Helper()
	r := e.query(`SELECT f.relative_id FROM family_links f JOIN people p ON p.id = f.relative_id WHERE f.student_id = ? AND p.active
		AND NOT EXISTS (SELECT 1 FROM family_links o JOIN enrolments x ON x.student_id = o.student_id
			WHERE o.relative_id = f.relative_id AND o.student_id <> f.student_id AND x.class_id = ?) ORDER BY 1 LIMIT 1`, student, class)
	if len(r) == 0 {
		e.t.Fatalf("student %s has no relative", student)
	}
	return r[0]
}

// A homework's hand-ins as each reader sees them: the teacher everyone's;
// a student their own (what they sent, when, late or not), and opens
// their file; a relative their child's, without the file the policy keeps
// from them; another family, a student of another class, a colleague and
// a forged homework are refused (404, audited). Every hand-ins link a
// page shows opens.
func TestHandInsAsEachReaderSeesThem(t *testing.T) {
	e := newTTEnv(t, 120)
	slot, teacher, class, est, colleague := tuesdayLesson(e)
	lesson := "/lessons/" + slot + "/2026-12-01"
	tb := e.signIn(e.login(teacher))
	if r := tb.upload(lesson+"/log", entryFields(tb, "Les fractions", "hw0_description", "Exercices 1 à 3", "hw0_due", "2026-12-03",
		"hw0_handin", "upload"), "", "", nil); r.status != http.StatusSeeOther {
		t.Fatalf("save: %d %s", r.status, alertRe.FindString(r.body))
	}
	hw := e.query(`SELECT h.id FROM homework h JOIN classlog_entries c ON c.id = h.entry_id WHERE c.slot_id = ? AND c.lesson_date = '2026-12-01'`, slot)[0]
	students := e.query(`SELECT e.student_id FROM enrolments e JOIN people p ON p.id = e.student_id WHERE e.class_id = ? AND p.active
		AND EXISTS (SELECT 1 FROM family_links f WHERE f.student_id = e.student_id) ORDER BY 1 LIMIT 2`, class)
	if len(students) != 2 {
		t.Fatal("the class has fewer than two students with relatives")
	}
	s1, s2 := e.signIn(e.login(students[0])), e.signIn(e.login(students[1]))
	name := func(id string) string { p := e.row(id); return p.LastName + " " + p.FirstName }
	work := pdf("mon devoir de fractions")
	if r := s1.uploadFiles("/homework/"+hw+"/hand-in", map[string][]string{"csrf": {s1.csrf()}},
		[]upFile{{"file", "fractions.pdf", work}}, false); r.status != http.StatusSeeOther {
		t.Fatalf("hand-in: %d", r.status)
	}
	file := e.query(`SELECT file_id FROM homework_submissions WHERE homework_id = ?`, hw)[0]
	page := "/homework/" + hw + "/hand-ins"
	size := i18n.Size("fr", int64(len(work)))

	// The teacher: the whole class, each file opens; the summary counts
	// with the plural rules.
	r := tb.get(page)
	if r.status != 200 || !strings.Contains(r.body, name(students[0])) || !strings.Contains(r.body, name(students[1])) ||
		!strings.Contains(r.body, `href="/files/`+file+`"`) {
		t.Fatalf("the teacher's hand-ins page: %d", r.status)
	}
	n := len(e.roster(class))
	if want := fmt.Sprintf("1 travail remis sur %d élèves ; 0 en retard.", n); !strings.Contains(r.body, want) {
		t.Errorf("the summary does not say %q", want)
	}
	if got := title(r); !strings.HasPrefix(got, "Travaux remis · ") || !strings.Contains(got, "Pour le jeudi 3 décembre") {
		t.Errorf("the hand-ins page's title does not name the homework: %q", got)
	}

	// The first student: their own row, their file, its size, on time.
	r = s1.get(lesson)
	if r.status != 200 || !strings.Contains(r.body, `href="`+page+`">mon travail remis</a>`) {
		t.Fatalf("the student's lesson page does not lead to their hand-in: %d", r.status)
	}
	r = s1.get(page)
	if r.status != 200 || !strings.Contains(r.body, `href="/files/`+file+`">fractions.pdf</a> <small>(`+size+`)</small>`) ||
		!strings.Contains(r.body, "remis le 30 novembre 2026 à 09:30 — à temps") || strings.Contains(r.body, name(students[1])) {
		t.Fatalf("the student's hand-in: %d\n%s", r.status, regexp.MustCompile(`(?s)<table>.*</table>`).FindString(r.body))
	}
	if strings.Contains(r.body, "sur "+fmt.Sprint(n)) {
		t.Error("the student sees the class's count")
	}
	if r := s1.get("/files/" + file); r.status != 200 || !strings.Contains(r.body, "mon devoir de fractions") {
		t.Errorf("the student downloads their own work: %d", r.status)
	}
	if title(s1.get(page)) == title(tb.get(page)) {
		t.Error("the student's hand-in page is titled as the teacher's list")
	}

	// The second student: their own row, nothing handed in; the first's
	// file stays closed.
	r = s2.get(page)
	if r.status != 200 || !strings.Contains(r.body, name(students[1])) || strings.Contains(r.body, name(students[0])) ||
		!strings.Contains(r.body, "pas encore remis") || strings.Contains(r.body, file) {
		t.Errorf("the second student's hand-in page: %d", r.status)
	}
	if r := s2.get("/files/" + file); r.status != 404 {
		t.Errorf("a classmate opens the work: %d", r.status)
	}

	// The first student's relative: the child's row, the file named but
	// not offered (the policy keeps handed-in work to the student and
	// those who read the hand-ins).
	rel := e.relativeOf(students[0], class)
	pb := e.signIn(e.login(rel))
	r = pb.get(lesson)
	if r.status != 200 || !strings.Contains(r.body, `href="`+page+`">travail remis par mon enfant</a>`) {
		t.Fatalf("the relative's lesson page does not lead to the child's hand-in: %d", r.status)
	}
	r = pb.get(page)
	if r.status != 200 || !strings.Contains(r.body, "fractions.pdf <small>("+size+")</small>") || strings.Contains(r.body, `href="/files/`) ||
		strings.Contains(r.body, name(students[1])) {
		t.Errorf("the relative's view of the child's hand-in: %d", r.status)
	}
	if r := pb.get("/files/" + file); r.status != 404 {
		t.Errorf("the relative downloads the work: %d", r.status)
	}

	// Refused, audited: a relative of another family whose child is in
	// another class, a student of another class, a colleague of the
	// establishment who does not teach the class, a forged homework.
	other := e.query(`SELECT e.student_id FROM enrolments e JOIN classes c ON c.id = e.class_id JOIN people p ON p.id = e.student_id
		WHERE c.establishment_id = ? AND e.class_id <> ? AND p.active
		AND NOT EXISTS (SELECT 1 FROM enrolments x WHERE x.student_id = e.student_id AND x.class_id = ?)
		AND NOT EXISTS (SELECT 1 FROM group_members g JOIN homework h ON h.group_id = g.group_id WHERE g.student_id = e.student_id AND h.id = ?)
		ORDER BY 1 LIMIT 1`, est, class, class, hw)[0]
	// A relative none of whose children is in the class.
	otherRel := e.query(`SELECT f.relative_id FROM family_links f JOIN people p ON p.id = f.relative_id JOIN enrolments x ON x.student_id = f.student_id
		JOIN classes c ON c.id = x.class_id WHERE p.active AND c.establishment_id = ?
		AND NOT EXISTS (SELECT 1 FROM family_links o JOIN enrolments y ON y.student_id = o.student_id WHERE o.relative_id = f.relative_id AND y.class_id = ?)
		ORDER BY 1 LIMIT 1`, est, class)[0]
	for who, b := range map[string]string{"another family": otherRel, "a student of another class": other, "a colleague": colleague} {
		if r := e.signIn(e.login(b)).get(page); r.status != 404 {
			t.Errorf("%s opens the hand-ins: %d", who, r.status)
		}
		if !e.refusalAudited(b, "homework:"+hw) {
			t.Errorf("%s: the refusal is not audited", who)
		}
		if r := e.signIn(e.login(b)).get("/files/" + file); r.status != 404 {
			t.Errorf("%s opens the work: %d", who, r.status)
		}
	}
	if r := s1.get("/homework/nope/hand-ins"); r.status != 404 {
		t.Errorf("a forged homework: %d", r.status)
	}

	// After the due day: late or not, each sees it.
	e.clock.Add(4 * 24 * time.Hour)
	s2 = e.signIn(e.login(students[1]))
	if r := s2.get(page); !strings.Contains(r.body, "non remis, en retard") {
		t.Error("the second student is not told their work is late")
	}

	// Every hand-ins link of the lesson page and the class log opens, for
	// each reader.
	for who, id := range map[string]string{"teacher": teacher, "student": students[0], "relative": rel, "other student": students[1]} {
		b := e.signIn(e.login(id))
		for _, path := range []string{lesson, "/classlog/classes/" + class + "?to=2026-12-05"} {
			r := b.get(path)
			if r.status != 200 {
				t.Fatalf("%s: %s answers %d", who, path, r.status)
			}
			links := handInsRe.FindAllStringSubmatch(r.body, -1)
			if len(links) == 0 {
				t.Errorf("%s: %s offers no hand-ins link", who, path)
			}
			for _, m := range links {
				if r := b.get(m[1]); r.status != 200 {
					t.Errorf("%s: the link %s on %s answers %d", who, m[1], path, r.status)
				}
			}
		}
	}
}

// A student's homework list leads to each homework's lesson (where the
// teacher's worksheet is) and lists the entry's attachments; after handing
// in, the student sees what they sent (name, size, time) and downloads it;
// their relative sees the same without the file; a classmate sees none of
// it.
func TestStudentHomeworkListLeadsToTheLessonAndTheWorkSent(t *testing.T) {
	e := newTTEnv(t, 120)
	slot, teacher, class, _, _ := tuesdayLesson(e)
	lesson := "/lessons/" + slot + "/2026-12-01"
	tb := e.signIn(e.login(teacher))
	if r := tb.upload(lesson+"/log", entryFields(tb, "Les fractions", "hw0_description", "Exercices 1 à 3 de la fiche", "hw0_due", "2026-12-03",
		"hw0_handin", "upload"), "attachment", "fiche.pdf", pdf("la fiche d'exercices")); r.status != http.StatusSeeOther {
		t.Fatalf("save: %d %s", r.status, alertRe.FindString(r.body))
	}
	entry := e.query(`SELECT id FROM classlog_entries WHERE slot_id = ? AND lesson_date = '2026-12-01'`, slot)[0]
	hw := e.query(`SELECT id FROM homework WHERE entry_id = ?`, entry)[0]
	sheet := e.query(`SELECT file_id FROM classlog_attachments WHERE entry_id = ?`, entry)[0]
	students := e.query(`SELECT e.student_id FROM enrolments e JOIN people p ON p.id = e.student_id WHERE e.class_id = ? AND p.active
		AND EXISTS (SELECT 1 FROM family_links f WHERE f.student_id = e.student_id) ORDER BY 1 LIMIT 2`, class)
	sb, mate := e.signIn(e.login(students[0])), e.signIn(e.login(students[1]))

	item := func(b *browser, path string) string {
		t.Helper()
		r := b.get(path)
		i := strings.Index(r.body, `<li id="hw-`+hw+`"`)
		if r.status != 200 || i < 0 {
			t.Fatalf("%s: %d, the homework is not listed", path, r.status)
		}
		m := r.body[i:]
		if j := strings.Index(m[1:], `<li id="hw-`); j >= 0 {
			m = m[:j+1]
		} else if j := strings.Index(m, "</section>"); j >= 0 {
			m = m[:j]
		}
		return m
	}
	it := item(sb, "/homework?from=2026-12-01")
	if !strings.Contains(it, `href="`+lesson+`">séance du mardi 1er décembre</a>`) || !strings.Contains(it, `href="/files/`+sheet+`">fiche.pdf</a>`) {
		t.Fatalf("the item does not lead to its lesson and worksheet:\n%s", it)
	}
	if r := sb.get(lesson); r.status != 200 || !strings.Contains(r.body, `href="/files/`+sheet+`"`) {
		t.Errorf("the lesson the item leads to: %d", r.status)
	}
	if r := sb.get("/files/" + sheet); r.status != 200 || !strings.Contains(r.body, "la fiche") {
		t.Errorf("the worksheet: %d", r.status)
	}

	work := pdf("mon travail")
	if r := sb.uploadFiles("/homework/"+hw+"/hand-in", map[string][]string{"csrf": {sb.csrf()}},
		[]upFile{{"file", "mes fractions.pdf", work}}, false); r.status != http.StatusSeeOther {
		t.Fatalf("hand-in: %d", r.status)
	}
	file := e.query(`SELECT file_id FROM homework_submissions WHERE homework_id = ?`, hw)[0]
	sent := fmt.Sprintf(`<a href="/files/%s">mes fractions.pdf</a> (%s), remis le 30 novembre 2026 à 09:30`, file, i18n.Size("fr", int64(len(work))))
	it = item(sb, "/homework?from=2026-12-01")
	if !strings.Contains(it, "Vous avez déposé :") || !strings.Contains(it, sent) || !strings.Contains(it, "Remplacer le fichier déposé") {
		t.Fatalf("the student does not see what they sent:\n%s", it)
	}
	if r := sb.get("/files/" + file); r.status != 200 || !strings.Contains(r.body, "mon travail") {
		t.Errorf("the student downloads their work: %d", r.status)
	}

	// The relative: what was sent, not the file.
	pb := e.signIn(e.login(e.relativeOf(students[0], class)))
	it = item(pb, "/homework?from=2026-12-01&child="+students[0])
	if !strings.Contains(it, "Déposé :") || !strings.Contains(it, "<strong>mes fractions.pdf</strong>") || strings.Contains(it, `href="/files/`+file+`"`) ||
		!strings.Contains(it, `href="`+lesson+`"`) {
		t.Errorf("the relative's item:\n%s", it)
	}
	if r := pb.get(lesson); r.status != 200 {
		t.Errorf("the relative follows the lesson link: %d", r.status)
	}
	// The classmate: the homework, nothing of the first student's work.
	if it := item(mate, "/homework?from=2026-12-01"); strings.Contains(it, "mes fractions") || strings.Contains(it, file) {
		t.Errorf("a classmate sees someone's work:\n%s", it)
	}
	// The pages are named for whose list they are.
	if a, b := title(sb.get("/homework")), title(mate.get("/homework")); a == b || !strings.HasPrefix(a, "Travail à faire · ") {
		t.Errorf("two students' lists are titled %q and %q", a, b)
	}
}
