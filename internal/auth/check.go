package auth

import (
	"net/mail"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"cartable/internal/check"
	"cartable/internal/roles"
)

// The validators of the account forms, shared by the pages and the future
// API. Each returns the problems of its form (nil when there is none); the
// service that writes calls it first and changes nothing when it finds
// some. Pages translate the fields and codes below.

// Fields of the account forms.
const (
	FieldLogin    = "login"
	FieldCode     = "code"     // an activation code
	FieldPassword = "password" // the password typed (a new one, except at sign-in)
	FieldConfirm  = "confirm"  // the new password typed again
	FieldCurrent  = "current"  // the current password, to change it
	FieldEmail    = "email"
	FieldProfile  = "profile"  // of the second-factor policy
	FieldFunction = "function" // of the second-factor policy
)

// Codes of the account forms.
const (
	CodeRequired = "required"
	CodeTooLong  = "too-long"
	CodeMismatch = "mismatch" // the new password typed twice differently
	CodeWeak     = "weak"     // below MinPasswordBits
	CodeCommon   = "common"   // in the list of common passwords
	CodePersonal = "personal" // holds the login or a name of its owner
	CodeSame     = "same"     // the new password is the current one
	CodeInvalid  = "invalid"  // not an e-mail address; an unknown profile or function
)

// CheckSignIn checks the sign-in form: a login and a password. Their
// length is not a problem of the form: an overlong one is a failed
// sign-in, counted and audited like any other.
func CheckSignIn(login, password string) check.Problems {
	var ps check.Problems
	if strings.TrimSpace(login) == "" {
		ps.Add(FieldLogin, CodeRequired, "")
	}
	if password == "" {
		ps.Add(FieldPassword, CodeRequired, "")
	}
	return ps
}

// CheckActivationCode checks the first step of an activation: a login and
// an activation code, each within its bounds.
func CheckActivationCode(login, code string) check.Problems {
	login, code = strings.TrimSpace(login), strings.TrimSpace(code)
	var ps check.Problems
	if len(login) > MaxLoginLen {
		ps.Add(FieldLogin, CodeTooLong, "")
	}
	if len(code) > MaxCodeLen {
		ps.Add(FieldCode, CodeTooLong, "")
	}
	if len(ps) > 0 {
		return ps
	}
	if login == "" {
		ps.Add(FieldLogin, CodeRequired, "")
	}
	if code == "" {
		ps.Add(FieldCode, CodeRequired, "")
	}
	return ps
}

// CheckActivationForm checks the second step of an activation before its
// code is: the first step's fields, then the new password typed twice
// alike. The password rule needs its owner, known once the code is
// checked (CheckPassword).
func CheckActivationForm(in ActivateRequest) check.Problems {
	if ps := CheckActivationCode(in.Login, in.Code); len(ps) > 0 {
		return ps
	}
	return CheckNewPassword(in.Password, in.Confirm)
}

// CheckNewPassword checks that a new password was typed, and typed again
// alike.
func CheckNewPassword(pw, again string) check.Problems {
	var ps check.Problems
	switch {
	case pw == "":
		ps.Add(FieldPassword, CodeRequired, "")
	case pw != again:
		ps.Add(FieldConfirm, CodeMismatch, "")
	}
	return ps
}

// CheckPasswordChange checks the form of a password change: the current
// password and the new one typed twice alike. The rule is applied once
// the current password is checked (CheckPassword).
func CheckPasswordChange(current, fresh, again string) check.Problems {
	if current == "" {
		var ps check.Problems
		ps.Add(FieldCurrent, CodeRequired, "")
		return ps
	}
	return CheckNewPassword(fresh, again)
}

// CheckPassword applies the password rule (passwords.go) to a new
// password; personal holds the login and names of its owner.
func CheckPassword(pw string, personal ...string) check.Problems {
	var ps check.Problems
	if code := passwordRule(pw, personal); code != "" {
		ps.Add(FieldPassword, code, "")
	}
	return ps
}

func passwordRule(pw string, personal []string) string {
	if len(pw) > MaxPasswordLen || !utf8.ValidString(pw) {
		return CodeTooLong
	}
	if PasswordBits(pw) < MinPasswordBits {
		return CodeWeak
	}
	if IsCommonPassword(pw) {
		return CodeCommon
	}
	low := fold(pw)
	for _, p := range personal {
		for _, part := range strings.FieldsFunc(fold(p), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
			if utf8.RuneCountInString(part) >= 4 && strings.Contains(low, part) {
				return CodePersonal
			}
		}
	}
	return ""
}

// CheckEmail checks an e-mail address typed in a form (surrounding spaces
// are not a problem: they are dropped). An empty one is a problem only
// when required (relatives must keep a recovery e-mail).
func CheckEmail(email string, required bool) check.Problems {
	s := strings.TrimSpace(email)
	var ps check.Problems
	switch {
	case s == "" && required:
		ps.Add(FieldEmail, CodeRequired, "")
	case s == "":
	case len(s) > MaxEmailLen:
		ps.Add(FieldEmail, CodeInvalid, "")
	default:
		addr, err := mail.ParseAddress(s)
		if err != nil || addr.Address != s || !strings.Contains(s[strings.LastIndexByte(s, '@')+1:], ".") {
			ps.Add(FieldEmail, CodeInvalid, s)
		}
	}
	return ps
}

// CheckResetRequest checks the form asking for a reset link: a login
// within bounds.
func CheckResetRequest(login string) check.Problems {
	var ps check.Problems
	if login = strings.TrimSpace(login); login == "" || len(login) > MaxLoginLen {
		ps.Add(FieldLogin, CodeRequired, "")
	}
	return ps
}

// CheckMFAPolicy checks an establishment's second-factor policy: known
// profiles and staff functions only.
func CheckMFAPolicy(profiles, functions []string) check.Problems {
	var ps check.Problems
	for _, p := range profiles {
		if !slices.Contains(roles.Profiles, p) {
			ps.Add(FieldProfile, CodeInvalid, p)
		}
	}
	for _, f := range functions {
		if !slices.Contains(roles.Functions, f) {
			ps.Add(FieldFunction, CodeInvalid, f)
		}
	}
	return ps
}
