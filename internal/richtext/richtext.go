// Package richtext cleans the small rich text that teachers write (class
// log, homework): an allow-list of formatting tags, links to http(s) and
// mailto only, everything else reduced to its text. Input carrying active
// content (scripts, event handlers, javascript: links, embedded frames or
// forms) is not silently "fixed": Clean reports it, so that the form can
// refuse it with a clear message and keep what was typed.
package richtext

import (
	"fmt"
	"html"
	"net/url"
	"strings"

	xhtml "golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// MaxBytes bounds the input.
const MaxBytes = 50 << 10

// Finding is active content found in the input.
type Finding struct {
	Kind   string // script, event-handler, dangerous-link, embedded, too-long
	Detail string // the tag or attribute, e.g. "<script>", "onclick"
}

func (f Finding) String() string { return f.Kind + " " + f.Detail }

// allowed tags; void ones have no closing tag.
var allowed = map[atom.Atom]bool{
	atom.P: true, atom.Br: true, atom.Strong: true, atom.B: true, atom.Em: true, atom.I: true, atom.U: true,
	atom.S: true, atom.Sub: true, atom.Sup: true, atom.Ul: true, atom.Ol: true, atom.Li: true,
	atom.Blockquote: true, atom.Code: true, atom.Pre: true, atom.H3: true, atom.H4: true, atom.A: true, atom.Hr: true,
}

var void = map[atom.Atom]bool{atom.Br: true, atom.Hr: true}

// Tags whose content is not text for a reader: dropped whole, and reported.
var active = map[string]bool{
	"script": true, "iframe": true, "frame": true, "frameset": true, "object": true, "embed": true, "applet": true,
	"form": true, "input": true, "button": true, "textarea": true, "select": true, "base": true, "meta": true,
	"link": true, "svg": true, "math": true,
}

// Tags dropped whole without complaint: their content is not prose.
var silent = map[string]bool{"style": true, "noscript": true, "template": true, "title": true, "head": true}

// Clean returns the sanitised HTML of s and what active content it held.
// Text without any tag is taken as plain text: blank lines make
// paragraphs, single line breaks stay. When findings are returned the
// caller should refuse the input; the cleaned text is still safe.
func Clean(s string) (string, []Finding) {
	if len(s) > MaxBytes {
		return "", []Finding{{Kind: "too-long", Detail: fmt.Sprint(MaxBytes)}}
	}
	s = newlines(s)
	if strings.TrimSpace(s) == "" {
		return "", nil
	}
	if !strings.Contains(s, "<") {
		return plain(s), nil
	}
	return sanitize(s)
}

// Sanitize returns the sanitised HTML of h, always read as HTML: what a
// page shows of rich text already stored (Clean's output, or a row written
// around it), escaped exactly once. Clean would read stored HTML without
// tags ("Tom &amp; Jerry") as plain text and escape it a second time.
func Sanitize(h string) string {
	out, _ := sanitize(newlines(h))
	return out
}

// newlines makes every line end "\n", as HTML reads "\r\n" and "\r".
func newlines(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
}

// sanitize is Clean for HTML input.
func sanitize(s string) (string, []Finding) {
	var findings []Finding
	var b strings.Builder
	var open []atom.Atom
	skip := 0 // depth inside a dropped element
	var skipName string
	z := xhtml.NewTokenizer(strings.NewReader(s))
	for {
		tt := z.Next()
		if tt == xhtml.ErrorToken {
			break // io.EOF, or input the tokenizer gives up on: what came before is kept
		}
		tok := z.Token()
		name := strings.ToLower(tok.Data)
		if skip > 0 {
			switch {
			case tt == xhtml.StartTagToken && name == skipName:
				skip++
			case tt == xhtml.EndTagToken && name == skipName:
				skip--
			}
			continue
		}
		switch tt {
		case xhtml.TextToken:
			b.WriteString(html.EscapeString(tok.Data))
		case xhtml.StartTagToken, xhtml.SelfClosingTagToken:
			for _, a := range tok.Attr {
				k := strings.ToLower(a.Key)
				if strings.HasPrefix(k, "on") {
					findings = append(findings, Finding{Kind: "event-handler", Detail: k})
				}
				if (k == "href" || k == "src" || k == "action" || k == "formaction" || k == "xlink:href") && dangerousURL(a.Val) {
					findings = append(findings, Finding{Kind: "dangerous-link", Detail: k})
				}
			}
			if active[name] {
				kind := "embedded"
				if name == "script" {
					kind = "script"
				}
				findings = append(findings, Finding{Kind: kind, Detail: "<" + name + ">"})
				if tt == xhtml.StartTagToken && name != "input" && name != "base" && name != "meta" && name != "link" {
					skip, skipName = 1, name
				}
				continue
			}
			if silent[name] {
				if tt == xhtml.StartTagToken {
					skip, skipName = 1, name
				}
				continue
			}
			if !allowed[tok.DataAtom] {
				continue // unknown formatting: keep the text only
			}
			if tok.DataAtom == atom.A {
				href := ""
				for _, a := range tok.Attr {
					if strings.ToLower(a.Key) == "href" && safeURL(a.Val) {
						href = a.Val
					}
				}
				if href == "" {
					continue // a link without a safe target is only its text
				}
				fmt.Fprintf(&b, `<a href="%s" rel="noopener noreferrer nofollow">`, html.EscapeString(href))
			} else {
				b.WriteString("<" + tok.DataAtom.String() + ">")
			}
			if !void[tok.DataAtom] {
				if tt == xhtml.SelfClosingTagToken {
					b.WriteString("</" + tok.DataAtom.String() + ">")
				} else {
					open = append(open, tok.DataAtom)
				}
			}
		case xhtml.EndTagToken:
			if !allowed[tok.DataAtom] || void[tok.DataAtom] {
				continue
			}
			// Close up to the matching open tag; a stray end tag is ignored.
			for i := len(open) - 1; i >= 0; i-- {
				if open[i] == tok.DataAtom {
					for j := len(open) - 1; j >= i; j-- {
						b.WriteString("</" + open[j].String() + ">")
					}
					open = open[:i]
					break
				}
			}
		}
	}
	for j := len(open) - 1; j >= 0; j-- {
		b.WriteString("</" + open[j].String() + ">")
	}
	return strings.TrimSpace(b.String()), findings
}

// plain turns text into paragraphs.
func plain(s string) string {
	var b strings.Builder
	for _, para := range strings.Split(strings.TrimSpace(s), "\n\n") {
		para = strings.TrimSpace(para)
		if para == "" {
			continue
		}
		lines := strings.Split(para, "\n")
		for i := range lines {
			lines[i] = html.EscapeString(strings.TrimSpace(lines[i]))
		}
		b.WriteString("<p>" + strings.Join(lines, "<br>") + "</p>")
	}
	return b.String()
}

func safeURL(v string) bool {
	u, err := url.Parse(strings.TrimSpace(v))
	if err != nil {
		return false
	}
	switch strings.ToLower(u.Scheme) {
	case "http", "https":
		return u.Host != ""
	case "mailto":
		return true
	}
	return false
}

// dangerousURL spots script-carrying schemes, however they are disguised
// with case, spaces or control characters.
func dangerousURL(v string) bool {
	var b strings.Builder
	for _, r := range strings.ToLower(v) {
		if r > ' ' {
			b.WriteRune(r)
		}
	}
	s := b.String()
	return strings.HasPrefix(s, "javascript:") || strings.HasPrefix(s, "vbscript:") || strings.HasPrefix(s, "data:")
}

// Text returns the text of sanitised HTML without tags, for places that
// take plain text (calendar feeds, titles).
func Text(h string) string {
	z := xhtml.NewTokenizer(strings.NewReader(h))
	var b strings.Builder
	for {
		tt := z.Next()
		if tt == xhtml.ErrorToken {
			break
		}
		tok := z.Token()
		switch tt {
		case xhtml.TextToken:
			b.WriteString(tok.Data)
		case xhtml.StartTagToken, xhtml.SelfClosingTagToken:
			if tok.DataAtom == atom.Br || tok.DataAtom == atom.Li {
				b.WriteString("\n")
			}
		case xhtml.EndTagToken:
			if tok.DataAtom == atom.P {
				b.WriteString("\n")
			}
		}
	}
	var lines []string
	for _, l := range strings.Split(b.String(), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
		}
	}
	return strings.Join(lines, "\n")
}

