package provisioning_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"cartable/internal/access"
	"cartable/internal/audit"
	"cartable/internal/auth"
	"cartable/internal/check"
	"cartable/internal/db"
	"cartable/internal/dbtest"
	"cartable/internal/directory"
	"cartable/internal/provisioning"
)

const day = 24 * time.Hour

func TestPurgeTiming(t *testing.T) {
	d := dbtest.Open(t)
	importAAF(t, d, completeDir, provisioning.Options{})
	s1, r7, t1 := person(t, d, "S1"), person(t, d, "R7"), person(t, d, "T1")
	// A class log entry of T1's: a contribution to a shared space.
	closedAt := day0.Add(2 * time.Hour)
	for _, p := range []directory.Person{s1, r7, t1} {
		if err := provisioning.Deactivate(ctx, system, d, p.ID, closedAt); err != nil {
			t.Fatal(err)
		}
	}
	if err := provisioning.Deactivate(ctx, system, d, s1.ID, closedAt); !errors.Is(err, provisioning.ErrActive) {
		t.Errorf("second deactivation: %v", err)
	}
	// R7 objected to their contributions being kept.
	if err := provisioning.RecordChoice(ctx, system, d, "", r7.ID, true, closedAt); err != nil {
		t.Fatal(err)
	}
	list, err := provisioning.ClosedAccounts(ctx, system, d, "", 90*day)
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Accounts) != 3 || list.Hidden != 0 || !list.Accounts[0].PurgeOn.Equal(closedAt.Add(90*day).Truncate(time.Second)) {
		t.Fatalf("closed accounts %+v", list)
	}
	// One second before the delay: nothing goes.
	res, err := provisioning.Purge(ctx, system, d, provisioning.PurgeOptions{Now: closedAt.Add(90*day - time.Second), DelayDays: 90})
	if err != nil {
		t.Fatal(err)
	}
	if res.Anonymised+res.Deleted != 0 {
		t.Fatalf("purged early: %+v", res)
	}
	// Within the delay the account comes back intact.
	if err := provisioning.Reactivate(ctx, system, d, "", t1.ID, closedAt.Add(89*day)); err != nil {
		t.Fatal(err)
	}
	if p, _ := directory.PersonRow(ctx, access.System("test"), d, t1.ID); !p.Active || p.Login != t1.Login {
		t.Errorf("T1 back as %+v", p)
	}
	if n := count(t, d, `SELECT COUNT(*) FROM teaching_assignments WHERE teacher_id = ?`, t1.ID); n != 2 {
		t.Errorf("T1 teaches %d classes after reactivation", n)
	}
	// At the delay: S1 is erased (anonymous stub), R7 deleted.
	links := count(t, d, `SELECT COUNT(*) FROM family_links`)
	res, err = provisioning.Purge(ctx, system, d, provisioning.PurgeOptions{Now: closedAt.Add(90 * day), DelayDays: 90})
	if err != nil {
		t.Fatal(err)
	}
	if res.Anonymised != 1 || res.Deleted != 1 || res.RunID == 0 {
		t.Fatalf("purge %+v", res)
	}
	stub, err := directory.PersonRow(ctx, access.System("test"), d, s1.ID)
	if err != nil {
		t.Fatal(err)
	}
	if stub.FirstName+stub.LastName+stub.BirthDate+stub.Email+stub.ExternalID != "" || stub.Active || !strings.HasPrefix(stub.Login, "purged-") {
		t.Errorf("stub %+v", stub)
	}
	if n := count(t, d, `SELECT COUNT(*) FROM people WHERE id = ?`, r7.ID); n != 0 {
		t.Error("the objector's row is still there")
	}
	for _, q := range []string{`SELECT COUNT(*) FROM memberships WHERE person_id = ?`, `SELECT COUNT(*) FROM enrolments WHERE student_id = ?`,
		`SELECT COUNT(*) FROM family_links WHERE student_id = ?`, `SELECT COUNT(*) FROM group_members WHERE student_id = ?`} {
		if n := count(t, d, q, s1.ID); n != 0 {
			t.Errorf("%s: %d rows left", q, n)
		}
	}
	if got := count(t, d, `SELECT COUNT(*) FROM family_links`); got != links-2 {
		t.Errorf("family links %d, want %d", got, links-2)
	}
	// The erased account can no longer be reopened, and a new delivery
	// naming the same key makes a new account.
	if err := provisioning.Reactivate(ctx, system, d, "", s1.ID, closedAt.Add(91*day)); !errors.Is(err, provisioning.ErrPurged) {
		t.Errorf("reactivation after the purge: %v", err)
	}
	// The purge is written down with counts and no personal data.
	runs, err := provisioning.PurgeRuns(ctx, system, d, 5)
	if err != nil || len(runs) != 2 || runs[0].Anonymised != 1 || runs[0].Deleted != 1 || runs[1].Anonymised != 0 {
		t.Fatalf("purge runs %+v %v", runs, err)
	}
	evs, err := audit.List(ctx, d, audit.Filter{Action: provisioning.AuditPurge})
	if err != nil || len(evs) != 2 || !strings.HasPrefix(evs[0].Target, "purge-run:") {
		t.Fatalf("audit %+v %v", evs, err)
	}
	// Nothing else is due: a second purge the same day erases nothing.
	res, _ = provisioning.Purge(ctx, system, d, provisioning.PurgeOptions{Now: closedAt.Add(90 * day), DelayDays: 90})
	if res.Anonymised+res.Deleted != 0 {
		t.Errorf("second purge %+v", res)
	}
	if _, err := provisioning.Purge(ctx, system, d, provisioning.PurgeOptions{Now: day0, DelayDays: 91}); err == nil {
		t.Error("a delay over 90 days was accepted")
	}
	// The next complete delivery still names S1: a fresh account.
	sum := importAAF(t, d, completeDir, provisioning.Options{Now: at(closedAt.Add(92 * day))})
	if sum.Count("student", "created") != 1 {
		t.Errorf("after the purge: %v", sum.Counts)
	}
}

