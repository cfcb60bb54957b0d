package grades

// What students, relatives and the staff read of one student's marks: per
// subject, the evaluations, the student's mark, the class statistics and
// the averages, every one computed by internal/averages with its steps.

import (
	"context"
	"errors"
	"sort"

	"cartable/internal/access"
	"cartable/internal/averages"
	"cartable/internal/db"
	"cartable/internal/roles"
)

// YearPeriod is the period argument that asks for the whole year.
const YearPeriod = "year"

// Stats are class statistics as a reader may see them: a statistic the
// establishment does not show to families is zero and its Show flag off.
// Other students' marks never leave the package, only these aggregates.
type Stats struct {
	Count                  int
	Mean, Min, Max, Median float64
	ShowMean, ShowMinMax   bool
	ShowMedian             bool
}

// Show are the statistics an audience sees.
type Show struct {
	Mean, MinMax, Median bool
	// Few: statistics over fewer values are not shown (Count 0), since
	// they would tell a classmate's mark: with two marks, the mean and
	// one's own give the other's. Families see none over fewer than
	// MinFamilyStats.
	Few int
}

// MinFamilyStats is the fewest marks (or averages) families see class
// statistics over: a make-up test two students sat, an option two
// students of the class take, would otherwise tell each the other's.
const MinFamilyStats = 3

func (sh Show) stats(s averages.Stats, r averages.Rounding) Stats {
	s = s.Round(r)
	out := Stats{Count: s.Count, ShowMean: sh.Mean, ShowMinMax: sh.MinMax, ShowMedian: sh.Median}
	if s.Count < sh.Few {
		out.Count = 0
	}
	if out.Count == 0 {
		return out
	}
	if sh.Mean {
		out.Mean = s.Mean
	}
	if sh.MinMax {
		out.Min, out.Max = s.Min, s.Max
	}
	if sh.Median {
		out.Median = s.Median
	}
	return out
}

// Any tells whether the reader sees at least one statistic.
func (s Stats) Any() bool { return s.Count > 0 && (s.ShowMean || s.ShowMinMax || s.ShowMedian) }

// Person is a student as the results name them.
type Person struct {
	ID, FirstName, LastName string
}

// Name is "First Last".
func (p Person) Name() string { return p.FirstName + " " + p.LastName }

// Results are one student's results for a period or the year.
type Results struct {
	Student       Person
	Class         string // the class's name
	Level         string // the class's level ("3e": the brevet's continuous assessment applies)
	Establishment string
	Today         string
	Period        Period // the period shown; zero for the year
	Year          bool   // the whole year
	Periods       []Period
	// Family is the view of the student and relatives: evaluations
	// published (publish_on ≤ today) only, statistics as the
	// establishment chose to show them.
	Family   bool
	Show     Show
	Settings averages.Settings
	Subjects []SubjectResults
	Overall  averages.Result
}

// Subject returns the subject id, if it is in the results.
func (r *Results) Subject(id string) (*SubjectResults, bool) {
	for i := range r.Subjects {
		if r.Subjects[i].ID == id {
			return &r.Subjects[i], true
		}
	}
	return nil, false
}

// PeriodParam is the period as the pages pass it: its ID, or "year".
func (r *Results) PeriodParam() string {
	if r.Year {
		return YearPeriod
	}
	return r.Period.ID
}

// SubjectResults are a subject's evaluations and averages for the student.
type SubjectResults struct {
	ID          string
	Name        string
	Teachers    []string
	SubSubjects []averages.SubSubject
	Coefficient float64 // in the overall average
	Evaluations []EvaluationResult
	Average     averages.Result
	Class       Stats // over the class's subject averages

	subject averages.Subject
	entries []averages.Entry  // the period's entries (not in the year view)
	periods []averages.Period // the year's, by period
}

// EvaluationResult is one evaluation with the student's mark.
type EvaluationResult struct {
	ID, Title, HeldOn, PublishOn string
	SubSubject                   string // its label; "" for none
	Scale, Coefficient           float64
	To20, Formative              bool
	Bonus, Optional              bool
	Published                    bool // families see it (staff views list the others too)
	Marked                       bool // the student has a mark (a value or a code)
	Value                        float64
	Code                         averages.Code
	Hypothetical                 bool // a what-if mark or evaluation
	Class                        Stats
}

