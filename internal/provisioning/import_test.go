package provisioning_test

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"cartable/internal/auth"
	"cartable/internal/db"
	"cartable/internal/dbtest"
	"cartable/internal/provisioning"
)

func TestCompleteDelivery(t *testing.T) {
	d := dbtest.Open(t)
	sum := importAAF(t, d, completeDir, provisioning.Options{})
	want := map[[2]string]int{
		{"establishment", "created"}: 2, {"school_year", "created"}: 2, {"student", "created"}: 4,
		{"relative", "created"}: 6, {"teacher", "created"}: 2, {"staff", "created"}: 2,
		{"class", "created"}: 3, {"group", "created"}: 1, {"subject", "created"}: 4,
		{"enrolment", "added"}: 4, {"group_member", "added"}: 2, {"group_class", "added"}: 2,
		{"family_link", "added"}: 7, {"function", "added"}: 2, {"assignment", "added"}: 5, {"head_teacher", "added"}: 1,
	}
	for k, n := range want {
		if got := sum.Count(k[0], k[1]); got != n {
			t.Errorf("%s %s: %d, want %d", k[0], k[1], got, n)
		}
	}
	if !sum.Applied || sum.RunID == "" || sum.Mode != "complete" || sum.Date != "2026-09-01" {
		t.Errorf("summary: applied %v run %q mode %s date %s", sum.Applied, sum.RunID, sum.Mode, sum.Date)
	}
	// The ISO-8859-15 part was decoded; names follow the directory's case.
	s3 := person(t, d, "S3")
	if s3.FirstName != "Zoé" || s3.LastName != "LEFÈVRE" || s3.Login != "zoe.lefevre" || s3.Title != "" {
		t.Errorf("S3 = %+v", s3)
	}
	if s2 := person(t, d, "S2"); s2.FirstName != "Hugo" || s2.BirthDate != "2014-09-14" {
		t.Errorf("S2 = %q %q", s2.FirstName, s2.BirthDate)
	}
	// Imported accounts have no password until activated.
	if n := count(t, d, `SELECT COUNT(*) FROM people WHERE password_hash <> ''`); n != 0 {
		t.Errorf("%d people with a password", n)
	}
	// Family links with the flags of the feed: R2 is a legal guardian
	// (level 2) without financial flag; R4 a contact, not a guardian.
	var legal, fin, contact bool
	if err := d.QueryRow(ctx, `SELECT legal_guardian, financial, contact FROM family_links f JOIN people s ON s.id = f.student_id
		JOIN people r ON r.id = f.relative_id WHERE s.external_id = 'S1' AND r.external_id = 'R2'`).Scan(&legal, &fin, &contact); err != nil {
		t.Fatal(err)
	}
	if !legal || fin || contact {
		t.Errorf("S1–R2: legal %v financial %v contact %v", legal, fin, contact)
	}
	if err := d.QueryRow(ctx, `SELECT legal_guardian, contact FROM family_links f JOIN people s ON s.id = f.student_id
		JOIN people r ON r.id = f.relative_id WHERE s.external_id = 'S3' AND r.external_id = 'R4'`).Scan(&legal, &contact); err != nil {
		t.Fatal(err)
	}
	if legal || !contact {
		t.Errorf("S3–R4: legal %v contact %v", legal, contact)
	}
	// Relatives follow their children; a relative of no one is imported,
	// attached nowhere, and reported; R5 is missing and reported.
	if got := column(t, d, `SELECT e.uai FROM memberships m JOIN establishments e ON e.id = m.establishment_id
		JOIN people p ON p.id = m.person_id WHERE p.external_id = 'R6'`); !slices.Equal(got, []string{"0750002B"}) {
		t.Errorf("R6 attached to %v", got)
	}
	if n := count(t, d, `SELECT COUNT(*) FROM memberships m JOIN people p ON p.id = m.person_id WHERE p.external_id = 'R7'`); n != 0 {
		t.Errorf("orphan R7 attached to %d establishments", n)
	}
	if n := count(t, d, `SELECT COUNT(*) FROM provisioning_orphans o JOIN people p ON p.id = o.person_id WHERE p.external_id = 'R7'`); n != 2 {
		t.Errorf("orphan R7 tied to %d establishments, want 2", n)
	}
	for _, code := range []string{"relative-unlinked", "dangling-relative"} {
		if sum.Report.WarningCounts[code] != 1 {
			t.Errorf("warning %s: %d", code, sum.Report.WarningCounts[code])
		}
	}
	// T2 teaches in both establishments, heads nothing; H1 is the head; the
	// group 6AB-ANG draws from 6A and 6B.
	if got := column(t, d, `SELECT e.uai FROM memberships m JOIN establishments e ON e.id = m.establishment_id
		JOIN people p ON p.id = m.person_id WHERE p.external_id = 'T2'`); !slices.Equal(got, []string{"0750001A", "0750002B"}) {
		t.Errorf("T2 attached to %v", got)
	}
	if got := column(t, d, `SELECT f.function FROM functions f JOIN people p ON p.id = f.person_id WHERE p.external_id IN ('H1', 'C1')`); !slices.Equal(got, []string{"cpe", "head"}) {
		t.Errorf("functions %v", got)
	}
	if got := column(t, d, `SELECT c.code FROM group_classes gc JOIN classes c ON c.id = gc.class_id JOIN groups g ON g.id = gc.group_id
		WHERE g.code = '6AB-ANG'`); !slices.Equal(got, []string{"6A", "6B"}) {
		t.Errorf("group classes %v", got)
	}
	if got := column(t, d, `SELECT name || '/' || kind FROM establishments`); !slices.Equal(got, []string{"COLLEGE JEAN MOULIN/college", "LYCEE VICTOR HUGO/lycee"}) {
		t.Errorf("establishments %v", got)
	}
	if got := column(t, d, `SELECT label || ' ' || starts_on FROM school_years`); !slices.Equal(got, []string{"2026-2027 2026-09-01", "2026-2027 2026-09-01"}) {
		t.Errorf("years %v", got)
	}
	// The INE and the scholarship are not stored anywhere.
	if n := count(t, d, `SELECT COUNT(*) FROM people WHERE external_id = '0123456789A' OR login LIKE '%0123456789a%'`); n != 0 {
		t.Error("the INE was stored")
	}
}

