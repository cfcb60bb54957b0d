package gradebook

import (
	"net/http"

	"cartable/internal/access"
	"cartable/internal/grades"
	"cartable/internal/i18n"
	"cartable/internal/web/page"
)

type evalFormData struct {
	grades.EvaluationForm
	In       grades.EvaluationInput
	Key      string // the teaching's resource ID, for a new evaluation
	Edit     *grades.EvaluationEdit
	Problems problems
	Saved    bool
}

// PageTitle names the form and the teaching.
func (d evalFormData) PageTitle(lang string) string {
	key := "gb.new.title"
	if d.Edit != nil {
		key = "gb.edit.title"
	}
	s := i18n.T(lang, key) + " · " + d.Teaching.Name + " · " + d.Teaching.SubjectName
	if d.Problems.Messages != nil {
		s += " · " + i18n.T(lang, "gb.title.refused")
	}
	return s
}

func evaluationInput(r *http.Request) grades.EvaluationInput {
	f := r.PostFormValue
	return grades.EvaluationInput{Title: f("title"), HeldOn: f("held_on"), Period: f("period"), Scale: f("scale"),
		Coefficient: f("coefficient"), To20: f("to20") != "", Formative: f("kind") == "formative", Bonus: f("bonus") != "",
		Optional: f("optional") != "", SubSubject: f("sub_subject"), Description: f("description"), PublishOn: f("publish_on")}
}

// typedEvaluation is a refused evaluation form, shown back.
func typedEvaluation(lang string, in grades.EvaluationInput) []Typed {
	return []Typed{{i18n.T(lang, "gb.field.title"), in.Title}, {i18n.T(lang, "gb.field.held_on"), in.HeldOn},
		{i18n.T(lang, "gb.field.scale"), in.Scale}, {i18n.T(lang, "gb.field.coefficient"), in.Coefficient},
		{i18n.T(lang, "gb.field.description"), in.Description}}
}

// teachingParam reads ?teaching=class:ID/SUBJECT.
func teachingParam(s string) (access.Resource, bool) {
	res := access.Resource{Kind: access.KindTeaching, ID: s}
	_, _, ok := access.ParseTeaching(res)
	return res, ok
}

// newEvaluation: the form to create an evaluation (?teaching=).
func (a *Area) newEvaluation(w http.ResponseWriter, r *http.Request) {
	key := r.URL.Query().Get("teaching")
	res, ok := teachingParam(key)
	if !ok {
		a.notFound(w, r)
		return
	}
	f, err := a.svc.NewEvaluation(r.Context(), page.Viewer(r), res)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	day := f.Today
	in := grades.EvaluationInput{HeldOn: day, Period: f.Current, Scale: "20", Coefficient: "1", To20: true}
	a.pages.Render(w, r, http.StatusOK, "evaluation", "gb.new.title", evalFormData{EvaluationForm: f, In: in, Key: key})
}

// createEvaluation records an evaluation and opens its grid.
func (a *Area) createEvaluation(w http.ResponseWriter, r *http.Request) {
	v := page.Viewer(r)
	key := r.PostFormValue("teaching")
	res, ok := teachingParam(key)
	if !ok {
		a.notFound(w, r)
		return
	}
	in := evaluationInput(r)
	id, err := a.svc.CreateEvaluation(r.Context(), v, res, in)
	if err == nil {
		http.Redirect(w, r, "/gradebook/evaluations/"+id, http.StatusSeeOther)
		return
	}
	ps, ok := formProblems(r, err)
	if !ok {
		a.refusedForm(w, r, err, "/gradebook/new?teaching="+key, typedEvaluation(page.Lang(r), in), false)
		return
	}
	f, err := a.svc.NewEvaluation(r.Context(), v, res)
	if err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	a.pages.Render(w, r, http.StatusUnprocessableEntity, "evaluation", "gb.new.title",
		evalFormData{EvaluationForm: f, In: in, Key: key, Problems: ps})
}

// editEvaluation: the form of a stored evaluation.
func (a *Area) editEvaluation(w http.ResponseWriter, r *http.Request) {
	e, err := a.svc.EditEvaluation(r.Context(), page.Viewer(r), r.PathValue("id"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.pages.Render(w, r, http.StatusOK, "evaluation", "gb.edit.title", evalFormData{EvaluationForm: e.EvaluationForm,
		In: grades.InputOf(page.Lang(r), e.Evaluation), Edit: &e, Saved: r.URL.Query().Has("saved")})
}

// updateEvaluation changes an evaluation.
func (a *Area) updateEvaluation(w http.ResponseWriter, r *http.Request) {
	v := page.Viewer(r)
	id := r.PathValue("id")
	in := evaluationInput(r)
	err := a.svc.UpdateEvaluation(r.Context(), v, id, in)
	if err == nil {
		http.Redirect(w, r, "/gradebook/evaluations/"+id+"/edit?saved=1", http.StatusSeeOther)
		return
	}
	ps, ok := formProblems(r, err)
	if !ok {
		a.refusedForm(w, r, err, "/gradebook/evaluations/"+id+"/edit", typedEvaluation(page.Lang(r), in), false)
		return
	}
	e, err := a.svc.EditEvaluation(r.Context(), v, id)
	if err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	a.pages.Render(w, r, http.StatusUnprocessableEntity, "evaluation", "gb.edit.title",
		evalFormData{EvaluationForm: e.EvaluationForm, In: in, Edit: &e, Problems: ps})
}

// deleteEvaluation removes an evaluation and its marks.
func (a *Area) deleteEvaluation(w http.ResponseWriter, r *http.Request) {
	v := page.Viewer(r)
	id := r.PathValue("id")
	t, err := a.svc.DeleteEvaluation(r.Context(), v, id)
	if err == nil {
		http.Redirect(w, r, "/gradebook/"+t.Path()+"?deleted=1", http.StatusSeeOther)
		return
	}
	ps, ok := formProblems(r, err)
	if !ok {
		a.refusedForm(w, r, err, "/gradebook/evaluations/"+id+"/edit", nil, false)
		return
	}
	e, err := a.svc.EditEvaluation(r.Context(), v, id)
	if err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	a.pages.Render(w, r, http.StatusUnprocessableEntity, "evaluation", "gb.edit.title", evalFormData{EvaluationForm: e.EvaluationForm,
		In: grades.InputOf(page.Lang(r), e.Evaluation), Edit: &e, Problems: ps})
}
