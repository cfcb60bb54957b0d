package provisioning

import (
	"errors"
	"net/http"
	"net/url"

	"cartable/internal/access"
	"cartable/internal/i18n"
	"cartable/internal/provisioning"
	"cartable/internal/web/page"
)

// The review of a pending upload, by whoever may handle it (its sender,
// or anyone who provisions all it concerns: provisioning.LoadUpload asks
// again at each step): its changes, then confirm (applied in one
// transaction, the rights checked again on the changes as they are then)
// or discard.

type reviewData struct {
	Upload   *provisioning.Upload
	Mine     bool // sent by the viewer
	Summary  *provisioning.Summary
	Changes  []changeLine
	Over     bool // the guard stops it without the override
	Error    string
	Notice   string
	Warnings []warningGroup
	Allow    bool
	Create   bool // the classes and groups to create are acknowledged
	// FactorOwed lists the new establishments that will require a second
	// factor of the viewer, who has none yet, once the import attaches
	// them there: the next sign-in will ask them to set one up.
	FactorOwed []provisioning.EstablishmentSummary
}

// PageTitle names the upload: when it was sent, and what.
func (d reviewData) PageTitle(lang string) string {
	return i18n.T(lang, "prov.review.titled", i18n.DateTime(lang, d.Upload.CreatedAt), i18n.T(lang, "prov.source."+d.Upload.Source))
}

// loadUpload loads the upload of the request when the viewer may handle
// it; any other, expired or beyond the viewer's rights, is answered as a
// missing page.
func (a *Area) loadUpload(w http.ResponseWriter, r *http.Request) *provisioning.Upload {
	u, err := provisioning.LoadUpload(r.Context(), page.Viewer(r), a.db, r.PathValue("id"), a.kit.Now())
	if err != nil {
		a.kit.Fail(w, r, err)
		return nil
	}
	return u
}

func (a *Area) renderReview(w http.ResponseWriter, r *http.Request, status int, u *provisioning.Upload, errKey, notice string) {
	d := reviewData{Upload: u, Mine: u.CreatedBy == page.Viewer(r).ID, Summary: &u.Summary, Changes: changesOf(page.Lang(r), &u.Summary), Error: errKey, Notice: notice,
		Warnings: warningGroups(page.Lang(r), u.Summary.Report), Allow: r.FormValue("allow") == "1",
		// Changes shown again may create other classes: acknowledged anew.
		Create: r.FormValue("create") == "1" && notice != "prov.review.changed"}
	for _, g := range u.Summary.Guard {
		d.Over = d.Over || g.Over
	}
	if u.Summary.Refused != "" {
		d.Over = true
	}
	var fresh []provisioning.EstablishmentSummary
	for _, e := range u.Summary.Establishments {
		if e.New {
			fresh = append(fresh, e)
		}
	}
	if len(fresh) > 0 && a.auth != nil {
		owed, err := a.auth.FactorOwedOnAttach(r.Context(), page.Viewer(r))
		if err != nil {
			a.kit.ServerError(w, r, err)
			return
		}
		if owed {
			d.FactorOwed = fresh
		}
	}
	a.pages.Render(w, r, status, "review", "prov.review.title", d)
}

func (a *Area) review(w http.ResponseWriter, r *http.Request) {
	if u := a.loadUpload(w, r); u != nil {
		a.renderReview(w, r, http.StatusOK, u, "", "")
	}
}

// cancel discards a pending upload: nothing is applied.
func (a *Area) cancel(w http.ResponseWriter, r *http.Request) {
	if u := a.loadUpload(w, r); u != nil {
		if err := provisioning.DeleteUpload(r.Context(), page.Viewer(r), a.db, u.ID); err != nil {
			a.kit.Fail(w, r, err)
			return
		}
		http.Redirect(w, r, "/provisioning?done=discarded", http.StatusSeeOther)
	}
}

