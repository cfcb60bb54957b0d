package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"strings"
	"time"

	"cartable/internal/directory"
	"cartable/internal/i18n"
)

//go:embed templates/*.html
var templateFiles embed.FS

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

func staticHandler() http.Handler {
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

// page is what every template receives.
type page struct {
	Lang      string
	Title     string // a catalog key
	TitleArg  string // optional argument of the title
	Me        *directory.Person
	Profile   string
	CSRF      string
	Static    string // version of static files
	Path      string
	Data      any
	Languages []string
}

type pages map[string]*template.Template

var funcs = template.FuncMap{
	"t":        func(lang, key string, args ...any) string { return i18n.T(lang, key, args...) },
	"n":        func(lang, key string, n int) string { return i18n.N(lang, key, n) },
	"join":     strings.Join,
	"longdate": longDate,
	// pair passes two values to a sub-template.
	"pair": func(a, b any) struct{ A, B any } { return struct{ A, B any }{a, b} },
}

var (
	frDays   = []string{"dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"}
	frMonths = []string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"}
)

// longDate writes "samedi 28 novembre 2026" or "Saturday 28 November 2026".
func longDate(lang string, t time.Time) string {
	if lang == "fr" {
		return fmt.Sprintf("%s %d %s %d", frDays[t.Weekday()], t.Day(), frMonths[t.Month()-1], t.Year())
	}
	return t.Format("Monday 2 January 2006")
}

// loadPages parses each page template together with the layout.
func loadPages() (pages, error) {
	entries, err := fs.ReadDir(templateFiles, "templates")
	if err != nil {
		return nil, err
	}
	// Every page is parsed with the layout and the shared partials
	// (partial-*.html), which are not pages themselves.
	out := pages{}
	for _, e := range entries {
		name := strings.TrimSuffix(e.Name(), ".html")
		if name == "layout" || strings.HasPrefix(name, "partial-") {
			continue
		}
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFiles, "templates/layout.html", "templates/partial-*.html", "templates/"+e.Name())
		if err != nil {
			return nil, err
		}
		out[name] = t
	}
	return out, nil
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

// render executes a page into a buffer first, so that a template error
// becomes a clean 500 rather than half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name, title string, data any) {
	p := page{Lang: langOf(r), Title: title, Static: staticVersion, Path: r.URL.Path, Data: data, Languages: i18n.Languages}
	if cur := currentOf(r); cur != nil {
		p.CSRF = csrfToken(cur.token)
		p.Profile = cur.viewer.Profile
		p.Me = &cur.me
	}
	t, ok := s.pages[name]
	if !ok {
		s.serverError(w, r, errUnknownPage(name))
		return
	}
	buf := getBuf()
	defer putBuf(buf)
	if err := t.Execute(buf, p); err != nil {
		s.serverError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

type errUnknownPage string

func (e errUnknownPage) Error() string { return "unknown page template " + string(e) }

func (s *Server) serverError(w http.ResponseWriter, r *http.Request, err error) {
	s.Log.Error("request failed", "route", r.Pattern, "err", err.Error())
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusInternalServerError)
	w.Write([]byte(i18n.T(langOf(r), "error.internal") + "\n"))
}

type errorData struct{ Message string }

func (s *Server) renderError(w http.ResponseWriter, r *http.Request, status int, key string) {
	s.render(w, r, status, "error", "error.title", errorData{Message: key})
}

func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	s.renderError(w, r, http.StatusNotFound, "error.notfound")
}
