// Package web serves Cartable over HTTP: it builds the page kit and the
// domain services, mounts every area (internal/web/<area>: the pages) and
// wraps them in the middleware. Pages are server-rendered and work without
// JavaScript; nothing is loaded from another host.
package web

import (
	"log/slog"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"cartable/internal/access"
	"cartable/internal/attendance"
	"cartable/internal/auth"
	"cartable/internal/classlog"
	"cartable/internal/db"
	"cartable/internal/delivery"
	"cartable/internal/discipline"
	"cartable/internal/feeds"
	"cartable/internal/files"
	"cartable/internal/grades"
	"cartable/internal/liaison"
	"cartable/internal/mail"
	"cartable/internal/messaging"
	"cartable/internal/metrics"
	"cartable/internal/news"
	"cartable/internal/timetable"
	"cartable/internal/web/account"
	"cartable/internal/web/admin"
	"cartable/internal/web/attendancereport"
	"cartable/internal/web/calendar"
	classlogarea "cartable/internal/web/classlog"
	competencesarea "cartable/internal/web/competences"
	deliveryarea "cartable/internal/web/delivery"
	disciplinearea "cartable/internal/web/discipline"
	"cartable/internal/web/download"
	gradebookarea "cartable/internal/web/gradebook"
	"cartable/internal/web/home"
	"cartable/internal/web/homework"
	"cartable/internal/web/justify"
	"cartable/internal/web/lesson"
	liaisonarea "cartable/internal/web/liaison"
	messagesarea "cartable/internal/web/messages"
	newsarea "cartable/internal/web/news"
	"cartable/internal/web/notices"
	"cartable/internal/web/page"
	"cartable/internal/web/people"
	provisioningarea "cartable/internal/web/provisioning"
	"cartable/internal/web/register"
	reportcardsarea "cartable/internal/web/reportcards"
	"cartable/internal/web/results"
	"cartable/internal/web/schoollife"
	"cartable/internal/web/signin"
	wtimetable "cartable/internal/web/timetable"
)

// Server holds what the handlers need.
type Server struct {
	DB       *db.DB
	Auth     *auth.Authenticator
	Sessions *auth.Sessions
	Policy   *access.Policy
	Log      *slog.Logger
	// Secure is true when the public base URL is https: cookies then get the
	// Secure flag and the __Host- prefix.
	Secure bool
	// Now is the clock (tests inject one).
	Now func() time.Time
	// BaseURL is the public URL, for links in letters and e-mails.
	BaseURL string
	// TrustedProxies are the reverse proxies whose X-Forwarded-For is
	// believed (account.go, proxy.go).
	TrustedProxies []netip.Prefix
	// Files stores attachments and handed-in work (nil: uploads refused).
	Files *files.Store
	// Metrics counts requests and reads the gauges (metrics.go); served
	// by MetricsHandler on its own listener.
	Metrics *metrics.Registry

	kit      *page.Kit
	weeks    *timetable.Cache // short-lived timetable reads: "now and next", week views
	classLog *classlog.Service
	notes    *liaison.Service // correspondence notes (the carnet de liaison)
	news     *news.Service    // news, acknowledgements, the to-do list
	// Attendance is school life's attendance (registers, absences,
	// justifications, counts); the serve loop reminds teachers of
	// registers not taken through it.
	Attendance *attendance.Service
	areas      []page.Area // mounted by Handler
}

// Options configure a Server.
type Options struct {
	DB              *db.DB
	BaseURL         string
	Log             *slog.Logger
	SessionIdle     time.Duration
	SessionAbsolute time.Duration
	Mail            mail.Sender      // nil: no e-mail is sent (reset links, lock notices)
	TrustedProxies  []netip.Prefix   // reverse proxies allowed to name the client
	Files           *files.Store     // file storage (class log, homework, downloads); nil refuses uploads
	PurgeAfterDays  int              // days before a closed account is erased (web/provisioning)
	MaxDeactivation float64          // share of an establishment an import may deactivate (web/provisioning)
	Push            *delivery.Pusher // Web Push (VAPID key); nil: devices are not offered push
	// Unsubscribe opens the unsubscribe links of e-mails (its key in
	// DATA/keys); nil: the links are not served.
	Unsubscribe *delivery.Unsubscriber
}

