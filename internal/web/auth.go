package web

import (
	"time"

	"cartable/internal/auth"
	"cartable/internal/files"
)

// setUpAccounts wires the auth domain: its clock, e-mail and base URL,
// the key sealing second factors, and passkeys for the base URL.
func (s *Server) setUpAccounts(o Options) {
	now := func() time.Time { return s.Now() }
	s.Auth.Now = now
	s.Auth.Log = s.Log
	s.Auth.BaseURL = s.BaseURL
	s.Auth.Mail = o.Mail
	// Second factors are sealed under the instance key of the file store's
	// master key (auth/sealed.go); without a file store none can be stored.
	var sealer auth.Sealer
	if o.Files != nil {
		sealer = o.Files.Sealer(s.DB, files.AccountSecrets)
	}
	s.Auth.Factors.Sealer = sealer
	pk, err := auth.NewPasskeys(s.BaseURL, s.DB, now)
	if err != nil {
		s.Log.Warn("passkeys are off", "err", err.Error())
		return
	}
	pk.Sealer = sealer
	s.Auth.Passkeys = pk
}
