package page

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"maps"
	"net/http"
	"strings"
	"time"

	"cartable/internal/directory"
	"cartable/internal/i18n"
	"cartable/internal/richtext"
	"cartable/internal/timetable"
)

//go:embed templates/*.html
var kitTemplates embed.FS

//go:embed static
var staticFiles embed.FS

// staticVersion changes whenever a static file does, so that static URLs
// can be cached for a year.
var staticVersion = func() string {
	h := sha256.New()
	fs.WalkDir(staticFiles, "static", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, _ := staticFiles.ReadFile(p)
			h.Write([]byte(p))
			h.Write(b)
		}
		return nil
	})
	return hex.EncodeToString(h.Sum(nil))[:12]
}()

// Static serves /static/: the style sheet, the icon and the one script.
func Static() http.Handler {
	fsys, _ := fs.Sub(staticFiles, "static")
	files := http.StripPrefix("/static/", http.FileServerFS(fsys))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/") {
			http.NotFound(w, r)
			return
		}
		if r.URL.Query().Get("v") == staticVersion {
			w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		} else {
			w.Header().Set("Cache-Control", "public, max-age=300")
		}
		files.ServeHTTP(w, r)
	})
}

// Page is what every template receives: the layout's needs, and Data, the
// screen's own.
type Page struct {
	Lang      string
	Title     string // a catalog key
	TitleText string // the page's own title, when its data is Titled
	Me        *directory.Person
	Profile   string
	CSRF      string
	Static    string // version of static files
	Path      string
	Data      any
	Languages []string
	Menu      Menu // the navigation's entries that open for the viewer
}

// Funcs are the template helpers every area has.
var Funcs = template.FuncMap{
	"t":        func(lang, key string, args ...any) string { return i18n.T(lang, key, args...) },
	"n":        func(lang, key string, n int) string { return i18n.N(lang, key, n) },
	"join":     strings.Join,
	"longdate": LongDate,
	// pair passes two values to a sub-template.
	"pair":    func(a, b any) struct{ A, B any } { return struct{ A, B any }{a, b} },
	"hm":      func(t time.Time) string { return t.In(timetable.Paris).Format("15:04") },
	"iso":     func(t time.Time) string { return t.In(timetable.Paris).Format(timetable.DateFormat) },
	"dayname": DayName,
	// Dates are shown only through these, in the reader's language and in
	// Europe/Paris; "iso" is for form values, never for reading.
	// date and shortdate also take a stored ISO day ("2026-09-01").
	"date":      func(lang string, d any) string { return showDay(lang, d, i18n.Date) },
	"shortdate": func(lang string, d any) string { return showDay(lang, d, i18n.ShortDate) },
	"datetime":  i18n.DateTime,
	"isodate": func(lang, s string) string {
		d, err := timetable.ParseDate(s)
		if err != nil {
			return s
		}
		return DayName(lang, d)
	},
	// rich re-cleans stored rich text at display: even a row written
	// around the application cannot carry script into a page. Stored text
	// is HTML already: it is sanitised as HTML and escaped exactly once.
	"rich":  func(s string) template.HTML { return template.HTML(richtext.Sanitize(s)) },
	"plain": richtext.Text,
	"inc":   func(i int) int { return i + 1 },
	"hhmm":  timetable.HHMM,
	"list":  func(xs ...int) []int { return xs },
	"mins":  func(lang string, n int) string { return i18n.N(lang, "tt.minutes", n) },
}

// LongDate writes "lundi 1er février 2027" or "Monday 1 February 2027".
func LongDate(lang string, t time.Time) string { return i18n.LongDate(lang, t) }

// DayName writes "lundi 1er février" / "Monday 1 February", in Paris.
func DayName(lang string, t time.Time) string { return i18n.DayName(lang, t) }

// showDay writes a time.Time or an ISO day with format; anything else
// (an empty or malformed stored day) is shown as it is, never hidden.
func showDay(lang string, d any, format func(string, time.Time) string) string {
	switch v := d.(type) {
	case time.Time:
		return format(lang, v)
	case string:
		if t, err := time.ParseInLocation(timetable.DateFormat, v, timetable.Paris); err == nil {
			return format(lang, t)
		}
		return v
	}
	return fmt.Sprint(d)
}

// Titled is a page's data that names the page itself ("4e B · lundi 1er
// février"): tabs and screen readers then tell two pages apart. A page
// whose data is not Titled gets its catalog title.
type Titled interface {
	PageTitle(lang string) string
}

// Set is an area's pages, each parsed with the layout.
type Set struct {
	k     *Kit
	pages map[string]*template.Template
}

// Parse reads an area's templates: every templates/NAME.html of fsys is a
// page named NAME, parsed with the kit's layout and partials and the
// area's partials (templates/partial-*.html, not pages themselves). extra
// adds helpers of the area's own. A nil fsys gives the kit's own pages
// (the error page).
func (k *Kit) Parse(fsys fs.FS, extra template.FuncMap) (*Set, error) {
	funcs := maps.Clone(Funcs)
	maps.Copy(funcs, extra)
	// The layout and the kit's partials (partial-*.html: forms that several
	// areas show) come with every page.
	base, err := template.New("layout.html").Funcs(funcs).ParseFS(kitTemplates, "templates/layout.html", "templates/partial-*.html")
	if err != nil {
		return nil, err
	}
	set := &Set{k: k, pages: map[string]*template.Template{}}
	src := fsys
	if src == nil {
		src = kitTemplates
	}
	entries, err := fs.ReadDir(src, "templates")
	if err != nil {
		return nil, err
	}
	var partials []string
	if fsys != nil {
		partials, _ = fs.Glob(src, "templates/partial-*.html")
	}
	for _, e := range entries {
		name := strings.TrimSuffix(e.Name(), ".html")
		if name == "layout" || strings.HasPrefix(name, "partial-") || e.IsDir() {
			continue
		}
		t, err := base.Clone()
		if err != nil {
			return nil, err
		}
		if len(partials) > 0 {
			if t, err = t.ParseFS(src, partials...); err != nil {
				return nil, err
			}
		}
		if t, err = t.ParseFS(src, "templates/"+e.Name()); err != nil {
			return nil, err
		}
		set.pages[name] = t
	}
	return set, nil
}

var bufPool = make(chan *bytes.Buffer, 64)

func getBuf() *bytes.Buffer {
	select {
	case b := <-bufPool:
		b.Reset()
		return b
	default:
		return new(bytes.Buffer)
	}
}

func putBuf(b *bytes.Buffer) {
	if b.Cap() > 1<<20 {
		return
	}
	select {
	case bufPool <- b:
	default:
	}
}

// Render executes a page into a buffer first, so that a template error
// becomes a clean 500 rather than half a page.
func (s *Set) Render(w http.ResponseWriter, r *http.Request, status int, name, title string, data any) {
	p := Page{Lang: Lang(r), Title: title, Static: staticVersion, Path: r.URL.Path, Data: data, Languages: i18n.Languages}
	if td, ok := data.(Titled); ok {
		p.TitleText = td.PageTitle(p.Lang)
	}
	if cur := Current(r); cur != nil {
		p.CSRF = CSRFToken(cur.Token)
		p.Profile = cur.Viewer.Profile
		p.Me = &cur.Me
		p.Menu = s.k.menu(r, cur.Viewer)
	}
	t, ok := s.pages[name]
	if !ok {
		s.k.ServerError(w, r, fmt.Errorf("unknown page template %s", name))
		return
	}
	buf := getBuf()
	defer putBuf(buf)
	if err := t.Execute(buf, p); err != nil {
		s.k.ServerError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}
