package web_test

import (
	"net/http"
	"strings"
	"testing"

	"cartable/internal/demo"
)

// A family opening « Notes » early in a period sees the last period with
// marks rather than an empty page; the period's own tab still shows it
// empty when asked for.
func TestGradesDefaultToTheLastPeriodWithMarks(t *testing.T) {
	e := newEnv(t, 60)
	student := e.account(func(a demo.Account) bool { return a.Profile == "student" && a.Establishment == demo.MainUAI })
	b := e.signIn(student.Login)
	r := b.get("/grades")
	if r.status != http.StatusOK {
		t.Fatalf("/grades: %d", r.status)
	}
	if strings.Contains(r.body, "Aucune note publiée") {
		t.Fatalf("the default period shows no mark although the demo's first trimester has some: %.600s", r.body[strings.Index(r.body, "<main"):])
	}
	if !strings.Contains(r.body, "Trimestre 1") {
		t.Fatal("no trimester named")
	}
}
