package main_test

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"cartable/internal/db"
	"cartable/internal/dbtest"
)

var binary string

// TestMain builds the real binary once; the tests run it as an operator would.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "cartable-bin-")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "cartable")
	build := exec.Command("go", "build", "-o", binary, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		os.Stderr.Write(out)
		panic(err)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// run executes the binary with a clean CARTABLE_* environment.
func run(t *testing.T, args ...string) (string, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, args...)
	cmd.Env = cleanEnv()
	out, err := cmd.CombinedOutput()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return string(out), code
}

func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "CARTABLE_") {
			env = append(env, kv)
		}
	}
	return env
}

// oneLineError checks a refusal: non-zero exit, a single line naming want.
func oneLineError(t *testing.T, out string, code int, want string) {
	t.Helper()
	if code == 0 {
		t.Fatalf("exit code 0, output %q", out)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 1 || !strings.Contains(lines[0], want) {
		t.Fatalf("want one line containing %q, got %q", want, out)
	}
}

func freePort(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

func TestVersionAndMigrate(t *testing.T) {
	out, code := run(t, "version")
	if code != 0 || !strings.HasPrefix(out, "cartable ") {
		t.Fatalf("version: %d %q", code, out)
	}
	data := t.TempDir()
	out, code = run(t, "migrate", "--data", data)
	if code != 0 || !strings.Contains(out, "applied migrations") {
		t.Fatalf("first migrate: %d %q", code, out)
	}
	out, code = run(t, "migrate", "--data", data)
	if code != 0 || !strings.Contains(out, "up to date") {
		t.Fatalf("second migrate: %d %q", code, out)
	}
}

func TestBadInputIsOneLineAndChangesNothing(t *testing.T) {
	t.Run("unknown database scheme", func(t *testing.T) {
		out, code := run(t, "serve", "--data", t.TempDir(), "--database", "mysql://localhost/x", "--listen", freePort(t))
		oneLineError(t, out, code, "unsupported URL scheme")
	})
	t.Run("unreachable PostgreSQL", func(t *testing.T) {
		out, code := run(t, "migrate", "--data", t.TempDir(), "--database", "postgres://nobody@127.0.0.1:1/none?connect_timeout=2")
		oneLineError(t, out, code, "cannot reach PostgreSQL")
	})
	t.Run("data directory is a file", func(t *testing.T) {
		f := filepath.Join(t.TempDir(), "file")
		os.WriteFile(f, []byte("x"), 0o600)
		out, code := run(t, "serve", "--data", filepath.Join(f, "sub"), "--listen", freePort(t))
		oneLineError(t, out, code, "data directory")
	})
	t.Run("bad duration in the environment", func(t *testing.T) {
		cmd := exec.Command(binary, "migrate", "--data", t.TempDir())
		cmd.Env = append(cleanEnv(), "CARTABLE_SESSION_IDLE=soon")
		out, _ := cmd.CombinedOutput()
		oneLineError(t, string(out), cmd.ProcessState.ExitCode(), "CARTABLE_SESSION_IDLE")
	})
	t.Run("port already taken", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		data := t.TempDir()
		out, code := run(t, "serve", "--data", data, "--listen", ln.Addr().String())
		oneLineError(t, out, code, "cannot listen on "+ln.Addr().String())
		if _, err := os.Stat(filepath.Join(data, "cartable.db")); err == nil {
			t.Error("a database was created although the server could not start")
		}
	})
	t.Run("schema newer than the binary", func(t *testing.T) {
		data := t.TempDir()
		if _, code := run(t, "migrate", "--data", data); code != 0 {
			t.Fatal("migrate failed")
		}
		ctx := context.Background()
		d, err := db.Open(ctx, filepath.Join(data, "cartable.db"))
		if err != nil {
			t.Fatal(err)
		}
		future := db.LatestVersion() + 1
		d.Exec(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, 'future', 0)`, future)
		d.Close()
		out, code := run(t, "serve", "--data", data, "--listen", freePort(t))
		oneLineError(t, out, code, "newer than this binary")
	})
	t.Run("unknown command and flag", func(t *testing.T) {
		if _, code := run(t, "frobnicate"); code != 2 {
			t.Errorf("unknown command: exit %d", code)
		}
		if _, code := run(t, "serve", "--no-such-flag"); code != 2 {
			t.Errorf("unknown flag: exit %d", code)
		}
	})
}

// TestDemoServesAndStops runs `cartable demo` on the engine under test,
// reads its accounts file, signs in over HTTP and stops it gracefully.
func TestDemoServesAndStops(t *testing.T) {
	data := t.TempDir()
	accounts := filepath.Join(data, "accounts.json")
	addr := freePort(t)
	args := []string{"demo", "--data", data, "--listen", addr, "--students", "48", "--accounts", accounts,
		"--database", dbtest.URL(t)}
	cmd := exec.Command(binary, args...)
	cmd.Env = cleanEnv()
	stdout, _ := cmd.StdoutPipe()
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	sc := bufio.NewScanner(stdout)
	var printed strings.Builder
	for sc.Scan() {
		printed.WriteString(sc.Text() + "\n")
		if strings.Contains(sc.Text(), "accounts are listed in") {
			break
		}
	}
	go func() {
		for sc.Scan() {
		}
	}()
	// The demo names itself localhost, where passkeys work (not 127.0.0.1).
	_, port, _ := net.SplitHostPort(addr)
	for _, want := range []string{"Cartable demo: http://localhost:" + port + " ", "demo-cartable-2026", "admin"} {
		if !strings.Contains(printed.String(), want) {
			t.Errorf("demo output lacks %q:\n%s", want, printed.String())
		}
	}
	var list []map[string]any
	b, err := os.ReadFile(accounts)
	if err != nil || json.Unmarshal(b, &list) != nil || len(list) < 100 {
		t.Fatalf("accounts file: %v, %d accounts", err, len(list))
	}
	profiles := map[string]bool{}
	for _, a := range list {
		for _, k := range []string{"login", "password", "profile", "name", "establishment"} {
			if s, _ := a[k].(string); s == "" {
				t.Fatalf("account without %s: %v", k, a)
			}
		}
		profiles[a["profile"].(string)] = true
		if a["profile"] == "relative" && a["children"] == nil {
			t.Errorf("relative without children: %v", a["login"])
		}
	}
	if len(profiles) != 5 {
		t.Errorf("profiles in the accounts file: %v", profiles)
	}
	resp, err := http.Get("http://localhost:" + port + "/readyz")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("readyz: %v", err)
	}
	resp.Body.Close()
	// Reached by its name, the demo offers passkeys on the account page; by
	// its address, it says why it does not (WebAuthn refuses addresses).
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err = client.PostForm("http://"+addr+"/sign-in", url.Values{"login": {"admin"}, "password": {"demo-cartable-2026"}})
	if err != nil || resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-in: %v", err)
	}
	resp.Body.Close()
	cookies := resp.Cookies()
	for host, offered := range map[string]bool{"localhost:" + port: true, addr: false} {
		req, _ := http.NewRequest("GET", "http://"+host+"/account", nil)
		for _, c := range cookies {
			req.AddCookie(c)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		form := strings.Contains(string(body), `data-passkey="register"`)
		note := strings.Contains(string(body), `<p class="note passkey-address">`)
		if resp.StatusCode != 200 || form != offered || note == offered {
			t.Errorf("account page at %s: %d, passkey form %v, note shown %v", host, resp.StatusCode, form, note)
		}
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("graceful stop: %v", err)
	}
}
