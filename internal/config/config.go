// Package config gathers the settings of a command from its flags and
// CARTABLE_* environment variables (a flag wins over the environment) into
// one Config value.
package config

import (
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Config is what the server and the tools need to run.
type Config struct {
	Listen          string        // address to listen on, host:port
	Database        string        // postgres://… URL or SQLite file path; default DATA/cartable.db
	DataDir         string        // data directory (SQLite file, uploaded files, keys)
	BaseURL         string        // public URL, e.g. https://ent.example.fr
	SessionIdle     time.Duration // sign-out after this long without a request
	SessionAbsolute time.Duration // sign-out this long after sign-in
	LogLevel        string        // debug, info, warn, error
	PurgeAfterDays  int           // days between an account's deactivation and the erasure of its data (1–90)
	MaxDeactivation int           // percent of an establishment a complete delivery may deactivate (1–100)

	Security Security // TLS, proxies and e-mail (security.go)
	Storage  Storage  // where uploaded files go (storage.go)

	envErr error // a malformed environment value, reported by Finish
}

// Defaults for a command; the demo uses its own data directory.
type Defaults struct {
	DataDir string
	Listen  string
}

// Register declares the common flags on fs, with defaults taken from the
// environment. Call Finish after fs.Parse.
func Register(fs *flag.FlagSet, d Defaults) *Config {
	c := &Config{}
	fs.StringVar(&c.Listen, "listen", env("CARTABLE_LISTEN", d.Listen), "address to listen on (CARTABLE_LISTEN)")
	fs.StringVar(&c.Database, "database", env("CARTABLE_DATABASE", ""), "PostgreSQL URL (postgres://…) or SQLite file; default DATA/cartable.db (CARTABLE_DATABASE)")
	fs.StringVar(&c.DataDir, "data", env("CARTABLE_DATA", d.DataDir), "data directory (CARTABLE_DATA)")
	fs.StringVar(&c.BaseURL, "base-url", env("CARTABLE_BASE_URL", ""), "public base URL, e.g. https://ent.example.fr (CARTABLE_BASE_URL)")
	fs.DurationVar(&c.SessionIdle, "session-idle", c.envDuration("CARTABLE_SESSION_IDLE", 30*time.Minute), "idle timeout of sessions (CARTABLE_SESSION_IDLE)")
	fs.DurationVar(&c.SessionAbsolute, "session-max", c.envDuration("CARTABLE_SESSION_MAX", 12*time.Hour), "absolute lifetime of sessions (CARTABLE_SESSION_MAX)")
	fs.StringVar(&c.LogLevel, "log-level", env("CARTABLE_LOG_LEVEL", "info"), "debug, info, warn or error (CARTABLE_LOG_LEVEL)")
	fs.IntVar(&c.PurgeAfterDays, "purge-after-days", c.envInt("CARTABLE_PURGE_AFTER_DAYS", 90), "days before a deactivated account's data is erased, at most 90 (CARTABLE_PURGE_AFTER_DAYS)")
	fs.IntVar(&c.MaxDeactivation, "max-deactivation", c.envInt("CARTABLE_MAX_DEACTIVATION", 20), "percent of an establishment a complete delivery may deactivate (CARTABLE_MAX_DEACTIVATION)")
	c.registerSecurity(fs) // security.go
	c.registerStorage(fs)  // storage.go
	return c
}

// Finish validates the values and fills the derived ones. It creates the
// data directory when it does not exist, and checks that it is usable.
func (c *Config) Finish() error {
	if c.envErr != nil {
		return c.envErr
	}
	if c.DataDir == "" {
		return errors.New("config: --data must name a directory")
	}
	// The data directory holds the database, the master key and the sealed
	// files: its owner only may enter it (0700), also when it existed.
	if err := os.MkdirAll(c.DataDir, 0o700); err != nil {
		return fmt.Errorf("config: cannot create data directory %s: %s", c.DataDir, pathErr(err))
	}
	if st, err := os.Stat(c.DataDir); err != nil || st.Mode().Perm()&0o077 != 0 {
		if err == nil {
			err = os.Chmod(c.DataDir, st.Mode().Perm()&^0o077)
		}
		if err != nil {
			return fmt.Errorf("config: cannot restrict data directory %s to its owner: %s", c.DataDir, pathErr(err))
		}
	}
	probe, err := os.CreateTemp(c.DataDir, ".probe-*")
	if err != nil {
		return fmt.Errorf("config: data directory %s is not writable: %s", c.DataDir, pathErr(err))
	}
	probe.Close()
	os.Remove(probe.Name())
	if c.Database == "" {
		c.Database = filepath.Join(c.DataDir, "cartable.db")
	}
	if c.Listen == "" {
		c.Listen = "127.0.0.1:8080"
	}
	if c.BaseURL == "" {
		c.BaseURL = "http://" + localName(c.Listen)
	}
	if !strings.HasPrefix(c.BaseURL, "http://") && !strings.HasPrefix(c.BaseURL, "https://") {
		return fmt.Errorf("config: --base-url %q must start with http:// or https://", c.BaseURL)
	}
	c.BaseURL = strings.TrimRight(c.BaseURL, "/")
	if err := c.finishSecurity(); err != nil { // security.go
		return err
	}
	if c.SessionIdle <= 0 || c.SessionAbsolute <= 0 || c.SessionIdle > c.SessionAbsolute {
		return errors.New("config: session timeouts must be positive and idle ≤ max")
	}
	if c.PurgeAfterDays < 1 || c.PurgeAfterDays > 90 {
		return fmt.Errorf("config: --purge-after-days %d: personal data must be erased within 90 days; choose 1 to 90", c.PurgeAfterDays)
	}
	if c.MaxDeactivation < 1 || c.MaxDeactivation > 100 {
		return fmt.Errorf("config: --max-deactivation %d: choose a percentage from 1 to 100", c.MaxDeactivation)
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		return fmt.Errorf("config: --log-level %q: use debug, info, warn or error", c.LogLevel)
	}
	return nil
}

func pathErr(err error) string {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

func env(key, def string) string {
	if v, ok := os.LookupEnv(key); ok && v != "" {
		return v
	}
	return def
}

func (c *Config) envDuration(key string, def time.Duration) time.Duration {
	v, ok := os.LookupEnv(key)
	if !ok || v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		c.envErr = fmt.Errorf("config: %s=%q is not a duration (e.g. 30m, 12h)", key, v)
		return def
	}
	return d
}

func (c *Config) envInt(key string, def int) int {
	v, ok := os.LookupEnv(key)
	if !ok || v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		c.envErr = fmt.Errorf("config: %s=%q is not a whole number", key, v)
		return def
	}
	return n
}

// localName is the listen address as a browser on this machine reaches it:
// a loopback or unspecified address ("127.0.0.1:8080", ":8080") becomes
// "localhost:8080", a name where passkeys work (WebAuthn refuses an IP
// address); any other address is kept.
func localName(listen string) string {
	host, port, err := net.SplitHostPort(listen)
	if err != nil {
		return listen
	}
	if ip := net.ParseIP(host); host == "" || ip != nil && (ip.IsLoopback() || ip.IsUnspecified()) {
		return net.JoinHostPort("localhost", port)
	}
	return listen
}
