package messages

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"

	"cartable/internal/access"
	"cartable/internal/check"
	"cartable/internal/messaging"
	"cartable/internal/web/page"
)

type rulesData struct {
	Est       string
	Rows      []rulesRow
	Cats      []access.CommCategory
	Scopes    []access.CommScope
	Retention int
	MinDays   int
	MaxDays   int
	Saved     bool
	Problems  []string
	// Elected parent representatives: the list, the classes to choose
	// from, the relatives found by the search (q, class), the outcome.
	Reps        []messaging.Representative
	RepClasses  []messaging.RepClass
	Query       string
	Class       string
	Candidates  []messaging.Person
	Searched    bool
	RepSaved    string
	RepProblems []string
	Person      string
	RepClass    string
}

type rulesRow struct {
	From  access.CommCategory
	Cells []access.CommCell
}

// establishment is the one the head's page is about: ?est= among those the
// viewer edits, or the first.
func (a *Area) establishment(r *http.Request, est string) (string, bool) {
	list := a.ruledEstablishments(r)
	if len(list) == 0 {
		return "", false
	}
	if est == "" {
		return list[0], true
	}
	for _, e := range list {
		if e == est {
			return e, true
		}
	}
	return "", false
}

// rules shows the matrix of who may write to whom, with the edits, and the
// retention, to the head.
func (a *Area) rules(w http.ResponseWriter, r *http.Request) {
	est, ok := a.establishment(r, r.URL.Query().Get("est"))
	if !ok {
		a.kit.Fail(w, r, access.Refuse(access.ManageCommRules, access.Establishment(""), "not the head"))
		return
	}
	q := r.URL.Query()
	a.showRules(w, r, http.StatusOK, rulesData{Est: est, Saved: q.Get("saved") == "1", RepSaved: q.Get("rep"),
		Query: q.Get("q"), Class: q.Get("class"), RepClass: q.Get("class"), Searched: q.Has("q") || q.Has("class")})
}

func (a *Area) showRules(w http.ResponseWriter, r *http.Request, status int, d rulesData) {
	ctx, v := r.Context(), page.Viewer(r)
	cells, err := a.msg.Rules(ctx, v, d.Est)
	if err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	n := len(access.CommCategories)
	for i, from := range access.CommCategories {
		d.Rows = append(d.Rows, rulesRow{From: from, Cells: cells[i*n : (i+1)*n]})
	}
	d.Cats, d.Scopes = access.CommCategories, []access.CommScope{access.ScopeNone, access.ScopeLinked, access.ScopeAll}
	if d.Retention == 0 {
		if d.Retention, err = a.msg.Retention(ctx, v, d.Est); err != nil {
			a.kit.Fail(w, r, err)
			return
		}
	}
	d.MinDays, d.MaxDays = messaging.MinRetentionDays, messaging.MaxRetentionDays
	if d.Reps, err = a.msg.Representatives(ctx, v, d.Est); err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	if d.RepClasses, err = a.msg.RepClasses(ctx, v, d.Est); err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	if d.Searched {
		if d.Candidates, err = a.msg.RepCandidates(ctx, v, d.Est, d.Query, d.Class); err != nil {
			a.kit.Fail(w, r, err)
			return
		}
	}
	a.pages.Render(w, r, status, "rules", "msg.rules.title", d)
}

