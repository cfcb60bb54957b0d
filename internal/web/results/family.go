package results

import (
	"bytes"
	"context"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"cartable/internal/access"
	"cartable/internal/averages"
	"cartable/internal/check"
	"cartable/internal/directory"
	"cartable/internal/grades"
	"cartable/internal/i18n"
	"cartable/internal/roles"
	"cartable/internal/web/page"
)

// who is the student a page is about and how the page names them.
type who struct {
	Children []directory.KinCard
	ChildID  string // the relative's chosen child; "" for the student
	Heading  string
	Student  bool   // the viewer is the student
	ID       string // the student; "" when there is none to show
	// Query is "child=ID" (or "student=ID" for staff), to carry in links;
	// "" for the student's own pages.
	Query string
}

// With is the query of a link: the page's child, and more (a query
// whose values the caller escaped), typed so that the template keeps its
// "=" and "&".
func (w who) With(more string) template.URL {
	switch {
	case w.Query == "":
		return template.URL(more)
	case more == "":
		return template.URL(w.Query)
	}
	return template.URL(w.Query + "&" + more)
}

// student finds the student of the request: the viewer, a relative's
// child (?child=, a refusal when not theirs), or for the staff who read a
// student's grades, ?student= (the service asks the policy).
func (a *Area) student(r *http.Request, child string) (who, error) {
	cur := page.Current(r)
	var w who
	switch cur.Viewer.Profile {
	case roles.Student:
		w.Student, w.Heading, w.ID = true, cur.Me.DisplayName(), cur.Viewer.ID
		return w, nil
	case roles.Relative:
		if child != "" {
			q := r.URL.Query()
			q.Set("child", child)
			r.URL.RawQuery = q.Encode()
		}
		fam, err := a.kit.Family(r)
		if err != nil {
			return w, err
		}
		w.Children = fam.Children
		if len(fam.Children) == 0 {
			return w, nil
		}
		w.ChildID, w.ID, w.Heading = fam.Chosen.ID, fam.Chosen.ID, fam.Chosen.FirstName+" "+fam.Chosen.LastName
		w.Query = "child=" + url.QueryEscape(w.ID)
		return w, nil
	}
	id := child
	if id == "" {
		id = r.URL.Query().Get("student")
	}
	if id != "" {
		w.ID, w.Query = id, "student="+url.QueryEscape(id)
	}
	return w, nil
}

// childOf is the child named by a form or query ("child", or "student"
// for staff).
func childOf(r *http.Request) string {
	if c := r.FormValue("child"); c != "" {
		return c
	}
	return r.FormValue("student")
}

type overviewData struct {
	L         map[string]string // the table's words, looked up once
	Who       who
	Res       *grades.Results
	Teachings []grades.TeachingLink
	Notices   bool // the viewer asked for new-mark notices
	MayNotice bool // the viewer may ask (a student or relative)
	Saved     string
}

// PageTitle names the child and the period.
func (d overviewData) PageTitle(lang string) string {
	parts := []string{i18n.T(lang, "res.title")}
	if d.Who.Heading != "" {
		parts = append(parts, d.Who.Heading)
	}
	if d.Res != nil {
		parts = append(parts, periodName(lang, d.Res))
	}
	return strings.Join(parts, " · ")
}

func periodName(lang string, r *grades.Results) string {
	if r.Year {
		return i18n.T(lang, "res.year")
	}
	if r.Period.ID == "" {
		return ""
	}
	return i18n.T(lang, "res.period."+r.Period.Kind, r.Period.Number)
}

// overview shows a student's results for a period.
func (a *Area) overview(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	v := page.Viewer(r)
	st, err := a.student(r, "")
	if err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	d := overviewData{L: labels(page.Lang(r)), Who: st, Saved: r.URL.Query().Get("saved"), MayNotice: v.Profile == roles.Student || v.Profile == roles.Relative}
	// The notices setting and the results, at once.
	var parts []func(context.Context) error
	if d.MayNotice {
		parts = append(parts, func(ctx context.Context) (err error) { d.Notices, err = a.svc.MarkNotices(ctx, v); return })
	}
	if st.ID != "" {
		parts = append(parts, func(ctx context.Context) (err error) {
			d.Res, err = a.svc.StudentResults(ctx, v, st.ID, r.URL.Query().Get("period"))
			return
		})
	}
	if err := a.svc.DB.Together(ctx, parts...); err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	if st.ID == "" {
		if v.Profile == roles.Teacher || v.Profile == roles.Staff {
			if d.Teachings, err = a.svc.MyTeachings(ctx, v); err != nil {
				a.kit.Fail(w, r, err)
				return
			}
		}
		a.pages.Render(w, r, http.StatusOK, "grades", "res.title", d)
		return
	}
	a.pages.Render(w, r, http.StatusOK, "grades", "res.title", d)
}

