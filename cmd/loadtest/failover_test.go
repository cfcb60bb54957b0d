package main

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"cartable/internal/db"
	"cartable/internal/dbtest"
)

// freeAddr is a loopback address nobody listens on (for a replica to
// take).
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func waitReady(t *testing.T, addr string, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		resp, err := http.Get("http://" + addr + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("replica %s not ready after %v", addr, within)
}

// Two `cartable serve` replicas (real processes of the real binary) on
// one PostgreSQL database, their files in an S3-compatible bucket, behind
// the balancer; one is killed (SIGKILL) under a constant load of page
// views. No request is lost: those in flight on the dead replica are GETs,
// tried again on the survivor. No job is done twice.
func TestReplicaKilledUnderLoad(t *testing.T) {
	if !dbtest.Postgres() {
		t.Skip("needs PostgreSQL (" + dbtest.EnvPostgres + ")")
	}
	if testing.Short() {
		t.Skip("builds the binary and runs two replicas")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "cartable")
	build := exec.Command("go", "build", "-o", bin, "../cartable")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	s3h, err := s3Server("cartable")
	if err != nil {
		t.Fatal(err)
	}
	s3srv := httptest.NewServer(s3h)
	defer s3srv.Close()
	storage := "s3://cartable/ent?endpoint=" + strings.TrimPrefix(s3srv.URL, "http://") + "&region=us-east-1&tls=false&path-style=true"
	dbURL := dbtest.URL(t)

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "CARTABLE_") {
			env = append(env, kv)
		}
	}
	env = append(env, "CARTABLE_DATABASE="+dbURL, "CARTABLE_STORAGE="+storage, "CARTABLE_BASE_URL="+base,
		"CARTABLE_TRUSTED_PROXIES=127.0.0.1", "CARTABLE_S3_ACCESS_KEY=LOADTEST", "CARTABLE_S3_SECRET_KEY=loadtest-secret")
	start := func(args ...string) *exec.Cmd {
		c := exec.Command(bin, args...)
		c.Env = env
		if testing.Verbose() {
			c.Stderr = os.Stderr
		}
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Process.Signal(syscall.SIGTERM); c.Wait() })
		return c
	}
	// Replica a makes the demo (24 students) and writes the accounts;
	// replica b gets a's keys, as a second machine would.
	dataA, dataB := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	addrA, addrB := freeAddr(t), freeAddr(t)
	accounts := filepath.Join(dir, "accounts.json")
	start("demo", "--students", "24", "--data", dataA, "--listen", addrA, "--accounts", accounts)
	waitReady(t, addrA, 3*time.Minute)
	if err := os.MkdirAll(filepath.Join(dataB, "keys"), 0o700); err != nil {
		t.Fatal(err)
	}
	keys, _ := filepath.Glob(filepath.Join(dataA, "keys", "*"))
	for _, k := range keys {
		b, err := os.ReadFile(k)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dataB, "keys", filepath.Base(k)), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	replicaB := start("serve", "--data", dataB, "--listen", addrB)
	waitReady(t, addrB, time.Minute)

	bal, err := newBalancer([]string{addrA, addrB})
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	go bal.check(ctx, 200*time.Millisecond)
	proxy := &http.Server{Handler: bal.handler()}
	go proxy.Serve(ln)
	defer proxy.Close()

	var accts []account
	if b, err := os.ReadFile(accounts); err != nil {
		t.Fatal(err)
	} else if err := json.Unmarshal(b, &accts); err != nil {
		t.Fatal(err)
	}
	client := newClient(64)
	var cookies []string
	for _, a := range accts {
		if a.Profile != "student" && a.Profile != "relative" {
			continue
		}
		c, err := signIn(client, base, a)
		if err != nil {
			t.Fatalf("sign-in through the balancer: %v", err)
		}
		cookies = append(cookies, c)
		if len(cookies) == 20 {
			break
		}
	}

	// 100 page views a second for 6 s; replica b killed after 2 s.
	const rate, seconds = 100, 6
	pages := []string{"/", "/timetable", "/homework"}
	var wg sync.WaitGroup
	var ok, lost atomic.Int64
	var mu sync.Mutex
	var errs []string
	killAt := time.Now().Add(2 * time.Second)
	killed := false
	t0 := time.Now()
	for i := range rate * seconds {
		time.Sleep(time.Until(t0.Add(time.Duration(i) * time.Second / rate)))
		if !killed && time.Now().After(killAt) {
			if err := replicaB.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			killed = true
		}
		wg.Go(func() {
			_, err := get(client, base+pages[i%len(pages)], cookies[i%len(cookies)])
			if err != nil {
				lost.Add(1)
				mu.Lock()
				errs = append(errs, err.Error())
				mu.Unlock()
				return
			}
			ok.Add(1)
		})
	}
	wg.Wait()
	replicaB.Wait()
	t.Logf("page views: %d answered, %d lost; balancer: %d forwarded, %d retried on the survivor, %d failed",
		ok.Load(), lost.Load(), bal.forwarded.Load(), bal.retried.Load(), bal.failed.Load())
	if lost.Load() != 0 {
		t.Errorf("%d requests lost across the kill, first: %v", lost.Load(), errs[0])
	}
	if bal.backends[1].up.Load() {
		t.Error("the killed replica is still marked up")
	}

	// Jobs: none attempted twice (nothing here makes a job fail, so a
	// second attempt could only be a job taken over from the killed
	// replica; TestFailoverKilledReplica in internal/jobs shows that
	// case's effect still happens once).
	d, err := db.Open(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var total, done, twice int
	err = d.QueryRow(context.Background(), `SELECT COUNT(*), COALESCE(SUM(CASE WHEN done_at IS NOT NULL THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN attempts > 1 THEN 1 ELSE 0 END), 0) FROM jobs`).Scan(&total, &done, &twice)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("jobs: %d, done %d, attempted twice %d", total, done, twice)
	if twice != 0 {
		t.Errorf("%d jobs attempted twice", twice)
	}
}
