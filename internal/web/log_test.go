package web_test

import (
	"bytes"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"cartable/internal/demo"
)

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// The request log names the route pattern, never the path's identifiers.
func TestRequestLogNamesTheRoute(t *testing.T) {
	e := newEnv(t, 30)
	var buf lockedBuffer
	e.srv.Log = slog.New(slog.NewJSONHandler(&buf, nil))
	student := e.account(func(a demo.Account) bool { return a.Profile == "student" })
	id := e.person(student.Login).ID
	b := e.signIn(student.Login)
	if r := b.get("/timetable/people/" + id); r.status != 200 {
		t.Fatalf("own timetable: %d", r.status)
	}
	want := `"route":"GET /timetable/people/{id}"`
	deadline := time.Now().Add(2 * time.Second)
	for !strings.Contains(buf.String(), want) && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond) // the line is written once the response is sent
	}
	if got := buf.String(); !strings.Contains(got, want) || strings.Contains(got, id) || strings.Contains(got, student.Login) {
		t.Fatalf("request log:\n%s", got)
	}
}
