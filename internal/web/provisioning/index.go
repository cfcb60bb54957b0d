package provisioning

import (
	"net/http"
	"strings"

	"cartable/internal/directory"
	"cartable/internal/provisioning"
	"cartable/internal/web/page"
)

// The provisioning home: the upload form, the uploads waiting for review
// that the viewer may handle, the establishments the viewer provisions
// (with their rollover and accounts pages) and the import history.

type indexData struct {
	Sources        []string
	Establishments []directory.Establishment
	Operator       bool // may bring new establishments
	Runs           []runLine
	Pending        []provisioning.PendingUpload
	Done           string // a notice of ours, by catalog key
	// The form, kept as typed when it fails.
	Source, Target string
	Complete       bool
	Error          string
	Issues         []issueLine
	IssueCount     int
}

type runLine struct {
	provisioning.Run
	Changes int
	UAIs    string
}

type issueLine struct {
	Where, Message string
}

func (a *Area) index(w http.ResponseWriter, r *http.Request) {
	d, ok := a.indexData(w, r)
	if !ok {
		return
	}
	// Only the notices our redirects ask for: nothing of the query
	// string reaches the page as text.
	if r.URL.Query().Get("done") == "discarded" {
		d.Done = "prov.pending.discarded"
	}
	a.pages.Render(w, r, http.StatusOK, "index", "prov.title", d)
}

// indexData loads the page's lists; false when the viewer may provision
// nothing (answered as a missing page).
func (a *Area) indexData(w http.ResponseWriter, r *http.Request) (*indexData, bool) {
	ctx, v := r.Context(), page.Viewer(r)
	ests, operator, err := provisioning.Establishments(ctx, v, a.db)
	if err != nil {
		a.kit.Fail(w, r, err)
		return nil, false
	}
	runs, err := provisioning.Runs(ctx, v, a.db, 50)
	if err != nil {
		a.kit.Fail(w, r, err)
		return nil, false
	}
	pending, err := provisioning.PendingUploads(ctx, v, a.db, a.kit.Now())
	if err != nil {
		a.kit.Fail(w, r, err)
		return nil, false
	}
	d := &indexData{Sources: provisioning.Sources, Establishments: ests, Operator: operator, Source: provisioning.AAF, Pending: pending}
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
		d.Runs = append(d.Runs, l)
	}
	return d, true
}

// formAgain shows the upload form again, as typed, with what went wrong:
// a catalog key, and the issues of a delivery that could not be read.
func (a *Area) formAgain(w http.ResponseWriter, r *http.Request, status int, form provisioning.UploadForm, key string, err error) {
	d, ok := a.indexData(w, r)
	if !ok {
		return
	}
	d.Source, d.Target, d.Complete, d.Error = form.Source, form.Target, form.Complete, key
	if re, ok := provisioning.AsReadError(err); ok {
		d.IssueCount = re.Count
		for _, is := range re.Issues {
			d.Issues = append(d.Issues, issueLine{Where: is.Where(), Message: is.Message(page.Lang(r))})
		}
	}
	a.pages.Render(w, r, status, "index", "prov.title", d)
}
