package grades

// Evaluations: create, edit, delete and list a teaching's assessments.

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"cartable/internal/access"
	"cartable/internal/check"
	"cartable/internal/db"
	"cartable/internal/ids"
	"cartable/internal/timetable"
)

// EvaluationInput is the evaluation form as typed.
type EvaluationInput struct {
	Title       string
	HeldOn      string // YYYY-MM-DD
	Period      string
	Scale       string // "20", "12,5"
	Coefficient string // "1", "0,5"
	To20        bool
	Formative   bool
	Bonus       bool
	Optional    bool
	SubSubject  string
	Description string
	PublishOn   string // "" : the day it is held
}

// InputOf is a stored evaluation as its form shows it.
func InputOf(lang string, e Evaluation) EvaluationInput {
	return EvaluationInput{Title: e.Title, HeldOn: e.HeldOn, Period: e.Period, Scale: FormatX100(lang, e.ScaleX100),
		Coefficient: FormatX100(lang, e.CoefX100), To20: e.To20, Formative: e.Formative, Bonus: e.Bonus, Optional: e.Optional,
		SubSubject: e.SubSubject, Description: e.Description, PublishOn: e.PublishOn}
}

// SubSubject is a part of a subject weighted in its average (written and
// oral French).
type SubSubject struct {
	ID       string
	Subject  string
	Name     string
	CoefX100 int
}

// EvaluationForm is what the evaluation form offers for a teaching.
type EvaluationForm struct {
	Teaching    Teaching
	Periods     []Period // of the establishment's open years
	SubSubjects []SubSubject
	Current     string // the period of today, if any
	Today       string
}

// Limits of an evaluation's numbers, in hundredths.
const (
	maxScaleX100 = 10000
	minScaleX100 = 100
	maxCoefX100  = 10000
	maxTitle     = 120
	maxDesc      = 2000
)

// CheckEvaluation validates the form against the periods and sub-subjects
// it may use; today decides which periods are locked.
func CheckEvaluation(in EvaluationInput, f EvaluationForm) check.Problems {
	var ps check.Problems
	title := strings.TrimSpace(in.Title)
	switch {
	case title == "":
		ps.Add("title", "required", "")
	case utf8.RuneCountInString(title) > maxTitle:
		ps.Add("title", "too-long", title)
	}
	_, err := timetable.ParseDate(in.HeldOn)
	if err != nil {
		ps.Add("held_on", "date", in.HeldOn)
	}
	var period *Period
	for i := range f.Periods {
		if f.Periods[i].ID == in.Period {
			period = &f.Periods[i]
		}
	}
	switch {
	case period == nil:
		ps.Add("period", "unknown-period", in.Period)
	case period.Locked(f.Today):
		ps.Add("period", "locked", period.EntryDeadline)
	case err == nil && (in.HeldOn < period.StartsOn || in.HeldOn > period.EndsOn):
		ps.Add("held_on", "outside-period", in.HeldOn)
	}
	if n, ok := ParseX100(in.Scale); !ok || n < minScaleX100 || n > maxScaleX100 {
		ps.Add("scale", "scale", in.Scale)
	}
	if n, ok := ParseX100(in.Coefficient); !ok || n <= 0 || n > maxCoefX100 {
		ps.Add("coefficient", "coefficient", in.Coefficient)
	}
	if in.SubSubject != "" {
		found := false
		for _, s := range f.SubSubjects {
			found = found || s.ID == in.SubSubject
		}
		if !found {
			ps.Add("sub_subject", "unknown-sub-subject", in.SubSubject)
		}
	}
	if utf8.RuneCountInString(in.Description) > maxDesc {
		ps.Add("description", "too-long", "")
	}
	if in.PublishOn != "" {
		if _, err := timetable.ParseDate(in.PublishOn); err != nil {
			ps.Add("publish_on", "date", in.PublishOn)
		}
	}
	if in.Bonus && in.Optional {
		ps.Add("optional", "bonus-optional", "")
	}
	return ps
}

// today is the service's day in Paris.
func (s *Service) today() string { return s.now().In(timetable.Paris).Format(timetable.DateFormat) }

func (s *Service) evaluationForm(ctx context.Context, q db.Querier, t Teaching) (EvaluationForm, error) {
	f := EvaluationForm{Teaching: t, Today: s.today()}
	var err error
	if f.Periods, err = periodsOf(ctx, q, t.Establishment); err != nil {
		return f, err
	}
	if p, ok, err := periodOn(ctx, q, t.Establishment, f.Today); err != nil {
		return f, err
	} else if ok {
		f.Current = p.ID
	}
	f.SubSubjects, err = subSubjectsOf(ctx, q, t.Establishment, t.Subject)
	return f, err
}

// NewEvaluation is the form to create an evaluation for the teaching r
// (EnterMarks: a second factor is needed before anything is typed).
func (s *Service) NewEvaluation(ctx context.Context, v *access.Viewer, r access.Resource) (EvaluationForm, error) {
	t, err := s.teachingFor(ctx, v, s.DB, access.EnterMarks, r)
	if err != nil {
		return EvaluationForm{}, err
	}
	return s.evaluationForm(ctx, s.DB, t)
}

