// Package delivery is the page where a person chooses how notices reach
// them outside the workspace (internal/delivery): per category, by
// e-mail at once or in a daily or weekly digest, by push on the devices
// they register, or not; quiet hours; the language of the messages. It
// serves the small script that registers a device for Web Push and the
// service worker that shows its messages; without JavaScript the page
// works and simply offers no push.
package delivery

import (
	"embed"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"cartable/internal/db"
	"cartable/internal/delivery"
	"cartable/internal/i18n"
	"cartable/internal/web/page"
)

//go:embed templates
var templates embed.FS

//go:embed static
var static embed.FS

// Area serves the settings page, the push script and the service worker.
type Area struct {
	kit   *page.Kit
	pages *page.Set
	db    *db.DB
	push  *delivery.Pusher // nil: no Web Push offered
	unsub *delivery.Unsubscriber
}

// New parses the area's templates; push may be nil, and unsub (the
// unsubscribe links of e-mails) too.
func New(kit *page.Kit, d *db.DB, push *delivery.Pusher, unsub *delivery.Unsubscriber) (*Area, error) {
	pages, err := kit.Parse(templates, nil)
	if err != nil {
		return nil, err
	}
	return &Area{kit: kit, pages: pages, db: d, push: push, unsub: unsub}, nil
}

// UnsubscribePattern is the one-click unsubscribe's POST (RFC 8058): the
// mail provider posts it from its own servers, without a session nor a
// form token, so the composer exempts it from the cross-origin check; the
// token in the path is the credential.
const UnsubscribePattern = "POST /notifications/unsubscribe/{token}"

// Routes mounts the page and the push endpoints.
func (a *Area) Routes(mux *http.ServeMux) {
	mux.HandleFunc("GET /notifications/settings", a.kit.SignedIn(a.show))
	mux.HandleFunc("POST /notifications/settings", a.kit.SignedIn(a.save))
	mux.HandleFunc("POST /notifications/devices", a.kit.SignedIn(a.subscribe))
	mux.HandleFunc("POST /notifications/devices/forget", a.kit.SignedIn(a.forget))
	mux.HandleFunc("GET /notifications/unsubscribe/{token}", a.unsubscribeAsk)
	mux.HandleFunc(UnsubscribePattern, a.unsubscribe)
	mux.HandleFunc("GET /notifications/push.js", a.file("static/push.js"))
	mux.HandleFunc("GET /notifications/sw.js", a.file("static/sw.js"))
}

// Row is one category's choices.
type Row struct {
	Category string // its name, in the page's language
	Choices  []Choice
}

// Choice is one select: its name, accessible label and options.
type Choice struct {
	Name    string
	Label   string
	Options []Option
}

// Option is one mode of a select.
type Option struct {
	Value, Label string
	Selected     bool
}

type settingsData struct {
	Rows      []Row
	Lang      string
	Langs     []string
	Quiet     bool
	QuietFrom string
	QuietTo   string
	Hour      int   // the digests' hour
	Hours     []int // those offered
	Devices   int
	PushKey   string // the VAPID public key; "" when push is not offered
	Problem   string // a refused field, explained
	Saved     bool
}

func (settingsData) PageTitle(lang string) string { return i18n.T(lang, "delivery.title") }

func hhmm(m int) string { return fmt.Sprintf("%02d:%02d", m/60, m%60) }