// studentFacts are the student's class in an open year.
type studentFacts struct {
	Person
	Establishment, Class, ClassName, Level string
}

func loadStudent(ctx context.Context, q db.Querier, id string) (studentFacts, error) {
	var f studentFacts
	f.ID = id
	err := q.QueryRow(ctx, `SELECT p.first_name, p.last_name, c.establishment_id, c.id, c.name, c.level FROM people p
		JOIN enrolments en ON en.student_id = p.id JOIN classes c ON c.id = en.class_id JOIN school_years y ON y.id = c.school_year_id
		WHERE p.id = ? AND p.profile = 'student' AND NOT y.closed ORDER BY y.starts_on DESC LIMIT 1`, id).
		Scan(&f.FirstName, &f.LastName, &f.Establishment, &f.Class, &f.ClassName, &f.Level)
	return f, notFound(err)
}

// family tells whether the viewer reads as a family (the student or a
// relative) rather than as staff.
func family(v *access.Viewer) bool {
	return v.Profile == roles.Student || v.Profile == roles.Relative
}

// choosePeriod picks the period asked for ("" : the current one, else
// the last begun, else the first; "year": none), among ps.
func choosePeriod(ps []Period, want, today string) (Period, bool, error) {
	if want == YearPeriod {
		return Period{}, true, nil
	}
	if want != "" {
		for _, p := range ps {
			if p.ID == want {
				return p, false, nil
			}
		}
		return Period{}, false, access.Refuse(access.ReadGrades, access.Resource{Kind: "period", ID: want}, "not a period of the student's year")
	}
	var best Period
	for _, p := range ps {
		if p.StartsOn <= today && (best.ID == "" || p.StartsOn > best.StartsOn) {
			best = p
		}
	}
	if best.ID == "" && len(ps) > 0 {
		best = ps[0]
	}
	return best, false, nil
}

// StudentResults reads a student's results for a period (its ID, "" for
// the current one, YearPeriod for the year), for v: the student, their
// relatives, the head teacher, the head and deputies (ReadGrades on the
// person). A subject teacher reads the class's results through their
// teaching (ClassResults).
func (s *Service) StudentResults(ctx context.Context, v *access.Viewer, student, period string) (*Results, error) {
	if err := v.Can(ctx, access.ReadGrades, access.Person(student)); err != nil {
		return nil, err
	}
	return s.results(ctx, v, student, period)
}

func (s *Service) results(ctx context.Context, v *access.Viewer, student, period string) (*Results, error) {
	f, err := loadStudent(ctx, s.DB, student)
	if errors.Is(err, errNotFound) {
		return nil, access.Refuse(access.ReadGrades, access.Person(student), "no class in an open year")
	}
	if err != nil {
		return nil, err
	}
	var set Settings
	var periods []Period
	err = s.DB.Together(ctx,
		func(ctx context.Context) (err error) { set, err = settingsOf(ctx, s.DB, f.Establishment); return err },
		func(ctx context.Context) (err error) {
			periods, err = periodsOf(ctx, s.DB, f.Establishment)
			return err
		},
	)
	if err != nil {
		return nil, err
	}
	res := &Results{Student: f.Person, Class: f.ClassName, Level: f.Level, Establishment: f.Establishment, Today: s.today(),
		Family: family(v), Settings: set.Engine()}
	res.Show = Show{Mean: true, MinMax: true, Median: true}
	if res.Family {
		res.Show = Show{Mean: set.ShowMean, MinMax: set.ShowMinMax, Median: set.ShowMedian, Few: MinFamilyStats}
	}
	res.Periods = periods
	if res.Period, res.Year, err = choosePeriod(res.Periods, period, res.Today); err != nil {
		return nil, err
	}
	if !res.Year && res.Period.ID == "" {
		return res, nil // no period: nothing to show
	}
	evals, err := s.visibleEvaluations(ctx, res, student)
	if err != nil {
		return nil, err
	}
	// A period that has just begun shows nothing yet: by default, the last
	// period with marks (the one the report cards are about) is shown.
	for i := len(res.Periods) - 1; period == "" && len(evals) == 0 && i >= 0; i-- {
		if p := res.Periods[i]; p.StartsOn < res.Period.StartsOn {
			res.Period = p
			if evals, err = s.visibleEvaluations(ctx, res, student); err != nil {
				return nil, err
			}
		}
	}
	if err := s.compute(ctx, res, f, evals); err != nil {
		return nil, err
	}
	return res, nil
}

