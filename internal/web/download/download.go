// Package download serves the stored files (/files/{id}): attachments of
// class log entries and handed-in work alike. It is an area of its own
// because a file is the file store's, whatever refers to it: the store
// asks the policy who may read it (the owner, the readers of an entry it
// is attached to, those who read a homework's hand-ins).
package download

import (
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"net/http"

	"cartable/internal/db"
	"cartable/internal/files"
	"cartable/internal/web/page"
)

// Area serves the downloads.
type Area struct {
	kit   *page.Kit
	db    *db.DB
	files *files.Store // nil: no file storage
	log   *slog.Logger
}

// New returns the area.
func New(kit *page.Kit, d *db.DB, store *files.Store) *Area {
	return &Area{kit: kit, db: d, files: store, log: kit.Log}
}

// Routes mounts the download.
func (a *Area) Routes(mux *http.ServeMux) {
	mux.HandleFunc("GET /files/{id}", a.kit.SignedIn(a.download))
}

// download serves a stored file as an attachment, in a sandbox: a file is
// never rendered as a page of this site.
func (a *Area) download(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if a.files == nil {
		// Whether the file may be read is said first, as with a storage.
		if _, err := files.Info(r.Context(), page.Viewer(r), a.db, id); err != nil && !errors.Is(err, files.ErrNotFound) {
			a.kit.Fail(w, r, err)
			return
		}
		a.kit.Error(w, r, http.StatusServiceUnavailable, "files.nostorage")
		return
	}
	f, data, err := a.files.Read(r.Context(), page.Viewer(r), a.db, id)
	if errors.Is(err, files.ErrNotFound) {
		// Deleted meanwhile, or its blob is missing from the storage: the
		// error says which, for the log; the visitor sees "not found".
		a.log.Warn("download of a file without content", "file", id, "err", err.Error())
		a.kit.NotFound(w, r)
		return
	}
	if err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", f.ContentType)
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": f.Name}))
	h.Set("Content-Security-Policy", "sandbox; default-src 'none'")
	h.Set("Cache-Control", "private, no-store")
	h.Set("Content-Length", fmt.Sprint(len(data)))
	w.Write(data)
}
