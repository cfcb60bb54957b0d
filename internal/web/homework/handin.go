package homework

import (
	"errors"
	"io"
	"net/http"
	"strings"

	"cartable/internal/classlog"
	"cartable/internal/files"
	"cartable/internal/web/page"
)

// The largest upload a form may carry beyond its file: room for the other
// fields.
const formOverhead = 256 << 10

// limited refuses, before anything is read, a body announced larger than
// an upload may be, with a clear message; a body that turns out larger is
// cut at that size.
func (a *Area) limited(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		limit := a.files.Limit() + formOverhead
		if r.ContentLength > limit {
			w.Header().Set("Connection", "close")
			a.problem(w, r, http.StatusRequestEntityTooLarge, page.T(r, "files.toolarge", a.files.Limit()>>20))
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		h(w, r)
	}
}

// handIn stores a student's work for a homework that asks for an upload.
func (a *Area) handIn(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if err := r.ParseMultipartForm(1 << 20); err != nil {
		var mb *http.MaxBytesError
		if errors.As(err, &mb) {
			a.problem(w, r, http.StatusUnprocessableEntity, page.T(r, "files.toolarge", a.files.Limit()>>20))
			return
		}
		a.problem(w, r, http.StatusUnprocessableEntity, page.T(r, "files.nofile"))
		return
	}
	// Without a file, the domain still says whether the viewer may hand
	// in (a refusal answers "not found"); then the form says what lacks.
	name, body := "", io.Reader(strings.NewReader(""))
	fh, hdr, err := r.FormFile("file")
	if err == nil {
		defer fh.Close()
		name, body = hdr.Filename, fh
	}
	err = a.log.HandIn(r.Context(), page.Viewer(r), id, name, body)
	if hdr == nil && !page.Refused(err) {
		a.problem(w, r, http.StatusUnprocessableEntity, page.T(r, "files.nofile"))
		return
	}
	if msg := fileProblem(r, err); msg != "" {
		a.problem(w, r, http.StatusUnprocessableEntity, msg)
		return
	}
	if err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/homework?saved=handin#hw-"+id, http.StatusSeeOther)
}

// fileProblem explains a refused upload, or "" when err is something else.
func fileProblem(r *http.Request, err error) string {
	var tl files.TooLarge
	var rf files.Refused
	switch {
	case errors.As(err, &tl):
		return page.T(r, "files.toolarge", tl.Limit>>20)
	case errors.As(err, &rf):
		return page.T(r, "files.refused", rf.Name, files.AcceptedExtensions)
	case errors.Is(err, files.ErrEmpty):
		return page.T(r, "files.empty")
	case errors.Is(err, classlog.ErrNoStorage):
		return page.T(r, "files.nostorage")
	}
	return ""
}

// problem shows the homework list with a refusal message.
func (a *Area) problem(w http.ResponseWriter, r *http.Request, status int, msg string) {
	d := homeworkData{Problem: msg, Limit: a.files.Limit() >> 20, Accept: files.AcceptedExtensions}
	a.pages.Render(w, r, status, "homework", "hw.title", d)
}
