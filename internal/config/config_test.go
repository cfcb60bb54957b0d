package config

import "testing"

// The default base URL names a local listener "localhost", where a browser
// accepts passkeys (an IP address is refused as their relying party).
func TestLocalName(t *testing.T) {
	for in, want := range map[string]string{
		"127.0.0.1:8080":   "localhost:8080",
		"[::1]:8140":       "localhost:8140",
		":8080":            "localhost:8080",
		"0.0.0.0:80":       "localhost:80",
		"192.0.2.7:8080":   "192.0.2.7:8080",
		"ent.example:8080": "ent.example:8080",
		"garbage":          "garbage",
	} {
		if got := localName(in); got != want {
			t.Errorf("localName(%q) = %q, want %q", in, got, want)
		}
	}
}