// New builds a Server with its sessions, authenticator and access policy.
func New(o Options) (*Server, error) {
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.SessionIdle == 0 {
		o.SessionIdle = 30 * time.Minute
	}
	if o.SessionAbsolute == 0 {
		o.SessionAbsolute = 12 * time.Hour
	}
	sessions := &auth.Sessions{DB: o.DB, Idle: o.SessionIdle, Absolute: o.SessionAbsolute}
	srv := &Server{
		DB:             o.DB,
		Sessions:       sessions,
		Auth:           auth.NewAuthenticator(o.DB, sessions),
		Policy:         access.New(o.DB),
		Log:            o.Log,
		Secure:         strings.HasPrefix(o.BaseURL, "https://"),
		Now:            time.Now,
		BaseURL:        strings.TrimRight(o.BaseURL, "/"),
		TrustedProxies: o.TrustedProxies,
		Files:          o.Files,
		Metrics:        metrics.New(),
	}
	var err error
	srv.kit, err = page.New(page.Kit{DB: o.DB, Sessions: sessions, Policy: srv.Policy, Facts: &access.Facts{}, Log: o.Log,
		Secure: srv.Secure, Clock: func() time.Time { return srv.Now() }, Menu: menuOf, BaseURL: srv.BaseURL})
	if err != nil {
		return nil, err
	}
	srv.classLog = &classlog.Service{DB: o.DB, Policy: srv.Policy, Files: o.Files, Now: func() time.Time { return srv.Now() }, Log: o.Log}
	srv.weeks = &timetable.Cache{}
	srv.Attendance = &attendance.Service{DB: o.DB, Policy: srv.Policy, Files: o.Files, Now: func() time.Time { return srv.Now() }, Log: o.Log}
	regs, err := register.New(srv.kit, srv.Attendance)
	if err != nil {
		return nil, err
	}
	srv.areas = append(srv.areas, regs)
	tt, err := wtimetable.New(srv.kit, o.DB, srv.weeks, srv.classLog)
	if err != nil {
		return nil, err
	}
	tt.Registers = srv.Attendance
	cal, err := calendar.New(srv.kit, &feeds.Service{DB: o.DB, Policy: srv.Policy, ClassLog: srv.classLog}, srv.BaseURL)
	if err != nil {
		return nil, err
	}
	srv.areas = append(srv.areas, tt, cal)
	srv.setUpAccounts(o) // auth.go
	signIn, err := signin.New(srv.kit, srv.Auth)
	if err != nil {
		return nil, err
	}
	acct, err := account.New(srv.kit, srv.Auth)
	if err != nil {
		return nil, err
	}
	adm, err := admin.New(srv.kit, srv.Auth)
	if err != nil {
		return nil, err
	}
	srv.areas = append(srv.areas, signIn, acct, adm)
	lessons, err := lesson.New(srv.kit, lesson.Deps{ClassLog: srv.classLog, Files: o.Files, DB: o.DB, Registers: srv.Attendance})
	if err != nil {
		return nil, err
	}
	logs, err := classlogarea.New(srv.kit, srv.classLog)
	if err != nil {
		return nil, err
	}
	hw, err := homework.New(srv.kit, srv.classLog, o.Files)
	if err != nil {
		return nil, err
	}
	srv.areas = append(srv.areas, lessons, logs, hw, download.New(srv.kit, o.DB, o.Files))
	dir, err := people.New(srv.kit)
	if err != nil {
		return nil, err
	}
	srv.areas = append(srv.areas, dir)
	inbox, err := notices.New(srv.kit, o.DB)
	if err != nil {
		return nil, err
	}
	srv.areas = append(srv.areas, inbox)
	outbound, err := deliveryarea.New(srv.kit, o.DB, o.Push, o.Unsubscribe)
	if err != nil {
		return nil, err
	}
	srv.areas = append(srv.areas, outbound)
	just, err := justify.New(srv.kit, srv.Attendance)
	if err != nil {
		return nil, err
	}
	report, err := attendancereport.New(srv.kit, srv.Attendance)
	if err != nil {
		return nil, err
	}
	srv.areas = append(srv.areas, just, report)
	start, err := home.New(srv.kit, o.DB, srv.weeks, srv.classLog)
	if err != nil {
		return nil, err
	}
	start.Attendance = srv.Attendance
	start.Registers = srv.Attendance
	srv.areas = append(srv.areas, start)
	srv.notes = &liaison.Service{DB: o.DB, Now: func() time.Time { return srv.Now() }}
	start.SetNotes(srv.notes)
	carnet, err := liaisonarea.New(srv.kit, srv.notes)
	if err != nil {
		return nil, err
	}
	srv.areas = append(srv.areas, carnet)
	msgs := &messaging.Service{DB: o.DB, Files: o.Files, Now: func() time.Time { return srv.Now() }}
	start.SetMessages(msgs)
	msgArea, err := messagesarea.New(srv.kit, msgs)
	if err != nil {
		return nil, err
	}
	srv.areas = append(srv.areas, msgArea)
	// News, acknowledgements and the to-do list (internal/news).
	srv.news = &news.Service{DB: o.DB, Files: o.Files, Now: func() time.Time { return srv.Now() }}
	start.SetNews(srv.news)
	board, err := newsarea.New(srv.kit, srv.news, srv.notes)
	if err != nil {
		return nil, err
	}
	srv.areas = append(srv.areas, board)
	prov, err := provisioningarea.New(srv.kit, provisioningarea.Deps{DB: o.DB, Files: o.Files, Auth: srv.Auth,
		PurgeAfterDays: o.PurgeAfterDays, MaxDeactivation: o.MaxDeactivation})
	if err != nil {
		return nil, err
	}
	srv.areas = append(srv.areas, prov)
	desk, err := schoollife.New(srv.kit, srv.Attendance)
	if err != nil {
		return nil, err
	}
	srv.areas = append(srv.areas, desk)
	dis, err := disciplinearea.New(srv.kit, &discipline.Service{DB: o.DB, Policy: srv.Policy, Now: func() time.Time { return srv.Now() }})
	if err != nil {
		return nil, err
	}
	srv.areas = append(srv.areas, dis)
	// One grades service for every area of marks, competences and report cards.
	marks := &grades.Service{DB: o.DB, Policy: srv.Policy, Now: func() time.Time { return srv.Now() }}
	cmp, err := competencesarea.New(srv.kit, marks)
	if err != nil {
		return nil, err
	}
	srv.areas = append(srv.areas, cmp)
	rc, err := reportcardsarea.New(srv.kit, marks)
	if err != nil {
		return nil, err
	}
	srv.areas = append(srv.areas, rc)
	res, err := results.New(srv.kit, marks)
	if err != nil {
		return nil, err
	}
	start.Grades = marks
	srv.areas = append(srv.areas, res)
	gb, err := gradebookarea.New(srv.kit, marks)
	if err != nil {
		return nil, err
	}
	srv.areas = append(srv.areas, gb)
	srv.registerGauges() // metrics.go
	return srv, nil
}