// visibleEvaluations lists the student's evaluations of res's period
// (every period for the year) that the reader sees: for a family, those
// published by today.
func (s *Service) visibleEvaluations(ctx context.Context, res *Results, student string) ([]Evaluation, error) {
	evals, err := evaluationsOfStudent(ctx, s.DB, student, res.Period.ID)
	if err != nil || !res.Family {
		return evals, err
	}
	kept := evals[:0]
	for _, e := range evals {
		if e.PublishOn <= res.Today {
			kept = append(kept, e)
		}
	}
	return kept, nil
}

// compute fills the subjects and averages of res from evals (ordered by
// subject): the student's, and the class's statistics over every student
// marked in the same evaluations.
func (s *Service) compute(ctx context.Context, res *Results, f studentFacts, evals []Evaluation) error {
	if len(evals) == 0 {
		res.Overall = averages.OverallAverage(nil, res.Settings)
		return nil
	}
	ids := make([]string, len(evals))
	subjectIDs, structures := []string{}, map[access.Resource]bool{}
	for i, e := range evals {
		ids[i] = e.ID
		if i == 0 || evals[i-1].Subject != e.Subject {
			subjectIDs = append(subjectIDs, e.Subject)
		}
		structures[e.Teaching()] = true
	}
	// Five independent reads: one round trip on PostgreSQL (db.Together).
	var marks map[string]map[string]Mark
	var names map[string]string
	var subs map[string][]averages.SubSubject
	var teachers map[string][]string
	var coefs map[string]float64
	err := s.DB.Together(ctx,
		func(ctx context.Context) (err error) { marks, err = classMarks(ctx, s.DB, ids); return err },
		func(ctx context.Context) (err error) { names, err = subjectNames(ctx, s.DB, subjectIDs); return err },
		func(ctx context.Context) (err error) {
			subs, err = engineSubSubjects(ctx, s.DB, subjectIDs)
			return err
		},
		func(ctx context.Context) (err error) { teachers, err = teachersOf(ctx, s.DB, structures); return err },
		func(ctx context.Context) (err error) {
			coefs, err = subjectCoefficients(ctx, s.DB, f.Establishment, f.Class, f.Level)
			return err
		},
	)
	if err != nil {
		return err
	}
	periodLabel := map[string]string{}
	for _, p := range res.Periods {
		periodLabel[p.ID] = p.Label()
	}
	var lines []averages.SubjectLine
	for start := 0; start < len(evals); {
		end := start
		for end < len(evals) && evals[end].Subject == evals[start].Subject {
			end++
		}
		sr := s.subjectResults(res, f.ID, evals[start:end], marks, subs, periodLabel)
		sr.Name = names[sr.ID]
		sr.Teachers = teachers[sr.ID]
		sr.Coefficient = 1
		if c, ok := coefs[sr.ID]; ok {
			sr.Coefficient = c
		}
		res.Subjects = append(res.Subjects, sr)
		lines = append(lines, averages.SubjectLine{Subject: averages.Ref{Kind: averages.RefSubject, ID: sr.ID, Label: sr.Name},
			Coefficient: sr.Coefficient, Average: sr.Average})
		start = end
	}
	sort.SliceStable(res.Subjects, func(i, j int) bool { return res.Subjects[i].Name < res.Subjects[j].Name })
	sort.SliceStable(lines, func(i, j int) bool { return lines[i].Subject.Label < lines[j].Subject.Label })
	res.Overall = averages.OverallAverage(lines, res.Settings)
	return nil
}

