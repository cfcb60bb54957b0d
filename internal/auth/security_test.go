package auth

import (
	"context"
	"encoding/base32"
	"errors"
	"strings"
	"testing"
	"time"

	"cartable/internal/dbtest"
)

// RFC 6238, appendix B (SHA-1 key), last six digits of the eight shown.
func TestTOTPRFC6238Vectors(t *testing.T) {
	secret := base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString([]byte("12345678901234567890"))
	for at, want := range map[int64]string{59: "287082", 1111111109: "081804", 1111111111: "050471", 1234567890: "005924", 2000000000: "279037", 20000000000: "353130"} {
		got, err := TOTPCode(secret, time.Unix(at, 0))
		if err != nil || got != want {
			t.Errorf("T=%d: %q (%v), want %q", at, got, err, want)
		}
	}
	uri := TOTPURI("JBSWY3DPEHPK3PXP", "Cartable", "jean.dupont")
	if !strings.HasPrefix(uri, "otpauth://totp/Cartable:jean.dupont?") || !strings.Contains(uri, "secret=JBSWY3DPEHPK3PXP") {
		t.Errorf("uri %s", uri)
	}
}

func TestPasswordRule(t *testing.T) {
	for pw, want := range map[string]string{
		"Bonjour2024":                        CodeWeak, // 11 characters
		"tr0p-c0urt":                         CodeWeak,
		"abcdefghijklmnop":                   CodeWeak,   // 16 lower case: 75 bits
		"Azertyuiop123!":                     CodeCommon, // a keyboard walk with the usual suffix
		"Marseille-2024!!":                   CodeCommon,
		"P@ssw0rd123456":                     CodeCommon,
		"motdepasse-motdepasse":              CodeCommon,
		"Camille.Martin.7Lyon":               CodePersonal,
		"le chat dort sur le canapé":         "",
		"Vt8#qLm2!xRp":                       "", // 12 of four kinds
		"Kp4nZ8wQ2rT6yB":                     "", // 14 of three kinds
		"qzxwvutsrpnmlkjhg":                  "", // 17 lower case: 79.9 → 80 bits
		"ma-tante-range-7-pots-de-confiture": "",
		strings.Repeat("a", 300):             CodeTooLong,
	} {
		got := ""
		if ps := CheckPassword(pw, "camille.martin", "Camille", "Martin"); len(ps) > 0 {
			got = ps[0].Code
		}
		if got != want {
			t.Errorf("%.40q: %q, want %q (%d bits)", pw, got, want, PasswordBits(pw))
		}
	}
	if n := CommonPasswordCount(); n < 10000 {
		t.Fatalf("the common-password list holds %d entries, want at least 10,000", n)
	}
	for _, p := range []string{"123456", "azerty", "motdepasse", "soleil", "doudou", "marseille2010", "qwertyuiop", "1q2w3e4r", "iloveyou", "nicolas1990"} {
		if !IsCommonPassword(p) {
			t.Errorf("%q is not in the common list", p)
		}
	}
}

func TestRehashWhenParametersChange(t *testing.T) {
	h, _ := HashPassword("x")
	changed := strings.Replace(h, "t=2", "t=3", 1)
	if _, outdated := VerifyPassword(changed, "x"); !outdated {
		t.Error("a hash with more passes than the current parameters is not re-hashed")
	}
}

type testClock struct{ at time.Time }

func (c *testClock) now() time.Time { return c.at }

func TestAttemptLimitingWithAClock(t *testing.T) {
	d := dbtest.Open(t)
	ctx := context.Background()
	c := &testClock{at: time.Unix(1_800_000_000, 0)}
	a := &Attempts{DB: d, Limits: DefaultLimits, Now: c.now}
	key := LoginKey("login", "Jean.Dupont ")
	if key != LoginKey("login", "jean.dupont") {
		t.Fatal("the account key depends on case or spaces")
	}
	// Three free failures, then 1 s, 2 s, 4 s... waits.
	var waits []time.Duration
	for i := 1; i <= 9; i++ {
		if w, _, _ := a.Wait(ctx, key); w > 0 {
			t.Fatalf("failure %d: still waiting %s", i, w)
		}
		locked, err := a.fail(ctx, key)
		if err != nil || locked {
			t.Fatalf("failure %d: locked=%v err=%v", i, locked, err)
		}
		w, _, _ := a.Wait(ctx, key)
		waits = append(waits, w)
		c.at = c.at.Add(w)
	}
	want := []time.Duration{0, 0, 0, 1, 2, 4, 8, 16, 32}
	for i := range want {
		if waits[i] != want[i]*time.Second {
			t.Fatalf("waits %v, want %v seconds", waits, want)
		}
	}
	// The tenth locks for 15 minutes.
	locked, err := a.fail(ctx, key)
	if err != nil || !locked {
		t.Fatalf("tenth failure: locked=%v err=%v", locked, err)
	}
	w, l, _ := a.Wait(ctx, key)
	if w != 15*time.Minute || !l {
		t.Fatalf("after the lock: wait %s locked %v", w, l)
	}
	c.at = c.at.Add(15 * time.Minute)
	if w, _, _ := a.Wait(ctx, key); w != 0 {
		t.Fatalf("the lock outlived its 15 minutes: %s", w)
	}
	// After a lock, three more tries, then the next lock.
	for i := 1; i <= 3; i++ {
		locked, _ := a.fail(ctx, key)
		if locked != (i == 3) {
			t.Fatalf("try %d after the lock: locked=%v", i, locked)
		}
		w, _, _ := a.Wait(ctx, key)
		c.at = c.at.Add(w)
	}
	// A success clears the account key.
	if err := a.forget(ctx, key); err != nil {
		t.Fatal(err)
	}
	if n, _ := a.Failures(ctx, key); n != 0 {
		t.Fatalf("%d failures after clearing", n)
	}

	// An address is slowed down but never locked, and its wait is capped.
	ip := AddressKey("2001:db8:1:2:3:4:5:6")
	if ip != AddressKey("2001:db8:1:2:ffff::1") {
		t.Fatal("IPv6 addresses of one /64 count apart")
	}
	for i := 0; i < 60; i++ {
		if locked, _ := a.fail(ctx, ip); locked {
			t.Fatal("an address was locked")
		}
	}
	if w, l, _ := a.Wait(ctx, ip); w != time.Minute || l {
		t.Fatalf("address after 60 failures: wait %s locked %v", w, l)
	}
	// Failures are forgotten after an hour without any.
	c.at = c.at.Add(61 * time.Minute)
	a.fail(ctx, ip)
	if n, _ := a.Failures(ctx, ip); n != 1 {
		t.Fatalf("after an hour of quiet, %d failures counted", n)
	}
}