// saveRules saves every cell of the matrix and the retention at once.
func (a *Area) saveRules(w http.ResponseWriter, r *http.Request) {
	ctx, v := r.Context(), page.Viewer(r)
	est, ok := a.establishment(r, r.PostFormValue("est"))
	if !ok {
		a.kit.Fail(w, r, access.Refuse(access.ManageCommRules, access.Establishment(""), "not the head"))
		return
	}
	days, err := strconv.Atoi(r.PostFormValue("retention"))
	if err != nil {
		days = -1
	}
	if err := a.msg.SetRetention(ctx, v, est, days); err != nil {
		if ps, ok := check.As(err); ok {
			a.showRules(w, r, http.StatusUnprocessableEntity, rulesData{Est: est, Retention: max(days, 0),
				Problems: page.ProblemText(page.Lang(r), "msg", ps)})
			return
		}
		a.kit.Fail(w, r, err)
		return
	}
	for _, from := range access.CommCategories {
		for _, to := range access.CommCategories {
			id := string(from) + ">" + string(to)
			scope := r.PostFormValue("rule." + id)
			if scope == "" {
				continue
			}
			if err := a.msg.SetRule(ctx, v, est, id, access.CommScope(scope)); err != nil {
				if errors.Is(err, access.ErrBadRule) {
					a.kit.Error(w, r, http.StatusBadRequest, "msg.problem.unknown")
					return
				}
				a.kit.Fail(w, r, err)
				return
			}
		}
	}
	http.Redirect(w, r, "/messages/rules?est="+url.QueryEscape(est)+"&saved=1", http.StatusSeeOther)
}

// addRep designates an elected parent representative.
func (a *Area) addRep(w http.ResponseWriter, r *http.Request) {
	ctx, v := r.Context(), page.Viewer(r)
	est, ok := a.establishment(r, r.PostFormValue("est"))
	if !ok {
		a.kit.Fail(w, r, access.Refuse(access.ManageCommRules, access.Establishment(""), "not the head"))
		return
	}
	person, class := r.PostFormValue("person"), r.PostFormValue("rep-class")
	if err := a.msg.AddRepresentative(ctx, v, est, person, class); err != nil {
		q, from := r.PostFormValue("q"), r.PostFormValue("class")
		a.repFailed(w, r, est, err, rulesData{Person: person, RepClass: class, Query: q, Class: from, Searched: q != "" || from != ""})
		return
	}
	http.Redirect(w, r, "/messages/rules?est="+url.QueryEscape(est)+"&rep=added#reps", http.StatusSeeOther)
}

// removeRep ends a designation.
func (a *Area) removeRep(w http.ResponseWriter, r *http.Request) {
	ctx, v := r.Context(), page.Viewer(r)
	est, ok := a.establishment(r, r.PostFormValue("est"))
	if !ok {
		a.kit.Fail(w, r, access.Refuse(access.ManageCommRules, access.Establishment(""), "not the head"))
		return
	}
	if err := a.msg.RemoveRepresentative(ctx, v, est, r.PathValue("id")); err != nil {
		a.repFailed(w, r, est, err, rulesData{})
		return
	}
	http.Redirect(w, r, "/messages/rules?est="+url.QueryEscape(est)+"&rep=removed#reps", http.StatusSeeOther)
}

func (a *Area) repFailed(w http.ResponseWriter, r *http.Request, est string, err error, d rulesData) {
	ps, ok := check.As(err)
	if !ok {
		a.kit.Fail(w, r, err)
		return
	}
	d.Est, d.RepProblems = est, page.ProblemText(page.Lang(r), "msg", ps)
	a.showRules(w, r, http.StatusUnprocessableEntity, d)
}

type reportsData struct {
	Est  string
	List []messaging.ReportItem
}

// reports is school life's queue of reported messages.
func (a *Area) reports(w http.ResponseWriter, r *http.Request) {
	ctx, v := r.Context(), page.Viewer(r)
	est := r.URL.Query().Get("est")
	if est == "" {
		ests, err := a.msg.ReportEstablishments(ctx, v)
		if err != nil {
			a.kit.Fail(w, r, err)
			return
		}
		if len(ests) > 0 {
			est = ests[0]
		}
	}
	list, err := a.msg.Reports(ctx, v, est)
	if err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	a.pages.Render(w, r, http.StatusOK, "reports", "msg.reports.title", reportsData{Est: est, List: list})
}

func (a *Area) closeReport(w http.ResponseWriter, r *http.Request) {
	if err := a.msg.CloseReport(r.Context(), page.Viewer(r), r.PathValue("id")); err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/messages/reports?est="+url.QueryEscape(r.PostFormValue("est")), http.StatusSeeOther)
}
