package web_test

import (
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"cartable/internal/files"
)

// upFile is one file part of a multipart form.
type upFile struct {
	field, name string
	content     []byte
}

// uploadFiles posts a multipart form with any number of files (several
// under the same field, as <input type="file" multiple> sends them). With
// chunked, the length is not announced, as a client streaming the body.
func (b *browser) uploadFiles(path string, fields url.Values, parts []upFile, chunked bool) response {
	b.e.t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for k, vs := range fields {
		for _, v := range vs {
			w.WriteField(k, v)
		}
	}
	for _, p := range parts {
		fw, err := w.CreateFormFile(p.field, p.name)
		if err != nil {
			b.e.t.Fatal(err)
		}
		fw.Write(p.content)
	}
	w.Close()
	var body io.Reader = &buf
	if chunked {
		body = io.MultiReader(&buf) // hides the length from the client
	}
	req, err := http.NewRequest("POST", b.e.ts.URL+path, body)
	if err != nil {
		b.e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", w.FormDataContentType())
	resp, err := b.client.Do(req)
	if err != nil {
		b.e.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return response{status: resp.StatusCode, header: resp.Header, body: string(raw)}
}

// blobs lists the sealed blobs in the store's data directory.
func (e *env) blobs() []string {
	e.t.Helper()
	dir, ok := e.srv.Files.Backend.(files.Dir)
	if !ok {
		e.t.Fatalf("the test store is not a directory: %T", e.srv.Files.Backend)
	}
	var out []string
	err := filepath.WalkDir(dir.Root, func(p string, d fs.DirEntry, err error) error {
		if os.IsNotExist(err) {
			return nil
		}
		if err != nil {
			return err
		}
		if !d.IsDir() {
			out = append(out, filepath.Base(p))
		}
		return nil
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return out
}

func (e *env) hasBlob(fileID string) bool {
	for _, b := range e.blobs() {
		if b == fileID {
			return true
		}
	}
	return false
}

func pdf(text string) []byte { return []byte("%PDF-1.4\n" + text + "\n%%EOF") }

var alertRe = regexp.MustCompile(`(?s)role="alert".*?</div>`)

func TestClassLogAttachments(t *testing.T) {
	e := newTTEnv(t, 120)
	// A weekly Tuesday lesson of one class, whose teacher teaches the same
	// subject to another class (to copy the entry to).
	row := e.query(`SELECT s.id || '|' || t.teacher_id || '|' || a.class_id || '|' || ta.class_id FROM tt_slots s
		JOIN tt_slot_teachers t ON t.slot_id = s.id JOIN tt_slot_audiences a ON a.slot_id = s.id
		JOIN teaching_assignments ta ON ta.teacher_id = t.teacher_id AND ta.subject_id = s.subject_id
			AND ta.class_id IS NOT NULL AND ta.class_id <> a.class_id
		WHERE s.weekday = 2 AND a.class_id IS NOT NULL AND s.alternation_id IS NULL
		AND (SELECT COUNT(*) FROM tt_slot_audiences x WHERE x.slot_id = s.id) = 1
		AND NOT EXISTS (SELECT 1 FROM classlog_entries c WHERE c.slot_id = s.id AND c.lesson_date = '2026-12-01')
		ORDER BY s.id, ta.class_id LIMIT 1`)
	if len(row) == 0 {
		t.Fatal("the demo has no lesson whose teacher teaches the subject to another class")
	}
	parts := strings.Split(row[0], "|")
	slot, teacher, class, other := parts[0], parts[1], parts[2], parts[3]
	lesson := "/lessons/" + slot + "/2026-12-01"
	tb := e.signIn(e.login(teacher))
	student := e.query(`SELECT student_id FROM enrolments WHERE class_id = ? ORDER BY 1 LIMIT 1`, class)[0]
	sb := e.signIn(e.login(student))
	form := func(extra ...string) url.Values {
		v := url.Values{"csrf": {tb.csrf()}, "title": {"Les fractions"}, "category": {"lesson"}, "body": {"<p>Cours</p>"},
			"hw0_description": {"Exercices 1 à 3"}, "hw0_due": {"2026-12-03"}, "hw0_minutes": {"20"}, "hw0_handin": {"upload"}, "hw0_lesson": {""}}
		for i := 0; i+1 < len(extra); i += 2 {
			if extra[i] == "remove" { // repeated, as several ticked boxes
				v.Add(extra[i], extra[i+1])
			} else {
				v.Set(extra[i], extra[i+1])
			}
		}
		return v
	}
	att := func(entry string) []string {
		return e.query(`SELECT f.name FROM classlog_attachments a JOIN files f ON f.id = a.file_id WHERE a.entry_id = ? ORDER BY f.name`, entry)
	}
	fileOf := func(entry, name string) string {
		ids := e.query(`SELECT f.id FROM classlog_attachments a JOIN files f ON f.id = a.file_id WHERE a.entry_id = ? AND f.name = ?`, entry, name)
		if len(ids) != 1 {
			t.Fatalf("%s is not attached to %s", name, entry)
		}
		return ids[0]
	}

	// Two files in one save; the class downloads both.
	r := tb.uploadFiles(lesson+"/log", form(), []upFile{{"attachment", "fiche.pdf", pdf("fiche")},
		{"attachment", "notes.txt", []byte("Notes de cours")}}, false)
	if r.status != http.StatusSeeOther {
		t.Fatalf("save with two files: %d %s", r.status, alertRe.FindString(r.body))
	}
	entry := e.query(`SELECT id FROM classlog_entries WHERE slot_id = ? AND lesson_date = '2026-12-01'`, slot)[0]
	if got := att(entry); fmt.Sprint(got) != "[fiche.pdf notes.txt]" {
		t.Fatalf("attachments after the first save: %v", got)
	}
	fiche, notes := fileOf(entry, "fiche.pdf"), fileOf(entry, "notes.txt")
	if r := sb.get("/files/" + fiche); r.status != 200 || !strings.Contains(r.body, "fiche") {
		t.Errorf("student downloads fiche.pdf: %d", r.status)
	}
	if r := sb.get("/files/" + notes); r.status != 200 || r.body != "Notes de cours" {
		t.Errorf("student downloads notes.txt: %d %q", r.status, r.body)
	}
	if r := sb.get("/classlog/classes/" + class + "?to=2026-12-05"); !strings.Contains(r.body, "fiche.pdf") || !strings.Contains(r.body, "notes.txt") {
		t.Error("the class log does not list both attachments")
	}
	// The edit form lists them, each with its removal box.
	r = tb.get(lesson)
	for _, id := range []string{fiche, notes} {
		if !strings.Contains(r.body, `name="remove" value="`+id+`"`) {
			t.Errorf("no removal box for %s on the edit form", id)
		}
	}
	if !strings.Contains(r.body, `name="attachment" multiple`) {
		t.Error("the file field does not take several files")
	}

	// One bad file among good ones: nothing applied, everything typed kept,
	// each bad file named with its reason, no blob left behind.
	filesBefore, blobsBefore := len(e.query(`SELECT id FROM files`)), len(e.blobs())
	big := append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte("x"), 70<<10)...)
	r = tb.uploadFiles(lesson+"/log", form("id", entry, "title", "Les fractions, suite", "remove", notes,
		"hw1_description", "Lire le chapitre 4", "hw1_due", "2026-12-04", "hw1_handin", "paper", "hw1_minutes", "15"),
		[]upFile{{"attachment", "bon.pdf", pdf("bon")}, {"attachment", "virus.exe", []byte("MZ\x90\x00rest")},
			{"attachment", "gros.pdf", big}, {"attachment", "vide.txt", nil}, {"attachment", "aussi-bon.txt", []byte("ok")}}, false)
	alert := alertRe.FindString(r.body)
	if r.status != http.StatusUnprocessableEntity {
		t.Fatalf("bad file among good: %d %s", r.status, alert)
	}
	for _, want := range []string{"« virus.exe » n&#39;est pas d&#39;un type accepté", "« gros.pdf » est trop volumineux : 64 Ko",
		"« vide.txt » est vide", "choisissez-les de nouveau"} {
		if !strings.Contains(alert, want) {
			t.Errorf("the refusal does not say %q: %s", want, alert)
		}
	}
	if strings.Contains(alert, "bon.pdf") {
		t.Errorf("a good file is named as refused: %s", alert)
	}
	for _, want := range []string{`value="Les fractions, suite"`, "Lire le chapitre 4", `value="2026-12-04"`, `value="15"`,
		`name="remove" value="` + notes + `" checked`} {
		if !strings.Contains(r.body, want) {
			t.Errorf("the form lost %q", want)
		}
	}
	if got := e.query(`SELECT title FROM classlog_entries WHERE id = ?`, entry); got[0] != "Les fractions" {
		t.Errorf("the refused save changed the title: %q", got[0])
	}
	if got := att(entry); fmt.Sprint(got) != "[fiche.pdf notes.txt]" {
		t.Errorf("the refused save changed the attachments: %v", got)
	}
	if n := len(e.query(`SELECT id FROM homework WHERE entry_id = ?`, entry)); n != 1 {
		t.Errorf("the refused save changed the homework: %d lines", n)
	}
	if len(e.query(`SELECT id FROM files`)) != filesBefore || len(e.blobs()) != blobsBefore {
		t.Error("the refused save left files behind")
	}

	// Ten attachments per entry at most: the file over the limit is named.
	var many []upFile
	for i := 1; i <= 9; i++ {
		many = append(many, upFile{"attachment", fmt.Sprintf("f%d.txt", i), []byte("texte")})
	}
	r = tb.uploadFiles(lesson+"/log", form("id", entry), many, false)
	if alert := alertRe.FindString(r.body); r.status != http.StatusUnprocessableEntity || !strings.Contains(alert, "« f9.txt » : une séance porte au plus 10") ||
		strings.Contains(alert, "f8.txt") {
		t.Errorf("an eleventh attachment: %d %s", r.status, alert)
	}
	if len(att(entry)) != 2 || len(e.blobs()) != blobsBefore {
		t.Error("a save over the attachment limit was applied")
	}
	// Far too much at once: refused from its announced length, or while it
	// is read when the length is not announced, with the lesson page.
	huge := []upFile{{"attachment", "a.pdf", append(pdf("a"), bytes.Repeat([]byte("x"), 500<<10)...)},
		{"attachment", "b.pdf", append(pdf("b"), bytes.Repeat([]byte("x"), 500<<10)...)}}
	for _, chunked := range []bool{false, true} {
		r = tb.uploadFiles(lesson+"/log", form("id", entry), huge, chunked)
		if r.status != http.StatusRequestEntityTooLarge || !strings.Contains(r.body, "Les fichiers envoyés ensemble dépassent 640 Ko") ||
			!strings.Contains(r.body, `name="title"`) {
			t.Errorf("far too much (chunked %v): %d %s", chunked, r.status, alertRe.FindString(r.body))
		}
	}

	// Nobody but the author removes an attachment: a colleague of the
	// class, a student, a relative; by the form or the removal button.
	colleague := e.query(`SELECT teacher_id FROM teaching_assignments WHERE class_id = ? AND teacher_id <> ? ORDER BY 1 LIMIT 1`, class, teacher)
	relative := e.query(`SELECT relative_id FROM family_links WHERE student_id = ? ORDER BY 1 LIMIT 1`, student)
	others := map[string]*browser{"student": sb}
	if len(colleague) == 1 {
		others["colleague"] = e.signIn(e.login(colleague[0]))
	} else {
		t.Error("the demo class has a single teacher")
	}
	if len(relative) == 1 {
		others["relative"] = e.signIn(e.login(relative[0]))
	} else {
		t.Error("the demo student has no relative")
	}
	for who, b := range others {
		r := b.uploadFiles(lesson+"/log", url.Values{"csrf": {b.csrf()}, "id": {entry}, "title": {"Pris"}, "category": {"lesson"},
			"remove": {fiche}}, nil, false)
		if r.status != http.StatusNotFound {
			t.Errorf("%s removes through the lesson form: %d", who, r.status)
		}
		r = b.post("/classlog/entries/"+entry+"/attachments/"+fiche+"/remove", url.Values{"csrf": {b.csrf()}})
		if r.status != http.StatusNotFound {
			t.Errorf("%s removes with the removal button: %d", who, r.status)
		}
		if r := b.get("/classlog/classes/" + class + "?to=2026-12-05"); strings.Contains(r.body, "/attachments/") {
			t.Errorf("%s is offered a removal button", who)
		}
	}
	if len(att(entry)) != 2 || !e.hasBlob(fiche) || e.query(`SELECT title FROM classlog_entries WHERE id = ?`, entry)[0] != "Les fractions" {
		t.Fatal("a refused removal removed something")
	}

	// Copy to another class: the copy shares the files.
	r = tb.post("/classlog/entries/"+entry+"/copy", url.Values{"csrf": {tb.csrf()}, "target": {"c:" + other}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("copy: %d", r.status)
	}
	cp := e.query(`SELECT id FROM classlog_entries WHERE class_id = ? AND title = 'Les fractions'`, other)[0]
	if got := att(cp); fmt.Sprint(got) != "[fiche.pdf notes.txt]" {
		t.Fatalf("attachments of the copy: %v", got)
	}
	otherStudent := e.signIn(e.login(e.query(`SELECT student_id FROM enrolments WHERE class_id = ? ORDER BY 1 LIMIT 1`, other)[0]))

	// The author removes notes.txt from the original with the form, and
	// adds a file in the same save: the copy keeps notes.txt.
	r = tb.uploadFiles(lesson+"/log", form("id", entry, "remove", notes), []upFile{{"attachment", "plan.pdf", pdf("plan")}}, false)
	if r.status != http.StatusSeeOther {
		t.Fatalf("remove and add: %d %s", r.status, alertRe.FindString(r.body))
	}
	if got := att(entry); fmt.Sprint(got) != "[fiche.pdf plan.pdf]" {
		t.Errorf("attachments after removal: %v", got)
	}
	if !e.hasBlob(notes) || otherStudent.get("/files/"+notes).status != 200 {
		t.Error("removing from the original broke the copy's attachment")
	}
	if r := sb.get("/files/" + notes); r.status != 404 {
		t.Errorf("the original's class still opens the removed file: %d", r.status)
	}
	// The author removes it from the copy too, with the button of the
	// class log page: now nothing holds it and it is gone.
	r = tb.get("/classlog/classes/" + other + "?to=2026-12-05")
	if !strings.Contains(r.body, `action="/classlog/entries/`+cp+`/attachments/`+notes+`/remove"`) {
		t.Fatal("no removal button for the author on the class log page")
	}
	r = tb.post("/classlog/entries/"+cp+"/attachments/"+notes+"/remove", url.Values{"csrf": {tb.csrf()}, "to": {"2026-12-05"}})
	if r.status != http.StatusSeeOther || !strings.Contains(r.header.Get("Location"), "saved=att-removed") {
		t.Fatalf("removal button: %d", r.status)
	}
	if r := otherStudent.get("/files/" + notes); r.status != 404 {
		t.Errorf("download after the last removal: %d", r.status)
	}
	if e.hasBlob(notes) || len(e.query(`SELECT id FROM files WHERE id = ?`, notes)) != 0 {
		t.Error("the removed file is still stored")
	}
	if r := otherStudent.get("/files/" + fiche); r.status != 200 {
		t.Errorf("the copy's other attachment: %d", r.status)
	}
	// A file not attached to the entry cannot be "removed" through it.
	plan := fileOf(entry, "plan.pdf")
	if r := tb.post("/classlog/entries/"+cp+"/attachments/"+plan+"/remove", url.Values{"csrf": {tb.csrf()}}); r.status != 404 || !e.hasBlob(plan) {
		t.Errorf("removing another entry's file: %d", r.status)
	}

	// Work handed in for a homework line stays with the line the teacher
	// rewrites (classlog_homework_test.go follows this further).
	hw := e.query(`SELECT id FROM homework WHERE entry_id = ?`, entry)[0]
	handIn := func() string {
		if r := sb.uploadFiles("/homework/"+hw+"/hand-in", url.Values{"csrf": {sb.csrf()}}, []upFile{{"file", "devoir.pdf", pdf("devoir")}}, false); r.status != http.StatusSeeOther {
			t.Fatalf("hand-in: %d", r.status)
		}
		return e.query(`SELECT file_id FROM homework_submissions WHERE homework_id = ?`, hw)[0]
	}
	handed := handIn()
	if r := tb.uploadFiles(lesson+"/log", form("id", entry, "hw0_id", hw, "hw0_description", "Exercices 1 à 5"), nil, false); r.status != http.StatusSeeOther {
		t.Fatalf("rewrite the homework: %d %s", r.status, alertRe.FindString(r.body))
	}
	if !e.hasBlob(handed) || len(e.query(`SELECT file_id FROM homework_submissions WHERE homework_id = ? AND file_id = ?`, hw, handed)) != 1 {
		t.Error("the work handed in for a rewritten homework line is lost")
	}

	// Deleting the original: its own files (plan.pdf, the work handed in)
	// leave the storage; fiche.pdf stays for the copy.
	first := handed
	// A new hand-in replaces the previous one, whose blob goes.
	if handed = handIn(); handed == first || e.hasBlob(first) || !e.hasBlob(handed) {
		t.Error("the replaced hand-in is still stored (or the new one is not)")
	}
	if r := sb.post("/classlog/entries/"+entry+"/delete", url.Values{"csrf": {sb.csrf()}}); r.status != 404 {
		t.Errorf("a student deletes the entry: %d", r.status)
	}
	if r := tb.post("/classlog/entries/"+entry+"/delete", url.Values{"csrf": {tb.csrf()}}); r.status != http.StatusConflict {
		t.Fatalf("delete without confirming the hand-ins' removal: %d", r.status)
	}
	if r := tb.post("/classlog/entries/"+entry+"/delete", url.Values{"csrf": {tb.csrf()}, "discard_handins": {"1"}}); r.status != http.StatusSeeOther {
		t.Fatalf("delete: %d", r.status)
	}
	for name, id := range map[string]string{"plan.pdf": plan, "handed-in work": handed} {
		if e.hasBlob(id) || len(e.query(`SELECT id FROM files WHERE id = ?`, id)) != 0 {
			t.Errorf("%s is still stored after the entry was deleted", name)
		}
	}
	if !e.hasBlob(fiche) || otherStudent.get("/files/"+fiche).status != 200 {
		t.Error("deleting the original broke the copy's attachment")
	}
	// Deleting the copy, the last holder of fiche.pdf, empties the store of it.
	if r := tb.post("/classlog/entries/"+cp+"/delete", url.Values{"csrf": {tb.csrf()}}); r.status != http.StatusSeeOther {
		t.Fatalf("delete the copy: %d", r.status)
	}
	if e.hasBlob(fiche) || len(e.query(`SELECT id FROM files WHERE id = ?`, fiche)) != 0 {
		t.Error("fiche.pdf is still stored after both entries were deleted")
	}
	// Every blob went at once: none waits in the erasure queue.
	if q := e.query(`SELECT storage_key FROM file_erasures`); len(q) != 0 {
		t.Errorf("blobs left waiting for erasure: %v", q)
	}
}
