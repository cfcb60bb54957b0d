package page

import (
	"errors"
	"net/http"
	"net/url"

	"cartable/internal/access"
	"cartable/internal/audit"
	"cartable/internal/db"
	"cartable/internal/files"
	"cartable/internal/i18n"
)

type errorData struct{ Message string }

// Error renders the error page with a catalog message.
func (k *Kit) Error(w http.ResponseWriter, r *http.Request, status int, key string) {
	k.errors.Render(w, r, status, "error", "error.title", errorData{Message: key})
}

// NotFound is the answer to a missing page, and to a refusal.
func (k *Kit) NotFound(w http.ResponseWriter, r *http.Request) {
	k.Error(w, r, http.StatusNotFound, "error.notfound")
}

// ServerError logs err (no personal data: errors name rows by ID) and
// answers a plain 500, or a 503 that says to retry when the database is
// unreachable or takes no writes (maintenance, full disk): nothing was
// applied, and the browser's back button finds the form as it was typed.
func (k *Kit) ServerError(w http.ResponseWriter, r *http.Request, err error) {
	status, key := http.StatusInternalServerError, "error.internal"
	switch {
	case db.Unavailable(err):
		status, key = http.StatusServiceUnavailable, "error.unavailable"
	case db.ReadOnly(err):
		status, key = http.StatusServiceUnavailable, "error.readonly"
	case errors.Is(err, files.ErrUnavailable):
		status, key = http.StatusServiceUnavailable, "error.storage"
	}
	k.Log.Error("request failed", "route", r.Pattern, "status", status, "err", err.Error())
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if status == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", "30")
	}
	w.WriteHeader(status)
	w.Write([]byte(i18n.T(Lang(r), key) + "\n"))
}

// Fail answers an error a domain returned: a refusal is audited and
// answered like a missing page, so that nobody learns whether the
// resource exists; anything else is a server error.
func (k *Kit) Fail(w http.ResponseWriter, r *http.Request, err error) {
	if access.IsSecondFactorRefusal(err) && r.Method == http.MethodGet {
		// Allowed but for the second factor (marks): step up, then back.
		http.Redirect(w, r, "/sign-in/second-factor?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
		return
	}
	var d *access.Denied
	if errors.As(err, &d) {
		k.AuditRefusal(r, d.Resource)
		k.NotFound(w, r)
		return
	}
	if errors.Is(err, access.ErrDenied) {
		k.AuditRefusal(r, access.Resource{})
		k.NotFound(w, r)
		return
	}
	k.ServerError(w, r, err)
}

// Refused tells whether err is a refusal.
func Refused(err error) bool { return errors.Is(err, access.ErrDenied) }

// AuditRefusal records a refused access of the request's viewer.
func (k *Kit) AuditRefusal(r *http.Request, res access.Resource) {
	actor := ""
	if v := Viewer(r); v != nil {
		actor = v.Actor()
	}
	_ = audit.Record(r.Context(), k.DB, audit.Event{ActorID: actor, Action: audit.AccessRefused,
		Target: string(res.Kind) + ":" + res.ID, Outcome: audit.Denied, SourceIP: ClientIP(r)})
}