func TestPurgeKeepsContributionsAndErasesTheRest(t *testing.T) {
	d := dbtest.Open(t)
	importAAF(t, d, completeDir, provisioning.Options{})
	t1, t2 := person(t, d, "T1"), person(t, d, "T2")
	sessions := &auth.Sessions{DB: d, Idle: time.Hour, Absolute: 12 * time.Hour}
	if _, err := sessions.Create(ctx, t1.ID, "ua", "127.0.0.1", false); err != nil {
		t.Fatal(err)
	}
	// A class log entry each: contributions to a shared space.
	for i, p := range []directory.Person{t1, t2} {
		if _, err := d.Exec(ctx, `INSERT INTO classlog_entries (id, establishment_id, author_id, lesson_date, class_id, subject_id,
			title, category, created_at, updated_at)
			SELECT ?, a.establishment_id, a.teacher_id, '2026-09-10', a.class_id, a.subject_id, 'Leçon', 'lesson', 0, 0
			FROM teaching_assignments a WHERE a.teacher_id = ? AND a.class_id IS NOT NULL LIMIT 1`, "entry"+string(rune('1'+i)), p.ID); err != nil {
			t.Skipf("no class log table to hold a contribution: %v", err)
		}
		if err := provisioning.Deactivate(ctx, system, d, p.ID, day0); err != nil {
			t.Fatal(err)
		}
	}
	if n := count(t, d, `SELECT COUNT(*) FROM sessions WHERE person_id = ?`, t1.ID); n != 0 {
		t.Error("sessions survive a deactivation")
	}
	if err := provisioning.RecordChoice(ctx, system, d, "", t2.ID, true, day0); err != nil {
		t.Fatal(err)
	}
	res, err := provisioning.Purge(ctx, system, d, provisioning.PurgeOptions{Now: day0.Add(30 * day), DelayDays: 30})
	if err != nil || res.Anonymised != 1 || res.Deleted != 1 {
		t.Fatalf("%+v %v", res, err)
	}
	for _, table := range []string{"teaching_assignments", "head_teachers"} {
		if n := count(t, d, `SELECT COUNT(*) FROM `+table+` WHERE teacher_id = ?`, t1.ID); n != 0 {
			t.Errorf("%s: %d rows left", table, n)
		}
	}
	// T1 did not object: the entry stays, signed by an anonymous stub. T2
	// objected: the entry went with the account.
	if got := column(t, d, `SELECT id FROM classlog_entries`); !slices.Equal(got, []string{"entry1"}) {
		t.Errorf("entries left: %v", got)
	}
}