func TestTOTPSecondEnrolmentAndReuse(t *testing.T) {
	d := dbtest.Open(t)
	ctx := context.Background()
	pid := createPerson(t, d)
	c := &testClock{at: time.Unix(1_800_000_000, 0)}
	f := &Factors{DB: d, Now: c.now, Sealer: testSealer(t, d)}
	secret, err := f.startTOTP(ctx, pid)
	if err != nil {
		t.Fatal(err)
	}
	again, err := f.startTOTP(ctx, pid)
	if !errors.Is(err, ErrEnrolmentPending) || again != secret {
		t.Fatalf("second enrolment while one is pending: %v, same secret %v", err, again == secret)
	}
	if _, err := f.confirmTOTP(ctx, pid, "000000", false); !errors.Is(err, ErrBadCode) {
		t.Fatalf("wrong code confirmed: %v", err)
	}
	code, _ := TOTPCode(secret, c.at)
	codes, err := f.confirmTOTP(ctx, pid, code, false)
	if err != nil || len(codes) != 10 {
		t.Fatalf("confirm: %d codes, %v", len(codes), err)
	}
	if err := f.verifyTOTP(ctx, pid, code); !errors.Is(err, ErrBadCode) {
		t.Fatalf("the enrolment code was accepted again: %v", err)
	}
	if _, err := f.startTOTP(ctx, pid); !errors.Is(err, ErrAlreadyEnrolled) {
		t.Fatalf("enrolment over a confirmed app: %v", err)
	}
	c.at = c.at.Add(30 * time.Second)
	next, _ := TOTPCode(secret, c.at)
	if err := f.verifyTOTP(ctx, pid, next); err != nil {
		t.Fatalf("next code refused: %v", err)
	}
	prev, _ := TOTPCode(secret, c.at.Add(-30*time.Second))
	if err := f.verifyTOTP(ctx, pid, prev); !errors.Is(err, ErrBadCode) {
		t.Fatal("an older code was accepted after a newer one")
	}
	if err := f.useRecoveryCode(ctx, pid, strings.ToUpper(codes[3])); err != nil {
		t.Fatalf("recovery code typed in capitals: %v", err)
	}
	if err := f.useRecoveryCode(ctx, pid, codes[3]); !errors.Is(err, ErrBadCode) {
		t.Fatal("a recovery code worked twice")
	}
	en, _ := f.enrolledOf(ctx, d, pid)
	if !en.TOTP || en.RecoveryCodes != 9 {
		t.Fatalf("enrolled %+v", en)
	}
}

func TestSweepRemovesLeftovers(t *testing.T) {
	d := dbtest.Open(t)
	ctx := context.Background()
	pid := createPerson(t, d)
	c := &testClock{at: time.Unix(1_800_000_000, 0)}
	a := &Attempts{DB: d, Limits: DefaultLimits, Now: c.now}
	s := &Sessions{DB: d, Idle: time.Hour, Absolute: 12 * time.Hour, Now: c.now}
	a.fail(ctx, "login:x")
	a.rememberDevice(ctx, "", pid)
	c.at = c.at.Add(2 * 24 * time.Hour)
	if _, err := s.DeleteExpired(ctx); err != nil {
		t.Fatal(err)
	}
	if n, _ := a.Failures(ctx, "login:x"); n != 0 {
		t.Error("an old attempt counter survived the sweep")
	}
	var devices int
	d.QueryRow(ctx, `SELECT COUNT(*) FROM known_devices`).Scan(&devices)
	if devices != 1 {
		t.Errorf("%d known devices after two days, want 1 (they last a year)", devices)
	}
}
