package web_test

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"cartable/internal/demo"
	"cartable/internal/files"
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

type countingReader struct {
	mu     sync.Mutex
	n, max int64
	head   string // sent first
}

func (c *countingReader) Read(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n >= c.max {
		return 0, io.EOF
	}
	k := min(int64(len(p)), c.max-c.n)
	for i := range p[:k] {
		p[i] = 'x'
		if j := c.n + int64(i); j < int64(len(c.head)) {
			p[i] = c.head[j]
		}
	}
	c.n += k
	return int(k), nil
}

func (c *countingReader) read() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n
}

// An anonymous upload to the class log is refused before its body is read.
func TestAnonymousUploadNotRead(t *testing.T) {
	e := newEnv(t, 30)
	body := &countingReader{max: 40 << 20,
		head: "--zzz\r\nContent-Disposition: form-data; name=\"attachment\"; filename=\"a.txt\"\r\nContent-Type: text/plain\r\n\r\n"}
	req, _ := http.NewRequest("POST", e.ts.URL+"/lessons/x/2026-12-01/log", body)
	req.Header.Set("Content-Type", "multipart/form-data; boundary=zzz")
	resp, err := http.DefaultClient.Do(req)
	if err == nil {
		resp.Body.Close()
		if resp.StatusCode < 400 {
			t.Fatalf("anonymous upload: %d", resp.StatusCode)
		}
	}
	if n := body.read(); n > 8<<20 {
		t.Fatalf("the server read %d bytes of an anonymous upload", n)
	}
}

// /readyz says the server is not ready when its file storage fails.
func TestReadyzChecksTheStorage(t *testing.T) {
	e := newEnv(t, 30)
	if r := e.browser().get("/readyz"); r.status != 200 {
		t.Fatalf("readyz: %d %s", r.status, r.body)
	}
	root := filepath.Join(t.TempDir(), "files")
	if err := os.WriteFile(root, []byte("not a directory"), 0o600); err != nil {
		t.Fatal(err)
	}
	broken, err := files.New(files.Dir{Root: root}, make([]byte, 32))
	if err != nil {
		t.Fatal(err)
	}
	e.srv.Files = broken
	if r := e.browser().get("/readyz"); r.status != http.StatusServiceUnavailable || !strings.Contains(r.body, "file storage") {
		t.Fatalf("readyz with a broken storage: %d %s", r.status, r.body)
	}
}
