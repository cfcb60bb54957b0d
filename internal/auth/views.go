package auth

import (
	"strings"
	"time"

	"cartable/internal/directory"
)

// What each audience sees of an account. The owner sees their own account
// whole (AccountView); an administrator who may manage someone's account
// sees who it is, its state and its sessions without their handles
// (ManagedAccount): they end all of them or none.

// OwnSession is one of the person's own sessions, on their account page.
type OwnSession struct {
	Handle   string // names the session, to end it
	Device   string // "Firefox · Linux"
	Address  string // the address it signed in from
	Created  time.Time
	LastSeen time.Time
	Current  bool // the session of the request
	Pending  bool // still owes its second factor
}

// AccountView is the person's own account page.
type AccountView struct {
	Enrolled      Enrolled
	Must          bool // an establishment of theirs requires a second factor
	PasskeysOn    bool // passkeys are configured on this server
	Passkeys      []Passkey
	RecoveryEmail string
	Sessions      []OwnSession
	// Reauth: the password was typed recently, sensitive changes need no
	// confirmation (ReauthWindow).
	Reauth bool
}

// TOTPEnrolment is the set-up of an authenticator app, shown to its owner.
type TOTPEnrolment struct {
	Enrolled bool   // an app is set up
	Pending  bool   // a set-up is in progress: Secret and URI are its own
	Secret   string // base32, for typing by hand
	URI      string // otpauth://, for the QR code
	Forced   bool   // a first factor, owed by the session (enrolment at sign-in)
}

// TOTPConfirmed is the end of a TOTP set-up: the recovery codes, shown
// once, and, when it was the first factor owed by the session, the
// session's new token (the identifier changes with the privilege).
type TOTPConfirmed struct {
	Codes  []string
	Forced bool
	Token  string // "" unless Forced
}

// Holder is who an administrator's account page is about: a name to
// recognise and the login to tell, nothing of the person's record.
type Holder struct {
	ID    string
	Name  string
	Login string
}

// ManagedSession is a session as an administrator sees it.
type ManagedSession struct {
	Device   string
	Address  string
	Created  time.Time
	LastSeen time.Time
	Pending  bool
}

// ManagedAccount is a person's account as an administrator who may manage
// it sees it.
type ManagedAccount struct {
	Holder    Holder
	Enrolled  Enrolled
	Must      bool
	Activated bool // a password is set: no activation letter
	Sessions  []ManagedSession
}

// SecuritySettings is an establishment's second-factor policy on its
// security page: the policy and the choices the form offers.
type SecuritySettings struct {
	Establishment directory.Establishment
	Policy        MFAPolicy
	Profiles      []string
	Functions     []string
	Checked       map[string]bool // profiles and functions that must
}

// deviceName turns a user agent into "Firefox · Linux": enough to recognise
// one's own devices, nothing more.
func deviceName(ua string) string {
	browser, system := "", ""
	switch {
	case strings.Contains(ua, "Edg/"):
		browser = "Edge"
	case strings.Contains(ua, "Firefox/"):
		browser = "Firefox"
	case strings.Contains(ua, "Chrome/") || strings.Contains(ua, "Chromium/"):
		browser = "Chrome"
	case strings.Contains(ua, "Safari/"):
		browser = "Safari"
	case strings.HasPrefix(ua, "Go-http-client"):
		browser = "Go"
	}
	switch {
	case strings.Contains(ua, "Android"):
		system = "Android"
	case strings.Contains(ua, "iPhone") || strings.Contains(ua, "iPad"):
		system = "iOS"
	case strings.Contains(ua, "Windows"):
		system = "Windows"
	case strings.Contains(ua, "Mac OS X"):
		system = "macOS"
	case strings.Contains(ua, "CrOS"):
		system = "ChromeOS"
	case strings.Contains(ua, "Linux"):
		system = "Linux"
	}
	switch {
	case browser != "" && system != "":
		return browser + " · " + system
	case browser != "":
		return browser
	case system != "":
		return system
	}
	return "?"
}
