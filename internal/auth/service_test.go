package auth

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"cartable/internal/access"
	"cartable/internal/check"
	"cartable/internal/db"
	"cartable/internal/dbtest"
	"cartable/internal/directory"
	"cartable/internal/roles"
)

// school is an establishment with a head, a second head (same rank), a
// teacher without a staff function and a student, each with a session.
type school struct {
	d                             *db.DB
	a                             *Authenticator
	policy                        *access.Policy
	clock                         *testClock
	est                           string
	head, head2, teacher, student string
	sessions                      map[string]Session // person → a session of theirs
}

func newSchool(t *testing.T) *school {
	t.Helper()
	ctx := context.Background()
	d := dbtest.Open(t)
	c := &testClock{at: time.Unix(1_800_000_000, 0)}
	s := &school{d: d, clock: c, policy: access.New(d), sessions: map[string]Session{}}
	s.a = NewAuthenticator(d, &Sessions{DB: d, Idle: time.Hour, Absolute: 12 * time.Hour, Now: c.now})
	s.a.Now = c.now
	s.a.Factors.Sealer = testSealer(t, d)
	e := &directory.Establishment{UAI: "0750001A", Name: "Collège A", Kind: "college", City: "Paris"}
	if err := directory.CreateEstablishment(ctx, access.System("test"), d, e); err != nil {
		t.Fatal(err)
	}
	s.est = e.ID
	add := func(login, profile, function string) string {
		p := &directory.Person{Profile: profile, Login: login, FirstName: "Prénom", LastName: "Nom", Active: true}
		if err := directory.CreatePerson(ctx, access.System("test"), d, p, ""); err != nil {
			t.Fatal(err)
		}
		if err := directory.AddMembership(ctx, access.System("test"), d, p.ID, e.ID); err != nil {
			t.Fatal(err)
		}
		if function != "" {
			if err := directory.AddFunction(ctx, access.System("test"), d, p.ID, e.ID, function); err != nil {
				t.Fatal(err)
			}
		}
		token, err := s.a.Sessions.Create(ctx, p.ID, "Firefox/1 Linux", "192.0.2.1", true)
		if err != nil {
			t.Fatal(err)
		}
		if s.sessions[p.ID], err = s.a.Sessions.Lookup(ctx, token); err != nil {
			t.Fatal(err)
		}
		return p.ID
	}
	s.head = add("claire.chef", roles.Staff, roles.Head)
	s.head2 = add("paul.chef", roles.Staff, roles.Head)
	s.teacher = add("tom.prof", roles.Teacher, "")
	s.student = add("lea.eleve", roles.Student, "")
	return s
}