// subjectResults computes one subject: evals are its evaluations.
func (s *Service) subjectResults(res *Results, student string, evals []Evaluation, marks map[string]map[string]Mark,
	subs map[string][]averages.SubSubject, periodLabel map[string]string) SubjectResults {
	sr := SubjectResults{ID: evals[0].Subject, SubSubjects: subs[evals[0].Subject]}
	sr.subject = averages.Subject{ID: sr.ID, SubSubjects: sr.SubSubjects}
	subLabel := map[string]string{}
	for _, ss := range sr.SubSubjects {
		subLabel[ss.ID] = ss.Label
	}
	// Every student marked in the subject's evaluations, for the class
	// statistics; the student first.
	students := []string{student}
	seen := map[string]bool{student: true}
	engine := make([]averages.Evaluation, len(evals))
	for i, e := range evals {
		engine[i] = e.Engine()
		for st := range marks[e.ID] {
			if !seen[st] {
				seen[st] = true
				students = append(students, st)
			}
		}
	}
	sort.Strings(students[1:])
	rounding := res.Settings.Rounding
	for i, e := range evals {
		er := EvaluationResult{ID: e.ID, Title: e.Title, HeldOn: e.HeldOn, PublishOn: e.PublishOn, SubSubject: subLabel[e.SubSubject],
			Scale: engine[i].Scale, Coefficient: engine[i].Coefficient, To20: e.To20, Formative: e.Formative, Bonus: e.Bonus,
			Optional: e.Optional, Published: e.PublishOn <= res.Today}
		all := make([]averages.Mark, 0, len(marks[e.ID]))
		for _, m := range marks[e.ID] {
			all = append(all, m.Engine())
		}
		er.Class = res.Show.stats(averages.EvaluationStats(all), rounding)
		if m, ok := marks[e.ID][student]; ok {
			em := m.Engine()
			er.Marked, er.Value, er.Code = true, em.Value, em.Code
		}
		sr.Evaluations = append(sr.Evaluations, er)
	}
	averagesOf := make([]averages.Result, len(students))
	for k, st := range students {
		entries, periods := entriesOf(evals, engine, marks, st, res.Year, periodLabel)
		if res.Year {
			averagesOf[k] = averages.YearAverage(sr.subject, periods, res.Settings)
		} else {
			averagesOf[k] = averages.SubjectAverage(sr.subject, entries, res.Settings)
		}
		if k == 0 {
			sr.entries, sr.periods = entries, periods
		}
	}
	sr.Average = averagesOf[0]
	sr.Class = res.Show.stats(averages.SubjectStats(averagesOf), rounding)
	return sr
}

// entriesOf are a student's entries in evals: all together, or by period
// for the year (in the order of the evaluations' periods).
func entriesOf(evals []Evaluation, engine []averages.Evaluation, marks map[string]map[string]Mark, student string,
	year bool, periodLabel map[string]string) ([]averages.Entry, []averages.Period) {
	var entries []averages.Entry
	var periods []averages.Period
	at := map[string]int{}
	for i, e := range evals {
		m, ok := marks[e.ID][student]
		if !ok {
			continue
		}
		entry := averages.Entry{Eval: engine[i], Mark: m.Engine()}
		if !year {
			entries = append(entries, entry)
			continue
		}
		k, ok := at[e.Period]
		if !ok {
			k = len(periods)
			at[e.Period] = k
			periods = append(periods, averages.Period{ID: e.Period, Label: periodLabel[e.Period]})
		}
		periods[k].Entries = append(periods[k].Entries, entry)
	}
	if year {
		sort.SliceStable(periods, func(i, j int) bool { return periods[i].Label < periods[j].Label })
	}
	return entries, periods
}

// Label is "Trimestre 1" style text, language-neutral enough for the
// steps (the pages write periods through the catalogs).
func (p Period) Label() string {
	kind := "T"
	if p.Kind == "semestre" {
		kind = "S"
	}
	return kind + string(rune('0'+p.Number))
}

