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

// Source gives back what the author typed, without the entities that the
// page's own escaping would double ("Tom &amp;amp; Jerry" in the page,
// "Tom &amp; Jerry" in the text box), and Clean takes it back to the same
// stored HTML.
func TestSource(t *testing.T) {
	cases := []struct{ in, want string }{
		{"Tom & Jerry", "Tom & Jerry"},
		{"Lire le chapitre 3.\n\nFaire l'exercice 2\npage 40", "Lire le chapitre 3.\n\nFaire l'exercice 2\npage 40"},
		{"Tom & Jerry <b>x</b>", "Tom & Jerry <b>x</b>"},
		{"<p>Tom &amp; Jerry</p>", "Tom & Jerry"},
		{"<p>Un <strong>point</strong> &amp; un autre</p>", "<p>Un <strong>point</strong> & un autre</p>"},
		{"a < b et c > d", "a < b et c > d"},
		{"Tom & Jerry <span>x</span> < 3", "Tom & Jerry x < 3"},
		{"<span>&lt;b&gt; &amp;</span>", "<p>&lt;b> &</p>"},
		{"<b>1 < 2</b> <i>&lt;/i&gt;</i>", "<b>1 < 2</b> <i>&lt;/i></i>"},
		{"<p>&lt;b&gt; n'est pas une balise</p>", "<p>&lt;b> n'est pas une balise</p>"},
		{"<p>a &lt; b</p>", "<p>a < b</p>"},
		{"<i>AT&T &amp;copy &amp;amp; &#38;lt;</i>", "<i>AT&T &amp;copy &amp;amp; &amp;lt;</i>"},
		{`<a href="https://example.org/x?a=1&b=2">lien & co</a>`, `<a href="https://example.org/x?a=1&amp;b=2" rel="noopener noreferrer nofollow">lien & co</a>`},
		{"&amp;", "&amp;"},
		{"", ""},
	}
	for _, c := range cases {
		h, _ := Clean(c.in)
		got := Source(h)
		if got != c.want {
			t.Errorf("Source(Clean(%q)) = %q, want %q", c.in, got, c.want)
		}
		if back, f := Clean(got); !sameShown(back, h) || len(f) != 0 {
			t.Errorf("Clean(Source(%q)) = %q %v, want %q", h, back, f, h)
		}
	}
	// A row written around Clean gets its script back neither in the page
	// nor in the text box.
	if got := Source(`<p>ok</p><script>alert(1)</script><img src=x onerror=alert(2)>`); strings.Contains(got, "script") || strings.Contains(got, "onerror") {
		t.Errorf("Source kept active content: %q", got)
	}
}

// Whatever was typed, the text box shows a source that Clean turns back
// into the very HTML stored.
func FuzzSourceRoundTrip(f *testing.F) {
	for _, s := range []string{"Tom & Jerry", "<b>x</b> & <i>y</i>", "a < b\n\nc &amp; d", "&copyright &#x26; &#", "<p> a </p><p></p>",
		"<ul><li>un<li>deux</ul>", "<pre>  code\n  &lt;x&gt;</pre>", "l1\nl2\n\n\nl3  ", "x &amp;amp; y", "&lt;p&gt;"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		h, findings := Clean(s)
		if len(findings) > 0 {
			return
		}
		src := Source(h)
		if back, _ := Clean(src); !sameShown(back, h) {
			t.Errorf("Clean(%q) = %q; Source: %q; Clean again: %q", s, h, src, back)
		}
	})
}

// sameShown: Clean(Source(h)) is h, or h without any tag made a paragraph.
func sameShown(back, h string) bool {
	return back == h || !strings.Contains(h, "<") && back == "<p>"+h+"</p>"
}

// Stored HTML is shown as it is: Sanitize never reads it as plain text,
// which would escape its entities a second time.
func TestSanitizeEscapesOnce(t *testing.T) {
	for _, in := range []string{"Tom & Jerry", "a < b et c > d", "Tom & Jerry <span>x</span>", "<b>x</b> & y", "<p>Tom &amp; Jerry</p>"} {
		h, _ := Clean(in)
		if got := Sanitize(h); got != h {
			t.Errorf("Sanitize(Clean(%q)) = %q, want %q", in, got, h)
		}
		if strings.Contains(Sanitize(h), "&amp;amp;") || strings.Contains(Sanitize(h), "&amp;lt;") {
			t.Errorf("Sanitize doubled an entity of %q", h)
		}
	}
	if got := Sanitize(`<p onclick="x()">a</p><script>alert(1)</script>`); got != "<p>a</p>" {
		t.Errorf("Sanitize of active content: %q", got)
	}
}
