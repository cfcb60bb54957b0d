package news_test

import (
	"context"
	"errors"
	"sort"
	"strings"
	"testing"
	"time"

	"cartable/internal/access"
	"cartable/internal/check"
	"cartable/internal/db"
	"cartable/internal/news"
)

func surveyInput(w *world, anonymous bool) news.SurveyInput {
	return news.SurveyInput{Title: "Voyage", Targets: []string{"class:" + w.class["6A"]}, ClassFamilies: true, Anonymous: anonymous,
		ClosesOn: "2026-12-14", Publish: true, Questions: []news.QuestionInput{
			{Kind: news.KindSingle, Label: "Participera ?", Required: true, Choices: []string{"Oui", "Non"}},
			{Kind: news.KindMultiple, Label: "Repas", MaxChoices: 2, Choices: []string{"Midi", "Soir", "Goûter"}},
			{Kind: news.KindText, Label: "Remarques"},
			{}, // a blank row of the form
		}}
}

// answers picks choices by label.
func answers(sv news.Survey, single string, multi []string, text string) news.AnswerInput {
	in := news.AnswerInput{Choices: map[string][]string{}, Texts: map[string]string{}}
	pick := func(q news.Question, label string) string {
		for _, c := range q.Choices {
			if c.Label == label {
				return c.ID
			}
		}
		return "forged"
	}
	if single != "" {
		in.Choices[sv.Questions[0].ID] = []string{pick(sv.Questions[0], single)}
	}
	for _, m := range multi {
		in.Choices[sv.Questions[1].ID] = append(in.Choices[sv.Questions[1].ID], pick(sv.Questions[1], m))
	}
	in.Texts[sv.Questions[2].ID] = text
	return in
}

func (w *world) survey(t *testing.T, login, id string) news.SurveyView {
	t.Helper()
	v, err := w.svc.OpenSurvey(context.Background(), w.v(t, login), id)
	if err != nil {
		t.Fatalf("%s opens the survey: %v", login, err)
	}
	return v
}