func subjectNames(ctx context.Context, q db.Querier, ids []string) (map[string]string, error) {
	out := map[string]string{}
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := q.Query(ctx, `SELECT id, name FROM subjects WHERE `+db.In(q, "id"), db.ListArg(q, ids))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id, name string
		if err := rows.Scan(&id, &name); err != nil {
			return nil, err
		}
		out[id] = name
	}
	return out, rows.Err()
}

// engineSubSubjects reads the sub-subjects of subjects as the engine takes them.
func engineSubSubjects(ctx context.Context, q db.Querier, subjects []string) (map[string][]averages.SubSubject, error) {
	out := map[string][]averages.SubSubject{}
	if len(subjects) == 0 {
		return out, nil
	}
	rows, err := q.Query(ctx, `SELECT id, subject_id, name, coef_x100 FROM gr_sub_subjects WHERE `+db.In(q, "subject_id")+` ORDER BY name`,
		db.ListArg(q, subjects))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var ss averages.SubSubject
		var subject string
		var coef int
		if err := rows.Scan(&ss.ID, &subject, &ss.Label, &coef); err != nil {
			return nil, err
		}
		ss.Coefficient = float64(coef) / 100
		out[subject] = append(out[subject], ss)
	}
	return out, rows.Err()
}

// teachersOf names the teachers of the teachings given, by subject.
func teachersOf(ctx context.Context, q db.Querier, teachings map[access.Resource]bool) (map[string][]string, error) {
	var classes, groups []string
	for t := range teachings {
		st, _, ok := access.ParseTeaching(t)
		if !ok {
			continue
		}
		if st.Kind == access.KindClass {
			classes = append(classes, st.ID)
		} else {
			groups = append(groups, st.ID)
		}
	}
	out := map[string][]string{}
	if classes == nil {
		classes = []string{""}
	}
	if groups == nil {
		groups = []string{""}
	}
	rows, err := q.Query(ctx, `SELECT DISTINCT COALESCE(a.class_id, ''), COALESCE(a.group_id, ''), a.subject_id, p.title, p.first_name, p.last_name
		FROM teaching_assignments a JOIN people p ON p.id = a.teacher_id
		WHERE `+db.In(q, "a.class_id")+` OR `+db.In(q, "a.group_id")+` ORDER BY p.last_name, p.first_name`,
		db.ListArg(q, classes), db.ListArg(q, groups))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	seen := map[string]bool{}
	for rows.Next() {
		var class, group, subject, title, first, last string
		if err := rows.Scan(&class, &group, &subject, &title, &first, &last); err != nil {
			return nil, err
		}
		st := access.Class(class)
		if group != "" {
			st = access.Group(group)
		}
		if !teachings[access.Teaching(st, subject)] {
			continue
		}
		name := first + " " + last
		if title != "" {
			name = title + " " + last
		}
		if !seen[subject+"/"+name] {
			seen[subject+"/"+name] = true
			out[subject] = append(out[subject], name)
		}
	}
	return out, rows.Err()
}

// subjectCoefficients are the subjects' coefficients for a class (its own
// rows win over its level's); a subject absent has coefficient 1.
func subjectCoefficients(ctx context.Context, q db.Querier, est, class, level string) (map[string]float64, error) {
	rows, err := q.Query(ctx, `SELECT subject_id, class_id, coef_x100 FROM gr_subject_coefficients
		WHERE establishment_id = ? AND ((class_id = ? AND class_id <> '') OR (class_id = '' AND level = ? AND level <> ''))`, est, class, level)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out, byClass := map[string]float64{}, map[string]bool{}
	for rows.Next() {
		var subject, cls string
		var coef int
		if err := rows.Scan(&subject, &cls, &coef); err != nil {
			return nil, err
		}
		if cls != "" {
			byClass[subject] = true
		} else if byClass[subject] {
			continue
		}
		out[subject] = float64(coef) / 100
	}
	return out, rows.Err()
}

// ----- the home block

// LatestMark is a published mark for the home page.
type LatestMark struct {
	Student      Person
	Subject      string // its ID
	SubjectName  string
	Evaluation   string
	Period       string
	Title        string
	HeldOn       string
	Value, Scale float64
	Code         averages.Code
}

