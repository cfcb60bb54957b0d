package provisioning

import (
	"bufio"
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/ianaindex"
)

// Bounds on what one file may make the reader hold, whatever its size:
// encoding/xml keeps a whole token (a text run, a tag with its attributes,
// a comment) in memory, and one element per level of nesting.
const (
	// MaxToken is the longest token accepted: a text run, a tag with its
	// attributes, a comment, a CSV record. Feeds hold short values (a
	// name, an address, a list of codes); 64 KiB is far above any.
	MaxToken = 64 << 10
	// maxDepth is the deepest nesting of elements accepted (feeds nest
	// five or six levels).
	maxDepth = 64
	// maxItems is the most values of one attribute, attributes of one
	// request, or fields of one record, kept from a single record.
	maxItems = 10000
)

// xmlReader streams one XML file, a token at a time, and turns every
// failure into an issue with the file and the line.
//
// Safety: encoding/xml never fetches a DTD nor reads an internal subset's
// declarations, so an external entity can neither be fetched nor expanded;
// a DOCTYPE that declares entities is refused outright, and in strict mode
// a reference to an undeclared entity is an error. No token may be longer
// than MaxToken bytes (the decoder reads through a tokenGuard) and no
// element nest deeper than maxDepth, so a small file that expands to a
// huge text run is refused after 64 KiB, not held whole.
type xmlReader struct {
	d     *xml.Decoder
	g     *tokenGuard
	file  string
	depth int
}

func newXMLReader(r io.Reader, file string) *xmlReader {
	br := bufio.NewReaderSize(r, 64<<10)
	if b, err := br.Peek(3); err == nil && bytes.Equal(b, []byte{0xEF, 0xBB, 0xBF}) {
		br.Discard(3) // a UTF-8 byte order mark
	}
	g := &tokenGuard{r: br, max: MaxToken}
	d := xml.NewDecoder(g)
	d.Strict = true
	d.CharsetReader = charsetReader
	return &xmlReader{d: d, g: g, file: file}
}

// tokenGuard counts the bytes the decoder reads since the last token it
// returned, and fails once they exceed max: the decoder then stops
// growing its buffer. With a declared encoding other than UTF-8 the
// decoder reads ahead through its own buffer (4 KiB), which only adds
// that much to the bound.
type tokenGuard struct {
	r   *bufio.Reader
	n   int
	max int
}

// errTokenTooLong is returned by the guard, then by the decoder.
var errTokenTooLong = errors.New("token too long")

func (g *tokenGuard) ReadByte() (byte, error) {
	if g.n >= g.max {
		return 0, errTokenTooLong
	}
	g.n++
	return g.r.ReadByte()
}

func (g *tokenGuard) Read(b []byte) (int, error) {
	if g.n >= g.max {
		return 0, errTokenTooLong
	}
	if len(b) > g.max-g.n {
		b = b[:g.max-g.n]
	}
	n, err := g.r.Read(b)
	g.n += n
	return n, err
}

// charsetReader decodes the encodings an XML declaration may name
// (ISO-8859-15, Windows-1252…); UTF-8 is read natively.
func charsetReader(label string, in io.Reader) (io.Reader, error) {
	e, err := ianaindex.IANA.Encoding(label)
	if err != nil || e == nil {
		return nil, errUnknownCharset(label)
	}
	return e.NewDecoder().Reader(in), nil
}

type errUnknownCharset string

func (e errUnknownCharset) Error() string { return "unsupported encoding " + string(e) }

func (x *xmlReader) line() int {
	l, _ := x.d.InputPos()
	return l
}

func (x *xmlReader) pos() Pos { return Pos{x.file, x.line()} }

// token returns the next token; an error is a ReadError with a position.
func (x *xmlReader) token() (xml.Token, error) {
	t, err := x.d.Token()
	if err != nil {
		return nil, x.wrap(err)
	}
	x.g.n = 0
	switch t := t.(type) {
	case xml.Directive:
		if bytes.Contains(bytes.ToUpper(t), []byte("ENTITY")) {
			return nil, fail(x.pos(), "xml-entity")
		}
	case xml.StartElement:
		if x.depth++; x.depth > maxDepth {
			return nil, fail(x.pos(), "xml-too-deep", strconv.Itoa(maxDepth))
		}
	case xml.EndElement:
		x.depth--
	}
	return t, nil
}

// tooLong is the issue of a token or a text longer than MaxToken.
func (x *xmlReader) tooLong() error {
	return fail(x.pos(), "xml-too-long", strconv.Itoa(MaxToken>>10))
}

func (x *xmlReader) wrap(err error) error {
	if _, ok := AsReadError(err); ok {
		return err
	}
	if errors.Is(err, errTokenTooLong) {
		return x.tooLong()
	}
	var de damagedEntry
	if errors.As(err, &de) {
		return fail(x.pos(), "file-damaged", de.reason)
	}
	var cs errUnknownCharset
	if errors.As(err, &cs) {
		return fail(Pos{x.file, 1}, "xml-encoding", string(cs))
	}
	if err == io.EOF {
		return fail(x.pos(), "xml-truncated")
	}
	var se *xml.SyntaxError
	if errors.As(err, &se) {
		msg := se.Msg
		if strings.Contains(msg, "invalid UTF-8") {
			return fail(Pos{x.file, se.Line}, "xml-not-utf8")
		}
		if msg == "unexpected EOF" {
			return fail(Pos{x.file, se.Line}, "xml-truncated")
		}
		return fail(Pos{x.file, se.Line}, "xml-syntax", msg)
	}
	return fail(x.pos(), "xml-syntax", err.Error())
}

