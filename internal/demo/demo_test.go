package demo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"cartable/internal/access"
	"cartable/internal/auth"
	"cartable/internal/db"
	"cartable/internal/dbtest"
	"cartable/internal/directory"
	"cartable/internal/roles"
)

func generate(t testing.TB, d *db.DB, o Options) []Account {
	t.Helper()
	var accounts []Account
	start := time.Now()
	err := d.Tx(context.Background(), func(tx *db.Tx) error {
		var err error
		accounts, err = Generate(context.Background(), access.System("test"), tx, o)
		return err
	})
	if err != nil {
		t.Fatalf("Generate(%+v): %v", o, err)
	}
	t.Logf("Generate(students=%d, seed=%d) on %s: %d accounts in %v", o.Students, o.Seed, d.Dialect(), len(accounts), time.Since(start).Round(time.Millisecond))
	return accounts
}

func count(t testing.TB, d *db.DB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := d.QueryRow(context.Background(), query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

func strs(t testing.TB, d *db.DB, query string, args ...any) []string {
	t.Helper()
	rows, err := d.Query(context.Background(), query, args...)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// pairs maps the first column to the sorted list of second columns.
func pairs(t testing.TB, d *db.DB, query string, args ...any) map[string][]string {
	t.Helper()
	rows, err := d.Query(context.Background(), query, args...)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	defer rows.Close()
	out := map[string][]string{}
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			t.Fatal(err)
		}
		out[k] = append(out[k], v)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	for _, v := range out {
		sort.Strings(v)
	}
	return out
}

// skipped columns differ from run to run by design: clock timestamps and
// the salted password hash.
var skipped = map[string]bool{"created_at": true, "updated_at": true, "applied_at": true, "password_hash": true}

// dump renders every table of the database, rows sorted by all columns.
func dump(t testing.TB, d *db.DB) []string {
	t.Helper()
	ctx := context.Background()
	q := `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`
	if d.Dialect() == db.Postgres {
		q = `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`
	}
	var out []string
	for _, table := range strs(t, d, q) {
		rows, err := d.Query(ctx, `SELECT * FROM `+table+` WHERE 1 = 0`)
		if err != nil {
			t.Fatal(err)
		}
		all, err := rows.Columns()
		rows.Close()
		if err != nil {
			t.Fatal(err)
		}
		var cols, order []string
		for _, c := range all {
			if !skipped[c] {
				cols = append(cols, c)
				order = append(order, strconv.Itoa(len(cols)))
			}
		}
		rows, err = d.Query(ctx, `SELECT `+strings.Join(cols, ", ")+` FROM `+table+` ORDER BY `+strings.Join(order, ", "))
		if err != nil {
			t.Fatal(err)
		}
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			line := table
			for _, v := range vals {
				if b, ok := v.([]byte); ok {
					v = string(b)
				}
				line += fmt.Sprintf("|%v", v)
			}
			out = append(out, line)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		rows.Close()
	}
	return out
}

func TestDeterministic(t *testing.T) {
	t.Parallel()
	d1, d2, d3 := dbtest.Open(t), dbtest.Open(t), dbtest.Open(t)
	a1 := generate(t, d1, Options{})
	a2 := generate(t, d2, Options{Seed: 1, Students: defaultStudents})
	a3 := generate(t, d3, Options{Seed: 2})
	if !reflect.DeepEqual(a1, a2) {
		t.Error("same seed, different accounts")
	}
	if !reflect.DeepEqual(Notable(a1), Notable(a2)) {
		t.Error("same seed, different notable accounts")
	}
	x1, x2, x3 := dump(t, d1), dump(t, d2), dump(t, d3)
	if len(x1) < 5000 {
		t.Fatalf("dump has only %d rows", len(x1))
	}
	if !slices.Equal(x1, x2) {
		for i := range min(len(x1), len(x2)) {
			if x1[i] != x2[i] {
				t.Fatalf("same seed, different data at row %d:\n%s\n%s", i, x1[i], x2[i])
			}
		}
		t.Fatalf("same seed, %d rows then %d rows", len(x1), len(x2))
	}
	if slices.Equal(x1, x3) || reflect.DeepEqual(a1, a3) {
		t.Error("different seeds, same data")
	}
}

func TestDefaultDemo(t *testing.T) {
	t.Parallel()
	d := dbtest.Open(t)
	accounts := generate(t, d, Options{})
	checkDemo(t, d, accounts, defaultStudents)

	mainID := strs(t, d, `SELECT id FROM establishments WHERE uai = ?`, MainUAI)[0]
	inMain := func(profile string) int {
		return count(t, d, `SELECT COUNT(*) FROM memberships m JOIN people p ON p.id = m.person_id
			WHERE m.establishment_id = ? AND p.profile = ?`, mainID, profile)
	}
	between := func(what string, n, lo, hi int) {
		t.Helper()
		t.Logf("%s: %d", what, n)
		if n < lo || n > hi {
			t.Errorf("%s: %d, want %d–%d", what, n, lo, hi)
		}
	}
	between("classes of the collège", count(t, d, `SELECT COUNT(*) FROM classes WHERE establishment_id = ?`, mainID), 24, 24)
	between("students of the collège", inMain(roles.Student), 550, 650)
	between("relatives of the collège", inMain(roles.Relative), 900, 1100)
	between("teachers and staff of the collège", inMain(roles.Teacher)+inMain(roles.Staff), 40, 60)
	between("groups of the collège", count(t, d, `SELECT COUNT(*) FROM groups WHERE establishment_id = ?`, mainID), 15, 45)

	// Realistic loads: every teacher of the collège has several classes or groups.
	loads := pairs(t, d, `SELECT a.teacher_id, COALESCE(a.class_id, a.group_id) FROM teaching_assignments a WHERE a.establishment_id = ?`, mainID)
	var hist []int
	for _, structures := range loads {
		hist = append(hist, len(structures))
		if len(structures) < 3 {
			t.Errorf("a teacher teaches only %d classes or groups", len(structures))
		}
	}
	sort.Ints(hist)
	t.Logf("classes or groups per teacher: %v", hist)

	n := Notable(accounts)
	if len(n) != 8 {
		t.Fatalf("Notable gave %d accounts, want 8: %+v", len(n), n)
	}
	for _, a := range n {
		t.Logf("%-45s %-28s %s", a.Label, a.Login, a.Name)
	}
}

func TestSmallDemo(t *testing.T) {
	t.Parallel()
	d := dbtest.Open(t)
	accounts := generate(t, d, Options{Students: 100, Seed: 7, Password: "another-pass-phrase"})
	checkDemo(t, d, accounts, 100)
	if got := count(t, d, `SELECT COUNT(*) FROM classes c JOIN establishments e ON e.id = c.establishment_id WHERE e.uai = ?`, MainUAI); got != 4 {
		t.Errorf("%d classes for 100 students, want 4", got)
	}
	_, hash, err := directory.Credentials(context.Background(), access.System("test"), d, "admin")
	if err != nil {
		t.Fatal(err)
	}
	if ok, _ := auth.VerifyPassword(hash, "another-pass-phrase"); !ok {
		t.Error("the chosen password does not open the admin account")
	}
}

func TestTinyAndInvalidSizes(t *testing.T) {
	t.Parallel()
	for _, n := range []int{1, 2, 9} {
		d := dbtest.Open(t)
		accounts := generate(t, d, Options{Students: n})
		checkDemo(t, d, accounts, n)
		if got := count(t, d, `SELECT COUNT(*) FROM enrolments e JOIN classes c ON c.id = e.class_id JOIN establishments s ON s.id = c.establishment_id
			WHERE s.uai = ?`, MainUAI); got != n {
			t.Errorf("students=%d: %d enrolled", n, got)
		}
		if len(accounts) == 0 {
			t.Errorf("students=%d: no accounts", n)
		}
	}
	d := dbtest.Open(t)
	for _, n := range []int{-1, maxStudents + 1} {
		err := d.Tx(context.Background(), func(tx *db.Tx) error {
			_, err := Generate(context.Background(), access.System("test"), tx, Options{Students: n})
			return err
		})
		if err == nil {
			t.Errorf("students=%d accepted", n)
		}
	}
}

func TestExists(t *testing.T) {
	t.Parallel()
	d := dbtest.Open(t)
	ctx := context.Background()
	if ok, err := Exists(ctx, access.System("test"), d); err != nil || ok {
		t.Fatalf("Exists on an empty database = %v, %v", ok, err)
	}
	generate(t, d, Options{Students: 30})
	if ok, err := Exists(ctx, access.System("test"), d); err != nil || !ok {
		t.Fatalf("Exists after Generate = %v, %v", ok, err)
	}
	err := d.Tx(ctx, func(tx *db.Tx) error {
		_, err := Generate(ctx, access.System("test"), tx, Options{Students: 30})
		return err
	})
	if !errors.Is(err, ErrExists) {
		t.Fatalf("second Generate: %v, want ErrExists", err)
	}
	// The demo brings establishments in: a person's viewer (here its head
	// of establishment) may not, and nothing is written.
	var headID string
	if err := d.QueryRow(ctx, `SELECT person_id FROM functions WHERE function = 'head' ORDER BY person_id LIMIT 1`).Scan(&headID); err != nil {
		t.Fatal(err)
	}
	head, err := access.New(d).Viewer(ctx, headID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Exists(ctx, head, d); !errors.Is(err, access.ErrDenied) {
		t.Errorf("Exists for the head: %v", err)
	}
	err = d.Tx(ctx, func(tx *db.Tx) error {
		_, err := Generate(ctx, head, tx, Options{Seed: 2, Students: 30})
		if !errors.Is(err, access.ErrDenied) {
			t.Errorf("Generate for the head: %v", err)
		}
		if err := GenerateTimetable(ctx, head, tx, TimetableOptions{}); !errors.Is(err, access.ErrDenied) {
			t.Errorf("GenerateTimetable for the head: %v", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

var (
	loginRE = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*\.[a-z0-9]+(-[a-z0-9]+)*[0-9]*$`)
	phoneRE = regexp.MustCompile(`^0[67] 00 [0-9]{2} [0-9]{2} [0-9]{2}$`)
	mailRE  = regexp.MustCompile(`^[a-z0-9.-]+@(example\.(com|net|org)|demo\.cartable\.invalid)$`)
)

// checkDemo checks the invariants every demo must hold, whatever its size.
func checkDemo(t *testing.T, d *db.DB, accounts []Account, students int) {
	t.Helper()
	ctx := context.Background()
	ests := pairs(t, d, `SELECT uai, id FROM establishments`)
	if len(ests) != 2 || ests[MainUAI] == nil || ests[SecondUAI] == nil {
		t.Fatalf("establishments: %v", ests)
	}
	mainID, lyceeID := ests[MainUAI][0], ests[SecondUAI][0]

	// Calendar.
	if n := count(t, d, `SELECT COUNT(*) FROM school_years WHERE label = '2026-2027' AND starts_on = '2026-09-01' AND ends_on = '2027-07-03'`); n != 2 {
		t.Errorf("%d school years 2026-2027, want 2", n)
	}
	if n := count(t, d, `SELECT COUNT(*) FROM periods WHERE kind = 'trimestre'`); n != 6 {
		t.Errorf("%d trimesters, want 3 per establishment", n)
	}
	for _, label := range []string{"Vacances de la Toussaint", "Vacances de Noël", "Vacances d'hiver", "Vacances de printemps", "Pont de l'Ascension"} {
		if n := count(t, d, `SELECT COUNT(*) FROM holidays WHERE label = ? AND starts_on <= ends_on`, label); n != 2 {
			t.Errorf("holiday %q: %d rows, want 2", label, n)
		}
	}
	if n := count(t, d, `SELECT COUNT(*) FROM subjects WHERE LENGTH(code) <> 6`); n != 0 {
		t.Errorf("%d subjects without a 6-digit national code", n)
	}

	// Students: exactly the asked number in the collège, one class each,
	// birth year fitting the level.
	if n := count(t, d, `SELECT COUNT(*) FROM enrolments e JOIN classes c ON c.id = e.class_id WHERE c.establishment_id = ?`, mainID); n != students {
		t.Errorf("%d students enrolled in the collège, want %d", n, students)
	}
	if n := count(t, d, `SELECT COUNT(*) FROM people p WHERE p.profile = 'student' AND (SELECT COUNT(*) FROM enrolments e WHERE e.student_id = p.id) <> 1`); n != 0 {
		t.Errorf("%d students not in exactly one class", n)
	}
	born := map[string]int{"6e": 2015, "5e": 2014, "4e": 2013, "3e": 2012, "2nde": 2011, "1re": 2010}
	rows, err := d.Query(ctx, `SELECT p.login, p.birth_date, c.level FROM people p JOIN enrolments e ON e.student_id = p.id JOIN classes c ON c.id = e.class_id`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var login, birth, lvl string
		if err := rows.Scan(&login, &birth, &lvl); err != nil {
			t.Fatal(err)
		}
		y, _ := strconv.Atoi(birth[:4])
		if want, ok := born[lvl]; !ok || (y != want && y != want-1) {
			t.Errorf("%s in %s born %s", login, lvl, birth)
		}
	}
	rows.Close()

	// Families.
	if n := count(t, d, `SELECT COUNT(*) FROM people p WHERE p.profile = 'student'
		AND NOT EXISTS (SELECT 1 FROM family_links f WHERE f.student_id = p.id AND f.legal_guardian)`); n != 0 {
		t.Errorf("%d students without a legal guardian", n)
	}
	if n := count(t, d, `SELECT COUNT(*) FROM people p WHERE p.profile = 'student'
		AND NOT EXISTS (SELECT 1 FROM family_links f WHERE f.student_id = p.id AND f.lives_with)`); n != 0 {
		t.Errorf("%d students living with none of their relatives", n)
	}
	if n := count(t, d, `SELECT COUNT(*) FROM family_links WHERE NOT legal_guardian AND (financial OR receives_mail OR relationship <> 'autre')`); n != 0 {
		t.Errorf("%d persons in charge with the flags of a legal guardian", n)
	}
	if n := count(t, d, `SELECT COUNT(*) FROM family_links WHERE relationship NOT IN ('mere', 'pere', 'tuteur', 'autre')`); n != 0 {
		t.Errorf("%d family links with an unknown relationship", n)
	}
	if n := count(t, d, `SELECT COUNT(*) FROM family_links f JOIN people p ON p.id = f.relative_id
		WHERE (f.relationship = 'mere' AND p.title <> 'Mme') OR (f.relationship = 'pere' AND p.title <> 'M.')`); n != 0 {
		t.Errorf("%d mothers or fathers with the wrong title", n)
	}
	if n := count(t, d, `SELECT COUNT(*) FROM (SELECT f.relative_id FROM family_links f JOIN enrolments e ON e.student_id = f.student_id
		GROUP BY f.relative_id HAVING COUNT(DISTINCT e.class_id) >= 2) x`); n == 0 {
		t.Error("no relative with children in different classes")
	}
	if n := count(t, d, `SELECT COUNT(*) FROM family_links a JOIN family_links b ON b.student_id = a.student_id AND b.relative_id > a.relative_id
		JOIN people pa ON pa.id = a.relative_id JOIN people pb ON pb.id = b.relative_id
		WHERE a.legal_guardian AND b.legal_guardian AND a.receives_mail AND b.receives_mail
		AND pa.address <> pb.address AND a.lives_with <> b.lives_with`); n == 0 {
		t.Error("no separated family (two legal guardians in two households)")
	}

	// Exactly one family across the two establishments.
	cross := strs(t, d, `SELECT m.person_id FROM memberships m JOIN people p ON p.id = m.person_id
		WHERE p.profile = 'relative' GROUP BY m.person_id HAVING COUNT(*) = 2`)
	if len(cross) == 0 {
		t.Error("no relative in both establishments")
	}
	children := pairs(t, d, `SELECT relative_id, student_id FROM family_links`)
	for _, r := range cross {
		if !slices.Equal(children[r], children[cross[0]]) {
			t.Errorf("relatives in both establishments belong to different families: %v, %v", children[r], children[cross[0]])
		}
	}
	if len(cross) > 0 {
		var schools []string
		for _, s := range children[cross[0]] {
			schools = append(schools, strs(t, d, `SELECT c.establishment_id FROM enrolments e JOIN classes c ON c.id = e.class_id WHERE e.student_id = ?`, s)...)
		}
		if !slices.Contains(schools, mainID) || !slices.Contains(schools, lyceeID) {
			t.Errorf("the cross-establishment family has children in %v", schools)
		}
	}
	if n := count(t, d, `SELECT COUNT(*) FROM (SELECT m.person_id FROM memberships m JOIN people p ON p.id = m.person_id
		WHERE p.profile = 'student' GROUP BY m.person_id HAVING COUNT(*) > 1) x`); n != 0 {
		t.Errorf("%d students in two establishments", n)
	}

	// Exactly one teacher in both establishments, teaching in both.
	shared := strs(t, d, `SELECT m.person_id FROM memberships m JOIN people p ON p.id = m.person_id
		WHERE p.profile = 'teacher' GROUP BY m.person_id HAVING COUNT(*) = 2`)
	if len(shared) != 1 {
		t.Errorf("%d teachers in both establishments, want 1", len(shared))
	} else if n := count(t, d, `SELECT COUNT(DISTINCT establishment_id) FROM teaching_assignments WHERE teacher_id = ?`, shared[0]); n != 2 {
		t.Errorf("the shared teacher teaches in %d establishments", n)
	}

	// Memberships follow classes, families and assignments.
	if n := count(t, d, `SELECT COUNT(*) FROM enrolments e JOIN classes c ON c.id = e.class_id
		WHERE NOT EXISTS (SELECT 1 FROM memberships m WHERE m.person_id = e.student_id AND m.establishment_id = c.establishment_id)`); n != 0 {
		t.Errorf("%d students not members of their school", n)
	}
	if n := count(t, d, `SELECT COUNT(*) FROM family_links f JOIN enrolments e ON e.student_id = f.student_id JOIN classes c ON c.id = e.class_id
		WHERE NOT EXISTS (SELECT 1 FROM memberships m WHERE m.person_id = f.relative_id AND m.establishment_id = c.establishment_id)`); n != 0 {
		t.Errorf("%d relatives not members of their child's school", n)
	}
	if n := count(t, d, `SELECT COUNT(*) FROM memberships m JOIN people p ON p.id = m.person_id WHERE p.profile = 'relative'
		AND NOT EXISTS (SELECT 1 FROM family_links f JOIN enrolments e ON e.student_id = f.student_id JOIN classes c ON c.id = e.class_id
		WHERE f.relative_id = m.person_id AND c.establishment_id = m.establishment_id)`); n != 0 {
		t.Errorf("%d relatives members of a school without their children", n)
	}
	if n := count(t, d, `SELECT COUNT(*) FROM teaching_assignments a
		WHERE NOT EXISTS (SELECT 1 FROM memberships m WHERE m.person_id = a.teacher_id AND m.establishment_id = a.establishment_id)`); n != 0 {
		t.Errorf("%d assignments of a teacher outside their establishments", n)
	}
	if n := count(t, d, `SELECT COUNT(*) FROM people p WHERE NOT EXISTS (SELECT 1 FROM memberships m WHERE m.person_id = p.id)`); n != 0 {
		t.Errorf("%d people without an establishment", n)
	}

	// Teaching: every class has every subject of its level and a head
	// teacher who teaches it; every group has members from its classes and
	// a teacher.
	if n := count(t, d, `SELECT COUNT(*) FROM classes c WHERE c.establishment_id = ?
		AND (SELECT COUNT(DISTINCT subject_id) FROM teaching_assignments a WHERE a.class_id = c.id) <> 10`, mainID); n != 0 {
		t.Errorf("%d classes of the collège without their 10 class subjects", n)
	}
	if n := count(t, d, `SELECT COUNT(*) FROM classes c WHERE NOT EXISTS (SELECT 1 FROM head_teachers h
		JOIN teaching_assignments a ON a.teacher_id = h.teacher_id AND a.class_id = c.id WHERE h.class_id = c.id)`); n != 0 {
		t.Errorf("%d classes without a head teacher teaching them", n)
	}
	if n := count(t, d, `SELECT COUNT(*) FROM groups g WHERE NOT EXISTS (SELECT 1 FROM group_members m WHERE m.group_id = g.id)
		OR NOT EXISTS (SELECT 1 FROM teaching_assignments a WHERE a.group_id = g.id)
		OR NOT EXISTS (SELECT 1 FROM group_classes gc WHERE gc.group_id = g.id)`); n != 0 {
		t.Errorf("%d groups without members, teacher or classes", n)
	}
	if n := count(t, d, `SELECT COUNT(*) FROM group_members m WHERE NOT EXISTS (SELECT 1 FROM enrolments e
		JOIN group_classes gc ON gc.class_id = e.class_id WHERE e.student_id = m.student_id AND gc.group_id = m.group_id)`); n != 0 {
		t.Errorf("%d group members from outside the group's classes", n)
	}
	if students >= 100 {
		for _, code := range []string{"030602", "030102", "020100"} {
			if n := count(t, d, `SELECT COUNT(*) FROM groups g JOIN teaching_assignments a ON a.group_id = g.id JOIN subjects s ON s.id = a.subject_id
				WHERE g.establishment_id = ? AND s.code = ?`, mainID, code); n == 0 {
				t.Errorf("no group of subject %s in the collège", code)
			}
		}
	}

	// Staff and the admin.
	for _, f := range []string{roles.Head, roles.Deputy, roles.CPE, roles.Documentalist, roles.Secretary} {
		if n := count(t, d, `SELECT COUNT(*) FROM functions WHERE establishment_id = ? AND function = ?`, mainID, f); n == 0 {
			t.Errorf("no %s in the collège", f)
		}
	}
	for _, f := range []string{roles.Head, roles.CPE} {
		if n := count(t, d, `SELECT COUNT(*) FROM functions WHERE establishment_id = ? AND function = ?`, lyceeID, f); n != 1 {
			t.Errorf("%d %s in the lycée, want 1", n, f)
		}
	}
	if n := count(t, d, `SELECT COUNT(*) FROM people p JOIN memberships m ON m.person_id = p.id WHERE p.login = 'admin' AND p.profile = 'admin'`); n != 2 {
		t.Errorf("admin has %d memberships, want 2", n)
	}

	// One password hash for all, which opens the accounts.
	hashes := strs(t, d, `SELECT DISTINCT password_hash FROM people`)
	if len(hashes) != 1 {
		t.Fatalf("%d distinct password hashes, want 1", len(hashes))
	}
	if ok, _ := auth.VerifyPassword(hashes[0], accounts[0].Password); !ok {
		t.Error("the accounts' password does not match the stored hash")
	}

	// Contact details are obviously fake.
	rows, err = d.Query(ctx, `SELECT login, profile, email, phone, city FROM people`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var login, profile, email, phone, city string
		if err := rows.Scan(&login, &profile, &email, &phone, &city); err != nil {
			t.Fatal(err)
		}
		if login != "admin" && !loginRE.MatchString(login) {
			t.Errorf("login %q is not prenom.nom", login)
		}
		if email != "" && !mailRE.MatchString(email) {
			t.Errorf("%s: e-mail %q not on a reserved domain", login, email)
		}
		if phone != "" && !phoneRE.MatchString(phone) {
			t.Errorf("%s: phone %q", login, phone)
		}
		if profile == roles.Relative && (email == "" || phone == "" || city != "Paris") {
			t.Errorf("relative %s lacks contact details: %q %q %q", login, email, phone, city)
		}
	}
	rows.Close()

	checkAccounts(t, d, accounts)
}

// checkAccounts compares the accounts, through JSON, with the database.
func checkAccounts(t *testing.T, d *db.DB, accounts []Account) {
	t.Helper()
	b, err := json.Marshal(accounts)
	if err != nil {
		t.Fatal(err)
	}
	var got []Account
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	if n := count(t, d, `SELECT COUNT(*) FROM people`); n != len(got) {
		t.Fatalf("%d accounts for %d people", len(got), n)
	}
	if !sort.SliceIsSorted(got, func(i, j int) bool { return got[i].Login < got[j].Login }) {
		t.Error("accounts not sorted by login")
	}
	profiles := pairs(t, d, `SELECT login, profile FROM people`)
	names := pairs(t, d, `SELECT login, first_name || ' ' || last_name FROM people`)
	children := pairs(t, d, `SELECT r.login, s.login FROM family_links f JOIN people r ON r.id = f.relative_id JOIN people s ON s.id = f.student_id`)
	relatives := pairs(t, d, `SELECT s.login, r.login FROM family_links f JOIN people r ON r.id = f.relative_id JOIN people s ON s.id = f.student_id`)
	schools := pairs(t, d, `SELECT p.login, e.uai FROM memberships m JOIN people p ON p.id = m.person_id JOIN establishments e ON e.id = m.establishment_id`)
	classes := pairs(t, d, `SELECT p.login, c.code FROM enrolments e JOIN people p ON p.id = e.student_id JOIN classes c ON c.id = e.class_id`)
	functions := pairs(t, d, `SELECT p.login, f.function FROM functions f JOIN people p ON p.id = f.person_id`)
	seen := map[string]bool{}
	for _, a := range got {
		if seen[a.Login] {
			t.Errorf("login %s twice", a.Login)
		}
		seen[a.Login] = true
		same := func(what string, acc, db []string) {
			if len(acc) == 0 && len(db) == 0 {
				return
			}
			acc = slices.Clone(acc)
			sort.Strings(acc)
			if !slices.Equal(acc, db) {
				t.Errorf("%s: %s %v in the accounts, %v in the database", a.Login, what, acc, db)
			}
		}
		same("profile", []string{a.Profile}, profiles[a.Login])
		same("name", []string{a.Name}, names[a.Login])
		same("children", a.Children, children[a.Login])
		same("relatives", a.Relatives, relatives[a.Login])
		same("establishments", a.Establishments, schools[a.Login])
		same("classes", a.Classes, classes[a.Login])
		same("functions", a.Functions, functions[a.Login])
		if len(a.Establishments) == 0 || a.Establishment != a.Establishments[0] {
			t.Errorf("%s: establishment %q of %v", a.Login, a.Establishment, a.Establishments)
		}
	}
}

func TestNotable(t *testing.T) {
	t.Parallel()
	// Notable works on accounts alone, e.g. read back from JSON; build them
	// without a database through the planner.
	g := newGen(Options{Seed: 3, Students: 200, Password: DefaultPassword})
	g.plan()
	accounts := g.accounts(DefaultPassword)
	byLogin := map[string]Account{}
	for _, a := range accounts {
		byLogin[a.Login] = a
	}
	n := Notable(accounts)
	labels := map[string]Account{}
	for _, a := range n {
		labels[a.Label] = a.Account
	}
	if len(labels) != 8 {
		t.Fatalf("got %d notable accounts: %+v", len(n), n)
	}
	if a := labels["Student"]; a.Profile != roles.Student {
		t.Errorf("student: %+v", a)
	}
	p := labels["Parent of two children in different classes"]
	if len(p.Children) != 2 || byLogin[p.Children[0]].Classes[0] == byLogin[p.Children[1]].Classes[0] {
		t.Errorf("parent of two: %+v", p)
	}
	if !slices.Contains(p.Children, labels["Student"].Login) {
		t.Errorf("the notable student is not a child of the notable parent")
	}
	if a := labels["Parent with children in two establishments"]; len(a.Establishments) != 2 || a.Profile != roles.Relative {
		t.Errorf("cross parent: %+v", a)
	}
	if a := labels["Teacher in two establishments"]; len(a.Establishments) != 2 || a.Profile != roles.Teacher {
		t.Errorf("shared teacher: %+v", a)
	}
	if a := labels["Head of the collège"]; !slices.Contains(a.Functions, roles.Head) || a.Establishment != MainUAI {
		t.Errorf("head: %+v", a)
	}
	if a := labels["Operator (admin)"]; a.Login != "admin" {
		t.Errorf("admin: %+v", a)
	}
}

func TestSlug(t *testing.T) {
	for in, want := range map[string]string{
		"Lefèvre": "lefevre", "N'Diaye": "n-diaye", "Le Gall": "le-gall", "Jean-Baptiste": "jean-baptiste",
		"Yılmaz": "yilmaz", "Chloé": "chloe", "Maëlys": "maelys", "Noé": "noe", "D’Almeida": "d-almeida",
		"Cœur": "coeur", "Da  Silva": "da-silva",
	} {
		if got := slug(in); got != want {
			t.Errorf("slug(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestNameLists(t *testing.T) {
	for name, list := range map[string][]string{"girls": girlNames, "boys": boyNames, "women": womanNames,
		"men": manNames, "surnames": surnames, "grandmothers": grandmotherNames, "grandfathers": grandfatherNames} {
		seen := map[string]bool{}
		for _, n := range list {
			if seen[n] {
				t.Errorf("%s: %q twice", name, n)
			}
			seen[n] = true
			if slug(n) == "" {
				t.Errorf("%s: %q has an empty slug", name, n)
			}
		}
		if min := map[string]int{"grandmothers": 20, "grandfathers": 20}[name]; min == 0 && len(list) < 100 {
			t.Errorf("%s: only %d names", name, len(list))
		}
	}
}

func TestPlanSizes(t *testing.T) {
	t.Parallel()
	// The plan alone, for many seeds: cheap, and catches unlucky draws.
	for seed := int64(1); seed <= 20; seed++ {
		g := newGen(Options{Seed: seed, Students: defaultStudents})
		g.plan()
		var rel, staff int
		for _, p := range g.people {
			if !slices.Contains(p.estabs, g.main) {
				continue
			}
			switch p.Profile {
			case roles.Relative:
				rel++
			case roles.Teacher, roles.Staff:
				staff++
			}
		}
		if rel < 900 || rel > 1100 || staff < 40 || staff > 60 {
			t.Errorf("seed %d: %d relatives, %d teachers and staff", seed, rel, staff)
		}
	}
}

// BenchmarkGenerate generates the default demo into a fresh database (SQLite,
// or PostgreSQL when CARTABLE_TEST_POSTGRES is set).
func BenchmarkGenerate(b *testing.B) {
	for range b.N {
		b.StopTimer()
		d := dbtest.Open(b)
		b.StartTimer()
		err := d.Tx(context.Background(), func(tx *db.Tx) error {
			_, err := Generate(context.Background(), access.System("test"), tx, Options{})
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPlan measures the in-memory part alone.
func BenchmarkPlan(b *testing.B) {
	for b.Loop() {
		g := newGen(Options{Seed: 1, Students: defaultStudents})
		g.plan()
		_ = g.accounts(DefaultPassword)
	}
}