// Source returns sanitised HTML as its author edits it again in a form's
// text box, where the page escapes it once more: the text as typed when it
// is plain paragraphs (what Clean makes of text without tags), else the
// HTML with its text written back as typed, "&" and "<" escaped only where
// they would be read as markup. Clean(Source(h)) is h (but see below), and
// the author never sees "&amp;" for the "&" they typed.
//
// HTML without any tag (what Clean keeps of "a < b", or of text in unknown
// tags) comes back as its text when Clean reads that text back to it, else
// as one paragraph, so that Clean reads it as HTML again: Clean(Source(h))
// is then "<p>" + h + "</p>", shown the same.
func Source(h string) string {
	h = Sanitize(h) // a row written around Clean gets no markup back
	if p, ok := plainSource(h); ok {
		return p
	}
	if !strings.Contains(h, "<") {
		text := xhtml.UnescapeString(h)
		if back, findings := Clean(text); back == h && len(findings) == 0 {
			return text
		}
		return "<p>" + sourceText(text) + "</p>"
	}
	z := xhtml.NewTokenizer(strings.NewReader(h))
	var b strings.Builder
	for {
		tt := z.Next()
		if tt == xhtml.ErrorToken {
			break
		}
		if tt == xhtml.TextToken {
			b.WriteString(sourceText(z.Token().Data))
			continue
		}
		b.Write(z.Raw()) // Clean's own tags and escaped attributes
	}
	return b.String()
}

