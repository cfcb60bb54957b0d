package richtext

import (
	"strings"
	"testing"
)

func TestClean(t *testing.T) {
	cases := []struct{ in, want string }{
		{"Lire le chapitre 3.\n\nFaire l'exercice 2\npage 40", "<p>Lire le chapitre 3.</p><p>Faire l&#39;exercice 2<br>page 40</p>"},
		{"<p>Un <strong>point</strong> <span style=\"color:red\">important</span></p>", "<p>Un <strong>point</strong> important</p>"},
		{"<ul><li>un<li>deux</ul>", "<ul><li>un<li>deux</li></li></ul>"},
		{`<a href="https://example.org/x?a=1&b=2" target="_blank">lien</a>`, `<a href="https://example.org/x?a=1&amp;b=2" rel="noopener noreferrer nofollow">lien</a>`},
		{`<a href="/local">relatif</a>`, `relatif`},
		{"<b>non fermé", "<b>non fermé</b>"},
		{"</em>fermeture seule", "fermeture seule"},
		{"<style>p{}</style><p>texte</p>", "<p>texte</p>"},
		{"a < b et c > d", "a &lt; b et c &gt; d"},
	}
	for _, c := range cases {
		got, f := Clean(c.in)
		if got != c.want || len(f) != 0 {
			t.Errorf("Clean(%q) = %q %v, want %q", c.in, got, f, c.want)
		}
	}
}

func TestCleanReportsActiveContent(t *testing.T) {
	cases := map[string]string{
		`<p>ok</p><script>alert(1)</script>`:                 "script",
		`<SCRIPT SRC=//x.example/a.js></SCRIPT>`:             "script",
		`<img src=x onerror=alert(1)>`:                       "event-handler",
		`<p onclick="steal()">clic</p>`:                      "event-handler",
		`<a href="javascript:alert(1)">x</a>`:                "dangerous-link",
		`<a href=" JaVa&#x09;ScRiPt:alert(1)">x</a>`:         "dangerous-link",
		`<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>`: "dangerous-link",
		`<iframe src="https://x.example"></iframe>`:          "embedded",
		`<svg><script>alert(1)</script></svg>`:               "embedded",
		`<form action="https://x.example"><input></form>`:    "embedded",
	}
	for in, kind := range cases {
		out, f := Clean(in)
		found := false
		for _, x := range f {
			found = found || x.Kind == kind
		}
		if !found {
			t.Errorf("Clean(%q): findings %v, want %s", in, f, kind)
		}
		low := strings.ToLower(out)
		for _, bad := range []string{"<script", "onerror", "onclick", "javascript:", "<iframe", "<svg", "<form", "data:"} {
			if strings.Contains(low, bad) {
				t.Errorf("Clean(%q) kept %q: %q", in, bad, out)
			}
		}
	}
	if _, f := Clean(strings.Repeat("a", MaxBytes+1)); len(f) != 1 || f[0].Kind != "too-long" {
		t.Errorf("too long: %v", f)
	}
}

func TestCleanIsIdempotent(t *testing.T) {
	in := `<p>Un <em>texte</em> <a href="https://example.org">lien</a></p><ul><li>a</li></ul>`
	once, _ := Clean(in)
	twice, _ := Clean(once)
	if once != twice {
		t.Errorf("not stable: %q then %q", once, twice)
	}
	if Text(once) != "Un texte lien\na" {
		t.Errorf("Text: %q", Text(once))
	}
}