// Notes is the carnet de liaison's service, for the server's periodic
// reminders (cmd/cartable).
func (s *Server) Notes() *liaison.Service { return s.notes }

// News is the news and surveys, for the server's automatic reminders.
func (s *Server) News() *news.Service { return s.news }

// Handler returns the whole application with its middleware.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /static/", page.Static())
	mux.HandleFunc("GET /healthz", s.healthz)
	mux.HandleFunc("GET /readyz", s.readyz)
	mux.HandleFunc("GET /favicon.ico", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })

	for _, a := range s.areas {
		a.Routes(mux)
	}
	mux.HandleFunc("/", s.kit.NotFound)

	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(s.crossOriginDenied))
	// The one-click unsubscribe is posted by mail providers; its token is
	// its credential (see deliveryarea.UnsubscribePattern).
	cop.AddInsecureBypassPattern(deliveryarea.UnsubscribePattern)
	var h http.Handler = routed(mux)
	h = s.kit.WithSession(h)
	h = cop.Handler(h)
	h = page.WithLanguage(h)
	h = gzipped(h)
	h = securityHeaders(h, s.Secure)
	h = s.logged(h)
	h = s.fromTrustedProxy(h) // proxy.go
	h = s.recovered(h)
	return h
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write([]byte("ok\n"))
}

// readyz answers 200 only when the database answers.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if err := s.DB.Ping(r.Context()); err != nil {
		w.WriteHeader(http.StatusServiceUnavailable)
		w.Write([]byte("database unavailable\n"))
		return
	}
	if s.Files != nil {
		if err := s.Files.Ready(r.Context()); err != nil {
			s.Log.Warn("file storage unavailable", "err", err.Error())
			w.WriteHeader(http.StatusServiceUnavailable)
			w.Write([]byte("file storage unavailable\n"))
			return
		}
	}
	w.Write([]byte("ready\n"))
}