// LatestMarks are the latest marks families see (published) of a student
// v may read, newest publication first, at most limit.
func (s *Service) LatestMarks(ctx context.Context, v *access.Viewer, student string, limit int) ([]LatestMark, error) {
	ok, err := v.VisibleGrades(ctx, access.ReadGrades, []string{student})
	if err != nil || !ok[student] {
		return nil, err
	}
	return db.All(ctx, s.DB, func(sc db.Scanner) (LatestMark, error) {
		var m LatestMark
		var value, scale int
		err := sc.Scan(&m.Student.ID, &m.Student.FirstName, &m.Student.LastName, &m.Subject, &m.SubjectName, &m.Evaluation, &m.Period, &m.Title,
			&m.HeldOn, &value, &m.Code, &scale)
		m.Value, m.Scale = float64(value)/100, float64(scale)/100
		return m, err
	},
		// A mark carries its evaluation's dates (migration 0030): the
		// newest are the first entries of one index, read in its order,
		// before the few kept are joined to their details.
		`SELECT p.id, p.first_name, p.last_name, e.subject_id, s.name, e.id, e.period_id, e.title, e.held_on, COALESCE(x.value_x100, 0), x.special, e.scale_x100
		FROM (SELECT m.student_id, m.evaluation_id, m.value_x100, m.special, m.publish_on, m.held_on FROM gr_marks m
			WHERE m.student_id = ? AND m.publish_on <= ?
			ORDER BY m.publish_on DESC, m.held_on DESC, m.evaluation_id LIMIT ?) x
		JOIN gr_evaluations e ON e.id = x.evaluation_id JOIN subjects s ON s.id = e.subject_id JOIN people p ON p.id = x.student_id
		ORDER BY x.publish_on DESC, x.held_on DESC, e.id`,
		student, s.today(), limit)
}

// ----- a teaching's results, for its teachers

// ClassResults are a teaching's students × evaluations for a period, for
// the staff who read the teaching's grades (its teachers, the class's head
// teacher, the head and deputies): each student's marks and subject
// average, and the class statistics.
type ClassResults struct {
	Teaching      access.Resource
	Structure     access.Resource
	StructureName string
	Subject       string
	SubjectName   string
	Today         string
	Period        Period
	Year          bool
	Periods       []Period
	Settings      averages.Settings
	Evaluations   []ClassEvaluation
	Students      []ClassStudent
	Class         Stats // over the students' subject averages
}

// PeriodParam is the period as the pages pass it: its ID, or "year".
func (c *ClassResults) PeriodParam() string {
	if c.Year {
		return YearPeriod
	}
	return c.Period.ID
}

// ClassEvaluation is a column of the table, with its statistics.
type ClassEvaluation struct {
	ID, Title, HeldOn, PublishOn string
	Scale, Coefficient           float64
	Formative, Bonus, Optional   bool
	Published                    bool
	Stats                        Stats
}

// ClassStudent is a row: the student's marks, in the order of the
// evaluations, and their average.
type ClassStudent struct {
	Person
	Marks   []Cell
	Average averages.Result
}

// Cell is one mark of the table.
type Cell struct {
	Marked bool
	Value  float64
	Code   averages.Code
}

