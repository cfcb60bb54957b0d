package page

import (
	"net/http"

	"cartable/internal/auth"
)

// The known-device cookie marks a browser where the person already
// completed a sign-in (auth.Attempts): attempts from it are counted apart,
// so that someone guessing a password elsewhere cannot lock its owner out.

func (k *Kit) deviceCookie() string {
	if k.Secure {
		return "__Host-cartable-device"
	}
	return "cartable-device"
}

// DeviceToken is the request's known-device cookie, if any.
func (k *Kit) DeviceToken(r *http.Request) string {
	if c, err := r.Cookie(k.deviceCookie()); err == nil {
		return c.Value
	}
	return ""
}

// SetDeviceCookie keeps a known-device token in the browser for a year
// (nothing when token is empty).
func (k *Kit) SetDeviceCookie(w http.ResponseWriter, token string) {
	if token == "" {
		return
	}
	http.SetCookie(w, &http.Cookie{Name: k.deviceCookie(), Value: token, Path: "/", MaxAge: 365 * 24 * 3600,
		HttpOnly: true, Secure: k.Secure, SameSite: http.SameSiteLaxMode})
}

// RememberDevice marks this browser as known for the request's viewer,
// whose second factor was just passed, and sets its cookie. A failure is
// logged only: the sign-in itself succeeded.
func (k *Kit) RememberDevice(w http.ResponseWriter, r *http.Request, au *auth.Authenticator) {
	tok, err := au.RememberDevice(r.Context(), Viewer(r), k.DeviceToken(r))
	if err != nil {
		k.Log.Warn("cannot remember the device", "err", err.Error())
		return
	}
	k.SetDeviceCookie(w, tok)
}