func TestSameDeliveryTwiceChangesNothing(t *testing.T) {
	d := dbtest.Open(t)
	// The administration's feed names real classes: no acknowledgement.
	if first := importAAF(t, d, completeDir, provisioning.Options{}); first.Count("class", "created") == 0 || len(first.NewStructures) != 0 {
		t.Errorf("AAF: %d classes created, %v to acknowledge", first.Count("class", "created"), first.NewStructures)
	}
	before := count(t, d, `SELECT COUNT(*) FROM people`)
	sum := importAAF(t, d, completeDir, provisioning.Options{})
	if n := sum.Changes(); n != 0 {
		t.Fatalf("second import made %d changes: %v", n, sum.Counts)
	}
	if sum.Count("student", "unchanged") != 4 || sum.Count("family_link", "unchanged") != 7 {
		t.Errorf("unchanged counts %v", sum.Counts)
	}
	if count(t, d, `SELECT COUNT(*) FROM people`) != before {
		t.Error("people count moved")
	}
	// And a delta twice: the second changes nothing either.
	importAAF(t, d, deltaDir, provisioning.Options{Now: at(day0.AddDate(0, 1, 0))})
	sum = importAAF(t, d, deltaDir, provisioning.Options{Now: at(day0.AddDate(0, 1, 0))})
	if n := sum.Changes(); n != 0 {
		t.Fatalf("second delta made %d changes: %v", n, sum.Counts)
	}
}

