package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"flag"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"cartable/internal/config"
)

// selfSigned writes a certificate for 127.0.0.1 and localhost.
func selfSigned(t *testing.T, dir string) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "localhost"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), DNSNames: []string{"localhost"},
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kb, _ := x509.MarshalECPrivateKey(key)
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600)
	cert, _ := x509.ParseCertificate(der)
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}

func securityConfig(t *testing.T, args ...string) (*config.Config, error) {
	t.Helper()
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	c := config.Register(fs, config.Defaults{DataDir: t.TempDir(), Listen: "127.0.0.1:0"})
	if err := fs.Parse(args); err != nil {
		t.Fatal(err)
	}
	return c, c.Finish()
}

func TestTLSFromCertificateFilesAndRedirect(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile, pool := selfSigned(t, dir)
	c, err := securityConfig(t, "--tls-cert", certFile, "--tls-key", keyFile, "--base-url", "https://ent.example.fr", "--redirect-listen", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.DiscardHandler)
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "secure") })}
	redirect, err := transport(c, srv, log)
	if err != nil || srv.TLSConfig == nil || redirect == nil {
		t.Fatalf("transport: %v (tls %v, redirect %v)", err, srv.TLSConfig != nil, redirect != nil)
	}
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	go srv.ServeTLS(ln, "", "")
	defer srv.Close()
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	resp, err := client.Get("https://" + ln.Addr().String() + "/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != "secure" || resp.TLS == nil {
		t.Fatalf("HTTPS answer %q", body)
	}
	rln, _ := net.Listen("tcp", "127.0.0.1:0")
	go redirect.Serve(rln)
	defer redirect.Close()
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	req, _ := http.NewRequest("GET", "http://"+rln.Addr().String()+"/people/abc?x=1", nil)
	req.Host = "evil.example.com"
	resp, err = noFollow.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusPermanentRedirect || resp.Header.Get("Location") != "https://ent.example.fr/people/abc?x=1" {
		t.Fatalf("redirect: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
}

func TestACMEConfiguration(t *testing.T) {
	c, err := securityConfig(t, "--acme-host", "ent.example.fr", "--acme-email", "admin@example.fr", "--base-url", "https://ent.example.fr", "--redirect-listen", ":0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{}
	redirect, err := transport(c, srv, slog.New(slog.DiscardHandler))
	if err != nil || redirect == nil {
		t.Fatal(err)
	}
	if srv.TLSConfig.GetCertificate == nil || !slices.Contains(srv.TLSConfig.NextProtos, "acme-tls/1") {
		t.Fatalf("ACME TLS config: %+v", srv.TLSConfig.NextProtos)
	}
	// A certificate for another host name is refused without asking anyone.
	if _, err := srv.TLSConfig.GetCertificate(&tls.ClientHelloInfo{ServerName: "other.example.org"}); err == nil {
		t.Fatal("a certificate for a foreign host name")
	}
}

func TestSecurityConfigurationErrors(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile, _ := selfSigned(t, dir)
	for _, c := range []struct {
		args []string
		msg  string
	}{
		{[]string{"--tls-cert", certFile}, "go together"},
		{[]string{"--tls-cert", certFile, "--tls-key", keyFile, "--acme-host", "a.example.fr", "--base-url", "https://a.example.fr"}, "not both"},
		{[]string{"--tls-cert", filepath.Join(dir, "none.pem"), "--tls-key", keyFile, "--base-url", "https://a.example.fr"}, "TLS file"},
		{[]string{"--acme-host", "localhost:443", "--base-url", "https://a.example.fr"}, "public host name"},
		{[]string{"--acme-host", "a.example.fr"}, "https://"},
		{[]string{"--redirect-listen", ":80"}, "needs TLS"},
		{[]string{"--trusted-proxies", "10.0.0.1, pas-une-adresse"}, "neither an address"},
		{[]string{"--smtp-host", "smtp.example.fr"}, "--smtp-from"},
		{[]string{"--smtp-host", "smtp.example.fr", "--smtp-from", "a@b.fr", "--smtp-security", "ssl"}, "starttls"},
	} {
		_, err := securityConfig(t, c.args...)
		if err == nil || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%v: %v, want %q", c.args, err, c.msg)
		}
	}
	cfg, err := securityConfig(t, "--trusted-proxies", "10.0.0.1, 192.168.0.0/16,::1")
	if err != nil || len(cfg.Security.TrustedProxies) != 3 || cfg.Security.TrustedProxies[0].String() != "10.0.0.1/32" {
		t.Fatalf("trusted proxies: %v %v", cfg.Security.TrustedProxies, err)
	}
}
