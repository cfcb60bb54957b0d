package i18n

import "testing"

func TestSize(t *testing.T) {
	for _, c := range []struct {
		lang string
		n    int64
		want string
	}{
		{"fr", 0, "0 o"}, {"fr", 840, "840 o"}, {"fr", 1024, "1 Ko"}, {"fr", 1025, "2 Ko"}, {"fr", 12 << 10, "12 Ko"},
		{"fr", 3 << 19, "1,5 Mo"}, {"fr", 10 << 20, "10 Mo"}, {"en", 840, "840 B"}, {"en", 3 << 19, "1.5 MB"},
	} {
		if got := Size(c.lang, c.n); got != c.want {
			t.Errorf("Size(%s, %d) = %q, want %q", c.lang, c.n, got, c.want)
		}
	}
}