func TestDelta(t *testing.T) {
	d := dbtest.Open(t)
	importAAF(t, d, completeDir, provisioning.Options{})
	s1 := person(t, d, "S1")
	sum := importAAF(t, d, deltaDir, provisioning.Options{Now: at(day0.AddDate(0, 1, 0))})
	if sum.Mode != "delta" {
		t.Errorf("mode %s", sum.Mode)
	}
	for k, n := range map[[2]string]int{{"student", "created"}: 1, {"student", "deactivated"}: 1, {"staff", "deactivated"}: 1,
		{"relative", "updated"}: 1, {"enrolment", "added"}: 2, {"enrolment", "removed"}: 1, {"family_link", "added"}: 1} {
		if got := sum.Count(k[0], k[1]); got != n {
			t.Errorf("%s %s: %d, want %d (%v)", k[0], k[1], got, n, sum.Counts)
		}
	}
	// Add: S5 in 6B with R3.
	if got := column(t, d, `SELECT c.code FROM enrolments e JOIN classes c ON c.id = e.class_id JOIN people p ON p.id = e.student_id
		WHERE p.external_id = 'S5'`); !slices.Equal(got, []string{"6B"}) {
		t.Errorf("S5 in %v", got)
	}
	// Modify: S1 moved from 6A to 6B, same account, other fields untouched.
	if got := column(t, d, `SELECT c.code FROM enrolments e JOIN classes c ON c.id = e.class_id WHERE e.student_id = ?`, s1.ID); !slices.Equal(got, []string{"6B"}) {
		t.Errorf("S1 in %v", got)
	}
	if p := person(t, d, "S1"); p.ID != s1.ID || p.FirstName != "Léa" || p.BirthDate != s1.BirthDate {
		t.Errorf("S1 after modify: %+v", p)
	}
	// S1's groups were not named by the modify: kept.
	if n := count(t, d, `SELECT COUNT(*) FROM group_members WHERE student_id = ?`, s1.ID); n != 1 {
		t.Errorf("S1 in %d groups", n)
	}
	if p := person(t, d, "R1"); p.Phone != "0600000099" || p.Address == "" {
		t.Errorf("R1 after modify: phone %q address %q", p.Phone, p.Address)
	}
	// Delete: deactivated, not erased.
	for _, key := range []string{"S3", "C1"} {
		if p := person(t, d, key); p.Active {
			t.Errorf("%s still active", key)
		}
	}
	if n := count(t, d, `SELECT COUNT(*) FROM people WHERE external_id = 'S3' AND deactivated_at = ?`, day0.AddDate(0, 1, 0).Unix()); n != 1 {
		t.Error("S3's deactivation time not recorded")
	}
}

func TestMatchedByJoinKeyNotByName(t *testing.T) {
	d := dbtest.Open(t)
	importAAF(t, d, completeDir, provisioning.Options{})
	s1 := person(t, d, "S1")
	// Same key, new name: the same account, renamed. Same name, new key: a
	// new account.
	dir := copyDir(t, completeDir, func(name string, b []byte) []byte {
		if strings.Contains(name, "Eleve_0000") {
			s := strings.Replace(string(b), "<value>Dubois</value>", "<value>Dubois-Roy</value>", 1)
			s = strings.ReplaceAll(s, ">S2<", ">S2BIS<")
			return []byte(s)
		}
		return b
	})
	sum := importAAF(t, d, dir, provisioning.Options{AllowMassDeactivation: true})
	if p := person(t, d, "S1"); p.ID != s1.ID || p.LastName != "DUBOIS-ROY" || p.Login != s1.Login {
		t.Errorf("S1 renamed: %+v (was %+v)", p, s1)
	}
	if sum.Count("student", "created") != 1 || sum.Count("student", "deactivated") != 1 {
		t.Errorf("counts %v", sum.Counts)
	}
	if p := person(t, d, "S2BIS"); p.Login != "hugo.dubois2" {
		t.Errorf("the namesake got login %q", p.Login)
	}
}

