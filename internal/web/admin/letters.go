package admin

import (
	"bytes"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"cartable/internal/auth"
	"cartable/internal/letters"
	"cartable/internal/web/page"
)

// Activation letters, of a person or of a class: a PDF whose codes exist
// nowhere else.

// activationLife reads the "valid for N days" field of the forms.
func activationLife(r *http.Request) time.Duration {
	n, err := strconv.Atoi(r.PostFormValue("days"))
	if err != nil || n < 1 || n > int(auth.MaxActivationLife/(24*time.Hour)) {
		return auth.DefaultActivationLife
	}
	return time.Duration(n) * 24 * time.Hour
}

func (a *Area) personLetter(w http.ResponseWriter, r *http.Request) {
	b, err := a.auth.PersonLetter(r.Context(), page.Viewer(r), r.PathValue("id"), activationLife(r), page.ClientIP(r))
	a.write(w, r, b, err)
}

func (a *Area) classLetters(w http.ResponseWriter, r *http.Request) {
	b, err := a.auth.ClassLetters(r.Context(), page.Viewer(r), r.PathValue("id"), r.PostFormValue("who"), activationLife(r), page.ClientIP(r))
	a.write(w, r, b, err)
}

// write answers a batch with its PDF, or says why there is none.
func (a *Area) write(w http.ResponseWriter, r *http.Request, b auth.LetterBatch, err error) {
	switch {
	case errors.Is(err, auth.ErrAlreadyActivated): // a letter never replaces a password
		a.kit.Error(w, r, http.StatusConflict, "admin.activation.activated")
		return
	case errors.Is(err, auth.ErrNoneLeft):
		a.kit.Error(w, r, http.StatusUnprocessableEntity, "admin.activation.noneleft")
		return
	case errors.Is(err, auth.ErrNobody):
		a.kit.Error(w, r, http.StatusUnprocessableEntity, "admin.nobody")
		return
	case err != nil:
		a.kit.FailExplained(w, r, err)
		return
	}
	var buf bytes.Buffer
	if err := letters.WriteBatch(&buf, b.Letters, b.Skipped); err != nil {
		a.kit.ServerError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", `attachment; filename="`+strings.Map(func(r rune) rune {
		if r == '"' || r == '\\' || r < ' ' {
			return '_'
		}
		return r
	}, b.Filename)+`"`)
	w.Header().Set("Cache-Control", "no-store")
	w.Write(buf.Bytes())
}
