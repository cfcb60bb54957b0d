package page

import (
	"net"
	"net/http"
	"net/url"
)

// Passkeys (WebAuthn) work only at a host name: browsers refuse an IP
// address as the relying party, and the server accepts only the base URL's
// origin. A page that would offer them asks the kit first, and says why
// they are not offered rather than offering a ceremony bound to fail.

// PasskeyPlace tells a page whether the browser reached it by an IP
// address, where passkeys cannot work, and which address to use instead.
type PasskeyPlace struct {
	ByAddress bool   // reached by an IP address: do not offer passkeys, say why
	Address   string // the public URL to open instead; "" when it is an address too
}

// PasskeyPlace answers for the request. The request's Host is the
// browser's own, unless a proxy that ends TLS (an https base URL reached
// without TLS) may have rewritten it: the page then offers passkeys and
// the script (static/webauthn.js) checks the browser's host name itself.
func (k *Kit) PasskeyPlace(r *http.Request) PasskeyPlace {
	var p PasskeyPlace
	if u, err := url.Parse(k.BaseURL); err == nil && u.Hostname() != "" && net.ParseIP(u.Hostname()) == nil {
		p.Address = k.BaseURL
	}
	if k.Secure && r.TLS == nil {
		return p
	}
	host := r.Host
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	p.ByAddress = net.ParseIP(host) != nil
	return p
}