func fromInput(e *Evaluation, in EvaluationInput) {
	e.Title, e.HeldOn, e.Period = strings.TrimSpace(in.Title), in.HeldOn, in.Period
	e.ScaleX100, _ = ParseX100(in.Scale)
	e.CoefX100, _ = ParseX100(in.Coefficient)
	e.To20, e.Formative, e.Bonus, e.Optional = in.To20, in.Formative, in.Bonus, in.Optional
	e.SubSubject, e.Description, e.PublishOn = in.SubSubject, strings.TrimSpace(in.Description), in.PublishOn
	if e.PublishOn == "" {
		e.PublishOn = e.HeldOn
	}
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// CreateEvaluation records an evaluation of the teaching r; it returns
// the new evaluation's ID, or the problems of the form having changed
// nothing.
func (s *Service) CreateEvaluation(ctx context.Context, v *access.Viewer, r access.Resource, in EvaluationInput) (string, error) {
	var id string
	err := s.DB.Tx(ctx, func(tx *db.Tx) (err error) {
		id, err = s.CreateEvaluationIn(ctx, v, tx, r, in)
		return err
	})
	return id, err
}

// CreateEvaluationIn is CreateEvaluation in the caller's transaction (the
// demo generator's).
func (s *Service) CreateEvaluationIn(ctx context.Context, v *access.Viewer, tx *db.Tx, r access.Resource, in EvaluationInput) (string, error) {
	t, err := s.teachingFor(ctx, v, tx, access.EnterMarks, r)
	if err != nil {
		return "", err
	}
	f, err := s.evaluationForm(ctx, tx, t)
	if err != nil {
		return "", err
	}
	if err := CheckEvaluation(in, f).Err(); err != nil {
		return "", err
	}
	return insertEvaluation(ctx, tx, v, t, in, s.now())
}

func insertEvaluation(ctx context.Context, q db.Querier, v *access.Viewer, t Teaching, in EvaluationInput, now time.Time) (string, error) {
	e := Evaluation{ID: ids.For(ctx)}
	fromInput(&e, in)
	var class, group any
	if t.Structure.Kind == access.KindClass {
		class = t.Structure.ID
	} else {
		group = t.Structure.ID
	}
	var author any
	if !v.IsSystem() {
		author = v.ID
	}
	_, err := q.Exec(ctx, `INSERT INTO gr_evaluations (id, establishment_id, class_id, group_id, subject_id, sub_subject_id, period_id,
		title, description, held_on, scale_x100, coef_x100, to20, formative, bonus, optional, publish_on, author_id, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.ID, t.Establishment, class, group, t.Subject, nullable(e.SubSubject), e.Period, e.Title, e.Description, e.HeldOn,
		e.ScaleX100, e.CoefX100, e.To20, e.Formative, e.Bonus, e.Optional, e.PublishOn, author, now.Unix(), now.Unix())
	return e.ID, err
}

// evaluationFor reads an evaluation and asks the policy for a on its
// teaching; a missing evaluation is refused like a forbidden one.
func (s *Service) evaluationFor(ctx context.Context, v *access.Viewer, q db.Querier, a access.Action, id string) (Evaluation, Teaching, error) {
	e, err := evaluationByID(ctx, q, id)
	if err == errNotFound {
		return e, Teaching{}, &access.Denied{Action: a, Resource: access.Resource{Kind: "evaluation", ID: id}, Reason: "no such evaluation"}
	}
	if err != nil {
		return e, Teaching{}, err
	}
	t, err := s.teachingFor(ctx, v, q, a, e.Teaching())
	return e, t, err
}

// EvaluationEdit is an evaluation with its form.
type EvaluationEdit struct {
	EvaluationForm
	Evaluation Evaluation
	Marks      int  // marks entered
	Locked     bool // its period is locked: it can no longer change
}

// EditEvaluation is the form of a stored evaluation (EnterMarks).
func (s *Service) EditEvaluation(ctx context.Context, v *access.Viewer, id string) (EvaluationEdit, error) {
	e, t, err := s.evaluationFor(ctx, v, s.DB, access.EnterMarks, id)
	if err != nil {
		return EvaluationEdit{}, err
	}
	f, err := s.evaluationForm(ctx, s.DB, t)
	if err != nil {
		return EvaluationEdit{}, err
	}
	out := EvaluationEdit{EvaluationForm: f, Evaluation: e}
	if p, err := periodByID(ctx, s.DB, e.Period); err == nil {
		out.Locked = p.Locked(f.Today)
	}
	err = s.DB.QueryRow(ctx, `SELECT COUNT(*) FROM gr_marks WHERE evaluation_id = ?`, id).Scan(&out.Marks)
	return out, err
}

// lockedProblem is the refusal of a change in a locked period.
func lockedProblem(p Period) error {
	var ps check.Problems
	ps.Add("period", "locked", p.EntryDeadline)
	return ps
}

// UpdateEvaluation changes an evaluation; its period (old and new) must
// be open. Marks above a smaller scale are refused, naming the scale.
func (s *Service) UpdateEvaluation(ctx context.Context, v *access.Viewer, id string, in EvaluationInput) error {
	return s.DB.Tx(ctx, func(tx *db.Tx) error {
		e, t, err := s.evaluationFor(ctx, v, tx, access.EnterMarks, id)
		if err != nil {
			return err
		}
		f, err := s.evaluationForm(ctx, tx, t)
		if err != nil {
			return err
		}
		if p, err := periodByID(ctx, tx, e.Period); err != nil {
			return err
		} else if p.Locked(f.Today) {
			return lockedProblem(p)
		}
		ps := CheckEvaluation(in, f)
		if scale, ok := ParseX100(in.Scale); ok && !ps.Has("scale") {
			var above int
			if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM gr_marks WHERE evaluation_id = ? AND value_x100 > ?`, id, scale).Scan(&above); err != nil {
				return err
			}
			if above > 0 {
				ps = append(ps, check.Problem{Field: "scale", Code: "marks-above", Value: in.Scale, N: above})
			}
		}
		if err := ps.Err(); err != nil {
			return err
		}
		fromInput(&e, in)
		_, err = tx.Exec(ctx, `UPDATE gr_evaluations SET sub_subject_id = ?, period_id = ?, title = ?, description = ?, held_on = ?,
			scale_x100 = ?, coef_x100 = ?, to20 = ?, formative = ?, bonus = ?, optional = ?, publish_on = ?, updated_at = ? WHERE id = ?`,
			nullable(e.SubSubject), e.Period, e.Title, e.Description, e.HeldOn, e.ScaleX100, e.CoefX100, e.To20, e.Formative, e.Bonus,
			e.Optional, e.PublishOn, s.now().Unix(), id)
		return err
	})
}

