package demo

import (
	"context"
	"slices"
	"strings"
	"testing"

	"cartable/internal/access"
	"cartable/internal/db"
	"cartable/internal/dbtest"
	"cartable/internal/richtext"
)

func genWithTimetable(t testing.TB, d *db.DB, students int, today string) {
	t.Helper()
	ctx := context.Background()
	err := d.Tx(ctx, func(tx *db.Tx) error {
		if _, err := Generate(ctx, access.System("test"), tx, Options{Seed: 1, Students: students}); err != nil {
			return err
		}
		return GenerateTimetable(ctx, access.System("test"), tx, TimetableOptions{Seed: 1, Today: today})
	})
	if err != nil {
		t.Fatal(err)
	}
}

// ttDump lists the timetable, changes and class log in a stable order
// (timestamps left out: the class log's are written from "now").
func ttDump(t *testing.T, d *db.DB) []string {
	var out []string
	for _, q := range []string{
		`SELECT id || weekday || start_min || duration_min || subject_id || COALESCE(room_id, '') || COALESCE(alternation_id, '') FROM tt_slots ORDER BY id`,
		`SELECT slot_id || teacher_id FROM tt_slot_teachers ORDER BY 1`,
		`SELECT slot_id || COALESCE(class_id, '') || COALESCE(group_id, '') FROM tt_slot_audiences ORDER BY 1`,
		`SELECT slot_id || on_date || reason || COALESCE(new_room_id, '') || COALESCE(replacement_id, '') FROM tt_changes ORDER BY 1`,
		`SELECT author_id || lesson_date || title || body FROM classlog_entries ORDER BY 1`,
		`SELECT due_date || description || handin FROM homework ORDER BY 1`,
		`SELECT alternation_id || monday FROM tt_alternation_weeks ORDER BY 1`,
	} {
		out = append(out, strs(t, d, q)...)
	}
	return out
}

func TestTimetableDemoDeterministicAndSound(t *testing.T) {
	a, b := dbtest.Open(t), dbtest.Open(t)
	genWithTimetable(t, a, 150, "2026-11-30")
	genWithTimetable(t, b, 150, "2026-11-30")
	if !slices.Equal(ttDump(t, a), ttDump(t, b)) {
		t.Fatal("the same seed and day gave two different timetables")
	}
	if n := count(t, a, `SELECT COUNT(*) FROM tt_slots`); n < 150 {
		t.Fatalf("only %d weekly lessons", n)
	}
	// Nobody is in two places at once: no teacher, class, group or room
	// has two lessons overlapping in a week they share.
	const overlap = `SELECT COUNT(*) FROM tt_slots x JOIN tt_slots y ON x.id < y.id AND x.weekday = y.weekday
		AND x.start_min < y.start_min + y.duration_min AND y.start_min < x.start_min + x.duration_min
		AND (x.alternation_id IS NULL OR y.alternation_id IS NULL OR x.alternation_id = y.alternation_id) `
	for what, cond := range map[string]string{
		"teacher": `JOIN tt_slot_teachers tx ON tx.slot_id = x.id JOIN tt_slot_teachers ty ON ty.slot_id = y.id AND ty.teacher_id = tx.teacher_id`,
		"class":   `JOIN tt_slot_audiences ax ON ax.slot_id = x.id JOIN tt_slot_audiences ay ON ay.slot_id = y.id AND ay.class_id = ax.class_id`,
		"group":   `JOIN tt_slot_audiences ax ON ax.slot_id = x.id JOIN tt_slot_audiences ay ON ay.slot_id = y.id AND ay.group_id = ax.group_id`,
		"room":    `WHERE x.room_id = y.room_id`,
	} {
		if n := count(t, a, overlap+cond); n != 0 {
			t.Errorf("%d overlapping lessons for the same %s", n, what)
		}
	}
	// Every class has most of its weekly hours (about 25 a week).
	rows := strs(t, a, `SELECT c.code || ':' || COUNT(*) FROM classes c JOIN tt_slot_audiences au ON au.class_id = c.id
		JOIN tt_slots s ON s.id = au.slot_id WHERE s.alternation_id IS NULL GROUP BY c.code HAVING COUNT(*) < 15`)
	if len(rows) > 0 {
		t.Errorf("classes with few weekly lessons: %v", rows)
	}
	for _, q := range []string{`SELECT COUNT(*) FROM tt_changes WHERE cancelled`, `SELECT COUNT(*) FROM classlog_entries`,
		`SELECT COUNT(*) FROM homework WHERE handin = 'upload'`, `SELECT COUNT(*) FROM notification_outbox`} {
		if count(t, a, q) == 0 {
			t.Errorf("%s: none", q)
		}
	}
}

