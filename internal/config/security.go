package config

import (
	"flag"
	"fmt"
	"net"
	"net/netip"
	"os"
	"strings"
)

// Security holds the transport and e-mail settings of account security.
type Security struct {
	TLSCert        string         // certificate file (PEM, full chain)
	TLSKey         string         // private key file (PEM)
	ACMEHost       string         // public host name: automatic certificates (ACME, e.g. Let's Encrypt)
	ACMEEmail      string         // contact address given to the ACME authority
	ACMEDirectory  string         // ACME directory URL; empty: Let's Encrypt
	RedirectListen string         // address of the plain-HTTP listener that redirects to HTTPS (and answers ACME challenges)
	TrustedProxies []netip.Prefix // reverse proxies whose X-Forwarded-For is believed
	trustedRaw     string

	MetricsListen string         // address of the /metrics listener; "" serves no metrics
	MetricsFrom   []netip.Prefix // addresses /metrics answers (the Prometheus server)
	metricsRaw    string

	SMTPHost     string
	SMTPPort     int
	SMTPUsername string
	SMTPPassword string // from the environment only: a flag would show in ps
	SMTPFrom     string
	SMTPSecurity string // starttls, tls, none
}

// TLS reports whether the server terminates TLS itself.
func (s *Security) TLS() bool { return s.TLSCert != "" || s.ACMEHost != "" }

func (c *Config) registerSecurity(fs *flag.FlagSet) {
	s := &c.Security
	fs.StringVar(&s.TLSCert, "tls-cert", env("CARTABLE_TLS_CERT", ""), "TLS certificate file, PEM (CARTABLE_TLS_CERT)")
	fs.StringVar(&s.TLSKey, "tls-key", env("CARTABLE_TLS_KEY", ""), "TLS private key file, PEM (CARTABLE_TLS_KEY)")
	fs.StringVar(&s.ACMEHost, "acme-host", env("CARTABLE_ACME_HOST", ""), "public host name: get its certificate automatically by ACME (CARTABLE_ACME_HOST)")
	fs.StringVar(&s.ACMEEmail, "acme-email", env("CARTABLE_ACME_EMAIL", ""), "contact e-mail for the ACME authority (CARTABLE_ACME_EMAIL)")
	fs.StringVar(&s.ACMEDirectory, "acme-directory", env("CARTABLE_ACME_DIRECTORY", ""), "ACME directory URL; default Let's Encrypt (CARTABLE_ACME_DIRECTORY)")
	fs.StringVar(&s.RedirectListen, "redirect-listen", env("CARTABLE_REDIRECT_LISTEN", ""), "with TLS: plain-HTTP address redirecting to HTTPS, e.g. :80 (CARTABLE_REDIRECT_LISTEN)")
	fs.StringVar(&s.trustedRaw, "trusted-proxies", env("CARTABLE_TRUSTED_PROXIES", ""), "comma-separated addresses or CIDR ranges of reverse proxies whose X-Forwarded-For is believed (CARTABLE_TRUSTED_PROXIES)")
	fs.StringVar(&s.MetricsListen, "metrics-listen", env("CARTABLE_METRICS_LISTEN", ""), "address of a separate listener serving /metrics to Prometheus, e.g. 127.0.0.1:9464; empty: none (CARTABLE_METRICS_LISTEN)")
	fs.StringVar(&s.metricsRaw, "metrics-from", env("CARTABLE_METRICS_FROM", "127.0.0.1,::1"), "comma-separated addresses or CIDR ranges /metrics answers (CARTABLE_METRICS_FROM)")
	fs.StringVar(&s.SMTPHost, "smtp-host", env("CARTABLE_SMTP_HOST", ""), "SMTP server for reset links and notices (CARTABLE_SMTP_HOST)")
	fs.IntVar(&s.SMTPPort, "smtp-port", c.envInt("CARTABLE_SMTP_PORT", 587), "SMTP port (CARTABLE_SMTP_PORT)")
	fs.StringVar(&s.SMTPUsername, "smtp-username", env("CARTABLE_SMTP_USERNAME", ""), "SMTP user name (CARTABLE_SMTP_USERNAME); the password is read from CARTABLE_SMTP_PASSWORD")
	fs.StringVar(&s.SMTPFrom, "smtp-from", env("CARTABLE_SMTP_FROM", ""), "sender address, e.g. 'Cartable <ent@college.example.fr>' (CARTABLE_SMTP_FROM)")
	fs.StringVar(&s.SMTPSecurity, "smtp-security", env("CARTABLE_SMTP_SECURITY", "starttls"), "starttls, tls or none (CARTABLE_SMTP_SECURITY)")
	s.SMTPPassword = os.Getenv("CARTABLE_SMTP_PASSWORD")
}

