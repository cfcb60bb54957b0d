package access_test

import (
	. "cartable/internal/access"
	"context"
	"strings"
	"testing"
	"time"

	"cartable/internal/db"
	"cartable/internal/dbtest"
)

// learningRows adds to the fixture a room of A, class log entries of t1 for
// 6A (published, draft, scheduled) and of t2 for group ESP, homework with
// upload hand-in, an attachment and a handed-in file of s1.
func learningRows(t *testing.T, d *db.DB, f *fixture) map[string]string {
	t.Helper()
	ctx := context.Background()
	A := f.ests["A"]
	var sub string
	if err := d.QueryRow(ctx, `SELECT id FROM subjects WHERE establishment_id = ?`, A).Scan(&sub); err != nil {
		t.Fatal(err)
	}
	now := time.Now().Unix()
	ids := map[string]string{"room": "roomA", "e6A": "e6A", "eDraft": "eDraft", "eSched": "eSched", "eESP": "eESP",
		"h6A": "h6A", "hESP": "hESP", "fAtt": "fAtt", "fSub": "fSub"}
	stmts := []struct {
		q    string
		args []any
	}{
		{`INSERT INTO tt_rooms (id, establishment_id, code, name) VALUES ('roomA', ?, '101', 'Salle 101')`, []any{A}},
		{`INSERT INTO classlog_entries (id, establishment_id, author_id, lesson_date, class_id, subject_id, title, category, draft, publish_at, created_at, updated_at)
			VALUES ('e6A', ?, ?, '2026-11-30', ?, ?, 'Fractions', 'lesson', FALSE, 0, ?, ?)`, []any{A, f.people["t1"], f.structs["6A"].ID, sub, now, now}},
		{`INSERT INTO classlog_entries (id, establishment_id, author_id, lesson_date, class_id, subject_id, title, category, draft, publish_at, created_at, updated_at)
			VALUES ('eDraft', ?, ?, '2026-11-30', ?, ?, 'Brouillon', 'lesson', TRUE, 0, ?, ?)`, []any{A, f.people["t1"], f.structs["6A"].ID, sub, now, now}},
		{`INSERT INTO classlog_entries (id, establishment_id, author_id, lesson_date, class_id, subject_id, title, category, draft, publish_at, created_at, updated_at)
			VALUES ('eSched', ?, ?, '2026-11-30', ?, ?, 'Plus tard', 'lesson', FALSE, ?, ?, ?)`, []any{A, f.people["t1"], f.structs["6A"].ID, sub, now + 3600, now, now}},
		{`INSERT INTO classlog_entries (id, establishment_id, author_id, lesson_date, group_id, subject_id, title, category, draft, publish_at, created_at, updated_at)
			VALUES ('eESP', ?, ?, '2026-11-30', ?, ?, 'Vocabulaire', 'lesson', FALSE, 0, ?, ?)`, []any{A, f.people["t2"], f.structs["ESP"].ID, sub, now, now}},
		{`INSERT INTO homework (id, entry_id, establishment_id, class_id, due_date, description, handin, created_at)
			VALUES ('h6A', 'e6A', ?, ?, '2026-12-03', 'Exercices', 'upload', ?)`, []any{A, f.structs["6A"].ID, now}},
		{`INSERT INTO homework (id, entry_id, establishment_id, group_id, due_date, description, handin, created_at)
			VALUES ('hESP', 'eESP', ?, ?, '2026-12-03', 'Apprendre', 'none', ?)`, []any{A, f.structs["ESP"].ID, now}},
		{`INSERT INTO files (id, establishment_id, owner_id, name, content_type, size, sha256, storage_key, created_at)
			VALUES ('fAtt', ?, ?, 'fiche.pdf', 'application/pdf', 1, '', 'k1', ?)`, []any{A, f.people["t1"], now}},
		{`INSERT INTO files (id, establishment_id, owner_id, name, content_type, size, sha256, storage_key, created_at)
			VALUES ('fSub', ?, ?, 'devoir.pdf', 'application/pdf', 1, '', 'k2', ?)`, []any{A, f.people["s1"], now}},
		{`INSERT INTO classlog_attachments (entry_id, file_id) VALUES ('e6A', 'fAtt')`, nil},
		{`INSERT INTO homework_submissions (homework_id, student_id, file_id, submitted_at) VALUES ('h6A', ?, 'fSub', ?)`, []any{f.people["s1"], now}},
		// A weekly lesson of A taught by t1 and t3 to 6A, one of B taught by t2.
		{`INSERT INTO tt_slots (id, establishment_id, school_year_id, weekday, start_min, duration_min, subject_id, valid_from, valid_to, created_at, updated_at)
			SELECT 'slotA', ?, id, 1, 480, 55, ?, '2026-09-01', '2027-07-04', ?, ? FROM school_years WHERE establishment_id = ? AND NOT closed`, []any{A, sub, now, now, A}},
		{`INSERT INTO tt_slot_teachers (slot_id, teacher_id) VALUES ('slotA', ?), ('slotA', ?)`, []any{f.people["t1"], f.people["t3"]}},
		{`INSERT INTO tt_slot_audiences (slot_id, class_id) VALUES ('slotA', ?)`, []any{f.structs["6A"].ID}},
		{`INSERT INTO tt_slots (id, establishment_id, school_year_id, weekday, start_min, duration_min, subject_id, valid_from, valid_to, created_at, updated_at)
			SELECT 'slotB', e.id, y.id, 2, 480, 55, (SELECT id FROM subjects WHERE establishment_id = e.id), '2026-09-01', '2027-07-04', ?, ?
			FROM establishments e JOIN school_years y ON y.establishment_id = e.id WHERE e.id = ?`, []any{now, now, f.ests["B"]}},
		{`INSERT INTO tt_slot_teachers (slot_id, teacher_id) VALUES ('slotB', ?)`, []any{f.people["t2"]}},
		// t2 replaces the teachers of slotA on Monday 7 December; t3 wrote
		// the class log of slotA on Monday 30 November.
		{`INSERT INTO tt_changes (slot_id, on_date, establishment_id, replacement_id, changed_at) VALUES ('slotA', '2026-12-07', ?, ?, ?)`,
			[]any{A, f.people["t2"], now}},
		{`INSERT INTO classlog_entries (id, establishment_id, author_id, slot_id, lesson_date, class_id, subject_id, title, category, draft, publish_at, created_at, updated_at)
			VALUES ('eSlotA', ?, ?, 'slotA', '2026-11-30', ?, ?, 'Séance', 'lesson', FALSE, 0, ?, ?)`, []any{A, f.people["t3"], f.structs["6A"].ID, sub, now, now}},
		{`INSERT INTO classlog_entries (id, establishment_id, author_id, slot_id, lesson_date, class_id, subject_id, title, category, draft, publish_at, created_at, updated_at)
			VALUES ('eByT2', ?, ?, 'slotA', '2026-12-07', ?, ?, 'Remplacement', 'lesson', FALSE, 0, ?, ?)`, []any{A, f.people["t2"], f.structs["6A"].ID, sub, now, now}},
	}
	for _, s := range stmts {
		if _, err := d.Exec(ctx, s.q, s.args...); err != nil {
			t.Fatalf("%s: %v", s.q, err)
		}
	}
	return ids
}

