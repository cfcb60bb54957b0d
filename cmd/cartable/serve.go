package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"cartable/internal/access"
	"cartable/internal/auth"
	"cartable/internal/config"
	"cartable/internal/db"
	"cartable/internal/delivery"
	"cartable/internal/files"
	"cartable/internal/provisioning"
	"cartable/internal/web"
)

var errUsage = errors.New("usage")

// parse registers the common flags plus extra ones and parses args.
func parse(name string, args []string, d config.Defaults, extra func(fs *flag.FlagSet)) (*config.Config, error) {
	fs := flag.NewFlagSet("cartable "+name, flag.ContinueOnError)
	c := config.Register(fs, d)
	if extra != nil {
		extra(fs)
	}
	if err := fs.Parse(args); err != nil {
		return nil, errUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "cartable %s: unexpected argument %q\n", name, fs.Arg(0))
		return nil, errUsage
	}
	if err := c.Finish(); err != nil {
		return nil, err
	}
	return c, nil
}

func newLogger(level string) *slog.Logger {
	var l slog.Level
	_ = l.UnmarshalText([]byte(level))
	return slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: l}))
}

// openDB opens and migrates the database, refusing a schema newer than
// the binary before touching anything.
func openDB(ctx context.Context, c *config.Config, log *slog.Logger) (*db.DB, error) {
	d, err := db.Open(ctx, c.Database)
	if err != nil {
		return nil, err
	}
	applied, err := d.Migrate(ctx)
	if err != nil {
		d.Close()
		return nil, err
	}
	if len(applied) > 0 {
		log.Info("database migrated", "engine", d.Dialect().String(), "versions", applied)
	}
	return d, nil
}

func runServe(ctx context.Context, args []string) error {
	c, err := parse("serve", args, config.Defaults{DataDir: "data", Listen: "127.0.0.1:8080"}, nil)
	if err != nil {
		return err
	}
	log := newLogger(c.LogLevel)
	ln, d, store, release, err := listenAndOpen(ctx, c, log)
	if err != nil {
		return err
	}
	defer d.Close()
	defer release()
	return serve(ctx, c, d, store, ln, log)
}

// listenAndOpen takes the port first, so that a port already taken is
// reported before anything is changed, then opens the database and the
// file store (openStored).
func listenAndOpen(ctx context.Context, c *config.Config, log *slog.Logger) (net.Listener, *db.DB, *files.Store, func(), error) {
	ln, err := net.Listen("tcp", c.Listen)
	if err != nil {
		return nil, nil, nil, nil, fmt.Errorf("cannot listen on %s: %v", c.Listen, errors.Unwrap(err))
	}
	d, store, release, err := openStored(ctx, c, log)
	if err != nil {
		ln.Close()
		return nil, nil, nil, nil, err
	}
	return ln, d, store, release, nil
}

// openStored checks the file storage (--storage, --data) first, so that an
// unusable bucket is reported before anything is changed, then opens and
// migrates the database, marks both as in use (files.InUse: no key
// rotation meanwhile; the caller releases) and opens the file store
// (sealed under DATA/keys/master.key), refusing a master key that does not open the
// database's data keys: the sign of another data directory, whose storage
// the caller must not read nor erase from. Second factors still stored in
// clear by an older version are then sealed (auth.SealStoredSecrets).
func openStored(ctx context.Context, c *config.Config, log *slog.Logger) (*db.DB, *files.Store, func(), error) {
	backend, err := files.OpenBackend(ctx, c.Storage.URL, c.DataDir,
		files.Credentials{AccessKey: c.Storage.AccessKey, SecretKey: c.Storage.SecretKey})
	if err != nil {
		return nil, nil, nil, err
	}
	d, err := openDB(ctx, c, log)
	if err != nil {
		return nil, nil, nil, err
	}
	// In use until release: no master-key rotation meanwhile.
	release, err := files.InUse(ctx, d, c.DataDir)
	if err != nil {
		d.Close()
		return nil, nil, nil, err
	}
	store, err := files.OpenWith(c.DataDir, backend)
	if err == nil {
		_, err = store.CheckKeys(ctx, d)
	}
	if err == nil {
		// Second factors stored in clear by a version before migration
		// 0008 are sealed now, before the first request.
		var n int
		if n, err = auth.SealStoredSecrets(ctx, d, store.Sealer(d, files.AccountSecrets)); n > 0 {
			log.Info("second factors sealed at rest", "count", n)
		}
	}
	if err == nil {
		// Deliveries waiting for review that an older version stored in
		// clear are forgotten now (their uploaders send them again).
		var n int
		if n, err = provisioning.ForgetUnreadableUploads(ctx, d, store.Sealer(d, files.PendingUploads)); n > 0 {
			log.Info("pending uploads stored in clear forgotten", "count", n)
		}
	}
	if err != nil {
		release()
		d.Close()
		return nil, nil, nil, err
	}
	if files.PendingRotation(c.DataDir) {
		log.Warn("an interrupted master-key rotation was found (keys/master.key.new): run \"cartable keys rotate\" to finish it")
	}
	log.Info("file storage", "backend", fmt.Sprint(backend))
	return d, store, release, nil
}