// notices switches the viewer's new-mark notices on or off.
func (a *Area) notices(w http.ResponseWriter, r *http.Request) {
	if err := a.svc.SetMarkNotices(r.Context(), page.Viewer(r), r.PostFormValue("on") == "1"); err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	q := "saved=notices"
	if c := r.PostFormValue("child"); c != "" {
		q = "child=" + url.QueryEscape(c) + "&" + q
	}
	http.Redirect(w, r, "/grades?"+q, http.StatusSeeOther)
}

// subjectData is a subject's page: the detail, the simulation form and,
// after a simulation, its result.
type subjectData struct {
	L        map[string]string // the table's words, looked up once
	Who      who
	Res      *grades.Results
	Subject  *grades.SubjectResults
	Sim      *grades.Simulation
	Form     simForm
	Problems []string
	Bad      map[string]bool
}

// simForm is the simulation form as typed.
type simForm struct {
	Changed map[string]string
	Added   []grades.Added
}

// PageTitle names the subject and the child.
func (d subjectData) PageTitle(lang string) string {
	parts := []string{d.Subject.Name}
	if d.Who.Heading != "" {
		parts = append(parts, d.Who.Heading)
	}
	parts = append(parts, periodName(lang, d.Res))
	if d.Sim != nil {
		parts = append(parts, i18n.T(lang, "res.sim.title"))
	}
	if len(d.Problems) > 0 {
		parts = append(parts, i18n.T(lang, "res.sim.problems.title"))
	}
	return strings.Join(parts, " · ")
}

func blankForm() simForm {
	return simForm{Changed: map[string]string{}, Added: make([]grades.Added, 3)}
}

// subject shows a subject's detail with the simulation form.
func (a *Area) subject(w http.ResponseWriter, r *http.Request) {
	st, err := a.student(r, "")
	if err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	if st.ID == "" {
		a.kit.NotFound(w, r)
		return
	}
	ex, err := a.svc.Explain(r.Context(), page.Viewer(r), st.ID, r.PathValue("subject"), r.URL.Query().Get("period"))
	if err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	d := subjectData{L: labels(page.Lang(r)), Who: st, Res: ex.Results, Subject: ex.Subject, Form: blankForm()}
	a.pages.Render(w, r, http.StatusOK, "subject", "res.title", d)
}

// simulate recomputes a subject with the hypotheses typed: nothing is
// stored, the answer is the page itself.
func (a *Area) simulate(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		a.kit.Error(w, r, http.StatusBadRequest, "error.bad-request")
		return
	}
	f := r.PostForm
	st, err := a.student(r, childOf(r))
	if err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	if st.ID == "" {
		a.kit.NotFound(w, r)
		return
	}
	form := simForm{Changed: map[string]string{}}
	for k, vs := range f {
		if id, ok := strings.CutPrefix(k, "mark-"); ok && len(vs) > 0 {
			form.Changed[id] = vs[0]
		}
	}
	lang := page.Lang(r)
	for n := 1; n <= grades.MaxHypothetical; n++ {
		s := strconv.Itoa(n)
		if _, ok := f["value-"+s]; !ok {
			break
		}
		form.Added = append(form.Added, grades.Added{Value: f.Get("value-" + s), Scale: f.Get("scale-" + s), Coefficient: f.Get("coef-" + s),
			Label: i18n.T(lang, "res.sim.field.value", n)})
	}
	ctx, v := r.Context(), page.Viewer(r)
	subject, period := f.Get("subject"), f.Get("period")
	sim, err := a.svc.Simulate(ctx, v, st.ID, subject, period, grades.Hypothesis{Changed: form.Changed, Added: form.Added})
	ps, bad := check.As(err)
	if err != nil && !bad {
		a.kit.Fail(w, r, err)
		return
	}
	for len(form.Added) < 3 {
		form.Added = append(form.Added, grades.Added{})
	}
	if !bad {
		a.pages.Render(w, r, http.StatusOK, "subject", "res.title", subjectData{L: labels(lang), Who: st, Res: sim.Results, Subject: sim.Subject, Sim: sim, Form: form})
		return
	}
	ex, err := a.svc.Explain(ctx, v, st.ID, subject, period)
	if err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	d := subjectData{L: labels(lang), Who: st, Res: ex.Results, Subject: ex.Subject, Form: form, Bad: ps.Fields()}
	for _, p := range ps {
		d.Problems = append(d.Problems, problemText(lang, ex.Subject, p))
	}
	a.pages.Render(w, r, http.StatusUnprocessableEntity, "subject", "res.title", d)
}