// The demo's class log is what a school's looks like: one entry per
// lesson occurrence (a group's lesson, reached from each class its
// students come from, is written once), homework in some lessons only,
// never the same subject twice due the same day to one student, and
// texts as a teacher types them (no markup for the edit form to show).
func TestDemoClassLogIsRealistic(t *testing.T) {
	d := dbtest.Open(t)
	genWithTimetable(t, d, 150, "2026-11-30")
	if dup := strs(t, d, `SELECT slot_id || '/' || lesson_date || ': ' || COUNT(*) FROM classlog_entries WHERE slot_id IS NOT NULL
		GROUP BY slot_id, lesson_date HAVING COUNT(*) > 1 ORDER BY 1`); len(dup) > 0 {
		t.Errorf("lesson occurrences with several entries: %v", dup)
	}
	if n := count(t, d, `SELECT COUNT(*) FROM classlog_entries e JOIN tt_slot_audiences a ON a.slot_id = e.slot_id
		WHERE a.group_id IS NOT NULL`); n == 0 {
		t.Error("no group lesson has an entry")
	}
	// Each student's homework: of their classes and of their groups.
	const studentHomework = `SELECT x.student_id, e.subject_id, h.due_date, h.description FROM homework h
		JOIN classlog_entries e ON e.id = h.entry_id
		JOIN (SELECT student_id, class_id AS cid, '' AS gid FROM enrolments UNION ALL SELECT student_id, '', group_id FROM group_members) x
			ON x.cid = COALESCE(h.class_id, '-') OR x.gid = COALESCE(h.group_id, '-')`
	if dup := strs(t, d, `SELECT student_id || ' ' || subject_id || ' ' || due_date || ': ' || COUNT(*) FROM (`+studentHomework+`) s
		GROUP BY student_id, subject_id, due_date HAVING COUNT(*) > 1 ORDER BY 1 LIMIT 5`); len(dup) > 0 {
		t.Errorf("students with two homework of one subject due the same day: %v", dup)
	}
	if n := count(t, d, `SELECT COUNT(*) FROM (`+studentHomework+`) s`); n == 0 {
		t.Error("no student has homework")
	}
	entries, withHomework := count(t, d, `SELECT COUNT(*) FROM classlog_entries`),
		count(t, d, `SELECT COUNT(DISTINCT entry_id) FROM homework`)
	if entries == 0 || withHomework*10 < entries*3 || withHomework*10 > entries*8 {
		t.Errorf("%d of %d entries set homework: want some, not all", withHomework, entries)
	}
	if n := count(t, d, `SELECT COUNT(*) FROM homework WHERE handin = 'upload'`); n == 0 {
		t.Error("no homework asks for an upload")
	}
	if n := count(t, d, `SELECT COUNT(*) FROM homework WHERE entry_id IN (SELECT entry_id FROM homework GROUP BY entry_id HAVING COUNT(*) > 1)`); n != 0 {
		t.Errorf("%d homework share an entry with another", n)
	}
	for _, q := range []string{`SELECT body FROM classlog_entries`, `SELECT description FROM homework`} {
		for _, text := range strs(t, d, q) {
			if src := richtext.Source(text); strings.Contains(src, "<") {
				t.Fatalf("the edit form would show markup: %q", src)
			}
		}
	}
}
