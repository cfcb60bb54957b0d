package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"cartable/internal/auth"
	"cartable/internal/demo"
)

// TestThrottledSignInCountsSecondsByThePluralRule: "patientez 1 seconde",
// never "1 secondes".
func TestThrottledSignInCountsSecondsByThePluralRule(t *testing.T) {
	e := newEnv(t, 30)
	teacher := e.account(func(a demo.Account) bool { return a.Profile == "teacher" })
	b := e.browser()
	key := auth.LoginKey("login", teacher.Login)
	seen := map[string]bool{}
	for i := 0; i < 8 && len(seen) < 2; i++ {
		b.post("/sign-in", url.Values{"login": {teacher.Login}, "password": {"devine"}})
		wait, _, err := e.srv.Auth.Attempts.Wait(context.Background(), key)
		if err != nil {
			t.Fatal(err)
		}
		if wait == 0 {
			continue
		}
		// During the wait even the right password is refused, with the
		// wait in words.
		r := b.post("/sign-in", url.Values{"login": {teacher.Login}, "password": {demo.DefaultPassword}})
		n := int(wait / time.Second)
		want := fmt.Sprintf("patientez %d secondes avant", n)
		if n == 1 {
			want = "patientez 1 seconde avant"
		}
		if r.status != http.StatusTooManyRequests || !strings.Contains(r.body, want) {
			t.Fatalf("wait %s: %d, want %q", wait, r.status, want)
		}
		seen[map[bool]string{true: "one", false: "other"}[n == 1]] = true
		e.clock.Add(wait)
	}
	if len(seen) < 2 {
		t.Errorf("the waits met: %v, want one second and more", seen)
	}
}