func TestMassDeactivationGuard(t *testing.T) {
	d := dbtest.Open(t)
	importAAF(t, d, completeDir, provisioning.Options{})
	// A truncated feed: the first part of the students is missing.
	dir := copyDir(t, completeDir, func(name string, b []byte) []byte {
		if strings.Contains(name, "Eleve_0000") {
			return nil
		}
		return b
	})
	before := snapshot(t, d)
	runs := count(t, d, `SELECT COUNT(*) FROM import_runs`)
	sum, err := provisioning.Import(ctx, system, d, read(t, provisioning.AAF, dir), provisioning.Options{Now: at(day0)})
	if !errors.Is(err, provisioning.ErrMassDeactivation) {
		t.Fatalf("err = %v", err)
	}
	if sum == nil || sum.Applied || sum.Refused != "mass-deactivation" {
		t.Fatalf("summary %+v", sum)
	}
	var over bool
	for _, g := range sum.Guard {
		if g.UAI == "0750001A" {
			over = g.Over
			if g.Leaving != 2 || g.Percent < 20 {
				t.Errorf("guard line %+v", g)
			}
		}
	}
	if !over {
		t.Errorf("guard %+v", sum.Guard)
	}
	// Nothing changed but the history, which keeps the refusal.
	if n := count(t, d, `SELECT COUNT(*) FROM import_runs WHERE outcome = 'refused'`); n != 1 {
		t.Errorf("%d refused runs recorded", n)
	}
	if count(t, d, `SELECT COUNT(*) FROM import_runs`) != runs+1 {
		t.Error("history not written")
	}
	if _, err := d.Exec(ctx, `DELETE FROM import_run_establishments WHERE run_id IN (SELECT id FROM import_runs WHERE outcome = 'refused')`); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Exec(ctx, `DELETE FROM import_runs WHERE outcome = 'refused'`); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Exec(ctx, `DELETE FROM audit_events WHERE outcome = 'denied'`); err != nil {
		t.Fatal(err)
	}
	if snapshot(t, d) != before {
		t.Fatal("a refused delivery changed the directory")
	}
	// A higher limit, or the override, lets it through.
	sum = importAAF(t, d, dir, provisioning.Options{MaxDeactivation: 0.5})
	if sum.Count("student", "deactivated") != 2 {
		t.Errorf("counts %v", sum.Counts)
	}
}

func TestDeactivationEndsSessionsAndReactivationRestores(t *testing.T) {
	d := dbtest.Open(t)
	importAAF(t, d, completeDir, provisioning.Options{})
	s3 := person(t, d, "S3")
	sessions := &auth.Sessions{DB: d, Idle: time.Hour, Absolute: 12 * time.Hour}
	token, err := sessions.Create(ctx, s3.ID, "test", "127.0.0.1", false)
	if err != nil {
		t.Fatal(err)
	}
	links := count(t, d, `SELECT COUNT(*) FROM family_links WHERE student_id = ?`, s3.ID)
	classes := column(t, d, `SELECT class_id FROM enrolments WHERE student_id = ?`, s3.ID)
	// S3 leaves: absent from the next complete delivery.
	without := copyDir(t, completeDir, func(name string, b []byte) []byte {
		if strings.Contains(name, "Eleve_0001") {
			s := string(b)
			i := strings.Index(s, "<addRequest>")
			j := strings.Index(s[i+1:], "<addRequest>") + i + 1
			return []byte(s[:i] + s[j:])
		}
		return b
	})
	sum := importAAF(t, d, without, provisioning.Options{AllowMassDeactivation: true, Now: at(day0.Add(time.Hour))})
	if sum.Count("student", "deactivated") != 1 {
		t.Fatalf("counts %v", sum.Counts)
	}
	if _, err := sessions.Lookup(ctx, token); !errors.Is(err, auth.ErrNoSession) {
		t.Errorf("session still valid: %v", err)
	}
	if n := count(t, d, `SELECT COUNT(*) FROM sessions WHERE person_id = ?`, s3.ID); n != 0 {
		t.Errorf("%d sessions left", n)
	}
	if p := person(t, d, "S3"); p.Active {
		t.Error("S3 active")
	}
	// Back in the next delivery: the same account, its links and class.
	sum = importAAF(t, d, completeDir, provisioning.Options{Now: at(day0.AddDate(0, 0, 10))})
	if sum.Count("student", "reactivated") != 1 {
		t.Fatalf("counts %v", sum.Counts)
	}
	p := person(t, d, "S3")
	if !p.Active || p.ID != s3.ID || p.Login != s3.Login {
		t.Errorf("S3 back as %+v", p)
	}
	if count(t, d, `SELECT COUNT(*) FROM family_links WHERE student_id = ?`, s3.ID) != links ||
		!slices.Equal(column(t, d, `SELECT class_id FROM enrolments WHERE student_id = ?`, s3.ID), classes) {
		t.Error("links or classes not restored")
	}
	if n := count(t, d, `SELECT COUNT(*) FROM people WHERE id = ? AND deactivated_at IS NULL`, s3.ID); n != 1 {
		t.Error("deactivated_at not cleared")
	}
}

