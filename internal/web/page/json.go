package page

import (
	"encoding/json"
	"net/http"
)

// The passkey ceremonies are the only exchanges in JSON (static/webauthn.js:
// WebAuthn has no form-based API).

// JSON answers v as JSON, never cached.
func JSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// RawJSON answers a JSON document made elsewhere (a ceremony's options).
func RawJSON(w http.ResponseWriter, b []byte) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Write(b)
}

// JSONError answers {"error": message}, the message being the catalog
// entry key in the request's language.
func JSONError(w http.ResponseWriter, r *http.Request, status int, key string) {
	JSON(w, status, struct {
		Error string `json:"error"`
	}{T(r, key)})
}

// JSONNext answers {"next": path}: where the script goes after a ceremony.
func JSONNext(w http.ResponseWriter, next string) {
	JSON(w, http.StatusOK, struct {
		Next string `json:"next"`
	}{next})
}
