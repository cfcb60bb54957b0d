package justify

import (
	"net/http"
	"net/url"
	"strings"

	"cartable/internal/attendance"
	"cartable/internal/check"
	"cartable/internal/directory"
	"cartable/internal/i18n"
	"cartable/internal/web/page"
)

type queueData struct {
	Schools []directory.Establishment
	Est     directory.Establishment
	Items   []attendance.Justification
	Done    string // "accepted" or "refused" after a review
	// A review that could not be saved: its justification, what was
	// typed and why.
	Failed   string
	Answer   string
	Problems []string
}

// PageTitle names the queue and its establishment.
func (d queueData) PageTitle(lang string) string {
	parts := []string{i18n.T(lang, "just.queue.title")}
	if len(d.Schools) > 1 {
		parts = append(parts, d.Est.Name)
	}
	if len(d.Problems) > 0 {
		parts = append(parts, i18n.T(lang, "just.title.problems"))
	}
	return strings.Join(parts, " · ")
}

// school picks the establishment of a school-life page: ?est= among
// those whose school life the viewer reads (the first by default); none
// is a refusal.
func school(r *http.Request, att *attendance.Service, want string) ([]directory.Establishment, directory.Establishment, error) {
	ests, err := att.Establishments(r.Context(), page.Viewer(r))
	if err != nil {
		return nil, directory.Establishment{}, err
	}
	for _, e := range ests {
		if want == "" || e.ID == want {
			return ests, e, nil
		}
	}
	// Ask the domain, which refuses (and so audits) the establishment.
	_, err = att.Queue(r.Context(), page.Viewer(r), want)
	if err == nil {
		err = errNoSchool
	}
	return nil, directory.Establishment{}, err
}

type noSchool struct{}

func (noSchool) Error() string { return "justify: no establishment" }

var errNoSchool error = noSchool{}

// queue lists the justifications to review, oldest first.
func (a *Area) queue(w http.ResponseWriter, r *http.Request) {
	a.showQueue(w, r, r.URL.Query().Get("est"), queueData{Done: r.URL.Query().Get("done")}, http.StatusOK)
}

func (a *Area) showQueue(w http.ResponseWriter, r *http.Request, est string, d queueData, status int) {
	var err error
	if d.Schools, d.Est, err = school(r, a.att, est); err != nil {
		if err == errNoSchool {
			a.kit.NotFound(w, r)
			return
		}
		a.kit.Fail(w, r, err)
		return
	}
	if d.Items, err = a.att.Queue(r.Context(), page.Viewer(r), d.Est.ID); err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	a.pages.Render(w, r, status, "queue", "just.queue.title", d)
}

// review accepts or refuses a justification.
func (a *Area) review(w http.ResponseWriter, r *http.Request) {
	id, answer := r.PathValue("id"), r.PostFormValue("answer")
	accept := r.PostFormValue("decision") == "accept"
	err := a.att.Review(r.Context(), page.Viewer(r), id, accept, answer)
	if ps, ok := check.As(err); ok {
		a.showQueue(w, r, r.PostFormValue("est"), queueData{Failed: id, Answer: answer,
			Problems: page.ProblemText(page.Lang(r), "just", ps)}, http.StatusUnprocessableEntity)
		return
	}
	if err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	done := "refused"
	if accept {
		done = "accepted"
	}
	http.Redirect(w, r, "/school-life/justifications?est="+url.QueryEscape(r.PostFormValue("est"))+"&done="+done, http.StatusSeeOther)
}
