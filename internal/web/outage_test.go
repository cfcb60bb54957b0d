package web_test

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"cartable/internal/access"
	"cartable/internal/db"
	"cartable/internal/dbtest"
	"cartable/internal/demo"
	"cartable/internal/files"
	"cartable/internal/notify"
	"cartable/internal/web"
)

// tcpProxy forwards a loopback port to PostgreSQL, so that a test can cut
// the database away from a running server and bring it back.
type tcpProxy struct {
	t      *testing.T
	addr   string // the proxy's address, kept across restarts
	target string
	mu     sync.Mutex
	ln     net.Listener
	conns  []net.Conn
}

func (p *tcpProxy) start() {
	p.t.Helper()
	addr := p.addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		p.t.Fatal(err)
	}
	p.mu.Lock()
	p.ln, p.addr = ln, ln.Addr().String()
	p.mu.Unlock()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			up, err := net.Dial("tcp", p.target)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, c, up)
			p.mu.Unlock()
			go func() { io.Copy(up, c); up.Close() }()
			go func() { io.Copy(c, up); c.Close() }()
		}
	}()
}

// cut closes the listener and every forwarded connection: the database is
// unreachable, as when its host or the network goes down.
func (p *tcpProxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.ln.Close()
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

// A database that goes away under a running server, and one that takes no
// writes: pages answer 503 with a message that says to retry and that
// nothing was changed, no write is half-applied, and the server recovers
// by itself when the database is back. PostgreSQL only (a region's
// deployment: the database is another host).
func TestDatabaseOutageAnswers503AndRecovers(t *testing.T) {
	if !dbtest.Postgres() {
		t.Skip("the database outage is exercised on PostgreSQL (set " + dbtest.EnvPostgres + ")")
	}
	ctx := context.Background()
	raw := dbtest.URL(t)
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	p := &tcpProxy{t: t, target: u.Host}
	p.start()
	t.Cleanup(p.cut)
	u.Host = p.addr
	d, err := db.Open(ctx, u.String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	if _, err := d.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	var accts []demo.Account
	if err := d.Tx(ctx, func(tx *db.Tx) (err error) {
		accts, err = demo.Generate(ctx, access.System("test"), tx, demo.Options{Seed: 1, Students: 30})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	store, err := files.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	s, err := web.New(web.Options{DB: d, BaseURL: "http://127.0.0.1", Log: slog.New(slog.DiscardHandler), Files: store})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(ts.Close)
	e := &env{t: t, db: d, srv: s, ts: ts, accounts: accts, clock: nil}
	var login string
	for _, a := range accts {
		if a.Profile == "relative" {
			login = a.Login
			break
		}
	}
	b := e.signIn(login)
	if r := b.get("/"); r.status != http.StatusOK {
		t.Fatalf("home before the outage: %d", r.status)
	}
	csrf := b.csrf()

	p.cut()
	for _, path := range []string{"/", "/week", "/sign-in"} {
		r := b.get(path)
		if path == "/sign-in" && r.status == http.StatusOK {
			continue // the sign-in form itself needs no database
		}
		if r.status != http.StatusServiceUnavailable || r.header.Get("Retry-After") == "" || !strings.Contains(r.body, "Rien n'a été modifié") {
			t.Fatalf("GET %s while the database is away: %d %q %.200s", path, r.status, r.header.Get("Retry-After"), r.body)
		}
	}
	if r := b.post("/notifications/read", url.Values{"csrf": {csrf}}); r.status != http.StatusServiceUnavailable {
		t.Fatalf("POST while the database is away: %d %.200s", r.status, r.body)
	}

	p.start() // the database is back: the pool reconnects by itself
	var r response
	for i := 0; i < 5; i++ { // connections broken by the cut are dropped one by one
		if r = b.get("/"); r.status == http.StatusOK {
			break
		}
	}
	if r.status != http.StatusOK {
		t.Fatalf("home after the outage: %d %.200s", r.status, r.body)
	}

	// A database that takes no writes (a standby, maintenance): reading
	// goes on, a write answers 503 and changes nothing.
	ro, err := db.Open(ctx, strings.Replace(u.String(), "?", "?default_transaction_read_only=on&", 1))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ro.Close() })
	s2, err := web.New(web.Options{DB: ro, BaseURL: "http://127.0.0.1", Log: slog.New(slog.DiscardHandler), Files: store})
	if err != nil {
		t.Fatal(err)
	}
	ts2 := httptest.NewServer(s2.Handler())
	t.Cleanup(ts2.Close)
	e2 := &env{t: t, db: ro, srv: s2, ts: ts2, accounts: accts}
	b.e = e2 // the same browser, its session cookie, on the read-only replica
	if r := b.get("/"); r.status != http.StatusOK {
		t.Fatalf("home on a read-only database: %d %.200s", r.status, r.body)
	}
	me := e.person(login)
	if _, err := notify.Queue(ctx, access.System("test"), d, notify.Notice{Establishment: e.query(`SELECT establishment_id FROM memberships WHERE person_id = ?`, me.ID)[0], Recipient: me.ID, Kind: "note", Key: "outage-test", Link: "/"}); err != nil {
		t.Fatal(err)
	}
	unread := `SELECT COUNT(*) FROM notifications WHERE recipient_id = ? AND read_at IS NULL`
	before := e.count(unread, me.ID)
	r = b.post("/notifications/read", url.Values{"csrf": {csrf}})
	if r.status != http.StatusServiceUnavailable || !strings.Contains(r.body, "maintenance") {
		t.Fatalf("a write on a read-only database: %d %.200s", r.status, r.body)
	}
	if after := e.count(unread, me.ID); before != 1 || after != before {
		t.Fatalf("unread notices %d → %d on a read-only database", before, after)
	}
}