// ClassResults reads a teaching (access.Teaching) for a period (its ID,
// "" for the current one, YearPeriod for the year).
func (s *Service) ClassResults(ctx context.Context, v *access.Viewer, teaching access.Resource, period string) (*ClassResults, error) {
	structure, subject, ok := access.ParseTeaching(teaching)
	if !ok {
		return nil, access.Refuse(access.ReadGrades, teaching, "malformed teaching")
	}
	if err := v.Can(ctx, access.ReadGrades, teaching); err != nil {
		return nil, err
	}
	out := &ClassResults{Teaching: teaching, Structure: structure, Subject: subject, Today: s.today()}
	table := "classes"
	if structure.Kind == access.KindGroup {
		table = "groups"
	}
	var est string
	err := s.DB.QueryRow(ctx, `SELECT t.establishment_id, t.name, s.name FROM `+table+` t JOIN subjects s ON s.id = ? AND s.establishment_id = t.establishment_id
		WHERE t.id = ?`, subject, structure.ID).Scan(&est, &out.StructureName, &out.SubjectName)
	if err != nil {
		if errors.Is(notFound(err), errNotFound) {
			return nil, access.Refuse(access.ReadGrades, teaching, "no such subject in the establishment")
		}
		return nil, err
	}
	set, err := settingsOf(ctx, s.DB, est)
	if err != nil {
		return nil, err
	}
	out.Settings = set.Engine()
	if out.Periods, err = periodsOf(ctx, s.DB, est); err != nil {
		return nil, err
	}
	if out.Period, out.Year, err = choosePeriod(out.Periods, period, out.Today); err != nil {
		return nil, err
	}
	if !out.Year && out.Period.ID == "" {
		return out, nil
	}
	evals, err := evaluationsOf(ctx, s.DB, structure, subject, out.Period.ID)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(evals))
	engine := make([]averages.Evaluation, len(evals))
	for i, e := range evals {
		ids[i], engine[i] = e.ID, e.Engine()
	}
	marks, err := marksOf(ctx, s.DB, ids, nil)
	if err != nil {
		return nil, err
	}
	members, err := membersOf(ctx, s.DB, structure, marks)
	if err != nil {
		return nil, err
	}
	subs, err := engineSubSubjects(ctx, s.DB, []string{subject})
	if err != nil {
		return nil, err
	}
	subj := averages.Subject{ID: subject, Label: out.SubjectName, SubSubjects: subs[subject]}
	periodLabel := map[string]string{}
	for _, p := range out.Periods {
		periodLabel[p.ID] = p.Label()
	}
	all := Show{Mean: true, MinMax: true, Median: true}
	for i, e := range evals {
		ms := make([]averages.Mark, 0, len(marks[e.ID]))
		for _, m := range marks[e.ID] {
			ms = append(ms, m.Engine())
		}
		out.Evaluations = append(out.Evaluations, ClassEvaluation{ID: e.ID, Title: e.Title, HeldOn: e.HeldOn, PublishOn: e.PublishOn,
			Scale: engine[i].Scale, Coefficient: engine[i].Coefficient, Formative: e.Formative, Bonus: e.Bonus, Optional: e.Optional,
			Published: e.PublishOn <= out.Today, Stats: all.stats(averages.EvaluationStats(ms), out.Settings.Rounding)})
	}
	results := make([]averages.Result, len(members))
	for k, p := range members {
		row := ClassStudent{Person: p, Marks: make([]Cell, len(evals))}
		for i, e := range evals {
			if m, ok := marks[e.ID][p.ID]; ok {
				em := m.Engine()
				row.Marks[i] = Cell{Marked: true, Value: em.Value, Code: em.Code}
			}
		}
		entries, periods := entriesOf(evals, engine, marks, p.ID, out.Year, periodLabel)
		if out.Year {
			row.Average = averages.YearAverage(subj, periods, out.Settings)
		} else {
			row.Average = averages.SubjectAverage(subj, entries, out.Settings)
		}
		results[k] = row.Average
		out.Students = append(out.Students, row)
	}
	out.Class = all.stats(averages.SubjectStats(results), out.Settings.Rounding)
	return out, nil
}

// membersOf lists a class's or group's students, and any other student
// marked in its evaluations (one who left keeps their marks), by name.
func membersOf(ctx context.Context, q db.Querier, structure access.Resource, marks map[string]map[string]Mark) ([]Person, error) {
	query := `SELECT p.id, p.first_name, p.last_name FROM enrolments en JOIN people p ON p.id = en.student_id WHERE en.class_id = ?`
	if structure.Kind == access.KindGroup {
		query = `SELECT p.id, p.first_name, p.last_name FROM group_members gm JOIN people p ON p.id = gm.student_id WHERE gm.group_id = ?`
	}
	scan := func(sc db.Scanner) (Person, error) {
		var p Person
		return p, sc.Scan(&p.ID, &p.FirstName, &p.LastName)
	}
	people, err := db.All(ctx, q, scan, query, structure.ID)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for _, p := range people {
		seen[p.ID] = true
	}
	var others []string
	for _, byStudent := range marks {
		for st := range byStudent {
			if !seen[st] {
				seen[st] = true
				others = append(others, st)
			}
		}
	}
	if len(others) > 0 {
		more, err := db.All(ctx, q, scan, `SELECT p.id, p.first_name, p.last_name FROM people p WHERE `+db.In(q, "p.id"), db.ListArg(q, others))
		if err != nil {
			return nil, err
		}
		people = append(people, more...)
	}
	sort.Slice(people, func(i, j int) bool {
		if people[i].LastName != people[j].LastName {
			return people[i].LastName < people[j].LastName
		}
		return people[i].FirstName < people[j].FirstName
	})
	return people, nil
}