func (a *Area) view(lang string, s *delivery.Settings) settingsData {
	d := settingsData{Lang: s.Lang, Langs: i18n.Languages, Quiet: s.Quiet, QuietFrom: hhmm(s.QuietFrom), QuietTo: hhmm(s.QuietTo),
		Hour: s.DigestHour, Devices: s.PushRegistered}
	for h := delivery.MinDigestHour; h <= delivery.MaxDigestHour; h++ {
		d.Hours = append(d.Hours, h)
	}
	if !s.Quiet {
		d.QuietFrom, d.QuietTo = "22:00", "07:00"
	}
	if a.push != nil {
		d.PushKey = a.push.PublicKey()
	}
	for _, c := range delivery.Categories {
		r := Row{Category: i18n.T(lang, "delivery.category."+string(c))}
		for _, ch := range delivery.Channels {
			cur := s.Mode(c, ch)
			choice := Choice{Name: "mode_" + string(c) + "_" + string(ch), Label: r.Category + " — " + i18n.T(lang, "delivery.channel."+string(ch))}
			for _, m := range delivery.Modes(ch) {
				choice.Options = append(choice.Options, Option{Value: string(m), Label: i18n.T(lang, "delivery.mode."+string(m)), Selected: m == cur})
			}
			r.Choices = append(r.Choices, choice)
		}
		d.Rows = append(d.Rows, r)
	}
	return d
}

func (a *Area) show(w http.ResponseWriter, r *http.Request) {
	s, err := delivery.Mine(r.Context(), page.Viewer(r), a.db)
	if err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	d := a.view(page.Lang(r), s)
	d.Saved = r.URL.Query().Get("saved") == "1"
	a.pages.Render(w, r, http.StatusOK, "settings", "delivery.title", d)
}

// minutes reads "HH:MM".
func minutes(s string) (int, bool) {
	t, err := time.Parse("15:04", strings.TrimSpace(s))
	if err != nil {
		return 0, false
	}
	return t.Hour()*60 + t.Minute(), true
}

func (a *Area) save(w http.ResponseWriter, r *http.Request) {
	v := page.Viewer(r)
	s, err := delivery.Mine(r.Context(), v, a.db)
	if err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	s.Lang = r.PostFormValue("lang")
	for _, c := range delivery.Categories {
		for _, ch := range delivery.Channels {
			if m := r.PostFormValue("mode_" + string(c) + "_" + string(ch)); m != "" {
				s.SetMode(c, ch, delivery.Mode(m))
			}
		}
	}
	s.Quiet = r.PostFormValue("quiet") != ""
	from, okFrom := minutes(r.PostFormValue("quiet_from"))
	to, okTo := minutes(r.PostFormValue("quiet_to"))
	s.QuietFrom, s.QuietTo = from, to
	hourOK := true
	if h := r.PostFormValue("digest_hour"); h != "" {
		s.DigestHour, err = strconv.Atoi(h)
		hourOK = err == nil
	}
	var problem error
	switch {
	case !hourOK:
		problem = &delivery.FieldError{Field: "digest_hour", Err: errors.New("not a number")}
	case s.Quiet && !okFrom:
		problem = &delivery.FieldError{Field: "quiet_from", Err: errors.New("not a time")}
	case s.Quiet && !okTo:
		problem = &delivery.FieldError{Field: "quiet_to", Err: errors.New("not a time")}
	default:
		problem = delivery.Save(r.Context(), v, a.db, s)
	}
	var fe *delivery.FieldError
	if errors.As(problem, &fe) {
		d := a.view(page.Lang(r), s)
		// What was typed stays in the form.
		d.QuietFrom, d.QuietTo = r.PostFormValue("quiet_from"), r.PostFormValue("quiet_to")
		d.Problem = i18n.T(page.Lang(r), "delivery.problem."+strings.SplitN(fe.Field, ".", 2)[0])
		a.pages.Render(w, r, http.StatusUnprocessableEntity, "settings", "delivery.title", d)
		return
	}
	if problem != nil {
		a.kit.Fail(w, r, problem)
		return
	}
	http.Redirect(w, r, "/notifications/settings?saved=1", http.StatusSeeOther)
}

