package access_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"cartable/internal/access"
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
		{`INSERT INTO tt_rooms (id, establishment_id, code, name) VALUES ('roomB', ?, '101', 'Salle 101')`, []any{f.ests["B"]}},
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
	p := access.New(d)
	person := func(login string) access.Resource { return access.Person(f.people[login]) }
	const staffA = "hA depA secA cA"
	cases := []struct {
		what    string
		a       access.Action
		r       access.Resource
		allowed string
	}{
		{"timetable of student s1", access.ReadTimetable, person("s1"), "s1 p1 p2 " + staffA},
		{"timetable of student s5 (B)", access.ReadTimetable, person("s5"), "s5 p1 p2 hB"},
		{"timetable of teacher t1", access.ReadTimetable, person("t1"), "t1 " + staffA},
		{"timetable of teacher t2 (A and B)", access.ReadTimetable, person("t2"), "t2 hB " + staffA},
		{"timetable of relative p1", access.ReadTimetable, person("p1"), ""},
		{"timetable of deactivated sOff", access.ReadTimetable, person("sOff"), ""},
		{"timetable of class 6A", access.ReadTimetable, f.structs["6A"], "s1 s2 p1 p2 p6 p7 t1 dA " + staffA},
		{"timetable of group ESP", access.ReadTimetable, f.structs["ESP"], "s1 s3 p1 p2 p3 p4 t2 " + staffA},
		{"timetable of last year's class", access.ReadTimetable, f.structs["OLD"], "dA " + staffA},
		{"timetable of a room of A", access.ReadTimetable, access.Room("roomA"), "t1 t2 t3 tOld dA agA admA " + staffA},
		{"timetable of a room of B (admA is not attached to B)", access.ReadTimetable, access.Room("roomB"), "t2 hB"},
		{"timetable of an unknown room", access.ReadTimetable, access.Room("nope"), ""},
		{"whole timetable of A (the day's changes)", access.ReadTimetable, access.Establishment(f.ests["A"]), staffA},
		{"whole timetable of B", access.ReadTimetable, access.Establishment(f.ests["B"]), "hB"},
		{"whole timetable of an unknown establishment", access.ReadTimetable, access.Establishment("nope"), ""},
		{"edit the timetable of A", access.EditTimetable, access.Establishment(f.ests["A"]), "hA depA admA"},
		{"edit the timetable of B", access.EditTimetable, access.Establishment(f.ests["B"]), "hB"},
		{"class log settings of A", access.ManageSettings, access.Establishment(f.ests["A"]), "hA depA admA"},
		{"class log of 6A", access.ReadClassLog, f.structs["6A"], "s1 s2 p1 p2 p6 p7 t1 hA depA"},
		{"class log of ESP", access.ReadClassLog, f.structs["ESP"], "s1 s3 p1 p2 p3 p4 t2 hA depA"},
		{"write the class log of 6A", access.WriteClassLog, f.structs["6A"], "t1"},
		{"write the class log of ESP", access.WriteClassLog, f.structs["ESP"], "t2"},
		{"entry for 6A", access.ReadClassLog, access.Entry("e6A"), "t1 s1 s2 p1 p2 p6 p7 hA depA"},
		{"draft entry", access.ReadClassLog, access.Entry("eDraft"), "t1"},
		{"entry scheduled for later", access.ReadClassLog, access.Entry("eSched"), "t1"},
		{"entry for group ESP", access.ReadClassLog, access.Entry("eESP"), "t2 s1 s3 p1 p2 p3 p4 hA depA"},
		{"unknown entry", access.ReadClassLog, access.Entry("nope"), ""},
		{"edit entry", access.EditEntry, access.Entry("e6A"), "t1"},
		{"edit an entry of a lesson, by a co-teacher", access.EditEntry, access.Entry("eSlotA"), "t3"},
		{"edit an entry of a replaced occurrence, by the replacement", access.EditEntry, access.Entry("eByT2"), "t2"},
		{"edit an unknown entry", access.EditEntry, access.Entry("nope"), ""},
		// The class log of a lesson: its own teachers, and the replacement
		// of that occurrence only; t1 heads 6A, which gives nothing more.
		{"write the class log of a lesson of A", access.WriteClassLog, access.Occurrence("slotA", "2026-11-30"), "t1 t3"},
		{"write the class log of a replaced occurrence", access.WriteClassLog, access.Occurrence("slotA", "2026-12-07"), "t1 t3 t2"},
		{"write the class log of a lesson of B", access.WriteClassLog, access.Occurrence("slotB", "2026-12-01"), "t2"},
		{"write the class log on a day the lesson does not run", access.WriteClassLog, access.Occurrence("slotA", "2026-12-01"), ""},
		{"write the class log after the lesson ended", access.WriteClassLog, access.Occurrence("slotA", "2027-09-06"), ""},
		{"write the class log on a malformed date", access.WriteClassLog, access.Occurrence("slotA", "30/11/2026"), ""},
		{"write the class log of an unknown lesson", access.WriteClassLog, access.Occurrence("nope", "2026-11-30"), ""},
		{"write the class log of a lesson without date", access.WriteClassLog, access.Lesson("slotA"), ""},
		{"write the class log of a forged occurrence", access.WriteClassLog, access.Resource{access.KindOccurrence, "slotA"}, ""},
		{"homework of 6A", access.ReadClassLog, access.Homework("h6A"), "t1 s1 s2 p1 p2 p6 p7 hA depA"},
		{"hand in homework of 6A", access.HandIn, access.Homework("h6A"), "s1 s2"},
		{"hand in homework without upload", access.HandIn, access.Homework("hESP"), ""},
		{"hand-ins of homework of 6A", access.ReadHandIns, access.Homework("h6A"), "t1 hA depA"},
		{"done-ticks of s1", access.ReadDone, person("s1"), "s1 p1 p2"},
		{"done-ticks of s3", access.ReadDone, person("s3"), "s3 p3 p4"},
		{"tick for s1", access.TickDone, person("s1"), "s1"},
		{"attachment of e6A", access.ReadFile, access.File("fAtt"), "t1 s1 s2 p1 p2 p6 p7 hA depA"},
		{"work handed in by s1", access.ReadFile, access.File("fSub"), "s1 t1 hA depA"},
		{"unknown file", access.ReadFile, access.File("nope"), ""},
		{"annotate a lesson of A", access.AnnotateLesson, access.Lesson("slotA"), "t1 t3 hA depA cA admA"},
		{"annotate a lesson of B", access.AnnotateLesson, access.Lesson("slotB"), "t2 hB"},
		{"annotate an unknown lesson", access.AnnotateLesson, access.Lesson("nope"), ""},
		{"change a lesson of A", access.ChangeLesson, access.Lesson("slotA"), "hA depA cA admA"},
		{"change a lesson of B", access.ChangeLesson, access.Lesson("slotB"), "hB"},
		{"change an unknown lesson", access.ChangeLesson, access.Lesson("nope"), ""},
	}
	viewers := map[string]*access.Viewer{}
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
	check := func(t *testing.T, what string, a access.Action, r access.Resource, allowed string) {
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
	// The class log of occurrences whose facts the caller read with them
	// (a teacher's lessons on the home page): the same answers as asking
	// each occurrence.
	facts := map[string]access.OccurrenceFacts{}
	for _, o := range []string{"slotA/2026-11-30", "slotA/2026-12-07", "slotB/2026-12-01"} {
		slot, date, _ := strings.Cut(o, "/")
		var f access.OccurrenceFacts
		if err := d.QueryRow(ctx, `SELECT establishment_id FROM tt_slots WHERE id = ?`, slot).Scan(&f.Establishment); err != nil {
			t.Fatal(err)
		}
		rows, err := d.Query(ctx, `SELECT teacher_id FROM tt_slot_teachers WHERE slot_id = ?`, slot)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var id string
			rows.Scan(&id)
			f.Teachers = append(f.Teachers, id)
		}
		rows.Close()
		d.QueryRow(ctx, `SELECT COALESCE(replacement_id, '') FROM tt_changes WHERE slot_id = ? AND on_date = ?`, slot, date).Scan(&f.Replacement)
		facts[o] = f
	}
	for _, login := range sortedKeys(viewers) {
		got := viewers[login].MayWriteOccurrences(facts)
		for o := range facts {
			slot, date, _ := strings.Cut(o, "/")
			checkAnswer(t, p.Can(ctx, viewers[login], access.WriteClassLog, access.Occurrence(slot, date)), got[o], login+": write the class log of "+o+" from its facts")
		}
	}
	// Actions that do not apply to a kind are refused to everyone, the
	// head included.
	for _, c := range []struct {
		a access.Action
		r access.Resource
	}{{access.ReadTimetable, access.Entry("e6A")}, {access.TickDone, f.structs["6A"]}, {access.HandIn, person("s1")}, {access.ReadFile, access.Entry("e6A")}, {access.EditTimetable, f.structs["6A"]},
		{access.AnnotateLesson, f.structs["6A"]}, {access.AnnotateLesson, access.Establishment(f.ests["A"])}, {access.ChangeLesson, access.Establishment(f.ests["A"])},
		{access.ReadClassLog, access.Occurrence("slotA", "2026-11-30")}, {access.EditEntry, access.Occurrence("slotA", "2026-11-30")}, {access.AnnotateLesson, access.Occurrence("slotA", "2026-11-30")},
		{access.WriteClassLog, access.Entry("e6A")}, {access.WriteClassLog, access.Establishment(f.ests["A"])}} {
		check(t, string(c.a)+" on "+string(c.r.Kind), c.a, c.r, "")
	}

	// Colleagues: t3 starts teaching 6A; reading t1's entry depends on the
	// establishment setting.
	if _, err := d.Exec(ctx, `INSERT INTO teaching_assignments (id, establishment_id, teacher_id, class_id, subject_id)
		SELECT 'a-t3-6A', establishment_id, ?, id, (SELECT id FROM subjects WHERE establishment_id = classes.establishment_id)
		FROM classes WHERE id = ?`, f.people["t3"], f.structs["6A"].ID); err != nil {
		t.Fatal(err)
	}
	fresh := func(login string) *access.Viewer {
		v, err := p.Viewer(ctx, f.people[login])
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	checkAnswer(t, p.Can(ctx, fresh("t3"), access.ReadClassLog, access.Entry("e6A")), false, "t3 reads a colleague's entry, setting off")
	checkAnswer(t, p.Can(ctx, fresh("t3"), access.ReadClassLog, f.structs["6A"]), true, "t3 opens the class log of a class taught")
	if _, err := d.Exec(ctx, `INSERT INTO classlog_settings (establishment_id, colleagues_read) VALUES (?, TRUE)`, f.ests["A"]); err != nil {
		t.Fatal(err)
	}
	checkAnswer(t, p.Can(ctx, fresh("t3"), access.ReadClassLog, access.Entry("e6A")), true, "t3 reads a colleague's entry, setting on")
	checkAnswer(t, p.Can(ctx, fresh("t2"), access.ReadClassLog, access.Entry("e6A")), false, "t2 (group only) reads a 6A entry, setting on")
	checkAnswer(t, p.Can(ctx, fresh("t3"), access.ReadClassLog, access.Entry("eDraft")), false, "t3 reads a colleague's draft")
	// Teaching the class does not open a colleague's lesson: t3 now teaches
	// 6A, but writes the log of slotA only as its co-teacher.
	if _, err := d.Exec(ctx, `DELETE FROM tt_slot_teachers WHERE slot_id = 'slotA' AND teacher_id = ?`, f.people["t3"]); err != nil {
		t.Fatal(err)
	}
	checkAnswer(t, p.Can(ctx, fresh("t3"), access.WriteClassLog, f.structs["6A"]), true, "t3 writes for 6A, a class taught (a copy)")
	checkAnswer(t, p.Can(ctx, fresh("t3"), access.WriteClassLog, access.Occurrence("slotA", "2026-11-30")), false, "t3, no longer co-teaching, writes slotA's log")
	checkAnswer(t, p.Can(ctx, fresh("t3"), access.EditEntry, access.Entry("eSlotA")), false, "t3, no longer co-teaching, edits their entry of slotA")
	checkAnswer(t, p.Can(ctx, fresh("t1"), access.WriteClassLog, access.Occurrence("slotA", "2026-11-30")), true, "t1 still writes slotA's log")
	// The replacement is for one occurrence: removed, the right goes.
	if _, err := d.Exec(ctx, `UPDATE tt_changes SET replacement_id = NULL WHERE slot_id = 'slotA'`); err != nil {
		t.Fatal(err)
	}
	checkAnswer(t, p.Can(ctx, fresh("t2"), access.WriteClassLog, access.Occurrence("slotA", "2026-12-07")), false, "t2, no longer replacing, writes slotA's log")
	checkAnswer(t, p.Can(ctx, fresh("t2"), access.EditEntry, access.Entry("eByT2")), false, "t2, no longer replacing, edits their entry")

	// Scheduled publication: readable once its time has come.
	p.SetClock(func() time.Time { return time.Now().Add(2 * time.Hour) })
	checkAnswer(t, p.Can(ctx, fresh("s1"), access.ReadClassLog, access.Entry("eSched")), true, "s1 reads a scheduled entry after its time")
	ok, err := p.VisibleEntries(ctx, fresh("p6"), []string{"e6A", "eDraft", "eSched", "eESP", "nope"})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(sortedKeys(ok), " "); got != "e6A eSched" {
		t.Errorf("VisibleEntries for p6: %s", got)
	}
}
