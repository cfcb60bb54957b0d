// Command loadtest measures a running Cartable: it signs in many demo
// users, then requests their home pages at a constant rate and reports
// throughput, latency percentiles and bytes per page. Latency is measured
// from the moment each request was due, so a stalled server cannot hide
// its queue (no coordinated omission).
//
//	cartable demo --accounts /tmp/accounts.json &
//	go run ./cmd/loadtest -accounts /tmp/accounts.json -rate 1000 -duration 20s
//	go run ./cmd/loadtest -accounts /tmp/accounts.json -role teacher -rate 500 -duration 10s
//
// -role keeps the users of one profile or staff function (student,
// relative, teacher, cpe, head…), to measure each home page apart.
//
// It only ever talks to the base URL given (loopback by default).
//
// -proxy runs a load balancer over several replicas instead, and -s3 an
// S3-compatible server in memory (proxy.go).
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"html"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

type account struct {
	Login     string   `json:"login"`
	Password  string   `json:"password"`
	Profile   string   `json:"profile"`
	Functions []string `json:"functions"`
}

// is tells whether the account is of a role named on the command line: a
// profile (student, relative, teacher, staff, admin) or a staff function
// (head, deputy, cpe, documentalist, secretary).
func (a account) is(role string) bool {
	return role == "" || a.Profile == role || slices.Contains(a.Functions, role)
}

type result struct {
	latency time.Duration
	bytes   int
	err     error
}

func main() {
	base := flag.String("base", "http://127.0.0.1:8080", "server base URL (must be this machine)")
	accountsFile := flag.String("accounts", "", "accounts JSON written by `cartable demo --accounts`")
	users := flag.Int("users", 300, "number of users to sign in")
	rate := flag.Int("rate", 1000, "requests per second")
	duration := flag.Duration("duration", 20*time.Second, "how long to send requests")
	path := flag.String("path", "/", "page to request for each user")
	follow := flag.String("follow", "", "instead of -path, each user's first link from their home page that starts with this prefix (e.g. /registers/ for a teacher's register of the day); users without one are left out")
	maxInFlight := flag.Int("max-in-flight", 256, "most requests outstanding at once")
	settle := flag.Duration("settle", 5*time.Second, "pause between the sign-ins and the load, so that the server's sign-in work (argon2id) is over")
	saveCookies := flag.String("save-cookies", "", "write the session cookies, one per line, to this file and stop (for wrk)")
	role := flag.String("role", "", "only users of this profile or staff function (student, relative, teacher, cpe, head…); empty: a mix of all")
	scenario := flag.String("scenario", "rate", "rate: sign in, then a constant rate of -path; rush: the 8 a.m. rush (see rush.go)")
	window := flag.Duration("window", time.Minute, "rush: the users arrive spread over this window")
	pages := flag.String("pages", "/,/timetable,/homework", "rush: the pages each user opens after signing in, in order")
	think := flag.Duration("think", 2*time.Second, "rush: the pause between a user's pages (±50 %)")
	spread := flag.Bool("spread", false, "rush: each user connects from an address of their own (127.1.x.y), as from their home")
	proxy := flag.String("proxy", "", "instead of a load, balance this address over -backends (see proxy.go)")
	backends := flag.String("backends", "", "proxy: the replicas, host:port,host:port…")
	health := flag.Duration("health-interval", time.Second, "proxy: how often each backend's /readyz is asked")
	s3 := flag.String("s3", "", "instead of a load, serve an S3-compatible bucket in memory on this address")
	s3Bucket := flag.String("s3-bucket", "cartable", "s3: the bucket's name")
	database := flag.String("database", "", "instead of a load, give a sample of a synthetic region's accounts a password (see sample.go): its database")
	sampleEvery := flag.Int("sample-every", 50, "database: one student or relative in this many")
	writeAccounts := flag.String("write-accounts", "", "database: the accounts file to write")
	flag.Parse()
	if *database != "" {
		if *writeAccounts == "" {
			fmt.Fprintln(os.Stderr, "loadtest: -database needs -write-accounts FILE")
			os.Exit(2)
		}
		if err := givePasswords(*database, *sampleEvery, *writeAccounts); err != nil {
			fmt.Fprintln(os.Stderr, "loadtest:", err)
			os.Exit(1)
		}
		return
	}
	if *proxy != "" || *s3 != "" {
		var err error
		if *proxy != "" {
			err = runProxy(*proxy, *backends, *health)
		} else {
			err = runS3(*s3, *s3Bucket)
		}
		fmt.Fprintln(os.Stderr, "loadtest:", err)
		os.Exit(1)
	}
	if *scenario == "rush" {
		if err := rush(*base, *accountsFile, *role, *users, *window, strings.Split(*pages, ","), *think, *maxInFlight, *spread); err != nil {
			fmt.Fprintln(os.Stderr, "loadtest:", err)
			os.Exit(1)
		}
		return
	}
	if err := run(*base, *accountsFile, *role, *users, *rate, *duration, *path, *follow, *maxInFlight, *saveCookies, *settle); err != nil {
		fmt.Fprintln(os.Stderr, "loadtest:", err)
		os.Exit(1)
	}
}

