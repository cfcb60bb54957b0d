package gradebook

import (
	"net/http"
	"strconv"
	"strings"

	"cartable/internal/grades"
	"cartable/internal/i18n"
	"cartable/internal/web/page"
)

// managed picks the establishment of a head's page (?est=, else the
// first the viewer manages); ok is false when they manage none.
func (a *Area) managed(w http.ResponseWriter, r *http.Request) (grades.Establishment, []grades.Establishment, bool) {
	ms, err := a.svc.Managed(r.Context(), page.Viewer(r))
	if err != nil {
		a.kit.Fail(w, r, err)
		return grades.Establishment{}, nil, false
	}
	want := r.FormValue("est")
	for _, m := range ms {
		if want == "" || m.ID == want {
			return m, ms, true
		}
	}
	a.kit.NotFound(w, r)
	return grades.Establishment{}, nil, false
}

type settingsData struct {
	Est      grades.Establishment
	All      []grades.Establishment
	In       grades.SettingsInput
	Problems problems
	Saved    bool
}

func (a *Area) settings(w http.ResponseWriter, r *http.Request) {
	est, all, ok := a.managed(w, r)
	if !ok {
		return
	}
	st, err := a.svc.SettingsOf(r.Context(), page.Viewer(r), est.ID)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.pages.Render(w, r, http.StatusOK, "settings", "gb.settings.title", settingsData{Est: est, All: all,
		In: grades.SettingsInputOf(page.Lang(r), st), Saved: r.URL.Query().Has("saved")})
}

func (a *Area) saveSettings(w http.ResponseWriter, r *http.Request) {
	est, all, ok := a.managed(w, r)
	if !ok {
		return
	}
	f := r.PostFormValue
	in := grades.SettingsInput{Rounding: f("rounding"), RoundingMode: f("rounding_mode"), OverallWeighted: f("overall_weighted") != "",
		YearMode: f("year_mode"), ShowMean: f("show_mean") != "", ShowMinMax: f("show_min_max") != "", ShowMedian: f("show_median") != "",
		LevelMode: f("level_mode"), Levels: [4]string{f("level1"), f("level2"), f("level3"), f("level4")}}
	err := a.svc.SaveSettings(r.Context(), page.Viewer(r), est.ID, in)
	if err == nil {
		http.Redirect(w, r, "/gradebook/settings?est="+est.ID+"&saved=1", http.StatusSeeOther)
		return
	}
	ps, ok := formProblems(r, err)
	if !ok {
		a.kit.Fail(w, r, err)
		return
	}
	a.pages.Render(w, r, http.StatusUnprocessableEntity, "settings", "gb.settings.title",
		settingsData{Est: est, All: all, In: in, Problems: ps})
}

type periodsData struct {
	Est      grades.Establishment
	All      []grades.Establishment
	Periods  []grades.Period
	Bad      string // the period whose form was refused
	In       grades.PeriodInput
	Problems problems
	Saved    string
}

// Value is what a period's field shows: the refused input for the
// refused period, else the stored day.
func (d periodsData) Value(p grades.Period, field string) string {
	if p.ID == d.Bad {
		switch field {
		case "entry_deadline":
			return d.In.EntryDeadline
		case "council_on":
			return d.In.CouncilOn
		}
		return d.In.ReopenedUntil
	}
	switch field {
	case "entry_deadline":
		return p.EntryDeadline
	case "council_on":
		return p.CouncilOn
	}
	return p.ReopenedUntil
}

func (a *Area) periods(w http.ResponseWriter, r *http.Request) {
	est, all, ok := a.managed(w, r)
	if !ok {
		return
	}
	ps, err := a.svc.PeriodsOf(r.Context(), page.Viewer(r), est.ID)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.pages.Render(w, r, http.StatusOK, "periods", "gb.periods.title", periodsData{Est: est, All: all, Periods: ps,
		Saved: r.URL.Query().Get("saved")})
}

func (a *Area) savePeriod(w http.ResponseWriter, r *http.Request) {
	v := page.Viewer(r)
	id := r.PathValue("id")
	f := r.PostFormValue
	in := grades.PeriodInput{EntryDeadline: f("entry_deadline"), CouncilOn: f("council_on"), ReopenedUntil: f("reopened_until")}
	err := a.svc.SavePeriod(r.Context(), v, id, in)
	est, all, ok := a.managed(w, r)
	if !ok {
		return
	}
	if err == nil {
		http.Redirect(w, r, "/gradebook/periods?est="+est.ID+"&saved="+id, http.StatusSeeOther)
		return
	}
	probs, ok := formProblems(r, err)
	if !ok {
		a.kit.Fail(w, r, err)
		return
	}
	ps, err := a.svc.PeriodsOf(r.Context(), v, est.ID)
	if err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	a.pages.Render(w, r, http.StatusUnprocessableEntity, "periods", "gb.periods.title",
		periodsData{Est: est, All: all, Periods: ps, Bad: id, In: in, Problems: probs})
}

