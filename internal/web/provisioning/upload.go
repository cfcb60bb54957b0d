package provisioning

import (
	"bytes"
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"path/filepath"
	"strings"

	"cartable/internal/access"
	"cartable/internal/provisioning"
	"cartable/internal/web/page"
)

// formKeys translate the upload form's problems (provisioning.CheckUpload,
// CheckDelivery), by field.
var formKeys = map[string]string{
	"source":        "prov.error.source",
	"establishment": "prov.error.target",
	"files":         "prov.error.nofile",
}

// upload reads a delivery, previews its changes as the viewer and keeps
// it, sealed, for the viewer's review.
func (a *Area) upload(w http.ResponseWriter, r *http.Request) {
	ctx, v := r.Context(), page.Viewer(r)
	form := provisioning.UploadForm{Source: r.FormValue("source"), Target: r.FormValue("establishment"), Complete: r.FormValue("complete") == "1"}
	var parts []*multipart.FileHeader
	if r.MultipartForm != nil {
		parts = r.MultipartForm.File["files"]
	}
	form.Files = len(parts)
	// An unknown source is said first; the rest once the server may keep
	// an upload and the viewer may provision the chosen establishment.
	ps := provisioning.CheckUpload(form)
	if ps.Has("source") {
		a.formAgain(w, r, http.StatusUnprocessableEntity, form, formKeys["source"], nil)
		return
	}
	if a.sealer == nil {
		a.formAgain(w, r, http.StatusServiceUnavailable, form, "prov.error.nostore", nil)
		return
	}
	uai := ""
	if form.Target != "" {
		e, err := provisioning.Establishment(ctx, v, a.db, form.Target)
		if err != nil {
			a.kit.Fail(w, r, err)
			return
		}
		uai = e.UAI
	}
	if len(ps) > 0 {
		a.formAgain(w, r, http.StatusUnprocessableEntity, form, formKeys[ps[0].Field], nil)
		return
	}
	archive, err := archiveOf(parts)
	if err != nil {
		a.formAgain(w, r, http.StatusUnprocessableEntity, form, "prov.error.archive", nil)
		return
	}
	files, err := provisioning.FilesFromBytes(archive)
	if err != nil {
		a.formAgain(w, r, http.StatusUnprocessableEntity, form, "prov.error.archive", err)
		return
	}
	dl, err := provisioning.ReadWithin(form.Source, files, uai, form.Complete, provisioning.UploadRecords)
	if err != nil {
		a.formAgain(w, r, http.StatusUnprocessableEntity, form, "prov.error.read", err)
		return
	}
	if len(provisioning.CheckDelivery(dl, uai)) > 0 {
		a.formAgain(w, r, http.StatusUnprocessableEntity, form, "prov.error.mismatch", nil)
		return
	}
	sum, err := provisioning.Import(ctx, v, a.db, dl, provisioning.Options{DryRun: true, MaxDeactivation: a.maxDeactivation, Now: a.kit.Now})
	var refusal *provisioning.ImportRefusal
	switch {
	case errors.As(err, &refusal):
		a.refused(w, r, form, refusal)
		return
	case page.Refused(err):
		a.kit.Fail(w, r, err)
		return
	case err != nil:
		a.formAgain(w, r, http.StatusUnprocessableEntity, form, "prov.error.read", err)
		return
	}
	u := &provisioning.Upload{CreatedAt: a.kit.Now(), Source: form.Source, Target: form.Target,
		Complete: form.Complete, Archive: archive, Fingerprint: sum.Fingerprint, Summary: *sum}
	if err := provisioning.SaveUpload(ctx, v, a.db, u, a.sealer); err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/provisioning/uploads/"+u.ID, http.StatusSeeOther)
}

// refused shows the form again with why the delivery may not be imported
// by the viewer: the establishments it names that they do not provision,
// and whether it reaches people they do not answer for (not detailed).
func (a *Area) refused(w http.ResponseWriter, r *http.Request, form provisioning.UploadForm, f *provisioning.ImportRefusal) {
	a.kit.AuditRefusal(r, access.Instance())
	d, ok := a.indexData(w, r)
	if !ok {
		return
	}
	d.Source, d.Target, d.Complete, d.Error = form.Source, form.Target, form.Complete, "prov.error.denied"
	if len(f.UAIs) > 0 {
		d.Issues = append(d.Issues, issueLine{Message: strings.Join(f.UAIs, " ")})
	}
	if f.Others {
		d.Issues = append(d.Issues, issueLine{Message: page.T(r, "prov.error.denied.people")})
	}
	a.pages.Render(w, r, http.StatusForbidden, "index", "prov.title", d)
}

// archiveOf keeps the uploaded files as one zip: a zip sent alone is kept
// as it is.
func archiveOf(parts []*multipart.FileHeader) ([]byte, error) {
	if len(parts) == 1 && strings.EqualFold(filepath.Ext(parts[0].Filename), ".zip") {
		f, err := parts[0].Open()
		if err != nil {
			return nil, err
		}
		defer f.Close()
		return io.ReadAll(f)
	}
	var files []provisioning.File
	for _, p := range parts {
		files = append(files, provisioning.File{Name: filepath.Base(p.Filename), Open: func() (io.ReadCloser, error) { return p.Open() }})
	}
	var buf bytes.Buffer
	if err := provisioning.Zip(&buf, files); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