func TestRollover(t *testing.T) {
	d := dbtest.Open(t)
	importAAF(t, d, completeDir, provisioning.Options{})
	e, err := directory.EstablishmentByUAI(ctx, d, "0750001A")
	if err != nil {
		t.Fatal(err)
	}
	p, err := provisioning.PlanRollover(ctx, system, d, e.ID, "2027-2028")
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Closing) != 1 || p.Closing[0].Label != "2026-2027" || p.Classes != 2 || p.Groups != 1 || p.Enrolments != 3 ||
		p.GroupMembers != 2 || p.Assignments != 4 || p.HeadTeachers != 1 {
		t.Fatalf("plan %+v", p)
	}
	for _, bad := range []struct{ label, code string }{{"2027", "label"}, {"2027-2029", "label"}, {"2026-2027", "exists"},
		{"2025-2026", "order"}} {
		_, err := provisioning.PlanRollover(ctx, system, d, e.ID, bad.label)
		if ps, ok := check.As(err); !ok || len(ps) != 1 || ps[0].Field != "year" || ps[0].Code != bad.code {
			t.Errorf("%s: %v", bad.label, err)
		}
	}
	before := snapshot(t, d)
	if _, err := provisioning.PlanRollover(ctx, system, d, e.ID, "2027-2028"); err != nil || snapshot(t, d) != before {
		t.Fatal("the preview changed something")
	}
	if _, err := provisioning.Rollover(ctx, system, d, e.ID, "2027-2028", day0.AddDate(1, 0, -5)); err != nil {
		t.Fatal(err)
	}
	if got := column(t, d, `SELECT label || ':' || CASE WHEN closed THEN 'closed' ELSE 'open' END FROM school_years WHERE establishment_id = ?`, e.ID); !slices.Equal(got, []string{"2026-2027:closed", "2027-2028:open"}) {
		t.Fatalf("years %v", got)
	}
	// Accounts persist; last year's classes no longer count for anyone.
	s1 := person(t, d, "S1")
	if !s1.Active {
		t.Error("S1 deactivated by the rollover")
	}
	if cs := classesOf(t, d, s1.ID); len(cs) != 0 {
		t.Errorf("S1 still in %v", cs)
	}
	// The next complete delivery fills the new year; the old stays as it was.
	next := copyDir(t, completeDir, func(name string, b []byte) []byte {
		s := strings.ReplaceAll(string(b), "<value>6A</value>", "<value>5A</value>")
		return []byte(strings.ReplaceAll(strings.ReplaceAll(s, "$6A", "$5A"), "20260901", "20270901"))
	})
	dl := read(t, provisioning.AAF, next)
	sum, err := provisioning.Import(ctx, system, d, dl, provisioning.Options{Now: at(day0.AddDate(1, 0, 0))})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Count("class", "created") != 2 || sum.Count("school_year", "created") != 0 || sum.Changes() == 0 {
		t.Errorf("after rollover: %v", sum.Counts)
	}
	if cs := classesOf(t, d, s1.ID); len(cs) != 1 || cs[0].Code != "5A" {
		t.Errorf("S1 now in %v", cs)
	}
	if n := count(t, d, `SELECT COUNT(*) FROM enrolments e JOIN classes c ON c.id = e.class_id JOIN school_years y ON y.id = c.school_year_id
		WHERE y.closed AND c.establishment_id = ?`, e.ID); n != 3 {
		t.Errorf("%d enrolments kept in the closed year", n)
	}
	// A closed year is erased by the purge a year after its end.
	res, err := provisioning.Purge(ctx, system, d, provisioning.PurgeOptions{Now: time.Date(2028, 9, 1, 0, 0, 0, 0, time.UTC), DelayDays: 90})
	if err != nil || res.SchoolYearsDeleted != 1 {
		t.Errorf("purge of the closed year: %+v %v", res, err)
	}
}