// TestAtomicity injects a failure after each step of the apply and checks
// that the directory is left exactly as it was, for a first import and for
// an import on top of existing data.
func TestAtomicity(t *testing.T) {
	steps := []string{"establishments", "structures", "people", "memberships", "classes", "families", "teaching", "nomenclature"}
	for _, base := range []string{"", completeDir} {
		for _, step := range steps {
			t.Run(fmt.Sprintf("existing=%v/%s", base != "", step), func(t *testing.T) {
				d := dbtest.Open(t)
				dir := completeDir
				if base != "" {
					importAAF(t, d, base, provisioning.Options{})
					dir = deltaDir
				}
				before := snapshot(t, d)
				boom := errors.New("injected failure")
				_, err := provisioning.Import(ctx, system, d, read(t, provisioning.AAF, dir), provisioning.Options{Now: at(day0.AddDate(0, 1, 0)),
					Hook: func(s string, _ *db.Tx) error {
						if s == step {
							return boom
						}
						return nil
					}})
				if !errors.Is(err, boom) {
					t.Fatalf("err = %v", err)
				}
				if snapshot(t, d) != before {
					t.Fatal("a failed import left changes behind")
				}
			})
		}
	}
	// A database error: a login taken between the plan and the write makes
	// the people's insert fail inside the transaction; nothing stays, not
	// even the row that took the login.
	t.Run("database error", func(t *testing.T) {
		d := dbtest.Open(t)
		before := snapshot(t, d)
		_, err := provisioning.Import(ctx, system, d, read(t, provisioning.AAF, completeDir), provisioning.Options{Now: at(day0),
			Hook: func(s string, tx *db.Tx) error {
				if s == "structures" {
					_, err := tx.Exec(ctx, `INSERT INTO people (id, profile, login, last_name, first_name, created_at, updated_at)
						VALUES ('intruder', 'staff', 'lea.dubois', 'X', 'Y', 0, 0)`)
					return err
				}
				return nil
			}})
		if err == nil || !db.IsUniqueViolation(err) {
			t.Fatalf("err = %v", err)
		}
		if snapshot(t, d) != before {
			t.Fatal("a failed import left changes behind")
		}
	})
}

func TestDryRunChangesNothing(t *testing.T) {
	d := dbtest.Open(t)
	before := snapshot(t, d)
	sum, err := provisioning.Import(ctx, system, d, read(t, provisioning.AAF, completeDir), provisioning.Options{DryRun: true, Now: at(day0)})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Applied || sum.Count("student", "created") != 4 || !sum.DryRun {
		t.Errorf("summary %+v", sum)
	}
	if snapshot(t, d) != before {
		t.Fatal("a dry run changed the directory")
	}
}

func TestSample2013(t *testing.T) {
	dir := "../../../shared/samples/aaf/2013"
	if _, err := os.Stat(dir); err != nil {
		t.Skip("the shared samples are not here")
	}
	d := dbtest.Open(t)
	sum := importAAF(t, d, dir, provisioning.Options{Now: at(time.Date(2013, 1, 17, 6, 0, 0, 0, time.UTC))})
	for k, n := range map[[2]string]int{{"establishment", "created"}: 10, {"student", "created"}: 642,
		{"relative", "created"}: 9975, {"class", "created"}: 177, {"group", "created"}: 173, {"family_link", "added"}: 1064} {
		if got := sum.Count(k[0], k[1]); got != n {
			t.Errorf("%s %s: %d, want %d", k[0], k[1], got, n)
		}
	}
	if staff := sum.Count("teacher", "created") + sum.Count("staff", "created"); staff != 701 {
		t.Errorf("staff %d, want 701", staff)
	}
	if sum.Count("assignment", "added") == 0 || sum.Count("subject", "created") == 0 || sum.Count("enrolment", "added") != 642 {
		t.Errorf("teaching %v", sum.Counts)
	}
	// The missing Eleve_0000 leaves most relatives without a student: they
	// are imported without a link, and reported.
	if n := sum.Report.WarningCounts["relative-unlinked"]; n != 9975-1029 {
		t.Errorf("relative-unlinked %d", n)
	}
	if n := count(t, d, `SELECT COUNT(*) FROM people WHERE active`); n != 642+701+9975 {
		t.Errorf("%d active people", n)
	}
	again := importAAF(t, d, dir, provisioning.Options{Now: at(time.Date(2013, 1, 17, 6, 0, 0, 0, time.UTC))})
	if again.Changes() != 0 {
		t.Errorf("second import changed %v", again.Counts)
	}
}