func (c *Config) finishSecurity() error {
	s := &c.Security
	if (s.TLSCert == "") != (s.TLSKey == "") {
		return fmt.Errorf("config: --tls-cert and --tls-key go together")
	}
	if s.TLSCert != "" && s.ACMEHost != "" {
		return fmt.Errorf("config: choose either certificate files (--tls-cert) or ACME (--acme-host), not both")
	}
	for _, f := range []string{s.TLSCert, s.TLSKey} {
		if f == "" {
			continue
		}
		if _, err := os.Stat(f); err != nil {
			return fmt.Errorf("config: TLS file %s: %s", f, pathErr(err))
		}
	}
	if s.ACMEHost != "" && (strings.ContainsAny(s.ACMEHost, ":/ ") || !strings.Contains(s.ACMEHost, ".")) {
		return fmt.Errorf("config: --acme-host %q must be a public host name such as ent.example.fr", s.ACMEHost)
	}
	if s.RedirectListen != "" && !s.TLS() {
		return fmt.Errorf("config: --redirect-listen needs TLS (--tls-cert or --acme-host)")
	}
	if s.TLS() && strings.HasPrefix(c.BaseURL, "http://") {
		return fmt.Errorf("config: with TLS, --base-url must start with https:// (got %s)", c.BaseURL)
	}
	var err error
	if s.TrustedProxies, err = prefixes("trusted-proxies", s.trustedRaw); err != nil {
		return err
	}
	if s.MetricsFrom, err = prefixes("metrics-from", s.metricsRaw); err != nil {
		return err
	}
	if s.MetricsListen != "" {
		if _, _, err := net.SplitHostPort(s.MetricsListen); err != nil {
			return fmt.Errorf("config: --metrics-listen %q is not a host:port address", s.MetricsListen)
		}
		if len(s.MetricsFrom) == 0 {
			return fmt.Errorf("config: --metrics-listen needs --metrics-from (the addresses it answers)")
		}
	}
	if s.SMTPHost != "" {
		if s.SMTPPort <= 0 || s.SMTPPort > 65535 {
			return fmt.Errorf("config: --smtp-port %d is not a port", s.SMTPPort)
		}
		switch s.SMTPSecurity {
		case "starttls", "tls", "none":
		default:
			return fmt.Errorf("config: --smtp-security %q: use starttls, tls or none", s.SMTPSecurity)
		}
		if s.SMTPFrom == "" {
			return fmt.Errorf("config: --smtp-from is needed with --smtp-host")
		}
	}
	return nil
}

// prefixes reads a comma-separated list of addresses and CIDR ranges.
func prefixes(flagName, raw string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, part := range strings.Split(raw, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		p, err := netip.ParsePrefix(part)
		if err != nil {
			a, aerr := netip.ParseAddr(part)
			if aerr != nil {
				return nil, fmt.Errorf("config: --%s: %q is neither an address nor a CIDR range", flagName, part)
			}
			p = netip.PrefixFrom(a, a.BitLen())
		}
		out = append(out, p.Masked())
	}
	return out, nil
}