type coefficientsData struct {
	Est      grades.Establishment
	All      []grades.Establishment
	C        grades.Coefficients
	Names    map[string]string // subject and class IDs → names
	Coef     grades.CoefficientInput
	Sub      grades.SubSubjectInput
	Problems problems
	Saved    bool
}

func (a *Area) renderCoefficients(w http.ResponseWriter, r *http.Request, status int, d coefficientsData) {
	c, err := a.svc.CoefficientsOf(r.Context(), page.Viewer(r), d.Est.ID)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	d.C = c
	d.Names = map[string]string{}
	for _, s := range c.Subjects {
		d.Names[s.ID] = s.Name
	}
	for _, cl := range c.Classes {
		d.Names[cl.ID] = cl.Name
	}
	a.pages.Render(w, r, status, "coefficients", "gb.coef.title", d)
}

func (a *Area) coefficients(w http.ResponseWriter, r *http.Request) {
	est, all, ok := a.managed(w, r)
	if !ok {
		return
	}
	a.renderCoefficients(w, r, http.StatusOK, coefficientsData{Est: est, All: all, Saved: r.URL.Query().Has("saved")})
}

func (a *Area) saveCoefficient(w http.ResponseWriter, r *http.Request) {
	est, all, ok := a.managed(w, r)
	if !ok {
		return
	}
	f := r.PostFormValue
	in := grades.CoefficientInput{Subject: f("subject"), Coefficient: f("coefficient")}
	if t := f("target"); len(t) > 6 && t[:6] == "class:" {
		in.Class = t[6:]
	} else if len(t) > 6 && t[:6] == "level:" {
		in.Level = t[6:]
	}
	err := a.svc.SetCoefficient(r.Context(), page.Viewer(r), est.ID, in)
	a.afterCoefficients(w, r, err, coefficientsData{Est: est, All: all, Coef: in})
}

func (a *Area) saveSubSubject(w http.ResponseWriter, r *http.Request) {
	est, all, ok := a.managed(w, r)
	if !ok {
		return
	}
	f := r.PostFormValue
	in := grades.SubSubjectInput{ID: f("id"), Subject: f("subject"), Name: f("name"), Coefficient: f("coefficient")}
	err := a.svc.SaveSubSubject(r.Context(), page.Viewer(r), est.ID, in)
	a.afterCoefficients(w, r, err, coefficientsData{Est: est, All: all, Sub: in})
}

func (a *Area) afterCoefficients(w http.ResponseWriter, r *http.Request, err error, d coefficientsData) {
	if err == nil {
		http.Redirect(w, r, "/gradebook/coefficients?est="+d.Est.ID+"&saved=1", http.StatusSeeOther)
		return
	}
	ps, ok := formProblems(r, err)
	if !ok {
		a.kit.Fail(w, r, err)
		return
	}
	d.Problems = ps
	a.renderCoefficients(w, r, http.StatusUnprocessableEntity, d)
}

type historyData struct {
	Est    grades.Establishment
	All    []grades.Establishment
	Filter grades.HistoryFilter
	Page   grades.HistoryPage
	Prev   string
	Next   string
}

// PageTitle names the establishment, the filter and the page: each is a
// page of its own (and the school life's history is another).
func (d historyData) PageTitle(lang string) string {
	parts := []string{i18n.T(lang, "gb.history.title"), d.Est.Name}
	for _, l := range d.Page.Lines {
		if d.Filter.Student != "" && l.Student == d.Filter.Student {
			parts = append(parts, l.StudentName)
			break
		}
	}
	if d.Filter.Evaluation != "" {
		for _, l := range d.Page.Lines {
			if l.Evaluation != "" {
				parts = append(parts, l.Evaluation)
				break
			}
		}
	}
	if d.Filter.Page > 0 {
		parts = append(parts, i18n.T(lang, "gb.history.page", d.Filter.Page+1))
	}
	return strings.Join(parts, " · ")
}

func (a *Area) history(w http.ResponseWriter, r *http.Request) {
	est, all, ok := a.managed(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	f := grades.HistoryFilter{Student: q.Get("student"), Evaluation: q.Get("evaluation")}
	f.Page, _ = strconv.Atoi(q.Get("page"))
	if f.Page < 0 {
		f.Page = 0
	}
	h, err := a.svc.History(r.Context(), page.Viewer(r), est.ID, f)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	d := historyData{Est: est, All: all, Filter: f, Page: h}
	link := func(p int) string {
		v := q
		v.Set("page", strconv.Itoa(p))
		return "/gradebook/history?" + v.Encode()
	}
	if f.Page > 0 {
		d.Prev = link(f.Page - 1)
	}
	if h.More {
		d.Next = link(f.Page + 1)
	}
	a.pages.Render(w, r, http.StatusOK, "history", "gb.history.title", d)
}