func (s *school) viewer(t *testing.T, id string) *access.Viewer {
	t.Helper()
	v, err := s.policy.Viewer(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func (s *school) count(t *testing.T, query string, args ...any) int {
	t.Helper()
	var n int
	if err := s.d.QueryRow(context.Background(), query, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// Every act on one's own account, called with the viewer of one person and
// the session of another, is refused and changes nothing: the service acts
// on the viewer's account only, whatever a page would pass. A system
// viewer has no account of its own.
func TestOwnAccountIsTheViewersOnly(t *testing.T) {
	s := newSchool(t)
	ctx := context.Background()
	pk, err := NewPasskeys("http://localhost", s.d, s.clock.now)
	if err != nil {
		t.Fatal(err)
	}
	pk.Sealer = s.a.Factors.Sealer
	s.a.Passkeys = pk
	theirs := s.sessions[s.teacher]
	for _, v := range []*access.Viewer{s.viewer(t, s.student), access.System("test")} {
		acts := map[string]func() error{
			"Account":        func() error { _, err := s.a.Account(ctx, v, theirs); return err },
			"Enrolled":       func() error { _, err := s.a.Enrolled(ctx, v, theirs); return err },
			"TOTPEnrolment":  func() error { _, err := s.a.TOTPEnrolment(ctx, v, theirs, ""); return err },
			"StartTOTP":      func() error { _, err := s.a.StartTOTP(ctx, v, theirs, ""); return err },
			"ConfirmTOTP":    func() error { _, err := s.a.ConfirmTOTP(ctx, v, theirs, "123456", ""); return err },
			"RemoveTOTP":     func() error { return s.a.RemoveTOTP(ctx, v, theirs, "") },
			"RecoveryCodes":  func() error { _, err := s.a.RegenerateRecoveryCodes(ctx, v, theirs, ""); return err },
			"PasskeyBegin":   func() error { _, err := s.a.BeginPasskeyRegistration(ctx, v, theirs, ""); return err },
			"PasskeyFinish":  func() error { _, err := s.a.FinishPasskeyRegistration(ctx, v, theirs, nil, "", ""); return err },
			"PasskeyRemove":  func() error { return s.a.RemovePasskey(ctx, v, theirs, "x", "") },
			"ChangePassword": func() error { _, err := s.a.ChangePassword(ctx, v, theirs, "a", "b", "b", ""); return err },
			"RecoveryEmail":  func() error { return s.a.SetRecoveryEmail(ctx, v, theirs, "a@example.org", "") },
			"EndSession":     func() error { _, err := s.a.EndSession(ctx, v, theirs, theirs.Handle, ""); return err },
			"EndOthers":      func() error { return s.a.EndOtherSessions(ctx, v, theirs, "") },
			"EndAll":         func() error { return s.a.EndAllSessions(ctx, v, theirs, "") },
			"Reauthenticate": func() error { return s.a.Reauthenticate(ctx, v, theirs, "x", "") },
			"SignOut":        func() error { return s.a.SignOut(ctx, v, theirs, "") },
			"SecondFactor":   func() error { _, err := s.a.SecondFactor(ctx, v, theirs, "totp", "123456", ""); return err },
			"PasskeyLogin":   func() error { _, err := s.a.BeginPasskeySecondFactor(ctx, v, theirs); return err },
			"PasskeyFactor":  func() error { _, err := s.a.PasskeySecondFactor(ctx, v, theirs, nil, ""); return err },
		}
		for name, act := range acts {
			if err := act(); !errors.Is(err, access.ErrDenied) {
				t.Errorf("%s by %s through another's session: %v", name, v.Actor(), err)
			}
		}
	}
	if n := s.count(t, `SELECT COUNT(*) FROM sessions WHERE person_id = ?`, s.teacher); n != 1 {
		t.Fatalf("the teacher's session was touched: %d left", n)
	}
	for _, table := range []string{"totp_credentials", "recovery_codes", "account_settings", "auth_attempts", "webauthn_ceremonies"} {
		if n := s.count(t, `SELECT COUNT(*) FROM `+table); n != 0 {
			t.Errorf("%s: %d rows written by refused acts", table, n)
		}
	}
	// Their own session opens their own account.
	if _, err := s.a.Account(ctx, s.viewer(t, s.teacher), theirs); err != nil {
		t.Fatalf("the teacher's own account: %v", err)
	}
}

// Acts on someone else's account ask the policy: refused without the
// right, with the explained refusals when the person is known to the
// viewer, and nothing changes; allowed, they act.
func TestAdministrationAsksThePolicy(t *testing.T) {
	s := newSchool(t)
	ctx := context.Background()
	head, teacher := s.viewer(t, s.head), s.viewer(t, s.teacher)
	for _, c := range []struct {
		who    *access.Viewer
		target string
		want   error
	}{
		{teacher, s.student, access.ErrDenied},
		{head, s.head, access.ErrOwnAccount},
		{head, s.head2, access.ErrPrivilege},
	} {
		if _, err := s.a.AccountOf(ctx, c.who, c.target); !errors.Is(err, c.want) {
			t.Errorf("AccountOf by %s: %v, want %v", c.who.Actor(), err, c.want)
		}
		if err := s.a.EndSessionsOf(ctx, c.who, c.target, ""); !errors.Is(err, c.want) {
			t.Errorf("EndSessionsOf by %s: %v, want %v", c.who.Actor(), err, c.want)
		}
		if err := s.a.RemoveFactorsOf(ctx, c.who, c.target, ""); !errors.Is(err, c.want) {
			t.Errorf("RemoveFactorsOf by %s: %v, want %v", c.who.Actor(), err, c.want)
		}
		if _, err := s.a.PersonLetter(ctx, c.who, c.target, 0, ""); !errors.Is(err, c.want) {
			t.Errorf("PersonLetter by %s: %v, want %v", c.who.Actor(), err, c.want)
		}
		if n := s.count(t, `SELECT COUNT(*) FROM sessions WHERE person_id = ?`, c.target); n != 1 {
			t.Errorf("a refused act ended %s's session", c.target)
		}
	}
	if n := s.count(t, `SELECT COUNT(*) FROM activation_codes`); n != 0 {
		t.Fatalf("%d activation codes issued by refused acts", n)
	}
	if _, err := s.a.SecurityOf(ctx, teacher, s.est); !errors.Is(err, access.ErrDenied) {
		t.Errorf("a teacher read the second-factor policy: %v", err)
	}
	if err := s.a.SetSecurity(ctx, teacher, s.est, nil, nil, ""); !errors.Is(err, access.ErrDenied) {
		t.Errorf("a teacher set the second-factor policy: %v", err)
	}
	if n := s.count(t, `SELECT COUNT(*) FROM mfa_policies`); n != 0 {
		t.Fatal("a refused policy was stored")
	}

	// The head manages the student's account.
	acc, err := s.a.AccountOf(ctx, head, s.student)
	if err != nil || acc.Holder.ID != s.student || acc.Holder.Login != "lea.eleve" || len(acc.Sessions) != 1 || acc.Activated {
		t.Fatalf("the student's account for the head: %+v, %v", acc, err)
	}
	b, err := s.a.PersonLetter(ctx, head, s.student, 0, "")
	if err != nil || len(b.Letters) != 1 || b.Filename != "activation-lea.eleve.pdf" || b.Letters[0].Code == "" {
		t.Fatalf("the student's letter: %+v, %v", b, err)
	}
	if err := s.a.EndSessionsOf(ctx, head, s.student, ""); err != nil {
		t.Fatal(err)
	}
	if n := s.count(t, `SELECT COUNT(*) FROM sessions WHERE person_id = ?`, s.student); n != 0 {
		t.Fatal("the student's sessions outlived EndSessionsOf")
	}
	// Unknown profiles are problems, and nothing is stored; known ones are.
	err = s.a.SetSecurity(ctx, head, s.est, []string{"pirate"}, nil, "")
	if ps, ok := check.As(err); !ok || !ps.Has(FieldProfile) {
		t.Fatalf("an unknown profile: %v", err)
	}
	if err := s.a.SetSecurity(ctx, head, s.est, []string{roles.Student}, []string{roles.CPE}, ""); err != nil {
		t.Fatal(err)
	}
	set, err := s.a.SecurityOf(ctx, head, s.est)
	if err != nil || !slices.Equal(set.Policy.Profiles, []string{roles.Student}) || !set.Checked[roles.CPE] || set.Policy.Default {
		t.Fatalf("policy after saving: %+v, %v", set.Policy, err)
	}
}

func TestFormChecks(t *testing.T) {
	codes := func(ps check.Problems) []string {
		var out []string
		for _, p := range ps {
			out = append(out, p.Field+":"+p.Code)
		}
		return out
	}
	for _, c := range []struct {
		name string
		got  check.Problems
		want []string
	}{
		{"sign-in", CheckSignIn(" ", ""), []string{"login:required", "password:required"}},
		{"sign-in typed", CheckSignIn("lea", "x"), nil},
		{"activation empty", CheckActivationCode("", "ABCD"), []string{"login:required"}},
		{"activation overlong", CheckActivationCode("lea", string(make([]byte, MaxCodeLen+1))), []string{"code:too-long"}},
		{"activation mismatch", CheckActivationForm(ActivateRequest{Login: "lea", Code: "ABCD", Password: "a", Confirm: "b"}), []string{"confirm:mismatch"}},
		{"new password missing", CheckNewPassword("", ""), []string{"password:required"}},
		{"change without current", CheckPasswordChange("", "a", "a"), []string{"current:required"}},
		{"weak", CheckPassword("Bonjour2024"), []string{"password:weak"}},
		{"personal", CheckPassword("Camille.Martin.7Lyon", "camille.martin"), []string{"password:personal"}},
		{"strong", CheckPassword("ma-tante-range-7-pots-de-confiture"), nil},
		{"e-mail required", CheckEmail(" ", true), []string{"email:required"}},
		{"e-mail optional", CheckEmail("", false), nil},
		{"e-mail invalid", CheckEmail("pas-une-adresse", false), []string{"email:invalid"}},
		{"e-mail without a dot", CheckEmail("a@localhost", false), []string{"email:invalid"}},
		{"e-mail", CheckEmail(" parent@example.org ", true), nil},
		{"reset without login", CheckResetRequest(""), []string{"login:required"}},
		{"policy", CheckMFAPolicy([]string{"student", "pirate"}, []string{"cpe", "king"}), []string{"profile:invalid", "function:invalid"}},
	} {
		if got := codes(c.got); !slices.Equal(got, c.want) {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
}