func run(base, accountsFile, role string, users, rate int, duration time.Duration, path, follow string, maxInFlight int, saveCookies string, settle time.Duration) error {
	accts, err := loadAccounts(base, accountsFile, role)
	if err != nil {
		return err
	}
	if users > len(accts) {
		users = len(accts)
	}
	client := newClient(maxInFlight)

	start := time.Now()
	cookies := make([]string, 0, users)
	paths := make([]string, 0, users) // each user's page: path, or their link found with follow
	profiles := map[string]int{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	sem := make(chan struct{}, 8)
	var signErr atomic.Value
	for _, a := range accts[:users] {
		wg.Add(1)
		sem <- struct{}{}
		go func(a account) {
			defer wg.Done()
			defer func() { <-sem }()
			c, err := signIn(client, base, a)
			if err != nil {
				signErr.Store(fmt.Errorf("sign-in of a %s failed: %v", a.Profile, err))
				return
			}
			p := path
			if follow != "" {
				if p, err = firstLink(client, base, c, follow); err != nil || p == "" {
					return // no such link on their home page: left out
				}
			}
			mu.Lock()
			cookies = append(cookies, c)
			paths = append(paths, p)
			profiles[a.Profile]++
			mu.Unlock()
		}(a)
	}
	wg.Wait()
	if e, ok := signErr.Load().(error); ok {
		return e
	}
	if len(cookies) == 0 {
		return fmt.Errorf("no user has a link starting with %s on their home page", follow)
	}
	fmt.Printf("signed in %d users in %v %v\n", len(cookies), time.Since(start).Round(time.Millisecond), profiles)
	if saveCookies != "" {
		return os.WriteFile(saveCookies, []byte(strings.Join(cookies, "\n")+"\n"), 0o600)
	}
	time.Sleep(settle)

	total := int(duration.Seconds() * float64(rate))
	results := make([]result, total)
	interval := time.Second / time.Duration(rate)
	// A fixed pool of workers takes the requests as they fall due; a
	// request that finds every worker busy is counted as failed rather than
	// delayed, which would hide the server's queue.
	type job struct {
		i   int
		due time.Time
	}
	jobs := make(chan job, maxInFlight)
	var dropped atomic.Int64
	for w := 0; w < maxInFlight; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				n, err := get(client, base+paths[j.i%len(paths)], cookies[j.i%len(cookies)])
				results[j.i] = result{latency: time.Since(j.due), bytes: n, err: err}
			}
		}()
	}
	t0 := time.Now()
	for i := 0; i < total; i++ {
		due := t0.Add(time.Duration(i) * interval)
		if d := time.Until(due); d > 0 {
			time.Sleep(d)
		}
		select {
		case jobs <- job{i, due}:
		default:
			dropped.Add(1)
			results[i] = result{err: errors.New("too many requests in flight")}
		}
	}
	close(jobs)
	wg.Wait()
	elapsed := time.Since(t0)

	var lat []time.Duration
	var bytesSum, maxBytes, failures int
	var firstErr error
	for _, r := range results {
		if r.err != nil {
			failures++
			if firstErr == nil {
				firstErr = r.err
			}
			continue
		}
		lat = append(lat, r.latency)
		bytesSum += r.bytes
		maxBytes = max(maxBytes, r.bytes)
	}
	if len(lat) == 0 {
		return fmt.Errorf("every request failed: %v", firstErr)
	}
	slices.Sort(lat)
	pct := func(p float64) time.Duration { return lat[min(len(lat)-1, int(float64(len(lat))*p))] }
	fmt.Printf("requests: %d in %v → %.0f req/s (target %d/s); failures %d (dropped %d)\n",
		total, elapsed.Round(time.Millisecond), float64(len(lat))/elapsed.Seconds(), rate, failures, dropped.Load())
	fmt.Printf("latency: p50 %v  p90 %v  p99 %v  max %v\n", pct(0.50), pct(0.90), pct(0.99), lat[len(lat)-1])
	fmt.Printf("bytes per page (gzip, body): mean %d, max %d\n", bytesSum/len(lat), maxBytes)
	if firstErr != nil {
		fmt.Printf("first error: %v\n", firstErr)
	}
	return nil
}