// serve runs the HTTP server until ctx ends, then drains requests.
func serve(ctx context.Context, c *config.Config, d *db.DB, store *files.Store, ln net.Listener, log *slog.Logger) error {
	push, err := pusher(c) // delivery.go
	if err != nil {
		return err
	}
	unsub, err := delivery.LoadUnsubscriber(c.DataDir) // the unsubscribe links' key, DATA/keys
	if err != nil {
		return err
	}
	s, err := web.New(web.Options{DB: d, BaseURL: c.BaseURL, Log: log,
		SessionIdle: c.SessionIdle, SessionAbsolute: c.SessionAbsolute, Files: store,
		PurgeAfterDays: c.PurgeAfterDays, MaxDeactivation: float64(c.MaxDeactivation) / 100,
		Mail: mailer(c), TrustedProxies: c.Security.TrustedProxies, Push: push, Unsubscribe: unsub})
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           s.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	redirect, err := transport(c, srv, log) // tls.go
	if err != nil {
		return err
	}
	if redirect != nil {
		rln, err := net.Listen("tcp", redirect.Addr)
		if err != nil {
			return fmt.Errorf("cannot listen on %s: %v", redirect.Addr, errors.Unwrap(err))
		}
		go redirect.Serve(rln)
		defer redirect.Close()
	}
	if c.Security.MetricsListen != "" {
		mln, err := net.Listen("tcp", c.Security.MetricsListen)
		if err != nil {
			return fmt.Errorf("cannot listen on %s for metrics: %v", c.Security.MetricsListen, errors.Unwrap(err))
		}
		msrv := &http.Server{Handler: s.MetricsHandler(c.Security.MetricsFrom), ReadHeaderTimeout: 5 * time.Second,
			ReadTimeout: 10 * time.Second, WriteTimeout: 10 * time.Second, ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
		go msrv.Serve(mln)
		defer msrv.Close()
		log.Info("metrics listening", "address", mln.Addr().String())
	}
	// The periodic rounds: one replica runs each (rounds.go).
	go sweepSessions(ctx, d, s, log)
	go dailyPurge(ctx, d, store, c.PurgeAfterDays, log) // purge.go
	go eraseFiles(ctx, d, store, log)
	go announceLearning(ctx, d, log)              // notices.go: lesson changes and homework
	go remindRegisters(ctx, d, s.Attendance, log) // registers.go
	go remindNotes(ctx, d, s, log)
	go remindNews(ctx, d, s.News(), log)       // news.go
	go announceMarks(ctx, d, log)              // marks.go
	go deliver(ctx, c, d, s, push, unsub, log) // delivery.go: e-mail and push through the job queue
	errc := make(chan error, 1)
	go func() {
		if srv.TLSConfig != nil {
			errc <- srv.ServeTLS(ln, "", "")
			return
		}
		errc <- srv.Serve(ln)
	}()
	log.Info("cartable listening", "address", ln.Addr().String(), "base_url", c.BaseURL, "engine", d.Dialect().String(), "version", version)
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	shutdown, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	return srv.Shutdown(shutdown)
}

func runMigrate(ctx context.Context, args []string) error {
	c, err := parse("migrate", args, config.Defaults{DataDir: "data"}, nil)
	if err != nil {
		return err
	}
	d, err := db.Open(ctx, c.Database)
	if err != nil {
		return err
	}
	defer d.Close()
	applied, err := d.Migrate(ctx)
	if err != nil {
		return err
	}
	v, err := d.Version(ctx)
	if err != nil {
		return err
	}
	if len(applied) == 0 {
		fmt.Printf("database is up to date (schema version %d, %s)\n", v, d.Dialect())
	} else {
		fmt.Printf("applied migrations %v; schema version %d (%s)\n", applied, v, d.Dialect())
	}
	return nil
}

func runVersion() error {
	fmt.Printf("cartable %s (schema version %d)\n", version, db.LatestVersion())
	return nil
}

// sweepSessions deletes expired sessions every few minutes (one replica
// a round); Lookup already refuses them, this only keeps the table small.
func sweepSessions(ctx context.Context, d *db.DB, s *web.Server, log *slog.Logger) {
	everyRound(ctx, d, "session-sweep", 5*time.Minute, log, func(ctx context.Context) error {
		_, err := s.Sessions.DeleteExpired(ctx)
		if err != nil && ctx.Err() == nil {
			log.Warn("session sweep failed", "err", err.Error())
		}
		return err
	})
}

// remindNotes reminds, every hour, the legal guardians of correspondence
// notes still unsigned (each note at most once a day: liaison.Service.Remind),
// one replica a round. Counts only are logged.
func remindNotes(ctx context.Context, d *db.DB, s *web.Server, log *slog.Logger) {
	sys := access.System("note-reminders")
	everyRound(ctx, d, "note-reminders", time.Hour, log, func(ctx context.Context) error {
		n, err := s.Notes().Remind(ctx, sys, time.Now())
		if err != nil && ctx.Err() == nil {
			log.Warn("note reminders incomplete: retried later", "queued", n, "err", err.Error())
		} else if n > 0 {
			log.Info("note reminders queued", "count", n)
		}
		return err
	})
}