// DeleteEvaluation removes an evaluation and its marks (each recorded in
// the history); its period must be open. It returns the teaching.
func (s *Service) DeleteEvaluation(ctx context.Context, v *access.Viewer, id string) (Teaching, error) {
	var t Teaching
	err := s.DB.Tx(ctx, func(tx *db.Tx) error {
		e, tt, err := s.evaluationFor(ctx, v, tx, access.EnterMarks, id)
		if err != nil {
			return err
		}
		t = tt
		if p, err := periodByID(ctx, tx, e.Period); err != nil {
			return err
		} else if p.Locked(s.today()) {
			return lockedProblem(p)
		}
		marks, err := marksOf(ctx, tx, []string{id}, nil)
		if err != nil {
			return err
		}
		for _, m := range marks[id] {
			if err := record(ctx, tx, s.now(), change{Establishment: e.Establishment, Student: m.Student, Subject: "mark:" + id,
				Actor: v.Actor(), Before: m.Text(""), After: ""}); err != nil {
				return err
			}
		}
		_, err = tx.Exec(ctx, `DELETE FROM gr_evaluations WHERE id = ?`, id)
		return err
	})
	return t, err
}

// TeachingEvaluations is a teaching's evaluations in one period.
type TeachingEvaluations struct {
	Teaching    Teaching
	Periods     []Period
	Period      Period
	Evaluations []Evaluation
	Marked      map[string]int // evaluation → marks entered
	Today       string
}

// EvaluationsOf lists the evaluations of the teaching r in a period ("":
// the period of today, else the first) for a viewer who reads its grades.
func (s *Service) EvaluationsOf(ctx context.Context, v *access.Viewer, r access.Resource, period string) (TeachingEvaluations, error) {
	t, err := s.teachingFor(ctx, v, s.DB, access.ReadGrades, r)
	if err != nil {
		return TeachingEvaluations{}, err
	}
	out := TeachingEvaluations{Teaching: t, Today: s.today(), Marked: map[string]int{}}
	if out.Periods, err = periodsOf(ctx, s.DB, t.Establishment); err != nil || len(out.Periods) == 0 {
		return out, err
	}
	out.Period = out.Periods[0]
	for _, p := range out.Periods {
		if (period == "" && p.StartsOn <= out.Today && out.Today <= p.EndsOn) || p.ID == period {
			out.Period = p
		}
	}
	if out.Evaluations, err = evaluationsOf(ctx, s.DB, t.Structure, t.Subject, out.Period.ID); err != nil {
		return out, err
	}
	ev := make([]string, len(out.Evaluations))
	for i, e := range out.Evaluations {
		ev[i] = e.ID
	}
	marks, err := marksOf(ctx, s.DB, ev, nil)
	for e, m := range marks {
		out.Marked[e] = len(m)
	}
	return out, err
}

// subSubjectsOf lists a subject's sub-subjects, by name.
func subSubjectsOf(ctx context.Context, q db.Querier, est, subject string) ([]SubSubject, error) {
	return db.All(ctx, q, func(sc db.Scanner) (SubSubject, error) {
		var s SubSubject
		return s, sc.Scan(&s.ID, &s.Subject, &s.Name, &s.CoefX100)
	}, `SELECT id, subject_id, name, coef_x100 FROM gr_sub_subjects WHERE establishment_id = ? AND subject_id = ? ORDER BY name, id`, est, subject)
}
