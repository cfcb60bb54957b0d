package browser_test

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"cartable/internal/access"
	"cartable/internal/demo"
	"cartable/internal/directory"
	"cartable/internal/timetable"
)

// mainEstablishment is the ID of the demo collège.
func (s *suite) mainEstablishment() string {
	s.t.Helper()
	e, err := directory.EstablishmentByUAI(context.Background(), s.db, demo.MainUAI)
	if err != nil {
		s.t.Fatal(err)
	}
	return e.ID
}

// ownLesson is a coming lesson of the collège, for one class, taught by
// one teacher without staff functions, with nothing changed on it yet;
// and a student of that class.
type ownLesson struct {
	teacher, student demo.Account
	lesson           timetable.Lesson
	class            string // class ID
}

// href is the lesson page.
func (o ownLesson) href() string { return "/lessons/" + o.lesson.Slot.ID + "/" + o.lesson.Date }

// week is the student's or teacher's own week view holding the lesson.
func (o ownLesson) week() string { return "/timetable?week=" + o.lesson.Date }

// ownLesson looks from next week on (never today: the lesson must still be
// to come), skipping the weeks of holidays.
func (s *suite) ownLesson() ownLesson {
	s.t.Helper()
	ctx := context.Background()
	est := s.mainEstablishment()
	byLogin := map[string]demo.Account{}
	for _, a := range s.accounts {
		byLogin[a.Login] = a
	}
	next := timetable.Monday(time.Now().In(timetable.Paris)).AddDate(0, 0, 7)
	for w := range 8 {
		from := next.AddDate(0, 0, 7*w)
		for _, a := range s.accounts {
			if a.Profile != "teacher" || len(a.Functions) > 0 || len(a.Establishments) != 1 || a.Establishment != demo.MainUAI {
				continue
			}
			p := s.person(a.Login)
			ls, err := timetable.Lessons(ctx, access.System("test"), s.db, timetable.Target{Kind: timetable.TargetTeacher, ID: p.ID},
				from.Format(timetable.DateFormat), from.AddDate(0, 0, 5).Format(timetable.DateFormat))
			if err != nil {
				s.t.Fatal(err)
			}
			for _, l := range ls {
				if l.Change != nil || l.Slot.Exceptional || l.Slot.EstablishmentID != est || len(l.Slot.Teachers) != 1 ||
					len(l.Slot.Audiences) != 1 || l.Slot.Audiences[0].ClassID == "" {
					continue
				}
				c, err := directory.ViewClass(ctx, access.System("test"), s.db, l.Slot.Audiences[0].ClassID)
				if err != nil {
					s.t.Fatal(err)
				}
				for _, st := range c.Roster {
					if acct, ok := byLogin[s.login(st.ID)]; ok {
						return ownLesson{teacher: a, student: acct, lesson: l, class: l.Slot.Audiences[0].ClassID}
					}
				}
			}
		}
	}
	s.t.Fatal("no coming lesson of one class and one teacher in the demo collège")
	return ownLesson{}
}

// card is the text of the lesson card that links to href on a week view;
// ok is false when the page shows no such card.
func (b *tab) card(href string) (text string, ok bool) {
	b.t.Helper()
	v := eval[*string](b, `document.querySelector('li.lesson a[href=' + JSON.stringify(`+jsString(href)+`) + ']')?.closest('li').innerText ?? null`)
	if v == nil {
		return "", false
	}
	return strings.Join(strings.Fields(*v), " "), true
}

// usedRowEdit is the edit link of the first row of a setup list whose
// last count (weekly lessons) is not zero: an item that cannot be deleted.
func (b *tab) usedRowEdit(prefix string) string {
	b.t.Helper()
	v := eval[*string](b, `(() => {
		for (const r of document.querySelectorAll('#list-h ~ .scroll table tbody tr')) {
			if ([...r.querySelectorAll('td.num')].pop().textContent.trim() !== '0')
				return r.querySelector('a[href^=' + JSON.stringify(`+jsString(prefix)+`) + ']').getAttribute('href');
		}
		return null;
	})()`)
	if v == nil {
		b.t.Fatalf("%s: no item in use in the list", b.path())
	}
	return *v
}

func (b *tab) checked(sel string) bool {
	b.t.Helper()
	return eval[bool](b, `document.querySelector(`+jsString(sel)+`).checked`)
}