// TeachingLink is a teaching whose results the viewer reads, for their
// list of classes.
type TeachingLink struct {
	Teaching      access.Resource
	Kind, ID      string // "class" or "group", and its ID
	StructureName string
	Subject       string
	SubjectName   string
}

// MyTeachings lists the teachings v teaches, those of the classes v
// heads and, for the head and deputies, every teaching of their
// establishment, in open years: the links of the staff's results page.
func (s *Service) MyTeachings(ctx context.Context, v *access.Viewer) ([]TeachingLink, error) {
	// The head and deputies read every teaching of their establishment.
	direction := []string{""}
	for est, fns := range v.Functions {
		for _, f := range fns {
			if f == roles.Head || f == roles.Deputy {
				direction = append(direction, est)
			}
		}
	}
	links, err := db.All(ctx, s.DB, func(sc db.Scanner) (TeachingLink, error) {
		var l TeachingLink
		err := sc.Scan(&l.Kind, &l.ID, &l.StructureName, &l.Subject, &l.SubjectName)
		return l, err
	}, `SELECT DISTINCT CASE WHEN a.class_id IS NULL THEN 'group' ELSE 'class' END, COALESCE(a.class_id, a.group_id),
		COALESCE(c.name, g.name), a.subject_id, s.name
		FROM teaching_assignments a LEFT JOIN classes c ON c.id = a.class_id LEFT JOIN groups g ON g.id = a.group_id
		JOIN subjects s ON s.id = a.subject_id JOIN school_years y ON y.id = COALESCE(c.school_year_id, g.school_year_id)
		WHERE NOT y.closed AND (a.teacher_id = ? OR a.class_id IN (SELECT class_id FROM head_teachers WHERE teacher_id = ?)
		OR `+db.In(s.DB, "a.establishment_id")+`)
		ORDER BY 3, 5`, v.ID, v.ID, db.ListArg(s.DB, direction))
	if err != nil {
		return nil, err
	}
	out := links[:0]
	for _, l := range links {
		l.Teaching = access.Teaching(access.Resource{Kind: access.Kind(l.Kind), ID: l.ID}, l.Subject)
		if ok, err := v.May(ctx, access.ReadGrades, l.Teaching); err != nil {
			return nil, err
		} else if ok {
			out = append(out, l)
		}
	}
	return out, nil
}

// classMarks reads every student's marks of evaluations, as the averages
// need them (value or code only): a grades page reads a whole class's
// marks for its statistics, so the row is kept small.
func classMarks(ctx context.Context, q db.Querier, evaluations []string) (map[string]map[string]Mark, error) {
	out := make(map[string]map[string]Mark, len(evaluations))
	rows, err := q.Query(ctx, `SELECT evaluation_id, student_id, COALESCE(value_x100, 0), special FROM gr_marks WHERE `+
		db.In(q, "evaluation_id"), db.ListArg(q, evaluations))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var m Mark
		if err := rows.Scan(&m.Evaluation, &m.Student, &m.ValueX100, &m.Special); err != nil {
			return nil, err
		}
		byStudent := out[m.Evaluation]
		if byStudent == nil {
			byStudent = make(map[string]Mark, 32)
			out[m.Evaluation] = byStudent
		}
		byStudent[m.Student] = m
	}
	return out, rows.Err()
}
