package main

// The 8 a.m. rush: thousands of distinct users arrive within minutes
// (compressed here into -window), each signs in and opens their home,
// timetable and homework pages one after the other, with a short pause
// between pages. Each request is timed from the moment it was due, so a
// server that falls behind shows it in the percentiles. Run it with
// growing -users (or a shorter -window) to find the rate at which the
// pages' p99 stays under 50 ms.

import (
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"net/netip"
	"slices"
	"sync"
	"time"
)

type rushSample struct {
	page    string
	latency time.Duration
	bytes   int
	err     error
}

func rush(base, accountsFile, role string, users int, window time.Duration, pages []string, think time.Duration, maxInFlight int, spread bool) error {
	accts, err := loadAccounts(base, accountsFile, role)
	if err != nil {
		return err
	}
	if users > len(accts) {
		users = len(accts)
	}
	client := newClient(maxInFlight)
	rng := rand.New(rand.NewPCG(8, 0))
	// Arrivals: uniform over the window, in a random order of users.
	type visit struct {
		n     int
		a     account
		at    time.Duration
		pause []time.Duration
	}
	visits := make([]visit, users)
	for i := range visits {
		v := visit{n: i, a: accts[i], at: time.Duration(rng.Int64N(int64(window)))}
		for range pages {
			v.pause = append(v.pause, think/2+time.Duration(rng.Int64N(int64(think)+1)))
		}
		visits[i] = v
	}
	var mu sync.Mutex
	var samples []rushSample
	add := func(s rushSample) { mu.Lock(); samples = append(samples, s); mu.Unlock() }
	sem := make(chan struct{}, maxInFlight)
	var wg sync.WaitGroup
	t0 := time.Now()
	for _, v := range visits {
		wg.Add(1)
		go func(v visit) {
			defer wg.Done()
			due := t0.Add(v.at)
			time.Sleep(time.Until(due))
			client := client
			if spread {
				// Each user from an address of their own (127.1.x.y; all of
				// 127/8 is this machine), as families sign in from their
				// homes: the per-address sign-in limits see one attempt
				// each, not the whole rush from one address.
				var closeIdle func()
				client, closeIdle = clientFrom(netip.AddrFrom4([4]byte{127, 1, byte(v.n / 250), byte(1 + v.n%250)}))
				defer closeIdle()
			}
			sem <- struct{}{}
			cookie, err := signIn(client, base, v.a)
			<-sem
			add(rushSample{page: "sign-in", latency: time.Since(due), err: err})
			if err != nil {
				return
			}
			due = time.Now()
			for i, p := range pages {
				due = due.Add(v.pause[i])
				time.Sleep(time.Until(due))
				sem <- struct{}{}
				n, err := get(client, base+p, cookie)
				<-sem
				add(rushSample{page: p, latency: time.Since(due), bytes: n, err: err})
			}
		}(v)
	}
	wg.Wait()
	elapsed := time.Since(t0)
	report(samples, elapsed, users, window)
	return nil
}

// report prints, per page and for all pages together, the count, the
// failures and the latency percentiles, and the peak rate over one second.
func report(samples []rushSample, elapsed time.Duration, users int, window time.Duration) {
	fmt.Printf("rush: %d users over %v, done in %v\n", users, window, elapsed.Round(time.Millisecond))
	byPage := map[string][]rushSample{}
	var order []string
	for _, s := range samples {
		if _, ok := byPage[s.page]; !ok {
			order = append(order, s.page)
		}
		byPage[s.page] = append(byPage[s.page], s)
	}
	slices.Sort(order)
	line := func(name string, ss []rushSample) {
		var lat []time.Duration
		failed, size := 0, 0
		var firstErr error
		for _, s := range ss {
			if s.err != nil {
				failed++
				if firstErr == nil {
					firstErr = s.err
				}
				continue
			}
			lat = append(lat, s.latency)
			size += s.bytes
		}
		if len(lat) == 0 {
			fmt.Printf("%-12s %6d requests, all failed: %v\n", name, len(ss), firstErr)
			return
		}
		slices.Sort(lat)
		pct := func(p float64) time.Duration {
			return lat[min(len(lat)-1, int(float64(len(lat))*p))].Round(100 * time.Microsecond)
		}
		fmt.Printf("%-12s %6d requests, %d failed  p50 %-8v p90 %-8v p99 %-8v max %-8v %5d B/page\n",
			name, len(ss), failed, pct(.5), pct(.9), pct(.99), lat[len(lat)-1].Round(100*time.Microsecond), size/len(lat))
		if firstErr != nil {
			fmt.Printf("%-12s first error: %v\n", "", firstErr)
		}
	}
	var all []rushSample
	for _, p := range order {
		line(p, byPage[p])
		if p != "sign-in" {
			all = append(all, byPage[p]...)
		}
	}
	line("all pages", all)
	fmt.Printf("offered: %.0f page requests/s and %.1f sign-ins/s over the window (%.0f pages/s over the whole run)\n",
		float64(len(all))/window.Seconds(), float64(len(byPage["sign-in"]))/window.Seconds(), float64(len(all))/elapsed.Seconds())
}

// clientFrom is a client whose connections leave from local (a loopback
// address), and the function that closes them when the user is done.
func clientFrom(local netip.Addr) (*http.Client, func()) {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: local.AsSlice()}, Timeout: 5 * time.Second}
	tr := &http.Transport{DialContext: d.DialContext, MaxIdleConnsPerHost: 2, DisableCompression: true}
	return &http.Client{Transport: tr, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}, tr.CloseIdleConnections
}