// The access matrix of the learning resources: for each question, exactly
// the viewers listed are allowed; every other person of the fixture is
// refused.
func TestLearningMatrix(t *testing.T) {
	ctx := context.Background()
	d := dbtest.Open(t)
	f := buildFixture(t, d)
	learningRows(t, d, f)
	p := New(d)
	person := func(login string) Resource { return Person(f.people[login]) }
	const staffA = "hA depA secA cA"
	cases := []struct {
		what    string
		a       Action
		r       Resource
		allowed string
	}{
		{"timetable of student s1", ReadTimetable, person("s1"), "s1 p1 p2 " + staffA},
		{"timetable of student s5 (B)", ReadTimetable, person("s5"), "s5 p1 p2 hB"},
		{"timetable of teacher t1", ReadTimetable, person("t1"), "t1 " + staffA},
		{"timetable of teacher t2 (A and B)", ReadTimetable, person("t2"), "t2 hB " + staffA},
		{"timetable of relative p1", ReadTimetable, person("p1"), ""},
		{"timetable of deactivated sOff", ReadTimetable, person("sOff"), ""},
		{"timetable of class 6A", ReadTimetable, f.structs["6A"], "s1 s2 p1 p2 p6 p7 t1 dA " + staffA},
		{"timetable of group ESP", ReadTimetable, f.structs["ESP"], "s1 s3 p1 p2 p3 p4 t2 " + staffA},
		{"timetable of last year's class", ReadTimetable, f.structs["OLD"], "dA " + staffA},
		{"timetable of a room of A", ReadTimetable, Room("roomA"), "t1 t2 t3 tOld dA agA " + staffA},
		{"timetable of an unknown room", ReadTimetable, Room("nope"), ""},
		{"edit the timetable of A", EditTimetable, Establishment(f.ests["A"]), "hA depA admA"},
		{"edit the timetable of B", EditTimetable, Establishment(f.ests["B"]), "hB"},
		{"class log settings of A", ManageSettings, Establishment(f.ests["A"]), "hA depA admA"},
		{"class log of 6A", ReadClassLog, f.structs["6A"], "s1 s2 p1 p2 p6 p7 t1 hA depA"},
		{"class log of ESP", ReadClassLog, f.structs["ESP"], "s1 s3 p1 p2 p3 p4 t2 hA depA"},
		{"write the class log of 6A", WriteClassLog, f.structs["6A"], "t1"},
		{"write the class log of ESP", WriteClassLog, f.structs["ESP"], "t2"},
		{"entry for 6A", ReadClassLog, Entry("e6A"), "t1 s1 s2 p1 p2 p6 p7 hA depA"},
		{"draft entry", ReadClassLog, Entry("eDraft"), "t1"},
		{"entry scheduled for later", ReadClassLog, Entry("eSched"), "t1"},
		{"entry for group ESP", ReadClassLog, Entry("eESP"), "t2 s1 s3 p1 p2 p3 p4 hA depA"},
		{"unknown entry", ReadClassLog, Entry("nope"), ""},
		{"edit entry", EditEntry, Entry("e6A"), "t1"},
		{"edit an entry of a lesson, by a co-teacher", EditEntry, Entry("eSlotA"), "t3"},
		{"edit an entry of a replaced occurrence, by the replacement", EditEntry, Entry("eByT2"), "t2"},
		{"edit an unknown entry", EditEntry, Entry("nope"), ""},
		// The class log of a lesson: its own teachers, and the replacement
		// of that occurrence only; t1 heads 6A, which gives nothing more.
		{"write the class log of a lesson of A", WriteClassLog, Occurrence("slotA", "2026-11-30"), "t1 t3"},
		{"write the class log of a replaced occurrence", WriteClassLog, Occurrence("slotA", "2026-12-07"), "t1 t3 t2"},
		{"write the class log of a lesson of B", WriteClassLog, Occurrence("slotB", "2026-12-01"), "t2"},
		{"write the class log on a day the lesson does not run", WriteClassLog, Occurrence("slotA", "2026-12-01"), ""},
		{"write the class log after the lesson ended", WriteClassLog, Occurrence("slotA", "2027-09-06"), ""},
		{"write the class log on a malformed date", WriteClassLog, Occurrence("slotA", "30/11/2026"), ""},
		{"write the class log of an unknown lesson", WriteClassLog, Occurrence("nope", "2026-11-30"), ""},
		{"write the class log of a lesson without date", WriteClassLog, Lesson("slotA"), ""},
		{"write the class log of a forged occurrence", WriteClassLog, Resource{KindOccurrence, "slotA"}, ""},
		{"homework of 6A", ReadClassLog, Homework("h6A"), "t1 s1 s2 p1 p2 p6 p7 hA depA"},
		{"hand in homework of 6A", HandIn, Homework("h6A"), "s1 s2"},
		{"hand in homework without upload", HandIn, Homework("hESP"), ""},
		{"hand-ins of homework of 6A", ReadHandIns, Homework("h6A"), "t1 hA depA"},
		{"done-ticks of s1", ReadDone, person("s1"), "s1 p1 p2"},
		{"done-ticks of s3", ReadDone, person("s3"), "s3 p3 p4"},
		{"tick for s1", TickDone, person("s1"), "s1"},
		{"attachment of e6A", ReadFile, File("fAtt"), "t1 s1 s2 p1 p2 p6 p7 hA depA"},
		{"work handed in by s1", ReadFile, File("fSub"), "s1 t1 hA depA"},
		{"unknown file", ReadFile, File("nope"), ""},
		{"annotate a lesson of A", AnnotateLesson, Lesson("slotA"), "t1 t3 hA depA cA admA"},
		{"annotate a lesson of B", AnnotateLesson, Lesson("slotB"), "t2 hB"},
		{"annotate an unknown lesson", AnnotateLesson, Lesson("nope"), ""},
		{"change a lesson of A", ChangeLesson, Lesson("slotA"), "hA depA cA admA"},
		{"change a lesson of B", ChangeLesson, Lesson("slotB"), "hB"},
		{"change an unknown lesson", ChangeLesson, Lesson("nope"), ""},
	}
	viewers := map[string]*Viewer{}
	for _, login := range sortedKeys(f.people) {
		if login == "sOff" {
			continue
		}
		v, err := p.Viewer(ctx, f.people[login])
		if err != nil {
			t.Fatal(err)
		}
		viewers[login] = v
	}
	check := func(t *testing.T, what string, a Action, r Resource, allowed string) {
		t.Helper()
		want := set(allowed)
		for w := range want {
			if _, ok := viewers[w]; !ok {
				t.Fatalf("%s: unknown viewer %q", what, w)
			}
		}
		for _, login := range sortedKeys(viewers) {
			checkAnswer(t, p.Can(ctx, viewers[login], a, r), want[login], login+": "+what)
		}
	}
	for _, c := range cases {
		check(t, c.what, c.a, c.r, c.allowed)
	}
	// Actions that do not apply to a kind are refused to everyone, the
	// head included.
	for _, c := range []struct {
		a Action
		r Resource
	}{{ReadTimetable, Entry("e6A")}, {TickDone, f.structs["6A"]}, {HandIn, person("s1")}, {ReadFile, Entry("e6A")}, {EditTimetable, f.structs["6A"]},
		{AnnotateLesson, f.structs["6A"]}, {AnnotateLesson, Establishment(f.ests["A"])}, {ChangeLesson, Establishment(f.ests["A"])},
		{ReadClassLog, Occurrence("slotA", "2026-11-30")}, {EditEntry, Occurrence("slotA", "2026-11-30")}, {AnnotateLesson, Occurrence("slotA", "2026-11-30")},
		{WriteClassLog, Entry("e6A")}, {WriteClassLog, Establishment(f.ests["A"])}} {
		check(t, string(c.a)+" on "+string(c.r.Kind), c.a, c.r, "")
	}

	// Colleagues: t3 starts teaching 6A; reading t1's entry depends on the
	// establishment setting.
	if _, err := d.Exec(ctx, `INSERT INTO teaching_assignments (id, establishment_id, teacher_id, class_id, subject_id)
		SELECT 'a-t3-6A', establishment_id, ?, id, (SELECT id FROM subjects WHERE establishment_id = classes.establishment_id)
		FROM classes WHERE id = ?`, f.people["t3"], f.structs["6A"].ID); err != nil {
		t.Fatal(err)
	}
	fresh := func(login string) *Viewer {
		v, err := p.Viewer(ctx, f.people[login])
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	checkAnswer(t, p.Can(ctx, fresh("t3"), ReadClassLog, Entry("e6A")), false, "t3 reads a colleague's entry, setting off")
	checkAnswer(t, p.Can(ctx, fresh("t3"), ReadClassLog, f.structs["6A"]), true, "t3 opens the class log of a class taught")
	if _, err := d.Exec(ctx, `INSERT INTO classlog_settings (establishment_id, colleagues_read) VALUES (?, TRUE)`, f.ests["A"]); err != nil {
		t.Fatal(err)
	}
	checkAnswer(t, p.Can(ctx, fresh("t3"), ReadClassLog, Entry("e6A")), true, "t3 reads a colleague's entry, setting on")
	checkAnswer(t, p.Can(ctx, fresh("t2"), ReadClassLog, Entry("e6A")), false, "t2 (group only) reads a 6A entry, setting on")
	checkAnswer(t, p.Can(ctx, fresh("t3"), ReadClassLog, Entry("eDraft")), false, "t3 reads a colleague's draft")
	// Teaching the class does not open a colleague's lesson: t3 now teaches
	// 6A, but writes the log of slotA only as its co-teacher.
	if _, err := d.Exec(ctx, `DELETE FROM tt_slot_teachers WHERE slot_id = 'slotA' AND teacher_id = ?`, f.people["t3"]); err != nil {
		t.Fatal(err)
	}
	checkAnswer(t, p.Can(ctx, fresh("t3"), WriteClassLog, f.structs["6A"]), true, "t3 writes for 6A, a class taught (a copy)")
	checkAnswer(t, p.Can(ctx, fresh("t3"), WriteClassLog, Occurrence("slotA", "2026-11-30")), false, "t3, no longer co-teaching, writes slotA's log")
	checkAnswer(t, p.Can(ctx, fresh("t3"), EditEntry, Entry("eSlotA")), false, "t3, no longer co-teaching, edits their entry of slotA")
	checkAnswer(t, p.Can(ctx, fresh("t1"), WriteClassLog, Occurrence("slotA", "2026-11-30")), true, "t1 still writes slotA's log")
	// The replacement is for one occurrence: removed, the right goes.
	if _, err := d.Exec(ctx, `UPDATE tt_changes SET replacement_id = NULL WHERE slot_id = 'slotA'`); err != nil {
		t.Fatal(err)
	}
	checkAnswer(t, p.Can(ctx, fresh("t2"), WriteClassLog, Occurrence("slotA", "2026-12-07")), false, "t2, no longer replacing, writes slotA's log")
	checkAnswer(t, p.Can(ctx, fresh("t2"), EditEntry, Entry("eByT2")), false, "t2, no longer replacing, edits their entry")

	// Scheduled publication: readable once its time has come.
	p.SetClock(func() time.Time { return time.Now().Add(2 * time.Hour) })
	checkAnswer(t, p.Can(ctx, fresh("s1"), ReadClassLog, Entry("eSched")), true, "s1 reads a scheduled entry after its time")
	ok, err := p.VisibleEntries(ctx, fresh("p6"), []string{"e6A", "eDraft", "eSched", "eESP", "nope"})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(sortedKeys(ok), " "); got != "e6A eSched" {
		t.Errorf("VisibleEntries for p6: %s", got)
	}
}