func (a *Area) confirm(w http.ResponseWriter, r *http.Request) {
	ctx, v := r.Context(), page.Viewer(r)
	u := a.loadUpload(w, r)
	if u == nil {
		return
	}
	// The classes and groups a spreadsheet would create are applied only
	// once acknowledged (the fingerprint checked by Import makes them the
	// ones reviewed).
	if ps := provisioning.CheckConfirm(provisioning.ConfirmForm{Summary: &u.Summary, Create: r.FormValue("create") == "1"}); len(ps) > 0 {
		a.renderReview(w, r, http.StatusUnprocessableEntity, u, "prov.review.create.required", "")
		return
	}
	// Beyond the viewer's rights now (the chosen establishment, or the
	// changes as they are today): as if the upload did not exist.
	fail := func(err error) {
		if page.Refused(err) {
			a.kit.AuditRefusal(r, access.Resource{Kind: "import-upload", ID: u.ID})
			a.kit.NotFound(w, r)
			return
		}
		a.kit.ServerError(w, r, err)
	}
	uai := ""
	if u.Target != "" {
		e, err := provisioning.Establishment(ctx, v, a.db, u.Target)
		if err != nil {
			fail(err)
			return
		}
		uai = e.UAI
	}
	archive, err := u.Open(ctx, a.sealer)
	if errors.Is(err, provisioning.ErrUploadUnreadable) {
		// Not sealed by this instance (altered, or another data
		// directory's): forgotten, to be sent again.
		if err := provisioning.DeleteUpload(ctx, v, a.db, u.ID); err != nil {
			a.kit.ServerError(w, r, err)
			return
		}
		a.formAgain(w, r, http.StatusGone, provisioning.UploadForm{Source: u.Source, Target: u.Target, Complete: u.Complete}, "prov.error.unreadable", nil)
		return
	}
	if err != nil {
		a.kit.ServerError(w, r, err)
		return
	}
	files, err := provisioning.FilesFromBytes(archive)
	if err != nil {
		a.kit.ServerError(w, r, err)
		return
	}
	dl, err := provisioning.ReadWithin(u.Source, files, uai, u.Complete, provisioning.UploadRecords)
	if err != nil {
		a.kit.ServerError(w, r, err)
		return
	}
	sum, err := provisioning.Import(ctx, v, a.db, dl, provisioning.Options{
		Now: a.kit.Now, Expect: u.Fingerprint, AllowMassDeactivation: r.FormValue("allow") == "1", MaxDeactivation: a.maxDeactivation})
	switch {
	case page.Refused(err):
		fail(err)
	case errors.Is(err, provisioning.ErrMassDeactivation):
		u.Summary = *sum
		a.renderReview(w, r, http.StatusConflict, u, "prov.review.refused", "")
	case errors.Is(err, provisioning.ErrChanged):
		fresh, err := provisioning.Import(ctx, v, a.db, dl, provisioning.Options{DryRun: true, MaxDeactivation: a.maxDeactivation, Now: a.kit.Now})
		if err != nil {
			fail(err)
			return
		}
		u.Summary, u.Fingerprint = *fresh, fresh.Fingerprint
		if err := provisioning.UpdateUpload(ctx, v, a.db, u); err != nil {
			a.kit.Fail(w, r, err)
			return
		}
		a.renderReview(w, r, http.StatusConflict, u, "", "prov.review.changed")
	case err != nil:
		if re, ok := provisioning.AsReadError(err); ok {
			u.Summary.Report.Errors, u.Summary.Report.ErrorCount = re.Issues, re.Count
			a.renderReview(w, r, http.StatusUnprocessableEntity, u, "prov.error.read", "")
			return
		}
		a.kit.ServerError(w, r, err)
	default:
		// The import is applied: a failure to forget its upload (the rights
		// it just changed, say) must not answer an error for it; the
		// upload then expires with the day.
		if err := provisioning.DeleteUpload(ctx, v, a.db, u.ID); err != nil {
			a.kit.Log.Warn("provisioning: applied upload not deleted", "upload", u.ID, "error", err)
		}
		http.Redirect(w, r, "/provisioning/imports/"+url.PathEscape(sum.RunID), http.StatusSeeOther)
	}
}