// Closing by hand from one establishment follows a complete delivery's
// rule: a person attached elsewhere too is only detached, their account
// open for the other; from their last establishment, the account closes.
func TestCloseFromOneEstablishment(t *testing.T) {
	d := dbtest.Open(t)
	importAAF(t, d, completeDir, provisioning.Options{})
	s1 := person(t, d, "S1")
	ests := column(t, d, `SELECT establishment_id FROM memberships WHERE person_id = ?`, s1.ID)
	if len(ests) != 1 {
		t.Fatalf("S1 attached to %v", ests)
	}
	a := ests[0]
	other := &directory.Establishment{UAI: "0759999Z", Name: "Autre", Kind: "lycee"}
	if err := directory.CreateEstablishment(ctx, system, d, other); err != nil {
		t.Fatal(err)
	}
	if err := directory.AddMembership(ctx, system, d, s1.ID, other.ID); err != nil {
		t.Fatal(err)
	}
	// A letter issued from the first establishment, not used yet.
	au := auth.NewAuthenticator(d, &auth.Sessions{DB: d, Idle: time.Hour, Absolute: time.Hour})
	if _, err := au.IssueActivationCodes(ctx, access.System("test"), a, []directory.Person{s1}, "", 0); err != nil {
		t.Fatal(err)
	}
	if _, err := provisioning.Close(ctx, system, d, "nobody", a, day0); !errors.Is(err, provisioning.ErrNotFound) {
		t.Errorf("closing nobody: %v", err)
	}
	// The head of the first establishment closes from there.
	head := viewer(t, d, "H1")
	if _, err := provisioning.Close(ctx, head, d, s1.ID, other.ID, day0); !errors.Is(err, access.ErrDenied) {
		t.Fatalf("the head closes from an establishment of someone else's: %v", err)
	}
	got, err := provisioning.Close(ctx, head, d, s1.ID, a, day0)
	if err != nil || got != provisioning.Detached {
		t.Fatalf("close from the first establishment: %v, %v", got, err)
	}
	if p, _ := directory.PersonRow(ctx, access.System("test"), d, s1.ID); !p.Active {
		t.Fatal("the account closed although attached elsewhere")
	}
	if ms := column(t, d, `SELECT establishment_id FROM memberships WHERE person_id = ?`, s1.ID); !slices.Equal(ms, []string{other.ID}) {
		t.Fatalf("memberships after detaching: %v", ms)
	}
	if n := count(t, d, `SELECT COUNT(*) FROM activation_codes WHERE person_id = ?`, s1.ID); n != 0 {
		t.Errorf("the detaching establishment's unused code stayed (%d)", n)
	}
	ev, _ := audit.List(ctx, d, audit.Filter{Action: provisioning.AuditDetach})
	if len(ev) != 1 || ev[0].Target != "person:"+s1.ID || ev[0].EstablishmentID != a || ev[0].ActorID != head.ID {
		t.Fatalf("detach audited as %+v", ev)
	}
	// (A viewer belongs to one request: a fresh one sees the change.)
	if _, err := provisioning.Close(ctx, viewer(t, d, "H1"), d, s1.ID, a, day0); !errors.Is(err, access.ErrDenied) {
		t.Errorf("the head closes again where no longer attached: %v", err)
	}
	if _, err := provisioning.Close(ctx, system, d, s1.ID, a, day0); !errors.Is(err, provisioning.ErrNotFound) {
		t.Errorf("closing again where no longer attached: %v", err)
	}
	got, err = provisioning.Close(ctx, system, d, s1.ID, other.ID, day0)
	if err != nil || got != provisioning.Deactivated {
		t.Fatalf("close from the last establishment: %v, %v", got, err)
	}
	if p, _ := directory.PersonRow(ctx, access.System("test"), d, s1.ID); p.Active {
		t.Fatal("closing from the last establishment left the account open")
	}
	if ms := column(t, d, `SELECT establishment_id FROM memberships WHERE person_id = ?`, s1.ID); !slices.Equal(ms, []string{other.ID}) {
		t.Fatalf("the last membership was not kept for a reactivation: %v", ms)
	}
	ev, _ = audit.List(ctx, d, audit.Filter{Action: provisioning.AuditDeactivate})
	if len(ev) != 1 || ev[0].EstablishmentID != other.ID || ev[0].ActorID != "system:test" {
		t.Fatalf("deactivation audited as %+v", ev)
	}
	if _, err := provisioning.Close(ctx, system, d, s1.ID, other.ID, day0); !errors.Is(err, provisioning.ErrActive) {
		t.Errorf("closing a closed account: %v", err)
	}
}

// classesOf lists a student's classes of open school years, from their
// school record.
func classesOf(t *testing.T, d *db.DB, id string) []directory.Class {
	t.Helper()
	p, err := directory.ViewPerson(context.Background(), access.System("test"), d, id)
	if err != nil || p.Record == nil {
		t.Fatalf("record of %s: %v", id, err)
	}
	return p.Record.Classes
}
