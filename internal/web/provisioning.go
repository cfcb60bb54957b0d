package web

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"cartable/internal/access"
	"cartable/internal/directory"
	"cartable/internal/files"
	"cartable/internal/i18n"
	"cartable/internal/provisioning"
)

// Provisioning pages: upload a delivery, review its changes, confirm or
// cancel; the import history; the yearly rollover with its preview; the
// closed accounts of an establishment (close, reopen, record a person's
// choice about their contributions). Everything asks access.Provision.

// maxUpload bounds a web upload (the files, or one zip). An academy-sized
// delivery goes through "cartable import aaf", which streams from disk.
const maxUpload = 64 << 20

func (s *Server) provisioningRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /provisioning", s.signedIn(s.provIndex))
	// The right is checked before anything of the body is read: the form
	// token is in the body, so it comes after.
	mux.HandleFunc("POST /provisioning/uploads", s.provisioner(s.limitBody(maxUpload, s.signedIn(s.provUpload))))
	mux.HandleFunc("GET /provisioning/uploads/{id}", s.signedIn(s.provReview))
	mux.HandleFunc("POST /provisioning/uploads/{id}/confirm", s.signedIn(s.provConfirm))
	mux.HandleFunc("POST /provisioning/uploads/{id}/cancel", s.signedIn(s.provCancel))
	mux.HandleFunc("GET /provisioning/imports/{id}", s.signedIn(s.provRun))
	mux.HandleFunc("GET /provisioning/establishments/{id}/rollover", s.signedIn(s.provRolloverForm))
	mux.HandleFunc("POST /provisioning/establishments/{id}/rollover", s.signedIn(s.provRollover))
	mux.HandleFunc("GET /provisioning/establishments/{id}/accounts", s.signedIn(s.provAccounts))
	mux.HandleFunc("POST /provisioning/establishments/{id}/accounts/close", s.signedIn(s.provClose))
	mux.HandleFunc("POST /provisioning/people/{id}/reactivate", s.signedIn(s.provReactivate))
	mux.HandleFunc("POST /provisioning/people/{id}/choice", s.signedIn(s.provChoice))
}

// limitBody refuses bodies larger than n before anything reads them, with
// a page that says so when the size is announced.
func (s *Server) limitBody(n int64, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > n {
			s.renderError(w, r, http.StatusRequestEntityTooLarge, "prov.error.toolarge")
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, n)
		h(w, r)
	}
}

// provisioner refuses, without reading the request's body, anyone who may
// provision nothing: the provision right on no establishment and not the
// operator's. Signed-out visitors and sessions that still owe their
// second factor are refused as signedIn refuses them.
func (s *Server) provisioner(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		cur := currentOf(r)
		if cur == nil {
			s.renderError(w, r, http.StatusForbidden, "error.session")
			return
		}
		if !cur.session.MFADone {
			s.renderError(w, r, http.StatusForbidden, "error.mfa")
			return
		}
		ok, err := s.mayProvisionSomething(r)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		if !ok {
			s.auditRefusal(r, access.Instance())
			s.renderError(w, r, http.StatusNotFound, "error.notfound")
			return
		}
		h(w, r)
	}
}

// mayProvisionSomething tells whether the viewer holds the provision right
// on some establishment or on the instance.
func (s *Server) mayProvisionSomething(r *http.Request) (bool, error) {
	if ok, err := s.may(r, access.Provision, access.Instance()); err != nil || ok {
		return ok, err
	}
	for _, id := range currentOf(r).viewer.Establishments {
		if ok, err := s.may(r, access.Provision, access.Establishment(id)); err != nil || ok {
			return ok, err
		}
	}
	return false, nil
}

func (s *Server) purgeDelay() time.Duration {
	days := s.PurgeAfterDays
	if days <= 0 || days > provisioning.MaxPurgeDays {
		days = provisioning.MaxPurgeDays
	}
	return time.Duration(days) * 24 * time.Hour
}