func TestAnonymousSurvey(t *testing.T) {
	ctx := context.Background()
	w := build(t)
	bad := surveyInput(w, true)
	bad.ClosesOn, bad.Questions = "", []news.QuestionInput{{Kind: news.KindSingle, Label: "Une ?", Choices: []string{"Seule"}}, {Kind: "essay", Label: "x"}}
	_, err := w.svc.CreateSurvey(ctx, w.v(t, "t1"), bad)
	if ps, ok := check.As(err); !ok || !ps.Has("closes") || !ps.Has("q1") || !ps.Has("q2") {
		t.Fatalf("problems: %v", err)
	}
	_, err = w.svc.CreateSurvey(ctx, w.v(t, "t9"), surveyInput(w, true))
	denied(t, err, "another teacher asks the class")
	_, err = w.svc.CreateSurvey(ctx, w.v(t, "p1"), surveyInput(w, true))
	denied(t, err, "a relative asks")

	id, err := w.svc.CreateSurvey(ctx, w.v(t, "t1"), surveyInput(w, true))
	if err != nil {
		t.Fatal(err)
	}
	form := w.survey(t, "p1", id).Form
	if form == nil || !form.Open || form.Answered || len(form.Questions) != 3 {
		t.Fatalf("p1's form: %+v", form)
	}
	for _, login := range []string{"p7", "s1", "p5", "t9", "hB"} {
		_, err := w.svc.OpenSurvey(ctx, w.v(t, login), id)
		denied(t, err, login+" opens the survey")
		denied(t, w.svc.Answer(ctx, w.v(t, login), id, answers(form.Survey, "Oui", nil, "")), login+" answers")
	}
	// Faulty answers: nothing written.
	for name, in := range map[string]news.AnswerInput{
		"required":       answers(form.Survey, "", nil, ""),
		"forged choice":  answers(form.Survey, "Peut-être", nil, ""),
		"too many":       answers(form.Survey, "Oui", []string{"Midi", "Soir", "Goûter"}, ""),
		"two for single": {Choices: map[string][]string{form.Questions[0].ID: {form.Questions[0].Choices[0].ID, form.Questions[0].Choices[1].ID}}},
	} {
		if _, ok := check.As(w.svc.Answer(ctx, w.v(t, "p1"), id, in)); !ok {
			t.Fatalf("%s: not a problem", name)
		}
	}
	if n := w.count(t, `SELECT COUNT(*) FROM survey_responses`); n != 0 {
		t.Fatal("a faulty answer was written")
	}
	notices := strings.Join(w.strs(t, `SELECT id || COALESCE(CAST(read_at AS TEXT), '-') FROM notifications ORDER BY id`), ",")
	// p1, then p3 answer; p1 once only.
	if err := w.svc.Answer(ctx, w.v(t, "p1"), id, answers(form.Survey, "Oui", []string{"Midi", "Soir"}, "Végétarien")); err != nil {
		t.Fatal(err)
	}
	if err := w.svc.Answer(ctx, w.v(t, "p1"), id, answers(form.Survey, "Non", nil, "")); !errors.Is(err, news.ErrAnswered) {
		t.Fatalf("second answer: %v", err)
	}
	form3 := w.survey(t, "p3", id).Form
	if err := w.svc.Answer(ctx, w.v(t, "p3"), id, answers(form3.Survey, "Non", []string{"Midi"}, "")); err != nil {
		t.Fatal(err)
	}
	if !w.survey(t, "p1", id).Form.Answered {
		t.Fatal("p1 is not told they answered")
	}
	if got, _ := w.svc.ToAnswer(ctx, w.v(t, "p1"), 10); len(got) != 0 {
		t.Fatal("an answered survey is still to answer")
	}
	if got, _ := w.svc.ToAnswer(ctx, w.v(t, "p2"), 10); len(got) != 1 {
		t.Fatal("p2 has no survey to answer")
	}

	// Truly anonymous: the responses name nobody, carry no instant, are
	// not stored in the order of answering, and nothing joins them back.
	if n := w.count(t, `SELECT COUNT(*) FROM survey_responses WHERE respondent_id IS NOT NULL`); n != 0 {
		t.Fatal("an anonymous response names its respondent")
	}
	cols := columns(t, w.d, "survey_responses") + " | " + columns(t, w.d, "survey_answers")
	if cols != "id respondent_id survey_id | choice_id question_id response_id text" {
		t.Fatalf("columns that could re-link: %s", cols)
	}
	if n := w.count(t, `SELECT COUNT(*) FROM survey_responses x JOIN people p ON p.id = x.respondent_id
		UNION ALL SELECT COUNT(*) FROM survey_answers a JOIN survey_recipients r ON r.person_id = a.response_id`); n != 0 {
		t.Fatal("a response joins a person")
	}
	if w.d.Dialect() == db.SQLite {
		if _, err := w.d.Exec(ctx, `SELECT rowid FROM survey_responses`); err == nil {
			t.Fatal("survey_responses has a rowid: its rows keep the order of answering")
		}
		ids := w.strs(t, `SELECT id FROM survey_responses`)
		if !sort.StringsAreSorted(ids) {
			t.Fatalf("responses stored in another order than their ids: %v", ids)
		}
	}
	if after := strings.Join(w.strs(t, `SELECT id || COALESCE(CAST(read_at AS TEXT), '-') FROM notifications ORDER BY id`), ","); after != notices {
		t.Fatal("answering changed a notice (an instant that could re-link)")
	}

	// Results: the author and the head; counts and texts, no names.
	for _, login := range []string{"t1", "hA"} {
		r := w.survey(t, login, id).Results
		if r == nil || r.Asked != 3 || r.Answered != 2 {
			t.Fatalf("%s results: %+v", login, r)
		}
		if got := r.Questions[0].Counts; got[0] != 1 || got[1] != 1 {
			t.Fatalf("single counts: %v", got)
		}
		if got := r.Questions[1].Counts; got[0] != 2 || got[1] != 1 || got[2] != 0 {
			t.Fatalf("multiple counts: %v", got)
		}
		if ts := r.Questions[2].Texts; len(ts) != 1 || ts[0].Text != "Végétarien" || ts[0].Name != "" {
			t.Fatalf("texts: %+v", ts)
		}
	}
	_, err = w.svc.OpenSurvey(ctx, w.v(t, "cA"), id)
	denied(t, err, "the CPE opens the results")

	// Closed: no answer; the to-do list forgets it.
	w.now = time.Date(2026, 12, 15, 9, 0, 0, 0, time.UTC)
	denied(t, w.svc.Answer(ctx, w.v(t, "p2"), id, answers(form.Survey, "Oui", nil, "")), "an answer after the deadline")
	if got, _ := w.svc.ToAnswer(ctx, w.v(t, "p2"), 10); len(got) != 0 {
		t.Fatal("a closed survey is still to answer")
	}
	// Kept a year after closing, then erased.
	if n, err := news.PurgeSurveys(ctx, w.v(t, "hA"), w.d, w.now, 0); err == nil || n != 0 {
		t.Fatal("a person purges")
	}
	if n, _ := news.PurgeSurveys(ctx, access.System("purge"), w.d, w.now, 0); n != 0 {
		t.Fatal("purged before its time")
	}
	if n, _ := news.PurgeSurveys(ctx, access.System("purge"), w.d, w.now.AddDate(1, 0, 1), 0); n != 1 ||
		w.count(t, `SELECT COUNT(*) FROM survey_responses`)+w.count(t, `SELECT COUNT(*) FROM survey_answers`) != 0 {
		t.Fatal("the answers are not purged")
	}
	if r := w.survey(t, "t1", id).Results; !r.Purged || r.Questions[0].Counts[0] != 0 {
		t.Fatalf("purged results: %+v", r)
	}
}