// plainSource gives back the text of HTML made only of paragraphs and line
// breaks, when Clean would turn that text into the very same HTML.
func plainSource(h string) (string, bool) {
	if h == "" {
		return "", true
	}
	z := xhtml.NewTokenizer(strings.NewReader(h))
	var paras []string
	var para, line strings.Builder
	in := false
	for {
		tt := z.Next()
		if tt == xhtml.ErrorToken {
			break
		}
		tok := z.Token()
		switch {
		case tt == xhtml.StartTagToken && tok.DataAtom == atom.P && !in:
			in = true
			para.Reset()
			line.Reset()
		case tt == xhtml.StartTagToken && tok.DataAtom == atom.Br && in:
			para.WriteString(line.String() + "\n")
			line.Reset()
		case tt == xhtml.EndTagToken && tok.DataAtom == atom.P && in:
			para.WriteString(line.String())
			paras = append(paras, para.String())
			in = false
		case tt == xhtml.TextToken && in:
			line.WriteString(tok.Data)
		default:
			return "", false
		}
	}
	s := strings.Join(paras, "\n\n")
	if in || strings.Contains(s, "<") || plain(s) != h {
		return "", false
	}
	return s, true
}

// sourceText writes text for an HTML source, escaping "<" only where it
// would open a tag, a comment or a declaration, and "&" only where it
// would start a character reference.
func sourceText(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '<' && i+1 < len(s) && opensMarkup(s[i+1]):
			b.WriteString("&lt;")
		case c == '&':
			rest := s[i:]
			if j := strings.IndexByte(rest[1:], '&'); j >= 0 {
				rest = rest[:j+1]
			}
			if xhtml.UnescapeString(rest) != rest {
				b.WriteString("&amp;")
			} else {
				b.WriteByte('&')
			}
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// opensMarkup tells whether c after "<" starts markup for an HTML tokenizer.
func opensMarkup(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '/' || c == '!' || c == '?'
}