// TestBrowserTimetableSetupAccessibility audits with axe-core the pages
// added for timetable management (rooms, week patterns, the lesson edit
// form, each with a refused submission) and the forms a teacher has on
// their own lesson: the annotation form and the class log form holding
// attachments, then the class log of the class with its remove buttons.
func TestBrowserTimetableSetupAccessibility(t *testing.T) {
	skipUnlessBrowser(t)
	axe := loadAxe(t)
	s := newSuite(t)
	est := s.mainEstablishment()
	base := "/timetable/manage/" + est
	o := s.ownLesson()
	head := s.account("head of the collège", func(a demo.Account) bool { return hasFunction("head")(a) && a.Establishment == demo.MainUAI })
	h := s.newTab()
	h.signIn(head.Login)

	// Rooms: the list with the add form, a refused addition (a code
	// already taken, typed in lower case), the edit form of a room in use,
	// and its refused deletion.
	if st := h.open(base); st != http.StatusOK {
		t.Fatalf("timetable management: %d", st)
	}
	if st := h.load(chromedp.Click(chromedp.CSS(`a[href="` + base + `/rooms"]`))); st != http.StatusOK || h.path() != base+"/rooms" {
		t.Fatalf("rooms page: %d at %s", st, h.path())
	}
	h.audit("rooms: list and add form", axe)
	taken := strings.ToLower(h.text("#list-h ~ .scroll table tbody th"))
	h.do(chromedp.SendKeys(chromedp.ID("r-code"), taken), chromedp.SendKeys(chromedp.ID("r-name"), "Doublon"))
	if st := h.load(chromedp.Click(chromedp.CSS(`form[action="` + base + `/rooms"] button[type=submit]`))); st != http.StatusUnprocessableEntity {
		t.Fatalf("a room code already taken: %d", st)
	}
	if !strings.Contains(h.text(`#add-h ~ [role=alert]`), "une autre salle a déjà le code") || h.value("#r-code") != taken || h.value("#r-name") != "Doublon" {
		t.Fatalf("the refused room form: %q, code %q", h.text("main"), h.value("#r-code"))
	}
	h.audit("rooms: addition refused", axe)
	room := h.usedRowEdit(base + "/rooms/")
	if st := h.load(chromedp.Click(chromedp.CSS(`a[href="` + room + `"]`))); st != http.StatusOK || h.count("#edit-h") != 1 {
		t.Fatalf("room edit form: %d", st)
	}
	h.audit("rooms: edit form", axe)
	if st := h.load(chromedp.Click(chromedp.CSS(`form[action="` + room + `/delete"] button`))); st != http.StatusConflict {
		t.Fatalf("deleting a room in use: %d", st)
	}
	if !strings.Contains(h.text(`#edit-h ~ [role=alert]`), "La salle n'a pas été supprimée") {
		t.Fatal("no reason shown for the refused deletion of a room")
	}
	h.audit("rooms: deletion refused", axe)

	// Week patterns: the same four states.
	if st := h.open(base + "/weeks"); st != http.StatusOK || h.count("#w-start option") == 0 {
		t.Fatalf("weeks page: %d", st)
	}
	h.audit("week patterns: list and add form", axe)
	h.do(chromedp.SendKeys(chromedp.ID("w-code"), "sa"), chromedp.SendKeys(chromedp.ID("w-label"), "Doublon"))
	if st := h.load(chromedp.Click(chromedp.CSS(`form[action="` + base + `/weeks"] button[type=submit]`))); st != http.StatusUnprocessableEntity {
		t.Fatalf("a week pattern code already taken: %d", st)
	}
	if !strings.Contains(h.text(`#form-h ~ [role=alert]`), "une autre alternance a déjà le code") || h.value("#w-label") != "Doublon" {
		t.Fatalf("the refused week pattern form: %q", h.text("main"))
	}
	h.audit("week patterns: addition refused", axe)
	alt := h.usedRowEdit(base + "/weeks/")
	if st := h.load(chromedp.Click(chromedp.CSS(`a[href="` + alt + `"]`))); st != http.StatusOK || h.count(`input[name=week]:checked`) == 0 {
		t.Fatalf("week pattern edit form: %d", st)
	}
	h.audit("week patterns: edit form", axe)
	if st := h.load(chromedp.Click(chromedp.CSS(`form[action="` + alt + `/delete"] button`))); st != http.StatusConflict {
		t.Fatalf("deleting a week pattern in use: %d", st)
	}
	if !strings.Contains(h.text(`#form-h ~ [role=alert]`), "L'alternance n'a pas été supprimée") {
		t.Fatal("no reason shown for the refused deletion of a week pattern")
	}
	h.audit("week patterns: deletion refused", axe)

	// A class's lessons, the edit form of one (its co-teacher and other
	// audience selects), and a refused change.
	slot := o.lesson.Slot.ID
	h.open(base)
	h.do(chromedp.SetValue(chromedp.ID("m-class"), o.class))
	if st := h.load(chromedp.Click(chromedp.CSS(`form[method="get"] button`))); st != http.StatusOK || h.path() != base+"?class="+o.class {
		t.Fatalf("a class's lessons: %d at %s", st, h.path())
	}
	h.audit("timetable management: a class's lessons", axe)
	if st := h.load(chromedp.Click(chromedp.CSS(`a[href$="edit=` + slot + `#add-h"]`))); st != http.StatusOK {
		t.Fatalf("lesson edit form: %d", st)
	}
	if h.text("#add-h") != "Modifier le cours" || h.count("#s-teacher-1") != 1 || h.count("#s-aud-1") != 1 {
		t.Fatalf("lesson edit form: heading %q, co-teacher %d, other audience %d", h.text("#add-h"), h.count("#s-teacher-1"), h.count("#s-aud-1"))
	}
	h.audit("lesson edit form", axe)
	h.do(chromedp.SetValue(chromedp.ID("s-dur"), "0"))
	if st := h.load(chromedp.Click(chromedp.CSS(`form[action="` + base + `/slots/` + slot + `"] button[type=submit]`))); st != http.StatusUnprocessableEntity {
		t.Fatalf("a lesson of no length: %d", st)
	}
	if h.count(`#add-h ~ [role=alert] li`) == 0 || h.value("#s-dur") != "0" || h.text("#add-h") != "Modifier le cours" {
		t.Fatalf("the refused lesson form: %q", h.text("#add-h ~ [role=alert]"))
	}
	h.audit("lesson edit form, change refused", axe)

	// The lesson's own teacher: the annotation form, and the class log
	// form once the entry holds two attachments.
	dir := t.TempDir()
	var upload []string
	for _, name := range []string{"consignes.txt", "exercices.txt"} {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte("Chapitre 4 : "+name+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		upload = append(upload, p)
	}
	tb := s.newTab()
	tb.signIn(o.teacher.Login)
	if st := tb.open(o.href()); st != http.StatusOK {
		t.Fatalf("the teacher's lesson page: %d", st)
	}
	if tb.text("#an-h") != "Signaler sur ce cours" || tb.count(`input[name=cancelled]`) != 0 {
		t.Fatal("the teacher is not offered the annotation form alone")
	}
	tb.do(chromedp.SendKeys(chromedp.ID("title"), "Chapitre 4"), chromedp.SetUploadFiles(chromedp.ID("attachment"), upload))
	if st := tb.load(chromedp.Click(chromedp.CSS(`form[action="` + o.href() + `/log"] button[type=submit]`))); st != http.StatusOK || tb.path() != o.href()+"?saved=entry" {
		t.Fatalf("saving the entry with attachments: %d at %s: %.300s", st, tb.path(), tb.text("main"))
	}
	for _, name := range []string{"consignes.txt", "exercices.txt"} {
		if !strings.Contains(tb.text(`#form-h ~ form fieldset`), "Retirer « "+name+" »") {
			t.Errorf("no box to remove %s: %q", name, tb.text(`#form-h ~ form`))
		}
	}
	if n := tb.count(`input[type=checkbox][name=remove]`); n != 2 {
		t.Fatalf("%d boxes to remove an attachment, want 2", n)
	}
	tb.audit("lesson page seen by its teacher: annotation form, class log form with attachments", axe)
	entry := tb.value(`form[action$="/log"] input[name=id]`)

	// The class log of the class, where the author may remove each file.
	if st := tb.load(chromedp.Click(chromedp.CSS(`dl.facts a[href="/classlog/classes/` + o.class + `"]`))); st != http.StatusOK {
		t.Fatalf("the class log: %d", st)
	}
	if tb.count("#e-"+entry) == 0 { // the page shows up to two weeks ahead
		tb.open("/classlog/classes/" + o.class + "?to=" + o.lesson.Date)
	}
	section := `section:has(#e-` + entry + `)`
	tb.do(chromedp.Click(chromedp.CSS(section + ` details > summary`)))
	if tb.count(section+` details[open] form[action*="/attachments/"] button`) != 2 {
		t.Fatalf("the author is not offered to remove the two files: %q", tb.text(section))
	}
	tb.audit("class log seen by the author, attachments to remove", axe)
}

// The head creates a room, puts a lesson in it through the lesson edit
// form, and the room's timetable shows the lesson. All by forms and links.
func TestBrowserHeadPutsLessonInNewRoom(t *testing.T) {
	s := newSuite(t)
	est := s.mainEstablishment()
	base := "/timetable/manage/" + est
	o := s.ownLesson()
	slot, href := o.lesson.Slot.ID, o.href()
	head := s.account("head of the collège", func(a demo.Account) bool { return hasFunction("head")(a) && a.Establishment == demo.MainUAI })
	h := s.newTab()
	h.signIn(head.Login)

	// From the head's timetable to the rooms page.
	if st := h.load(chromedp.Click(chromedp.CSS(`header a[href="/timetable"]`))); st != http.StatusOK {
		t.Fatalf("timetable: %d", st)
	}
	if st := h.load(chromedp.Click(chromedp.CSS(`a[href="` + base + `"]`))); st != http.StatusOK {
		t.Fatalf("timetable management: %d", st)
	}
	if st := h.load(chromedp.Click(chromedp.CSS(`a[href="` + base + `/rooms"]`))); st != http.StatusOK {
		t.Fatalf("rooms page: %d", st)
	}
	const code, name = "Z901", "Salle Z901 (labo de langues)"
	h.do(chromedp.SendKeys(chromedp.ID("r-code"), code), chromedp.SendKeys(chromedp.ID("r-name"), name))
	if st := h.load(chromedp.Click(chromedp.CSS(`form[action="` + base + `/rooms"] button[type=submit]`))); st != http.StatusOK || h.path() != base+"/rooms?saved=added" {
		t.Fatalf("adding a room: %d at %s", st, h.path())
	}
	if msg := h.text(`[role=status]`); msg != "La salle est ajoutée." {
		t.Errorf("confirmation %q", msg)
	}
	roomPage := eval[*string](h, `(() => {
		const r = [...document.querySelectorAll('#list-h ~ .scroll table tbody tr')].find(r => r.querySelector('th').textContent.trim() === `+jsString(code)+`);
		return r ? r.querySelector('a[href^="/timetable/rooms/"]').getAttribute('href') : null;
	})()`)
	if roomPage == nil {
		t.Fatalf("the new room is not listed: %q", h.text("#list-h ~ .scroll table"))
	}
	room := strings.TrimPrefix(*roomPage, "/timetable/rooms/")

	// Its timetable is empty that week.
	if st := h.load(chromedp.Click(chromedp.CSS(`a[href="` + *roomPage + `"]`))); st != http.StatusOK || !strings.Contains(h.text("h1"), name) {
		t.Fatalf("the new room's timetable: %d, %q", st, h.text("h1"))
	}
	h.open(*roomPage + "?week=" + o.lesson.Date)
	if n := h.count("li.lesson"); n != 0 {
		t.Fatalf("a room just created holds %d lessons", n)
	}

	// The lesson edit form, reached from the class's list of lessons.
	h.open(base)
	h.do(chromedp.SetValue(chromedp.ID("m-class"), o.class))
	if st := h.load(chromedp.Click(chromedp.CSS(`form[method="get"] button`))); st != http.StatusOK {
		t.Fatalf("a class's lessons: %d", st)
	}
	if st := h.load(chromedp.Click(chromedp.CSS(`a[href$="edit=` + slot + `#add-h"]`))); st != http.StatusOK || h.text("#add-h") != "Modifier le cours" {
		t.Fatalf("lesson edit form: %d", st)
	}
	if h.count(`#s-room option[value="`+room+`"]`) != 1 {
		t.Fatal("the new room is not offered in the lesson form")
	}
	h.do(chromedp.SetValue(chromedp.ID("s-room"), room))
	if st := h.load(chromedp.Click(chromedp.CSS(`form[action="` + base + `/slots/` + slot + `"] button[type=submit]`))); st != http.StatusOK ||
		!strings.HasPrefix(h.path(), base+"?saved=slotchanged") {
		t.Fatalf("saving the lesson: %d at %s: %.400s", st, h.path(), h.text("main"))
	}
	if msg := h.text(`[role=status]`); msg != "Cours modifié." {
		t.Errorf("confirmation %q", msg)
	}
	// The lesson had begun: it now ends yesterday, and the change is held by
	// a new lesson from today, the one row naming the new room that can
	// still be changed.
	edit := eval[string](h, `(() => {
		const rows = [...document.querySelectorAll('#list-h ~ .scroll table tbody tr')].filter(r => r.innerText.includes(`+jsString(name)+`));
		const a = rows.length === 1 ? rows[0].querySelector('a[href*="edit="]') : null;
		return a ? a.getAttribute('href') : '';
	})()`)
	next := strings.TrimSuffix(edit[strings.Index(edit, "edit=")+len("edit="):], "#add-h")
	if edit == "" || next == slot {
		t.Fatalf("no single changeable row names the new room: %q", h.text("#list-h ~ .scroll table"))
	}
	if h.count(`a[href$="edit=`+slot+`#add-h"]`) != 0 {
		t.Error("the lesson's past can still be changed")
	}
	href = "/lessons/" + next + "/" + o.lesson.Date

	// The room's timetable now holds the lesson.
	h.open(*roomPage + "?week=" + o.lesson.Date)
	card, ok := h.card(href)
	if !ok || !strings.Contains(card, o.lesson.Slot.SubjectName) {
		t.Fatalf("the room's timetable does not show the lesson %s: %q", href, h.text("main"))
	}
	h.screenshot("room-timetable")

	// The lesson's teacher may open neither the rooms page nor the form.
	tb := s.newTab()
	tb.signIn(o.teacher.Login)
	for _, p := range []string{base + "/rooms", base + "?class=" + o.class + "&edit=" + slot} {
		if st := tb.open(p); st != http.StatusNotFound || tb.count(`form[action^="`+base+`"]`) != 0 {
			t.Errorf("the teacher opens %s: %d", p, st)
		}
	}
}

// A teacher announces a test on their own lesson with the annotation form;
// a student of the class sees it on their week.
func TestBrowserTeacherAnnouncesTest(t *testing.T) {
	s := newSuite(t)
	o := s.ownLesson()
	href := o.href()

	st := s.newTab()
	st.signIn(o.student.Login)
	if code := st.open(o.week()); code != http.StatusOK {
		t.Fatalf("the student's week: %d", code)
	}
	if card, ok := st.card(href); !ok || strings.Contains(card, "Devoir surveillé") {
		t.Fatalf("before: the student's card %q (shown %v)", card, ok)
	}

	tb := s.newTab()
	tb.signIn(o.teacher.Login)
	tb.open(o.week())
	if code := tb.load(chromedp.Click(chromedp.CSS(`li.lesson a[href="` + href + `"]`))); code != http.StatusOK || tb.path() != href {
		t.Fatalf("the teacher's lesson page: %d at %s", code, tb.path())
	}
	if tb.text("#an-h") != "Signaler sur ce cours" || tb.count(`input[name=cancelled]`) != 0 {
		t.Fatal("the teacher is not offered the annotation form alone")
	}
	box := `form[action="` + href + `/change"] input[name=test]`
	if tb.checked(box) {
		t.Fatal("a test is already ticked")
	}
	tb.do(chromedp.Click(chromedp.CSS(box)))
	if code := tb.load(chromedp.Click(chromedp.CSS(`form[action="` + href + `/change"] button[type=submit]`))); code != http.StatusOK || tb.path() != href+"?saved=change" {
		t.Fatalf("saving the annotation: %d at %s", code, tb.path())
	}
	if !strings.HasPrefix(tb.text(`[role=status]`), "La modification est enregistrée") || !tb.checked(box) {
		t.Fatal("after saving, no confirmation or the box is not ticked")
	}
	if !strings.Contains(tb.text("ul.notes"), "Devoir surveillé prévu") {
		t.Errorf("the lesson page does not say it: %q", tb.text("main"))
	}

	st.open(o.week())
	if card, ok := st.card(href); !ok || !strings.Contains(card, "Devoir surveillé prévu") {
		t.Fatalf("after: the student's card %q (shown %v)", card, ok)
	}
	st.screenshot("week-test-planned")
	// The student reads it, and is offered no form to change it.
	if code := st.load(chromedp.Click(chromedp.CSS(`li.lesson a[href="` + href + `"]`))); code != http.StatusOK {
		t.Fatalf("the student's lesson page: %d", code)
	}
	if st.count(`form[action$="/change"]`) != 0 || !strings.Contains(st.text("ul.notes"), "Devoir surveillé prévu") {
		t.Errorf("the student's lesson page: forms %d, notes %q", st.count(`form[action$="/change"]`), st.text("main"))
	}
}
