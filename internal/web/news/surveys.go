package news

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"cartable/internal/check"
	"cartable/internal/news"
	"cartable/internal/web/page"
)

// formRows is the number of question rows the survey form offers (no
// script adds more: a blank row is skipped).
const formRows = 6

type surveysData struct {
	Saved   string
	Asked   []news.SurveyItem
	Written []news.SurveyItem
	Writer  bool
}

func (a *Area) surveys(w http.ResponseWriter, r *http.Request) {
	ctx, v := r.Context(), page.Viewer(r)
	d := surveysData{Saved: r.URL.Query().Get("saved")}
	var err error
	if d.Asked, err = a.news.SurveysAsked(ctx, v, 100); err == nil && (v.Profile == "teacher" || v.Profile == "staff") {
		var opts news.Audience
		if opts, err = a.news.Options(ctx, v); err == nil {
			d.Writer = len(opts.Establishments)+len(opts.Structures) > 0
			d.Written, err = a.news.SurveysWritten(ctx, v, 100)
		}
	}
	if err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	a.pages.Render(w, r, http.StatusOK, "surveys", "surveys.title", d)
}

type surveyFormData struct {
	composeData
	Survey news.SurveyInput
	Rows   []formRow
	Kinds  []string
}

// formRow is one question row of the survey form.
type formRow struct {
	N int // 1-based: the field names "q<N>.label"…
	news.QuestionInput
	ChoicesText string // one choice a line
}

func (a *Area) newSurvey(w http.ResponseWriter, r *http.Request) {
	a.showSurveyForm(w, r, http.StatusOK, surveyFormData{Survey: news.SurveyInput{ClassFamilies: true, Anonymous: true},
		composeData: composeData{Checked: map[string]bool{}}})
}

func (a *Area) showSurveyForm(w http.ResponseWriter, r *http.Request, status int, d surveyFormData) {
	var err error
	if d.Options, err = a.news.Options(r.Context(), page.Viewer(r)); err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	if len(d.Options.Establishments)+len(d.Options.Structures) == 0 {
		a.kit.NotFound(w, r)
		return
	}
	d.Profiles, d.Fns, d.MaxTitle = news.Profiles, news.Functions, news.MaxTitle
	d.Kinds = []string{news.KindSingle, news.KindMultiple, news.KindText}
	qs := append([]news.QuestionInput(nil), d.Survey.Questions...)
	for len(qs) < formRows {
		qs = append(qs, news.QuestionInput{Kind: news.KindSingle})
	}
	for i, q := range qs {
		d.Rows = append(d.Rows, formRow{N: i + 1, QuestionInput: q, ChoicesText: strings.TrimSpace(strings.Join(q.Choices, "\n"))})
	}
	a.pages.Render(w, r, status, "surveyform", "surveys.new", d)
}

func (a *Area) createSurvey(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseForm()
	f := r.PostForm
	in := news.SurveyInput{Title: f.Get("title"), Intro: f.Get("intro"), Targets: f["targets"], ClassStudents: f.Get("students") != "",
		ClassFamilies: f.Get("families") != "", Anonymous: f.Get("anonymous") != "", ClosesOn: f.Get("closes"), Publish: f.Get("action") != "draft"}
	for i := 1; i <= formRows; i++ {
		p := "q" + strconv.Itoa(i) + "."
		max, _ := strconv.Atoi(strings.TrimSpace(f.Get(p + "max")))
		in.Questions = append(in.Questions, news.QuestionInput{Kind: f.Get(p + "kind"), Label: f.Get(p + "label"),
			Required: f.Get(p+"required") != "", MaxChoices: max, Choices: strings.Split(strings.ReplaceAll(f.Get(p+"choices"), "\r\n", "\n"), "\n")})
	}
	id, err := a.news.CreateSurvey(r.Context(), page.Viewer(r), in)
	var ps check.Problems
	switch {
	case errors.As(err, &ps):
		d := surveyFormData{Survey: in, composeData: composeData{Checked: map[string]bool{}, Problems: page.ProblemText(page.Lang(r), "surveys", ps),
			Bad: ps.Fields()}}
		for _, t := range in.Targets {
			d.Checked[t] = true
		}
		a.showSurveyForm(w, r, http.StatusUnprocessableEntity, d)
		return
	case err != nil:
		a.kit.Fail(w, r, err)
		return
	}
	saved := "published"
	if !in.Publish {
		saved = "draft"
	}
	http.Redirect(w, r, "/surveys/"+url.PathEscape(id)+"?saved="+saved, http.StatusSeeOther)
}

type surveyData struct {
	View     news.SurveyView
	Saved    string
	Problems []string
	Bad      map[string]bool
	Typed    news.AnswerInput
}

// PageTitle is the survey's title.
func (d surveyData) PageTitle(string) string {
	if d.View.Results != nil {
		return d.View.Results.Title
	}
	return d.View.Form.Title
}

// Picked tells whether a choice was ticked in the answers typed.
func (d surveyData) Picked(question, choice string) bool {
	for _, c := range d.Typed.Choices[question] {
		if c == choice {
			return true
		}
	}
	return false
}

func (a *Area) showSurvey(w http.ResponseWriter, r *http.Request) {
	a.renderSurvey(w, r, http.StatusOK, surveyData{Saved: saved(r)})
}

func (a *Area) renderSurvey(w http.ResponseWriter, r *http.Request, status int, d surveyData) {
	var err error
	if d.View, err = a.news.OpenSurvey(r.Context(), page.Viewer(r), r.PathValue("id")); err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	a.pages.Render(w, r, status, "survey", "surveys.title", d)
}

func (a *Area) answer(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseForm()
	in := news.AnswerInput{Choices: map[string][]string{}, Texts: map[string]string{}}
	for k, vs := range r.PostForm {
		switch {
		case strings.HasPrefix(k, "c-"):
			in.Choices[k[2:]] = vs
		case strings.HasPrefix(k, "t-") && len(vs) > 0:
			in.Texts[k[2:]] = vs[0]
		}
	}
	err := a.news.Answer(r.Context(), page.Viewer(r), r.PathValue("id"), in)
	var ps check.Problems
	switch {
	case errors.As(err, &ps):
		a.renderSurvey(w, r, http.StatusUnprocessableEntity, surveyData{Problems: page.ProblemText(page.Lang(r), "surveys", ps), Bad: ps.Fields(), Typed: in})
		return
	case errors.Is(err, news.ErrAnswered):
		http.Redirect(w, r, "/surveys/"+url.PathEscape(r.PathValue("id"))+"?saved=already", http.StatusSeeOther)
		return
	case err != nil:
		a.kit.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/surveys/"+url.PathEscape(r.PathValue("id"))+"?saved=answered", http.StatusSeeOther)
}

func (a *Area) publishSurvey(w http.ResponseWriter, r *http.Request) {
	if _, err := a.news.PublishSurvey(r.Context(), page.Viewer(r), r.PathValue("id")); err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/surveys/"+url.PathEscape(r.PathValue("id"))+"?saved=published", http.StatusSeeOther)
}