// provisionable lists the establishments the viewer may provision, by name.
func (s *Server) provisionable(r *http.Request) ([]directory.Establishment, error) {
	v := currentOf(r).viewer
	var out []directory.Establishment
	for _, id := range v.Establishments {
		ok, err := s.may(r, access.Provision, access.Establishment(id))
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		e, err := directory.EstablishmentByID(r.Context(), s.DB, id)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

type provIndexData struct {
	Sources        []string
	Establishments []directory.Establishment
	Operator       bool // may bring new establishments
	Runs           []runLine
	// The form, kept as typed when it fails.
	Source, Target string
	Complete       bool
	Error          string
	Issues         []issueLine
	IssueCount     int
}

type runLine struct {
	provisioning.Run
	Actor   actor
	Changes int
	UAIs    string
}

// actor is who ran something: a name the viewer may read, or a catalog
// key ("command line", "another operator").
type actor struct{ Name, Key string }

type issueLine struct {
	Where, Message string
}

func (s *Server) provIndex(w http.ResponseWriter, r *http.Request) {
	d, ok := s.provIndexData(w, r)
	if !ok {
		return
	}
	s.render(w, r, http.StatusOK, "provisioning_index", "prov.title", d)
}

// provIndexData loads the page's lists; false when the viewer may provision
// nothing (answered as a missing page).
func (s *Server) provIndexData(w http.ResponseWriter, r *http.Request) (*provIndexData, bool) {
	ests, err := s.provisionable(r)
	if err != nil {
		s.serverError(w, r, err)
		return nil, false
	}
	operator, err := s.may(r, access.Provision, access.Instance())
	if err != nil {
		s.serverError(w, r, err)
		return nil, false
	}
	if len(ests) == 0 && !operator {
		s.auditRefusal(r, access.Instance())
		s.renderError(w, r, http.StatusNotFound, "error.notfound")
		return nil, false
	}
	d := &provIndexData{Sources: provisioning.Sources, Establishments: ests, Operator: operator, Source: provisioning.AAF}
	ids := make([]string, len(ests))
	uai := map[string]string{}
	for i, e := range ests {
		ids[i] = e.ID
		uai[e.ID] = e.UAI
	}
	runs, err := provisioning.Runs(r.Context(), s.DB, ids, 50)
	if err != nil {
		s.serverError(w, r, err)
		return nil, false
	}
	for _, run := range runs {
		l := runLine{Run: run, Changes: run.Summary.Changes()}
		var codes []string
		for _, e := range run.Summary.Establishments {
			codes = append(codes, e.UAI)
		}
		l.UAIs = strings.Join(codes, " ")
		if len(codes) > 4 {
			l.UAIs = strings.Join(codes[:4], " ") + " …"
		}
		if l.Actor, err = s.actorName(r, run.ActorID); err != nil {
			s.serverError(w, r, err)
			return nil, false
		}
		d.Runs = append(d.Runs, l)
	}
	return d, true
}

// actorName names who ran something, if the viewer may read that name.
func (s *Server) actorName(r *http.Request, id string) (actor, error) {
	if id == "" {
		return actor{Key: "prov.actor.cli"}, nil
	}
	ok, err := s.may(r, access.ReadName, access.Person(id))
	if err != nil || !ok {
		return actor{Key: "prov.actor.other"}, err
	}
	p, err := directory.PersonByID(r.Context(), s.DB, id)
	if err != nil {
		return actor{Key: "prov.actor.other"}, nil
	}
	return actor{Name: p.DisplayName()}, nil
}

// provFail shows the upload form again with what went wrong.
func (s *Server) provFail(w http.ResponseWriter, r *http.Request, status int, form provIndexData, key string, err error) {
	d, ok := s.provIndexData(w, r)
	if !ok {
		return
	}
	d.Source, d.Target, d.Complete, d.Error = form.Source, form.Target, form.Complete, key
	if re, ok := provisioning.AsReadError(err); ok {
		d.IssueCount = re.Count
		for _, is := range re.Issues {
			d.Issues = append(d.Issues, issueLine{Where: is.Where(), Message: is.Message(langOf(r))})
		}
	}
	s.render(w, r, status, "provisioning_index", "prov.title", d)
}

func (s *Server) provUpload(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	v := currentOf(r).viewer
	form := provIndexData{Source: r.FormValue("source"), Target: r.FormValue("establishment"), Complete: r.FormValue("complete") == "1"}
	known := false
	for _, src := range provisioning.Sources {
		known = known || src == form.Source
	}
	if !known {
		s.provFail(w, r, http.StatusUnprocessableEntity, form, "prov.error.source", nil)
		return
	}
	if s.sealer() == nil {
		s.provFail(w, r, http.StatusServiceUnavailable, form, "prov.error.nostore", nil)
		return
	}
	uai := ""
	if form.Target != "" {
		if !s.allowed(w, r, access.Provision, access.Establishment(form.Target)) {
			return
		}
		e, err := directory.EstablishmentByID(ctx, s.DB, form.Target)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		uai = e.UAI
	} else if form.Source == provisioning.CSV {
		s.provFail(w, r, http.StatusUnprocessableEntity, form, "prov.error.target", nil)
		return
	}
	if r.MultipartForm == nil || len(r.MultipartForm.File["files"]) == 0 {
		s.provFail(w, r, http.StatusUnprocessableEntity, form, "prov.error.nofile", nil)
		return
	}
	archive, err := archiveOf(r.MultipartForm.File["files"])
	if err != nil {
		s.provFail(w, r, http.StatusUnprocessableEntity, form, "prov.error.archive", nil)
		return
	}
	files, err := provisioning.FilesFromBytes(archive)
	if err != nil {
		s.provFail(w, r, http.StatusUnprocessableEntity, form, "prov.error.archive", err)
		return
	}
	dl, err := provisioning.ReadWithin(form.Source, files, uai, form.Complete, provisioning.UploadRecords)
	if err != nil {
		s.provFail(w, r, http.StatusUnprocessableEntity, form, "prov.error.read", err)
		return
	}
	if form.Source != provisioning.AAF && form.Source != provisioning.CSV && uai != "" && dl.Structures[0].UAI != uai {
		s.provFail(w, r, http.StatusUnprocessableEntity, form, "prov.error.mismatch", nil)
		return
	}
	var refusal provRefusal
	sum, err := provisioning.Import(ctx, s.DB, dl, provisioning.Options{DryRun: true, MaxDeactivation: s.MaxDeactivation, Now: s.Now,
		Authorize: s.provAuthorize(r, &refusal)})
	if errors.Is(err, errProvDenied) {
		s.auditRefusal(r, access.Instance())
		d, ok := s.provIndexData(w, r)
		if !ok {
			return
		}
		d.Source, d.Target, d.Complete, d.Error = form.Source, form.Target, form.Complete, "prov.error.denied"
		if named := refusal.uais(sum); len(named) > 0 {
			d.Issues = append(d.Issues, issueLine{Message: strings.Join(named, " ")})
		}
		if refusal.others {
			d.Issues = append(d.Issues, issueLine{Message: i18n.T(langOf(r), "prov.error.denied.people")})
		}
		s.render(w, r, http.StatusForbidden, "provisioning_index", "prov.title", d)
		return
	}
	if err != nil {
		s.provFail(w, r, http.StatusUnprocessableEntity, form, "prov.error.read", err)
		return
	}
	u := &provisioning.Upload{CreatedAt: s.Now(), CreatedBy: v.ID, Source: form.Source, Target: form.Target,
		Complete: form.Complete, Archive: archive, Fingerprint: sum.Fingerprint, Summary: *sum}
	if err := provisioning.SaveUpload(ctx, s.DB, u, s.sealer()); err != nil {
		s.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, "/provisioning/uploads/"+u.ID, http.StatusSeeOther)
}

// sealer seals pending uploads under the instance key
// files.PendingUploads of the file store; nil (and uploads refused)
// without one.
func (s *Server) sealer() provisioning.Sealer {
	if s.Files == nil {
		return nil
	}
	return s.Files.Sealer(s.DB, files.PendingUploads)
}

// errProvDenied stops an import the viewer may not run.
var errProvDenied = errors.New("provisioning: the delivery reaches beyond the viewer's rights")

// provRefusal is why an import was refused: the establishments it names
// that the viewer may not provision, whether it brings new ones in without
// the operator's right, and whether it changes people or relations the
// viewer does not answer for (not detailed: the refusal must not tell where
// someone else's people are).
type provRefusal struct {
	named   map[string]bool // establishment IDs
	creates bool
	others  bool
}

// uais lists the refused establishments the delivery names, by UAI.
func (f *provRefusal) uais(sum *provisioning.Summary) []string {
	var out []string
	if sum == nil {
		return nil
	}
	for _, e := range sum.Establishments {
		if f.named[e.ID] || e.New && f.creates {
			out = append(out, e.UAI)
		}
	}
	return out
}

// provAuthorize is the rule of every import made in the web, checked on
// the changes as they will be applied (provisioning.Scope): the provision
// right on every establishment the delivery names and on every
// establishment where it changes something — each establishment of each
// person it changes themselves (fields, profile, activity, family links,
// one more attachment) and each establishment where a relation changes —
// and the operator's right (the instance) to bring new establishments in,
// to change someone attached nowhere or to change an operator's account.
// A refusal is recorded in f and returned as errProvDenied.
func (s *Server) provAuthorize(r *http.Request, f *provRefusal) func(provisioning.Scope) error {
	return func(sc provisioning.Scope) error {
		*f = provRefusal{named: map[string]bool{}}
		named := map[string]bool{}
		for _, id := range sc.Named {
			named[id] = true
			ok, err := s.may(r, access.Provision, access.Establishment(id))
			if err != nil {
				return err
			}
			if !ok {
				f.named[id] = true
			}
		}
		for _, id := range sc.Establishments {
			if named[id] {
				continue
			}
			ok, err := s.may(r, access.Provision, access.Establishment(id))
			if err != nil {
				return err
			}
			if !ok {
				f.others = true
			}
		}
		if sc.Creates || sc.Unattached || sc.Operators {
			ok, err := s.may(r, access.Provision, access.Instance())
			if err != nil {
				return err
			}
			if !ok {
				f.creates = sc.Creates
				f.others = f.others || sc.Unattached || sc.Operators
			}
		}
		if len(f.named) > 0 || f.creates || f.others {
			return errProvDenied
		}
		return nil
	}
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
		p := p
		files = append(files, provisioning.File{Name: filepath.Base(p.Filename), Open: func() (io.ReadCloser, error) { return p.Open() }})
	}
	var buf bytes.Buffer
	if err := provisioning.Zip(&buf, files); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

type provReviewData struct {
	Upload   *provisioning.Upload
	Summary  *provisioning.Summary
	Table    changeTable
	Over     bool // the guard stops it without the override
	Error    string
	Notice   string
	Warnings []warningGroup
	Allow    bool
}

type warningGroup struct {
	Code     string
	Count    int
	Examples []issueLine
}

func warningGroups(lang string, rep provisioning.Report) []warningGroup {
	var out []warningGroup
	for _, code := range rep.WarningCodes() {
		g := warningGroup{Code: code, Count: rep.WarningCounts[code]}
		for _, is := range rep.Warnings {
			if is.Code == code && len(g.Examples) < 5 {
				g.Examples = append(g.Examples, issueLine{Where: is.Where(), Message: is.Message(lang)})
			}
		}
		out = append(out, g)
	}
	return out
}

func (s *Server) loadUpload(w http.ResponseWriter, r *http.Request) *provisioning.Upload {
	u, err := provisioning.LoadUpload(r.Context(), s.DB, r.PathValue("id"), currentOf(r).viewer.ID)
	if errors.Is(err, provisioning.ErrNotFound) {
		s.auditRefusal(r, access.Resource{Kind: "import-upload", ID: r.PathValue("id")})
		s.renderError(w, r, http.StatusNotFound, "error.notfound")
		return nil
	}
	if err != nil {
		s.serverError(w, r, err)
		return nil
	}
	return u
}

func (s *Server) renderReview(w http.ResponseWriter, r *http.Request, status int, u *provisioning.Upload, errKey, notice string) {
	d := provReviewData{Upload: u, Summary: &u.Summary, Table: tableOf(&u.Summary), Error: errKey, Notice: notice,
		Warnings: warningGroups(langOf(r), u.Summary.Report), Allow: r.FormValue("allow") == "1"}
	for _, g := range u.Summary.Guard {
		d.Over = d.Over || g.Over
	}
	if u.Summary.Refused != "" {
		d.Over = true
	}
	s.render(w, r, status, "provisioning_review", "prov.review.title", d)
}

func (s *Server) provReview(w http.ResponseWriter, r *http.Request) {
	if u := s.loadUpload(w, r); u != nil {
		s.renderReview(w, r, http.StatusOK, u, "", "")
	}
}

func (s *Server) provCancel(w http.ResponseWriter, r *http.Request) {
	if u := s.loadUpload(w, r); u != nil {
		if err := provisioning.DeleteUpload(r.Context(), s.DB, u.ID, u.CreatedBy); err != nil {
			s.serverError(w, r, err)
			return
		}
		http.Redirect(w, r, "/provisioning", http.StatusSeeOther)
	}
}

func (s *Server) provConfirm(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	u := s.loadUpload(w, r)
	if u == nil {
		return
	}
	v := currentOf(r).viewer
	uai := ""
	if u.Target != "" {
		e, err := directory.EstablishmentByID(ctx, s.DB, u.Target)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		uai = e.UAI
	}
	archive, err := u.Open(ctx, s.sealer())
	if errors.Is(err, provisioning.ErrUploadUnreadable) {
		// Not sealed by this instance (altered, or another data
		// directory's): forgotten, to be sent again.
		if err := provisioning.DeleteUpload(ctx, s.DB, u.ID, u.CreatedBy); err != nil {
			s.serverError(w, r, err)
			return
		}
		s.provFail(w, r, http.StatusGone, provIndexData{Source: u.Source, Target: u.Target, Complete: u.Complete}, "prov.error.unreadable", nil)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	files, err := provisioning.FilesFromBytes(archive)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	dl, err := provisioning.ReadWithin(u.Source, files, uai, u.Complete, provisioning.UploadRecords)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	var refusal provRefusal
	sum, err := provisioning.Import(ctx, s.DB, dl, provisioning.Options{
		ActorID: v.ID, AttachActor: v.Profile == directory.Admin, Now: s.Now, Expect: u.Fingerprint,
		AllowMassDeactivation: r.FormValue("allow") == "1", MaxDeactivation: s.MaxDeactivation,
		Authorize: s.provAuthorize(r, &refusal)})
	switch {
	case errors.Is(err, errProvDenied):
		s.auditRefusal(r, access.Resource{Kind: "import-upload", ID: u.ID})
		s.renderError(w, r, http.StatusNotFound, "error.notfound")
	case errors.Is(err, provisioning.ErrMassDeactivation):
		u.Summary = *sum
		s.renderReview(w, r, http.StatusConflict, u, "prov.review.refused", "")
	case errors.Is(err, provisioning.ErrChanged):
		fresh, err := provisioning.Import(ctx, s.DB, dl, provisioning.Options{DryRun: true, MaxDeactivation: s.MaxDeactivation, Now: s.Now,
			Authorize: s.provAuthorize(r, &refusal)})
		if errors.Is(err, errProvDenied) {
			s.auditRefusal(r, access.Resource{Kind: "import-upload", ID: u.ID})
			s.renderError(w, r, http.StatusNotFound, "error.notfound")
			return
		}
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		u.Summary, u.Fingerprint = *fresh, fresh.Fingerprint
		if err := provisioning.UpdateUpload(ctx, s.DB, u); err != nil {
			s.serverError(w, r, err)
			return
		}
		s.renderReview(w, r, http.StatusConflict, u, "", "prov.review.changed")
	case err != nil:
		if re, ok := provisioning.AsReadError(err); ok {
			u.Summary.Report.Errors, u.Summary.Report.ErrorCount = re.Issues, re.Count
			s.renderReview(w, r, http.StatusUnprocessableEntity, u, "prov.error.read", "")
			return
		}
		s.serverError(w, r, err)
	default:
		if err := provisioning.DeleteUpload(ctx, s.DB, u.ID, u.CreatedBy); err != nil {
			s.serverError(w, r, err)
			return
		}
		http.Redirect(w, r, "/provisioning/imports/"+url.PathEscape(sum.RunID), http.StatusSeeOther)
	}
}

type provRunData struct {
	Run      provisioning.Run
	Summary  *provisioning.Summary
	Actor    actor
	Table    changeTable
	Warnings []warningGroup
}

func (s *Server) provRun(w http.ResponseWriter, r *http.Request) {
	run, err := provisioning.RunByID(r.Context(), s.DB, r.PathValue("id"))
	if err != nil && !errors.Is(err, provisioning.ErrNotFound) {
		s.serverError(w, r, err)
		return
	}
	visible := false
	for _, e := range run.Establishments {
		if ok, err := s.may(r, access.Provision, access.Establishment(e)); err != nil {
			s.serverError(w, r, err)
			return
		} else if ok {
			visible = true
			break
		}
	}
	if !visible {
		s.auditRefusal(r, access.Resource{Kind: "import-run", ID: r.PathValue("id")})
		s.renderError(w, r, http.StatusNotFound, "error.notfound")
		return
	}
	d := provRunData{Run: run, Summary: &run.Summary, Table: tableOf(&run.Summary), Warnings: warningGroups(langOf(r), run.Summary.Report)}
	if d.Actor, err = s.actorName(r, run.ActorID); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "provisioning_run", "prov.run.title", d)
}

type provRolloverData struct {
	Establishment directory.Establishment
	Year          string
	Plan          *provisioning.RolloverPlan
	Done          bool
	Error         string
}

// nextYear proposes the year after the establishment's current one, or the
// school year of today when it has none open.
func (s *Server) nextYear(r *http.Request, estID string) string {
	if y, err := directory.CurrentSchoolYear(r.Context(), s.DB, estID, s.Now().Format("2006-01-02")); err == nil && len(y.Label) >= 4 {
		if start, err := strconv.Atoi(y.Label[:4]); err == nil {
			return fmt.Sprintf("%d-%d", start+1, start+2)
		}
	}
	t := s.Now()
	start := t.Year()
	if t.Month() < time.August {
		start--
	}
	return fmt.Sprintf("%d-%d", start, start+1)
}

func (s *Server) provRolloverForm(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if !s.allowed(w, r, access.Provision, access.Establishment(id)) {
		return
	}
	e, err := directory.EstablishmentByID(r.Context(), s.DB, id)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	d := provRolloverData{Establishment: e, Year: r.URL.Query().Get("year")}
	status := http.StatusOK
	if d.Year == "" {
		d.Year = s.nextYear(r, id)
	} else {
		d.Plan, err = provisioning.PlanRollover(r.Context(), s.DB, id, d.Year)
		if err != nil {
			if d.Error = rolloverError(err); d.Error == "" {
				s.serverError(w, r, err)
				return
			}
			d.Plan, status = nil, http.StatusUnprocessableEntity
		}
	}
	s.render(w, r, status, "provisioning_rollover", "prov.rollover.title", d)
}

func rolloverError(err error) string {
	switch {
	case errors.Is(err, provisioning.ErrYearLabel):
		return "prov.rollover.error.label"
	case errors.Is(err, provisioning.ErrYearExists):
		return "prov.rollover.error.exists"
	case errors.Is(err, provisioning.ErrYearOrder):
		return "prov.rollover.error.order"
	}
	return ""
}

func (s *Server) provRollover(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if !s.allowed(w, r, access.Provision, access.Establishment(id)) {
		return
	}
	e, err := directory.EstablishmentByID(r.Context(), s.DB, id)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	d := provRolloverData{Establishment: e, Year: strings.TrimSpace(r.PostFormValue("year"))}
	d.Plan, err = provisioning.Rollover(r.Context(), s.DB, id, d.Year, currentOf(r).viewer.ID, s.Now())
	if err != nil {
		if d.Error = rolloverError(err); d.Error == "" {
			s.serverError(w, r, err)
			return
		}
		d.Plan = nil
		s.render(w, r, http.StatusUnprocessableEntity, "provisioning_rollover", "prov.rollover.title", d)
		return
	}
	d.Done = true
	s.render(w, r, http.StatusOK, "provisioning_rollover", "prov.rollover.title", d)
}

type provAccountsData struct {
	Establishment directory.Establishment
	Accounts      []provisioning.Closed
	Hidden        int // closed accounts whose name the viewer may not read
	Days          int
	Login         string // the close form, kept as typed
	Error         string
	Done          string
}

func (s *Server) provAccounts(w http.ResponseWriter, r *http.Request) {
	// Only the notices a redirect of ours asks for are shown: nothing of
	// the query string reaches the page as text.
	q := r.URL.Query()
	errKey, done := "", ""
	if e := q.Get("error"); e == "purged" || e == "active" {
		errKey = "prov.accounts.error." + e
	}
	if d := q.Get("done"); d == "closed" || d == "detached" || d == "reactivated" || d == "choice" {
		done = "prov.accounts.done." + d
	}
	s.renderAccounts(w, r, http.StatusOK, "", errKey, done)
}

func (s *Server) renderAccounts(w http.ResponseWriter, r *http.Request, status int, login, errKey, done string) {
	id := r.PathValue("id")
	if !s.allowed(w, r, access.Provision, access.Establishment(id)) {
		return
	}
	ctx := r.Context()
	e, err := directory.EstablishmentByID(ctx, s.DB, id)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	list, err := provisioning.ClosedAccounts(ctx, s.DB, id, s.purgeDelay())
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	ids := make([]string, len(list))
	for i, c := range list {
		ids[i] = c.Person.ID
	}
	visible, err := s.Policy.VisiblePeople(ctx, currentOf(r).viewer, access.ReadName, ids)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	d := provAccountsData{Establishment: e, Days: int(s.purgeDelay() / (24 * time.Hour)), Login: login}
	for _, c := range list {
		if visible[c.Person.ID] {
			d.Accounts = append(d.Accounts, c)
		} else {
			d.Hidden++
		}
	}
	d.Error, d.Done = errKey, done
	s.render(w, r, status, "provisioning_accounts", "prov.accounts.title", d)
}

func (s *Server) accountsURL(estID string, param, value string) string {
	return "/provisioning/establishments/" + url.PathEscape(estID) + "/accounts?" + param + "=" + url.QueryEscape(value)
}

func (s *Server) provClose(w http.ResponseWriter, r *http.Request) {
	estID := r.PathValue("id")
	login := strings.TrimSpace(r.PostFormValue("login"))
	if len(login) > 128 {
		login = login[:128]
	}
	fail := func() {
		s.renderAccounts(w, r, http.StatusUnprocessableEntity, login, "prov.accounts.error.unknown", "")
	}
	if !s.allowed(w, r, access.Provision, access.Establishment(estID)) {
		return
	}
	p, _, err := directory.PersonByLogin(r.Context(), s.DB, login)
	if errors.Is(err, directory.ErrNotFound) {
		fail()
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	// The person must be attached here, and the viewer allowed on that
	// attachment: closing from here ends it, and closes the account only
	// when it was the person's last establishment (provisioning.Close).
	res := access.Membership(p.ID, estID)
	err = s.Policy.Can(r.Context(), currentOf(r).viewer, access.Provision, res)
	if err != nil && !errors.Is(err, access.ErrDenied) {
		s.serverError(w, r, err)
		return
	}
	if err != nil {
		s.auditRefusal(r, res)
		if key := refusalKey(err); key != "" {
			s.renderAccounts(w, r, http.StatusForbidden, login, key, "")
			return
		}
		fail()
		return
	}
	closing, err := provisioning.Close(r.Context(), s.DB, p.ID, estID, currentOf(r).viewer.ID, s.Now())
	switch {
	case errors.Is(err, provisioning.ErrActive):
		s.renderAccounts(w, r, http.StatusUnprocessableEntity, login, "prov.accounts.error.already", "")
	case errors.Is(err, provisioning.ErrNotFound): // detached meanwhile
		fail()
	case err != nil:
		s.serverError(w, r, err)
	case closing == provisioning.Detached:
		http.Redirect(w, r, s.accountsURL(estID, "done", "detached"), http.StatusSeeOther)
	default:
		http.Redirect(w, r, s.accountsURL(estID, "done", "closed"), http.StatusSeeOther)
	}
}

// personAction checks the form's establishment and the right on the
// person's whole account (every establishment they are attached to); a
// refusal the policy explains answers 403 with the reason.
func (s *Server) personAction(w http.ResponseWriter, r *http.Request) (personID, estID string, ok bool) {
	personID, estID = r.PathValue("id"), r.PostFormValue("establishment")
	if !s.allowed(w, r, access.Provision, access.Establishment(estID)) {
		return "", "", false
	}
	if !s.allowedAccount(w, r, access.Provision, access.Person(personID)) {
		return "", "", false
	}
	return personID, estID, true
}

func (s *Server) provReactivate(w http.ResponseWriter, r *http.Request) {
	id, est, ok := s.personAction(w, r)
	if !ok {
		return
	}
	err := provisioning.Reactivate(r.Context(), s.DB, id, currentOf(r).viewer.ID, s.Now())
	switch {
	case errors.Is(err, provisioning.ErrPurged):
		http.Redirect(w, r, s.accountsURL(est, "error", "purged"), http.StatusSeeOther)
	case errors.Is(err, provisioning.ErrNotDeactivated):
		http.Redirect(w, r, s.accountsURL(est, "error", "active"), http.StatusSeeOther)
	case err != nil:
		s.serverError(w, r, err)
	default:
		http.Redirect(w, r, s.accountsURL(est, "done", "reactivated"), http.StatusSeeOther)
	}
}

func (s *Server) provChoice(w http.ResponseWriter, r *http.Request) {
	id, est, ok := s.personAction(w, r)
	if !ok {
		return
	}
	if err := provisioning.RecordChoice(r.Context(), s.DB, id, r.PostFormValue("objects") == "1", currentOf(r).viewer.ID, s.Now()); err != nil {
		s.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, s.accountsURL(est, "done", "choice"), http.StatusSeeOther)
}

// changeTable is a summary's counts laid out for a table: the actions some
// kind uses as columns, one row per kind.
type changeTable struct {
	Actions []string
	Rows    []changeRow
}

type changeRow struct {
	Kind  string
	Cells []int
}

func tableOf(sum *provisioning.Summary) changeTable {
	var t changeTable
	used := sum.UsedActions()
	for _, i := range used {
		t.Actions = append(t.Actions, provisioning.Actions[i])
	}
	for _, r := range sum.Rows() {
		row := changeRow{Kind: r.Kind}
		for _, i := range used {
			row.Cells = append(row.Cells, r.Counts[i])
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}
