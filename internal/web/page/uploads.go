package page

import (
	"fmt"
	"net/http"

	"cartable/internal/files"
)

// Uploads opens the files chosen in the multipart form's input field
// (none for a plain form); the caller calls the returned function to close
// them once the domain has read them.
func Uploads(r *http.Request, field string) ([]files.Upload, func()) {
	var out []files.Upload
	var closers []func() error
	if r.MultipartForm != nil {
		for _, fh := range r.MultipartForm.File[field] {
			if fh.Filename == "" && fh.Size == 0 {
				continue // the empty input of a form sent without a file
			}
			f, err := fh.Open()
			if err != nil {
				// Received but unreadable (its temporary file is gone):
				// the domain refuses the form, naming the file, rather
				// than the message or news going without it.
				out = append(out, files.Upload{Name: fh.Filename, Body: unreadable{fmt.Errorf("%w: %v", files.ErrUnreadable, err)}})
				continue
			}
			closers = append(closers, f.Close)
			out = append(out, files.Upload{Name: fh.Filename, Body: f})
		}
	}
	return out, func() {
		for _, c := range closers {
			c()
		}
	}
}

// unreadable is an upload whose every read fails with err.
type unreadable struct{ err error }

func (u unreadable) Read([]byte) (int, error) { return 0, u.err }
