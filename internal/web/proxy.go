package web

import (
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// fromTrustedProxy takes the client's address from X-Forwarded-For, but
// only when the request comes from a configured reverse proxy: the header
// is read from the right, skipping trusted proxies, and the first address
// that is not one is the client. Anyone else's header is ignored, so a
// client cannot choose the address that attempt limiting counts.
func (s *Server) fromTrustedProxy(next http.Handler) http.Handler {
	if len(s.TrustedProxies) == 0 {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if ip := s.forwardedClient(r); ip != "" {
			r2 := *r
			r2.RemoteAddr = net.JoinHostPort(ip, "0")
			r = &r2
		}
		next.ServeHTTP(w, r)
	})
}

func (s *Server) trusted(a netip.Addr) bool {
	for _, p := range s.TrustedProxies {
		if p.Contains(a.Unmap()) {
			return true
		}
	}
	return false
}

// forwardedClient returns the client address named by trusted proxies, or
// "" to keep the peer address.
func (s *Server) forwardedClient(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return ""
	}
	peer, err := netip.ParseAddr(host)
	if err != nil || !s.trusted(peer) {
		return ""
	}
	var hops []string
	for _, h := range r.Header.Values("X-Forwarded-For") {
		hops = append(hops, strings.Split(h, ",")...)
	}
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			return "" // a malformed hop: trust nothing beyond the peer
		}
		if !s.trusted(a) {
			return a.Unmap().String()
		}
	}
	return ""
}