// loadAccounts checks that base is this machine and reads the accounts of
// role, shuffled: a mix of profiles, as in the 8 a.m. rush.
func loadAccounts(base, accountsFile, role string) ([]account, error) {
	u, err := url.Parse(base)
	if err != nil {
		return nil, err
	}
	if h := u.Hostname(); h != "127.0.0.1" && h != "localhost" && h != "::1" {
		return nil, fmt.Errorf("refusing to load %s: only this machine may be targeted", h)
	}
	if accountsFile == "" {
		return nil, errors.New("-accounts is required")
	}
	var accts []account
	b, err := os.ReadFile(accountsFile)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(b, &accts); err != nil {
		return nil, fmt.Errorf("%s: %v", accountsFile, err)
	}
	accts = slices.DeleteFunc(accts, func(a account) bool { return !a.is(role) })
	if len(accts) == 0 {
		return nil, fmt.Errorf("no account of role %q in %s", role, accountsFile)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	rng.Shuffle(len(accts), func(i, j int) { accts[i], accts[j] = accts[j], accts[i] })
	return accts, nil
}

func newClient(maxInFlight int) *http.Client {
	tr := &http.Transport{MaxIdleConns: maxInFlight, MaxIdleConnsPerHost: maxInFlight, DisableCompression: true}
	return &http.Client{Transport: tr, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func signIn(client *http.Client, base string, a account) (string, error) {
	form := url.Values{"login": {a.Login}, "password": {a.Password}}
	req, _ := http.NewRequest(http.MethodPost, base+"/sign-in", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", base)
	resp, err := client.Do(req)
	if err != nil {
		return "", err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		return "", fmt.Errorf("status %d", resp.StatusCode)
	}
	for _, c := range resp.Cookies() {
		if c.Value != "" && (c.Name == "cartable" || c.Name == "__Host-cartable") {
			return c.Name + "=" + c.Value, nil
		}
	}
	return "", errors.New("no session cookie")
}

var okMarker = []byte("</html>")

func get(client *http.Client, u, cookie string) (int, error) {
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	req.Header.Set("Cookie", cookie)
	req.Header.Set("Accept-Encoding", "gzip")
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, err
	}
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("status %d", resp.StatusCode)
	}
	if resp.Header.Get("Content-Encoding") != "gzip" && !bytes.Contains(body, okMarker) {
		return 0, errors.New("incomplete page")
	}
	return len(body), nil
}

var hrefRe = regexp.MustCompile(`href="([^"]+)"`)

// firstLink is the first link of the user's home page whose path starts
// with prefix ("" for none).
func firstLink(client *http.Client, base, cookie, prefix string) (string, error) {
	req, _ := http.NewRequest(http.MethodGet, base+"/", nil)
	req.Header.Set("Cookie", cookie)
	resp, err := client.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", err
	}
	for _, m := range hrefRe.FindAllSubmatch(body, -1) {
		if h := html.UnescapeString(string(m[1])); strings.HasPrefix(h, prefix) {
			return h, nil
		}
	}
	return "", nil
}