// subscribe registers the device the script sends (endpoint and keys of
// its PushSubscription); a refused one is answered 400 with the reason,
// in the viewer's language, for the script to show.
func (a *Area) subscribe(w http.ResponseWriter, r *http.Request) {
	if a.push == nil {
		http.Error(w, i18n.T(page.Lang(r), "delivery.push.unavailable"), http.StatusNotFound)
		return
	}
	err := a.push.Subscribe(r.Context(), page.Viewer(r), a.db, delivery.Subscription{
		Endpoint: r.PostFormValue("endpoint"), P256dh: r.PostFormValue("p256dh"), Auth: r.PostFormValue("auth")})
	var fe *delivery.FieldError
	if errors.As(err, &fe) {
		http.Error(w, i18n.T(page.Lang(r), "delivery.problem."+fe.Field), http.StatusBadRequest)
		return
	}
	if err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// forget removes every device of the viewer's (the form) or the one
// whose endpoint the script sends.
func (a *Area) forget(w http.ResponseWriter, r *http.Request) {
	if err := delivery.Unsubscribe(r.Context(), page.Viewer(r), a.db, r.PostFormValue("endpoint")); err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/notifications/settings?saved=1", http.StatusSeeOther)
}

type unsubData struct {
	Token   string
	Ask     string // the question (GET), or
	Done    string // what was stopped (POST), or
	Problem string // why the link is refused
}

func (unsubData) PageTitle(lang string) string { return i18n.T(lang, "delivery.unsub.title") }

// what names what a link stops, for the page's sentences.
func what(lang, prefix string, s *delivery.Stop) string {
	if s.Digest != "" {
		return i18n.T(lang, prefix+".digest."+string(s.Digest))
	}
	return i18n.T(lang, prefix+".category", i18n.T(lang, "delivery.category."+string(s.Category)))
}

// unsubscribeAsk shows what the link stops and a button: nothing changes
// on GET, so that a mail scanner following links unsubscribes nobody.
func (a *Area) unsubscribeAsk(w http.ResponseWriter, r *http.Request) {
	if a.unsub == nil {
		a.kit.NotFound(w, r)
		return
	}
	lang := page.Lang(r)
	s, err := a.unsub.Open(r.PathValue("token"))
	if err != nil {
		a.unsubRefused(w, r, err)
		return
	}
	a.pages.Render(w, r, http.StatusOK, "unsubscribe", "delivery.unsub.title",
		unsubData{Token: r.PathValue("token"), Ask: what(lang, "delivery.unsub.ask", s)})
}

// unsubscribe applies the link: the one-click POST of RFC 8058 (body
// "List-Unsubscribe=One-Click") or the page's button alike.
func (a *Area) unsubscribe(w http.ResponseWriter, r *http.Request) {
	if a.unsub == nil {
		a.kit.NotFound(w, r)
		return
	}
	s, err := a.unsub.Unsubscribe(r.Context(), a.db, r.PathValue("token"))
	if errors.Is(err, delivery.ErrBadToken) || errors.Is(err, delivery.ErrExpiredToken) {
		a.unsubRefused(w, r, err)
		return
	}
	if err != nil {
		a.kit.ServerError(w, r, err)
		return
	}
	a.pages.Render(w, r, http.StatusOK, "unsubscribe", "delivery.unsub.title",
		unsubData{Done: what(page.Lang(r), "delivery.unsub.done", s)})
}

// unsubRefused answers a forged or expired link: nothing changed, said so.
func (a *Area) unsubRefused(w http.ResponseWriter, r *http.Request, err error) {
	status, key := http.StatusBadRequest, "delivery.unsub.bad"
	if errors.Is(err, delivery.ErrExpiredToken) {
		status, key = http.StatusGone, "delivery.unsub.expired"
	}
	a.pages.Render(w, r, status, "unsubscribe", "delivery.unsub.title", unsubData{Problem: i18n.T(page.Lang(r), key)})
}

func (a *Area) file(name string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		b, err := static.ReadFile(name)
		if err != nil {
			a.kit.ServerError(w, r, err)
			return
		}
		w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
		w.Header().Set("Cache-Control", "no-cache")
		w.Write(b)
	}
}