// problemText names the field ("Ligne 2, barème : …") and says what is
// wrong in the engine's words.
func problemText(lang string, sr *grades.SubjectResults, p check.Problem) string {
	where := p.Field
	if id, ok := strings.CutPrefix(p.Field, "mark-"); ok {
		for _, e := range sr.Evaluations {
			if e.ID == id {
				where = i18n.T(lang, "res.sim.field.mark", e.Title)
			}
		}
	} else if kind, n, ok := strings.Cut(p.Field, "-"); ok {
		where = i18n.T(lang, "res.sim.field."+kind, n)
	}
	var msg string
	switch p.Code {
	case "year":
		msg = i18n.T(lang, "res.sim.err.year")
	case "too-many":
		msg = i18n.T(lang, "res.sim.err.toomany")
	default:
		msg = (&averages.InputError{Kind: p.Code, Input: p.Value, Scale: float64(p.N)}).Message(lang)
	}
	return where + " : " + msg
}

type explainData struct {
	Who     who
	Ex      *grades.Explanation
	Lines   []string
	Depths  []int
	Subject string // the subject's ID ("" : overall)
}

// PageTitle names what is explained.
func (d explainData) PageTitle(lang string) string {
	what := i18n.T(lang, "res.overall")
	if d.Ex.Subject != nil {
		what = d.Ex.Subject.Name
	}
	parts := []string{i18n.T(lang, "res.explain.title"), what}
	if d.Who.Heading != "" {
		parts = append(parts, d.Who.Heading)
	}
	return strings.Join(append(parts, periodName(lang, d.Ex.Results)), " · ")
}

// explain shows how an average is computed, step by step.
func (a *Area) explain(w http.ResponseWriter, r *http.Request) {
	st, err := a.student(r, "")
	if err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	if st.ID == "" {
		a.kit.NotFound(w, r)
		return
	}
	q := r.URL.Query()
	ex, err := a.svc.Explain(r.Context(), page.Viewer(r), st.ID, q.Get("subject"), q.Get("period"))
	if err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	lang := page.Lang(r)
	// Periods are named in the reader's language ("Trimestre 1", "Term 1").
	names := map[string]string{}
	for _, p := range ex.Results.Periods {
		names[p.ID] = i18n.T(lang, "res.period."+p.Kind, p.Number)
	}
	steps := make([]averages.Step, len(ex.Average.Steps))
	for i, s := range ex.Average.Steps {
		if s.Ref.Kind == averages.RefPeriod && names[s.Ref.ID] != "" {
			s.Ref.Label = names[s.Ref.ID]
		}
		steps[i] = s
	}
	d := explainData{Who: st, Ex: ex, Subject: q.Get("subject"), Lines: averages.Explain(lang, steps)}
	for _, s := range steps {
		d.Depths = append(d.Depths, s.Depth)
	}
	a.pages.Render(w, r, http.StatusOK, "explain", "res.explain.title", d)
}

// rules is the help page: the rules of the averages in plain words.
func (a *Area) rules(w http.ResponseWriter, r *http.Request) {
	a.pages.Render(w, r, http.StatusOK, "rules", "res.rules.title", nil)
}

