package attendancereport

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

type counterData struct {
	Schools  []directory.Establishment
	Est      directory.Establishment
	Month    string
	Prev     string
	Counter  attendance.Counter
	Tasks    []attendance.Task
	Problems []string
	Done     bool
}

// PageTitle names the counter, its month and establishment.
func (d counterData) PageTitle(lang string) string {
	parts := []string{i18n.T(lang, "rep.counter.title"), d.Month}
	if len(d.Schools) > 1 {
		parts = append(parts, d.Est.Name)
	}
	return strings.Join(parts, " · ")
}

// counter shows the L131-8 counter of a month (the last complete one by
// default) and school life's tasks.
func (a *Area) counter(w http.ResponseWriter, r *http.Request) {
	ctx, v := r.Context(), page.Viewer(r)
	d := counterData{Month: r.URL.Query().Get("month"), Done: r.URL.Query().Get("done") == "1"}
	var err error
	if d.Schools, d.Est, err = a.school(r); err != nil {
		a.fail(w, r, err)
		return
	}
	if d.Month == "" {
		d.Month = attendance.LastCompleteMonth(a.kit.Now())
	}
	status := http.StatusOK
	d.Counter, err = a.att.MonthlyCounter(ctx, v, d.Est.ID, d.Month)
	if ps, ok := check.As(err); ok {
		d.Problems, status = page.ProblemText(page.Lang(r), "rep", ps), http.StatusUnprocessableEntity
	} else if err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	if _, err := a.att.RaiseThresholds(ctx, v, d.Est.ID); err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	if d.Tasks, err = a.att.Tasks(ctx, v, d.Est.ID); err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	a.pages.Render(w, r, status, "counter", "rep.counter.title", d)
}

// taskDone marks a task done.
func (a *Area) taskDone(w http.ResponseWriter, r *http.Request) {
	if err := a.att.TaskDone(r.Context(), page.Viewer(r), r.PathValue("id")); err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/school-life/counter?est="+url.QueryEscape(r.PostFormValue("est"))+"&month="+url.QueryEscape(r.PostFormValue("month"))+"&done=1", http.StatusSeeOther)
}