func TestNamedSurveyAndTodo(t *testing.T) {
	ctx := context.Background()
	w := build(t)
	id, err := w.svc.CreateSurvey(ctx, w.v(t, "t1"), surveyInput(w, false))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.Create(ctx, w.v(t, "t1"), toFamilies(w)); err != nil {
		t.Fatal(err)
	}
	// p2's to-do: the news (deadline the 10th) before the survey (the 14th).
	tasks, err := w.svc.Todo(ctx, w.v(t, "p2"), nil)
	if err != nil || len(tasks) != 2 || tasks[0].Kind != news.TaskAcknowledge || tasks[1].Kind != news.TaskAnswer {
		t.Fatalf("to-do: %+v %v", tasks, err)
	}
	sv := w.survey(t, "p2", id).Form.Survey
	if err := w.svc.Answer(ctx, w.v(t, "p2"), id, answers(sv, "Oui", nil, "Avec plaisir")); err != nil {
		t.Fatal(err)
	}
	if n := w.count(t, `SELECT COUNT(*) FROM survey_responses WHERE respondent_id = ?`, w.people["p2"]); n != 1 {
		t.Fatal("a named response does not name its respondent")
	}
	r := w.survey(t, "t1", id).Results
	if ts := r.Questions[2].Texts; len(ts) != 1 || ts[0].Name != "p2 P2" {
		t.Fatalf("named texts: %+v", ts)
	}
	if tasks, _ := w.svc.Todo(ctx, w.v(t, "p2"), nil); len(tasks) != 1 {
		t.Fatalf("to-do after answering: %+v", tasks)
	}
	if list, _ := w.svc.SurveysWritten(ctx, w.v(t, "t1"), 10); len(list) != 1 || list[0].Answered != 1 || list[0].Asked != 3 {
		t.Fatalf("written: %+v", list)
	}
	if list, _ := w.svc.SurveysAsked(ctx, w.v(t, "p2"), 10); len(list) != 1 || !list[0].Mine {
		t.Fatalf("asked: %+v", list)
	}
}

func (w *world) strs(t *testing.T, q string, args ...any) []string {
	t.Helper()
	rows, err := w.d.Query(context.Background(), q, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}

// columns lists a table's columns, sorted, on either engine.
func columns(t *testing.T, d *db.DB, table string) string {
	t.Helper()
	q := `SELECT column_name FROM information_schema.columns WHERE table_name = ? AND table_schema = current_schema()`
	if d.Dialect() == db.SQLite {
		q = `SELECT name FROM pragma_table_info(?)`
	}
	w := &world{d: d}
	cs := w.strs(t, q, table)
	sort.Strings(cs)
	return strings.Join(cs, " ")
}
