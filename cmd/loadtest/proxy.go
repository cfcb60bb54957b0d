package main

// A small load balancer, to run several `cartable serve` replicas behind
// one address on this machine (issue 14: a replica killed under load):
//
//	go run ./cmd/loadtest -proxy 127.0.0.1:8080 -backends 127.0.0.1:8081,127.0.0.1:8082
//
// Round robin over the backends whose /readyz answers 200 (asked every
// -health-interval). A request is tried on another backend only when that
// cannot do anything twice: the connection was refused (nothing was sent,
// whatever the method), or the backend died while answering a GET or HEAD
// (reading twice changes nothing). A form sent to a replica that died
// mid-request answers 502: the form may have been applied, and only the
// person can tell (the browser's back button keeps what was typed).
//
// And an S3-compatible server in memory, for the replicas' files:
//
//	go run ./cmd/loadtest -s3 127.0.0.1:9000 -s3-bucket cartable

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httputil"
	"strings"
	"sync/atomic"
	"time"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
)

type backend struct {
	host string
	up   atomic.Bool
}

// balancer is the proxy's transport: it chooses the backend of each
// attempt and retries when that is safe.
type balancer struct {
	backends []*backend
	next     atomic.Uint64
	tr       http.RoundTripper
	// Counts, for the report: requests forwarded, attempts retried on
	// another backend, requests answered 502.
	forwarded, retried, failed atomic.Int64
}

// maxReplay is the largest request body kept to be sent again (a form;
// an upload larger than this is never retried).
const maxReplay = 1 << 20

func newBalancer(hosts []string) (*balancer, error) {
	b := &balancer{tr: &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 2 * time.Second}).DialContext,
		MaxIdleConnsPerHost: 256,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
	}}
	for _, h := range hosts {
		h = strings.TrimSpace(h)
		if err := loopback(h); err != nil {
			return nil, err
		}
		be := &backend{host: h}
		be.up.Store(true) // until the first check says otherwise
		b.backends = append(b.backends, be)
	}
	if len(b.backends) == 0 {
		return nil, errors.New("-backends: name at least one host:port")
	}
	return b, nil
}

func loopback(hostport string) error {
	h, _, err := net.SplitHostPort(hostport)
	if err != nil {
		return fmt.Errorf("%q: %v", hostport, err)
	}
	if h != "127.0.0.1" && h != "localhost" && h != "::1" {
		return fmt.Errorf("refusing %s: only this machine may be used", hostport)
	}
	return nil
}

// pick is the next backend in turn that is up and not yet tried; when
// none is up, the next one not tried (a check may be behind).
func (b *balancer) pick(tried map[*backend]bool) *backend {
	n := len(b.backends)
	start := int(b.next.Add(1) % uint64(n))
	var fallback *backend
	for i := range n {
		be := b.backends[(start+i)%n]
		if tried[be] {
			continue
		}
		if be.up.Load() {
			return be
		}
		if fallback == nil {
			fallback = be
		}
	}
	return fallback
}

// check asks every backend's /readyz every interval until ctx ends. A
// backend is taken out after two failed checks in a row (one slow answer
// under load is not a death; a refused connection takes it out at once,
// in RoundTrip) and back in after one good one.
func (b *balancer) check(ctx context.Context, interval time.Duration) {
	c := &http.Client{Timeout: max(interval, 2*time.Second)}
	failures := make([]int, len(b.backends))
	for {
		for i, be := range b.backends {
			resp, err := c.Get("http://" + be.host + "/readyz")
			ok := err == nil && resp.StatusCode == http.StatusOK
			if err == nil {
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
			if ok {
				failures[i] = 0
			} else {
				failures[i]++
			}
			up := ok || (failures[i] < 2 && be.up.Load())
			if be.up.Swap(up) != up {
				log.Printf("backend %s %s", be.host, map[bool]string{true: "up", false: "down"}[up])
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(interval):
		}
	}
}

// notSent tells an error that happened before any byte of the request
// reached the backend: the connection could not be made.
func notSent(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}

func idempotent(method string) bool {
	return method == http.MethodGet || method == http.MethodHead || method == http.MethodOptions
}

func (b *balancer) RoundTrip(req *http.Request) (*http.Response, error) {
	b.forwarded.Add(1)
	var body []byte
	replayable := req.Body == nil || req.Body == http.NoBody
	if !replayable && req.ContentLength >= 0 && req.ContentLength <= maxReplay {
		var err error
		if body, err = io.ReadAll(io.LimitReader(req.Body, maxReplay+1)); err != nil {
			return nil, err
		}
		req.Body.Close()
		replayable = len(body) <= maxReplay
		if !replayable {
			return nil, errors.New("request body longer than announced")
		}
	}
	tried := map[*backend]bool{}
	var lastErr error
	for {
		be := b.pick(tried)
		if be == nil {
			b.failed.Add(1)
			return nil, lastErr
		}
		tried[be] = true
		r := req.Clone(req.Context())
		r.URL.Scheme, r.URL.Host = "http", be.host
		if body != nil {
			r.Body = io.NopCloser(bytes.NewReader(body))
		}
		resp, err := b.tr.RoundTrip(r)
		if err == nil {
			return resp, nil
		}
		lastErr = err
		if req.Context().Err() != nil {
			return nil, err // the client went away
		}
		sent := !notSent(err)
		if !sent {
			be.up.Store(false) // refused: skip it until its check passes
		}
		if !replayable || (sent && !idempotent(req.Method)) {
			b.failed.Add(1)
			return nil, err
		}
		b.retried.Add(1)
	}
}

// handler is the proxy: the client's Host is kept (the replicas check
// that a form's Origin is their own host) and X-Forwarded-For added (set
// the replicas' --trusted-proxies to the proxy's address).
func (b *balancer) handler() http.Handler {
	return &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.Out.URL.Scheme, pr.Out.URL.Host = "http", "backend"
			pr.Out.Host = pr.In.Host
			pr.SetXForwarded()
		},
		Transport: b,
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			w.WriteHeader(http.StatusBadGateway)
		},
		ErrorLog: log.New(io.Discard, "", 0),
	}
}

func runProxy(listen, backends string, interval time.Duration) error {
	if err := loopback(listen); err != nil {
		return err
	}
	b, err := newBalancer(strings.Split(backends, ","))
	if err != nil {
		return err
	}
	go b.check(context.Background(), interval)
	go func() {
		for range time.Tick(10 * time.Second) {
			log.Printf("forwarded %d, retried on another backend %d, failed %d", b.forwarded.Load(), b.retried.Load(), b.failed.Load())
		}
	}()
	log.Printf("balancing %s over %s", listen, backends)
	return http.ListenAndServe(listen, b.handler())
}

// s3Server is an S3-compatible server holding bucket, in memory (every
// object is lost when it stops): enough for replicas on one machine.
func s3Server(bucket string) (http.Handler, error) {
	mem := s3mem.New()
	if err := mem.CreateBucket(bucket); err != nil {
		return nil, err
	}
	return gofakes3.New(mem).Server(), nil
}

func runS3(listen, bucket string) error {
	if err := loopback(listen); err != nil {
		return err
	}
	h, err := s3Server(bucket)
	if err != nil {
		return err
	}
	log.Printf("S3 in memory on %s, bucket %s: --storage 's3://%s/ent?endpoint=%s&region=us-east-1&tls=false&path-style=true' (any keys)", listen, bucket, bucket, listen)
	return http.ListenAndServe(listen, h)
}