// exportStudent: a student's marks and averages as CSV.
func (a *Area) exportStudent(w http.ResponseWriter, r *http.Request) {
	st, err := a.student(r, "")
	if err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	if st.ID == "" {
		a.kit.NotFound(w, r)
		return
	}
	res, err := a.svc.StudentResults(r.Context(), page.Viewer(r), st.ID, r.URL.Query().Get("period"))
	if err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	var buf bytes.Buffer
	if err := grades.WriteStudentCSV(&buf, page.Lang(r), res); err != nil {
		a.kit.ServerError(w, r, err)
		return
	}
	sendCSV(w, "notes-"+filePart(res.Student.LastName+"-"+res.Student.FirstName)+".csv", buf.Bytes())
}

func sendCSV(w http.ResponseWriter, name string, b []byte) {
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Header().Set("Cache-Control", "no-store")
	w.Write(b)
}

// filePart keeps letters and digits of a name for a file name.
func filePart(s string) string {
	var b strings.Builder
	for _, c := range strings.ToLower(s) {
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '-':
			b.WriteRune(c)
		case c == ' ':
			b.WriteByte('-')
		}
	}
	return b.String()
}

// teachingData is a teaching's table.
type teachingData struct {
	C       *grades.ClassResults
	Results map[string]bool // students whose whole results the viewer reads (head teacher, head)
}

// PageTitle names the class, the subject and the period (each period's
// table is a page of its own).
func (d teachingData) PageTitle(lang string) string {
	t := d.C.StructureName + " · " + d.C.SubjectName + " · " + i18n.T(lang, "res.teaching.title")
	switch {
	case d.C.Year:
		t += " · " + i18n.T(lang, "res.year")
	case d.C.Period.ID != "":
		t += " · " + i18n.T(lang, "res.period."+d.C.Period.Kind, d.C.Period.Number)
	}
	return t
}

// Base is the teaching's path.
func (d teachingData) Base() string {
	return "/grades/teaching/" + string(d.C.Structure.Kind) + "/" + url.PathEscape(d.C.Structure.ID) + "/" + url.PathEscape(d.C.Subject)
}

func (a *Area) classResults(r *http.Request) (*grades.ClassResults, error) {
	t := access.Teaching(access.Resource{Kind: access.Kind(r.PathValue("kind")), ID: r.PathValue("id")}, r.PathValue("subject"))
	return a.svc.ClassResults(r.Context(), page.Viewer(r), t, r.URL.Query().Get("period"))
}

// teaching shows a teaching's students × evaluations.
func (a *Area) teaching(w http.ResponseWriter, r *http.Request) {
	c, err := a.classResults(r)
	if err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	ids := make([]string, len(c.Students))
	for i, s := range c.Students {
		ids[i] = s.ID
	}
	may, err := page.Viewer(r).VisibleGrades(r.Context(), access.ReadGrades, ids)
	if err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	a.pages.Render(w, r, http.StatusOK, "teaching", "res.teaching.title", teachingData{C: c, Results: may})
}

// exportTeaching: the teaching's table as CSV.
func (a *Area) exportTeaching(w http.ResponseWriter, r *http.Request) {
	c, err := a.classResults(r)
	if err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	var buf bytes.Buffer
	if err := grades.WriteClassCSV(&buf, page.Lang(r), c); err != nil {
		a.kit.ServerError(w, r, err)
		return
	}
	sendCSV(w, "notes-"+filePart(c.StructureName+"-"+c.SubjectName)+".csv", buf.Bytes())
}

// labels are the words the tables repeat on every row (data-label of the
// stacked layout), looked up once per page.
func labels(lang string) map[string]string {
	l := map[string]string{"lang": lang, "average": i18n.T(lang, "res.subject.average"), "formative": i18n.T(lang, "res.formative"),
		"bonus": i18n.T(lang, "res.bonus"), "optional": i18n.T(lang, "res.optional"),
		"added": i18n.T(lang, "res.sim.added"), "simulated": i18n.T(lang, "res.sim.tag"),
		"explain": i18n.T(lang, "res.explain.link"), "simulate": i18n.T(lang, "res.sim.link")}
	for _, k := range []string{"date", "mark", "coef", "mean", "min", "max", "median"} {
		l[k] = i18n.T(lang, "res.col."+k)
	}
	return l
}