// root returns the document's root element, skipping the prolog.
func (x *xmlReader) root() (xml.StartElement, error) {
	for {
		t, err := x.token()
		if err != nil {
			return xml.StartElement{}, err
		}
		switch t := t.(type) {
		case xml.StartElement:
			return t, nil
		case xml.CharData:
			if len(bytes.TrimSpace(t)) > 0 {
				return xml.StartElement{}, fail(x.pos(), "xml-syntax", "text before the root element")
			}
		}
	}
}

// children calls f for each child element of the element just opened,
// until that element's end. f must consume the child entirely (with text,
// children or skip). Text between children is ignored.
func (x *xmlReader) children(f func(se xml.StartElement) error) error {
	for {
		t, err := x.token()
		if err != nil {
			return err
		}
		switch t := t.(type) {
		case xml.StartElement:
			if err := f(t); err != nil {
				return err
			}
		case xml.EndElement:
			return nil
		}
	}
}

// text reads the character data of the element just opened, up to its end,
// trimmed. A child element inside is an error.
func (x *xmlReader) text() (string, error) {
	var buf []byte
	for {
		t, err := x.token()
		if err != nil {
			return "", err
		}
		switch t := t.(type) {
		case xml.CharData:
			if len(buf)+len(t) > MaxToken {
				return "", x.tooLong()
			}
			buf = append(buf, t...)
		case xml.StartElement:
			return "", fail(x.pos(), "xml-unexpected", t.Name.Local)
		case xml.EndElement:
			s := strings.TrimSpace(string(buf))
			if !utf8.ValidString(s) {
				return "", fail(x.pos(), "xml-not-utf8")
			}
			return s, nil
		}
	}
}

// skip consumes the element just opened (as Decoder.Skip, through token
// so that every token is bounded).
func (x *xmlReader) skip() error {
	depth := 0
	for {
		t, err := x.token()
		if err != nil {
			return err
		}
		switch t.(type) {
		case xml.StartElement:
			depth++
		case xml.EndElement:
			if depth == 0 {
				return nil
			}
			depth--
		}
	}
}

func attrOf(se xml.StartElement, name string) string {
	for _, a := range se.Attr {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

// ensureRoot checks the root element's name.
func (x *xmlReader) ensureRoot(names ...string) (xml.StartElement, error) {
	root, err := x.root()
	if err != nil {
		return root, err
	}
	for _, n := range names {
		if root.Name.Local == n {
			return root, nil
		}
	}
	return root, fail(x.pos(), "xml-root", root.Name.Local, strings.Join(names, ", "))
}

// walk visits every element under the root (already opened), depth first,
// with its path from the root. f returns true when it consumed the element
// (through its end); otherwise walk goes inside.
func (x *xmlReader) walk(root string, f func(path []string, se xml.StartElement) (bool, error)) error {
	path := []string{root}
	for {
		t, err := x.token()
		if err != nil {
			return err
		}
		switch t := t.(type) {
		case xml.StartElement:
			path = append(path, t.Name.Local)
			done, err := f(path, t)
			if err != nil {
				return err
			}
			if done {
				path = path[:len(path)-1]
			}
		case xml.EndElement:
			path = path[:len(path)-1]
			if len(path) == 0 {
				return nil
			}
		}
	}
}

// flat reads the element just opened as a record: each child's text by
// name (attributes of the element under "@name"). Children that have
// children of their own are skipped.
func (x *xmlReader) flat(se xml.StartElement) (map[string]string, error) {
	rec := map[string]string{}
	for _, a := range se.Attr {
		rec["@"+a.Name.Local] = strings.TrimSpace(a.Value)
	}
	err := x.children(func(c xml.StartElement) error {
		if len(rec) >= maxItems {
			return fail(x.pos(), "xml-too-many-fields", se.Name.Local, strconv.Itoa(maxItems))
		}
		var buf []byte
		for {
			t, err := x.token()
			if err != nil {
				return err
			}
			switch t := t.(type) {
			case xml.CharData:
				if len(buf)+len(t) > MaxToken {
					return x.tooLong()
				}
				buf = append(buf, t...)
			case xml.StartElement:
				if err := x.skip(); err != nil {
					return err
				}
				buf = nil
			case xml.EndElement:
				if s := strings.TrimSpace(string(buf)); s != "" {
					rec[c.Name.Local] = s
				}
				return nil
			}
		}
	})
	return rec, err
}

// pathIs tells whether path ends with the given names.
func pathIs(path []string, names ...string) bool {
	if len(path) < len(names) {
		return false
	}
	tail := path[len(path)-len(names):]
	for i := range names {
		if tail[i] != names[i] {
			return false
		}
	}
	return true
}
