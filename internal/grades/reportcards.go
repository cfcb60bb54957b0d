package grades

// Report cards: compiling a class's cards for a period from the marks (via
// internal/averages), the subject appraisals, the school-life figures and
// the council's entries; publishing them frozen (JSON as printed and the
// PDF bytes), correcting one as a new version, and reading them per
// audience. docs/report-cards.md tells the rules.

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"cartable/internal/access"
	"cartable/internal/attendance"
	"cartable/internal/averages"
	"cartable/internal/check"
	"cartable/internal/db"
	"cartable/internal/i18n"
	"cartable/internal/ids"
)

// CardSubject is a subject's line on a report card, as printed.
type CardSubject struct {
	ID        string   `json:"id"`
	Code      string   `json:"code"` // national subject code
	Name      string   `json:"name"`
	Teachers  []string `json:"teachers"`
	Student   string   `json:"student"` // "14,50", or "NN" when not graded
	Graded    bool     `json:"graded"`
	Mean      string   `json:"mean"` // class statistics over graded students; "" when none is
	Min       string   `json:"min"`
	Max       string   `json:"max"`
	Appraisal string   `json:"appraisal"`
}

// CardLife is the school-life block: half-days of absence and lateness.
type CardLife struct {
	Available   bool `json:"available"` // false: the figures could not be read
	Justified   int  `json:"justified"` // half-days
	Unjustified int  `json:"unjustified"`
	Lateness    int  `json:"lateness"`
	MissedHours int  `json:"missed_hours"`
}

// CardCouncil is what the class council wrote.
type CardCouncil struct {
	General     string `json:"general"`     // the head teacher's appraisal
	Life        string `json:"life"`        // the CPE's appraisal
	Mention     string `json:"mention"`     // a Mention* code
	Orientation string `json:"orientation"` // orientation opinion
}

// Card is a report card's content, every figure as printed. Published
// cards store it as JSON and never change it.
type Card struct {
	Establishment string        `json:"establishment"`
	UAI           string        `json:"uai"`
	City          string        `json:"city"`
	Year          string        `json:"year"`
	PeriodID      string        `json:"period_id"`
	Period        string        `json:"period"` // "Trimestre 1"
	StartsOn      string        `json:"starts_on"`
	EndsOn        string        `json:"ends_on"`
	StudentID     string        `json:"student_id"`
	Student       string        `json:"student"` // "NOM Prénom"
	BirthDate     string        `json:"birth_date"`
	ClassID       string        `json:"class_id"`
	Class         string        `json:"class"`
	HeadTeachers  []string      `json:"head_teachers"`
	Subjects      []CardSubject `json:"subjects"`
	Overall       string        `json:"overall"`
	OverallGraded bool          `json:"overall_graded"`
	ClassOverall  string        `json:"class_overall"` // the class's mean of overall averages
	Life          CardLife      `json:"life"`
	Council       CardCouncil   `json:"council"`
	Version       int           `json:"version"`    // 0: not published (a draft)
	PublishOn     string        `json:"publish_on"` // YYYY-MM-DD
	Replaces      string        `json:"replaces"`   // "10 décembre 2026": the publication day of the version replaced
	Reason        string        `json:"reason"`     // why a correction was made
}

// Mentions of the class council; "" is none.
const (
	MentionFelicitations = "felicitations"
	MentionCompliments   = "compliments"
	MentionEncouragement = "encouragements"
	MentionWarnWork      = "mise-en-garde-travail"
	MentionWarnConduct   = "mise-en-garde-comportement"
)

// Mentions lists the mentions in the order a form offers them.
var Mentions = []string{MentionFelicitations, MentionCompliments, MentionEncouragement, MentionWarnWork, MentionWarnConduct}

// mentionFR is a mention as a French card prints it.
var mentionFR = map[string]string{
	MentionFelicitations: "Félicitations", MentionCompliments: "Compliments", MentionEncouragement: "Encouragements",
	MentionWarnWork: "Mise en garde (travail)", MentionWarnConduct: "Mise en garde (comportement)",
}

// classInfo is a class with its establishment, as cards print them.
type classInfo struct {
	ID, Establishment, Year, Code, Name, Level string
	EstName, UAI, City                         string
}

func classOf(ctx context.Context, q db.Querier, id string) (classInfo, error) {
	var c classInfo
	err := q.QueryRow(ctx, `SELECT c.id, c.establishment_id, c.school_year_id, c.code, c.name, c.level, e.name, e.uai, e.city
		FROM classes c JOIN establishments e ON e.id = c.establishment_id WHERE c.id = ?`, id).
		Scan(&c.ID, &c.Establishment, &c.Year, &c.Code, &c.Name, &c.Level, &c.EstName, &c.UAI, &c.City)
	return c, notFound(err)
}

// classAndPeriod reads a class and a period of its school year; anything
// else is errNotFound.
func classAndPeriod(ctx context.Context, q db.Querier, classID, periodID string) (classInfo, Period, error) {
	c, err := classOf(ctx, q, classID)
	if err != nil {
		return c, Period{}, err
	}
	p, err := periodByID(ctx, q, periodID)
	if err != nil {
		return c, p, err
	}
	if p.Year != c.Year {
		return c, p, errNotFound
	}
	return c, p, nil
}

// pupil is a student of a class.
type pupil struct {
	ID, Last, First, BirthDate, External string
}

func (p pupil) name() string { return strings.TrimSpace(p.Last + " " + p.First) }

func pupilsOf(ctx context.Context, q db.Querier, class string) ([]pupil, error) {
	return db.All(ctx, q, func(s db.Scanner) (p pupil, err error) {
		err = s.Scan(&p.ID, &p.Last, &p.First, &p.BirthDate, &p.External)
		return
	}, `SELECT p.id, p.last_name, p.first_name, p.birth_date, COALESCE(p.external_id, '') FROM enrolments en
		JOIN people p ON p.id = en.student_id WHERE en.class_id = ? AND p.active ORDER BY p.last_name, p.first_name, p.id`, class)
}

// teacherRef is a teacher of a subject to a class or one of its groups.
type teacherRef struct {
	ID, Subject, Class, Group, Title, Last, First, External string
}

func (t teacherRef) name() string { return strings.TrimSpace(t.Title + " " + t.Last) }

// compiled is a class's cards for a period, before publication, with what
// the national record export needs besides.
type compiled struct {
	class    classInfo
	period   Period
	count    int // periods in the year
	pupils   []pupil
	cards    []Card
	teachers map[string][]teacherRef // student → the teachers of their subjects
	heads    []teacherRef
	subjects map[string]subjectRow
	stats    map[string]averages.Stats // subject → class statistics, unrounded
	averages map[string]map[string]averages.Result
	rounding averages.Rounding
}

type subjectRow struct{ ID, Code, Short, Name string }

// periodLabel is "Trimestre 1" or "Semestre 2".
func cardPeriodLabel(p Period) string {
	k := "Trimestre"
	if p.Kind == "semestre" {
		k = "Semestre"
	}
	return k + " " + strconv.Itoa(p.Number)
}

// frNumber writes a statistic rounded as averages are, the French way.
func frNumber(x float64, r averages.Rounding) string {
	s := strconv.FormatFloat(r.Apply(x), 'f', r.Decimals(), 64)
	return strings.Replace(s, ".", ",", 1)
}

// compile builds every card of a class for a period through q. v is only
// asked for the school-life figures (a viewer who may not read them gets
// cards without them); callers have checked the viewer's right to the
// class.
func compile(ctx context.Context, v *access.Viewer, q db.Querier, classID, periodID string) (*compiled, error) {
	c, p, err := classAndPeriod(ctx, q, classID, periodID)
	if err != nil {
		return nil, err
	}
	out := &compiled{class: c, period: p, teachers: map[string][]teacherRef{}, subjects: map[string]subjectRow{},
		stats: map[string]averages.Stats{}, averages: map[string]map[string]averages.Result{}}
	if err := q.QueryRow(ctx, `SELECT COUNT(*) FROM periods WHERE school_year_id = ?`, c.Year).Scan(&out.count); err != nil {
		return nil, err
	}
	if out.pupils, err = pupilsOf(ctx, q, classID); err != nil {
		return nil, err
	}
	settings, err := settingsOf(ctx, q, c.Establishment)
	if err != nil {
		return nil, err
	}
	set := settings.Engine()
	out.rounding = averages.Rounding{Step: set.Rounding.Step, Mode: set.Rounding.Mode}
	if out.rounding.Validate() != nil {
		out.rounding = averages.Rounding{Step: 0.01, Mode: averages.Nearest}
	}

	// Subjects, sub-subjects and coefficients of the establishment.
	subjects, err := db.All(ctx, q, func(s db.Scanner) (r subjectRow, err error) {
		err = s.Scan(&r.ID, &r.Code, &r.Short, &r.Name)
		return
	}, `SELECT id, code, short_name, name FROM subjects WHERE establishment_id = ?`, c.Establishment)
	if err != nil {
		return nil, err
	}
	for _, s := range subjects {
		out.subjects[s.ID] = s
	}
	subs := map[string][]averages.SubSubject{}
	rows, err := q.Query(ctx, `SELECT id, subject_id, name, coef_x100 FROM gr_sub_subjects WHERE establishment_id = ? ORDER BY name, id`, c.Establishment)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var id, subj, name string
		var coef int
		if err := rows.Scan(&id, &subj, &name, &coef); err != nil {
			rows.Close()
			return nil, err
		}
		subs[subj] = append(subs[subj], averages.SubSubject{ID: id, Label: name, Coefficient: float64(coef) / 100})
	}
	rows.Close()
	coefs := map[string]float64{}
	byLevel := map[string]float64{}
	rows, err = q.Query(ctx, `SELECT subject_id, class_id, coef_x100 FROM gr_subject_coefficients
		WHERE establishment_id = ? AND (class_id = ? OR (class_id = '' AND level = ?))`, c.Establishment, c.ID, c.Level)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var subj, class string
		var coef int
		if err := rows.Scan(&subj, &class, &coef); err != nil {
			rows.Close()
			return nil, err
		}
		if class != "" {
			coefs[subj] = float64(coef) / 100
		} else {
			byLevel[subj] = float64(coef) / 100
		}
	}
	rows.Close()
	coefOf := func(subj string) float64 {
		if k, ok := coefs[subj]; ok {
			return k
		}
		if k, ok := byLevel[subj]; ok {
			return k
		}
		return 1
	}

	// Who belongs to which group of the class, and who teaches what.
	members := map[string]map[string]bool{} // group → students
	rows, err = q.Query(ctx, `SELECT gm.group_id, gm.student_id FROM group_members gm
		JOIN group_classes gc ON gc.group_id = gm.group_id WHERE gc.class_id = ?`, classID)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var g, s string
		if err := rows.Scan(&g, &s); err != nil {
			rows.Close()
			return nil, err
		}
		if members[g] == nil {
			members[g] = map[string]bool{}
		}
		members[g][s] = true
	}
	rows.Close()
	assigned, err := db.All(ctx, q, func(s db.Scanner) (t teacherRef, err error) {
		err = s.Scan(&t.ID, &t.Subject, &t.Class, &t.Group, &t.Title, &t.Last, &t.First, &t.External)
		return
	}, `SELECT p.id, a.subject_id, COALESCE(a.class_id, ''), COALESCE(a.group_id, ''), p.title, p.last_name, p.first_name,
		COALESCE(p.external_id, '') FROM teaching_assignments a JOIN people p ON p.id = a.teacher_id
		WHERE a.class_id = ? OR a.group_id IN (SELECT group_id FROM group_classes WHERE class_id = ?)
		ORDER BY p.last_name, p.first_name, p.id`, classID, classID)
	if err != nil {
		return nil, err
	}
	out.heads, err = db.All(ctx, q, func(s db.Scanner) (t teacherRef, err error) {
		err = s.Scan(&t.ID, &t.Title, &t.Last, &t.First, &t.External)
		return
	}, `SELECT p.id, p.title, p.last_name, p.first_name, COALESCE(p.external_id, '') FROM head_teachers h
		JOIN people p ON p.id = h.teacher_id WHERE h.class_id = ? ORDER BY p.last_name, p.first_name, p.id`, classID)
	if err != nil {
		return nil, err
	}

	// The period's evaluations of the class and its groups, and their marks.
	evals, err := db.All(ctx, q, scanEvaluation, `SELECT `+evaluationCols+` FROM gr_evaluations e WHERE e.period_id = ?
		AND (e.class_id = ? OR e.group_id IN (SELECT group_id FROM group_classes WHERE class_id = ?))
		ORDER BY e.subject_id, e.held_on, e.created_at, e.id`, periodID, classID, classID)
	if err != nil {
		return nil, err
	}
	evalIDs := make([]string, len(evals))
	for i, e := range evals {
		evalIDs[i] = e.ID
	}
	marks, err := marksOf(ctx, q, evalIDs, nil)
	if err != nil {
		return nil, err
	}

	// Which subjects apply to which student: the class's own, and those of
	// the groups the student belongs to.
	applies := map[string]map[string]bool{} // subject → students; nil entry: the whole class
	wholeClass := map[string]bool{}
	note := func(subject string, structure access.Resource) {
		if _, ok := out.subjects[subject]; !ok {
			return
		}
		if applies[subject] == nil {
			applies[subject] = map[string]bool{}
		}
		if structure.Kind == access.KindClass {
			wholeClass[subject] = true
			return
		}
		for s := range members[structure.ID] {
			applies[subject][s] = true
		}
	}
	for _, t := range assigned {
		if t.Class != "" {
			note(t.Subject, access.Class(t.Class))
		} else {
			note(t.Subject, access.Group(t.Group))
		}
	}
	for _, e := range evals {
		note(e.Subject, e.Structure)
	}
	takes := func(subject, student string) bool { return wholeClass[subject] || applies[subject][student] }
	subjectIDs := make([]string, 0, len(applies))
	for s := range applies {
		subjectIDs = append(subjectIDs, s)
	}
	sort.Slice(subjectIDs, func(i, j int) bool {
		a, b := out.subjects[subjectIDs[i]], out.subjects[subjectIDs[j]]
		return a.Code < b.Code || a.Code == b.Code && a.ID < b.ID
	})

	// Subject averages through the one engine.
	for _, subj := range subjectIDs {
		var ev []averages.Evaluation
		for _, e := range evals {
			if e.Subject != subj {
				continue
			}
			ev = append(ev, averages.Evaluation{ID: e.ID, Title: e.Title, Date: e.HeldOn, Scale: float64(e.ScaleX100) / 100,
				Coefficient: float64(e.CoefX100) / 100, To20: e.To20, Formative: e.Formative, Bonus: e.Bonus, Optional: e.Optional,
				SubSubject: e.SubSubject})
		}
		var sm []averages.StudentMarks
		for _, st := range out.pupils {
			if !takes(subj, st.ID) {
				continue
			}
			m := map[string]averages.Mark{}
			for _, e := range ev {
				if mk, ok := marks[e.ID][st.ID]; ok {
					m[e.ID] = averages.Mark{Value: float64(mk.ValueX100) / 100, Code: averages.Code(mk.Special)}
				}
			}
			sm = append(sm, averages.StudentMarks{Student: st.ID, Marks: m})
		}
		row := out.subjects[subj]
		res := averages.ClassSubject(averages.Subject{ID: subj, Label: row.Name, SubSubjects: subs[subj]}, ev, sm, set)
		out.stats[subj] = res.Subject
		out.averages[subj] = map[string]averages.Result{}
		for i, st := range sm {
			out.averages[subj][st.Student] = res.Averages[i]
		}
	}

	// Appraisals, council entries, school life.
	appraisals := map[string]map[string]string{}
	rows, err = q.Query(ctx, `SELECT a.student_id, a.subject_id, a.body FROM gr_appraisals a
		WHERE a.period_id = ? AND a.student_id IN (SELECT student_id FROM enrolments WHERE class_id = ?)`, periodID, classID)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var st, subj, body string
		if err := rows.Scan(&st, &subj, &body); err != nil {
			rows.Close()
			return nil, err
		}
		if appraisals[st] == nil {
			appraisals[st] = map[string]string{}
		}
		appraisals[st][subj] = body
	}
	rows.Close()
	council, err := councilOf(ctx, q, classID, periodID)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(out.pupils))
	for i, st := range out.pupils {
		ids[i] = st.ID
	}
	life, err := attendance.PeriodCountsIn(ctx, v, q, c.Establishment, periodID, ids)
	if err != nil && !errors.Is(err, access.ErrDenied) {
		return nil, err
	}

	var heads []string
	for _, h := range out.heads {
		heads = append(heads, h.name())
	}
	overalls := make([]averages.Result, len(out.pupils))
	for i, st := range out.pupils {
		card := Card{Establishment: c.EstName, UAI: c.UAI, City: c.City, Year: p.YearLabel, PeriodID: p.ID, Period: cardPeriodLabel(p),
			StartsOn: p.StartsOn, EndsOn: p.EndsOn, StudentID: st.ID, Student: st.name(), BirthDate: st.BirthDate,
			ClassID: c.ID, Class: c.Name, HeadTeachers: heads, Council: council[st.ID].card()}
		var lines []averages.SubjectLine
		for _, subj := range subjectIDs {
			if !takes(subj, st.ID) {
				continue
			}
			row := out.subjects[subj]
			r := out.averages[subj][st.ID]
			line := CardSubject{ID: subj, Code: row.Code, Name: row.Name, Student: r.Format("fr"), Graded: r.Graded,
				Appraisal: appraisals[st.ID][subj]}
			// Printed for families: none over fewer than MinFamilyStats
			// students (two taking an option would learn each other's).
			if stt := out.stats[subj]; stt.Count >= MinFamilyStats {
				line.Mean, line.Min, line.Max = frNumber(stt.Mean, out.rounding), frNumber(stt.Min, out.rounding), frNumber(stt.Max, out.rounding)
			}
			seen := map[string]bool{}
			for _, t := range assigned {
				if t.Subject != subj || seen[t.ID] || (t.Group != "" && !members[t.Group][st.ID]) {
					continue
				}
				seen[t.ID] = true
				line.Teachers = append(line.Teachers, t.name())
				out.teachers[st.ID] = append(out.teachers[st.ID], t)
			}
			card.Subjects = append(card.Subjects, line)
			lines = append(lines, averages.SubjectLine{Subject: averages.Ref{ID: subj, Label: row.Name}, Coefficient: coefOf(subj), Average: r})
		}
		overalls[i] = averages.OverallAverage(lines, set)
		card.Overall, card.OverallGraded = overalls[i].Format("fr"), overalls[i].Graded
		if n, ok := life[st.ID]; ok {
			card.Life = CardLife{Available: true, Justified: n.JustifiedHalfDays, Unjustified: n.UnjustifiedHalfDays,
				Lateness: n.Lateness, MissedHours: n.MissedHours}
		}
		out.cards = append(out.cards, card)
	}
	if all := averages.SubjectStats(overalls); all.Count >= MinFamilyStats {
		for i := range out.cards {
			out.cards[i].ClassOverall = frNumber(all.Mean, out.rounding)
		}
	}
	return out, nil
}

// x100 is a rounded average in hundredths.
func x100(x float64) int { return int(math.Round(x * 100)) }

// ---------------------------------------------------------------- publishing

// PublishInput is the head's choice when publishing a class's cards.
type PublishInput struct {
	PublishOn string // YYYY-MM-DD: families see the cards from this day
}

// CheckPublish validates a publication.
func CheckPublish(in PublishInput) check.Problems {
	var ps check.Problems
	if _, err := time.Parse("2006-01-02", in.PublishOn); err != nil {
		ps.Add("publish_on", "date", in.PublishOn)
	}
	return ps
}

// Publish freezes version 1 of the report card of every student of a
// class for a period (ManageGrades on its establishment). Students who
// already have a card keep it (a correction is one student's new version):
// publishing again only adds the cards of students enrolled since, and is
// refused when there is none to add.
func (s *Service) Publish(ctx context.Context, v *access.Viewer, classID, periodID string, in PublishInput) (int, error) {
	c, _, err := classAndPeriod(ctx, s.DB, classID, periodID)
	if err != nil {
		return 0, refusal(access.ManageGrades, access.Class(classID), err)
	}
	if err := v.Can(ctx, access.ManageGrades, access.Establishment(c.Establishment)); err != nil {
		return 0, err
	}
	if ps := CheckPublish(in); len(ps) > 0 {
		return 0, ps
	}
	n := 0
	err = s.DB.Tx(ctx, func(tx *db.Tx) error {
		var err error
		n, err = publishIn(ctx, v, tx, classID, periodID, in.PublishOn, s.now())
		return err
	})
	return n, err
}

// PublishIn is Publish inside a caller's transaction (the demo), for a
// viewer who may manage the establishment's grades.
func PublishIn(ctx context.Context, v *access.Viewer, tx *db.Tx, classID, periodID, publishOn string, at time.Time) (int, error) {
	c, err := classOf(ctx, tx, classID)
	if err != nil {
		return 0, refusal(access.ManageGrades, access.Class(classID), err)
	}
	if err := v.Can(ctx, access.ManageGrades, access.Establishment(c.Establishment)); err != nil {
		return 0, err
	}
	if ps := CheckPublish(PublishInput{PublishOn: publishOn}); len(ps) > 0 {
		return 0, ps
	}
	return publishIn(ctx, v, tx, classID, periodID, publishOn, at)
}

func publishIn(ctx context.Context, v *access.Viewer, tx *db.Tx, classID, periodID, publishOn string, at time.Time) (int, error) {
	// Two publications of a class run one after the other: the second
	// sees the first's cards (SQLite has one writer).
	if tx.Dialect() == db.Postgres {
		if _, err := tx.Exec(ctx, `SELECT id FROM classes WHERE id = ? FOR UPDATE`, classID); err != nil {
			return 0, err
		}
	}
	comp, err := compile(ctx, v, tx, classID, periodID)
	if err != nil {
		return 0, refusal(access.ManageGrades, access.Class(classID), err)
	}
	done, err := db.Strings(ctx, tx, `SELECT DISTINCT student_id FROM gr_report_cards WHERE period_id = ?
		AND student_id IN (SELECT student_id FROM enrolments WHERE class_id = ?)`, periodID, classID)
	if err != nil {
		return 0, err
	}
	has := map[string]bool{}
	for _, id := range done {
		has[id] = true
	}
	n := 0
	for _, card := range comp.cards {
		if has[card.StudentID] {
			continue
		}
		card.Version, card.PublishOn = 1, publishOn
		if _, err := insertCard(ctx, v, tx, comp.class.Establishment, card, "", at); err != nil {
			return 0, err
		}
		n++
	}
	if n == 0 {
		return 0, check.Problems{{Field: "publish_on", Code: "already-published"}}
	}
	return n, nil
}

// insertCard freezes a card: its JSON, its PDF, the history line.
func insertCard(ctx context.Context, v *access.Viewer, tx db.Querier, est string, card Card, replaces string, at time.Time) (string, error) {
	content, err := json.Marshal(card)
	if err != nil {
		return "", err
	}
	pdf, err := RenderPDF([]Card{card}, at)
	if err != nil {
		return "", err
	}
	id := ids.For(ctx)
	var rep any
	if replaces != "" {
		rep = replaces
	}
	if _, err := tx.Exec(ctx, `INSERT INTO gr_report_cards (id, establishment_id, period_id, class_id, student_id, version, replaces_id,
		reason, content, pdf, publish_on, published_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		id, est, card.PeriodID, card.ClassID, card.StudentID, card.Version, rep, card.Reason, string(content), pdf,
		card.PublishOn, at.Unix(), v.Actor()); err != nil {
		return "", err
	}
	after := "version " + strconv.Itoa(card.Version) + ", publiée le " + card.PublishOn + ", moyenne générale " + card.Overall
	if card.Reason != "" {
		after += ", motif : " + card.Reason
	}
	return id, record(ctx, tx, at, change{Establishment: est, Student: card.StudentID, Subject: "report-card:" + id,
		Actor: v.Actor(), After: after})
}

// refusal answers a missing row as a refusal, so that a forged id learns
// nothing.
func refusal(a access.Action, r access.Resource, err error) error {
	if errors.Is(err, errNotFound) {
		return access.Refuse(a, r, "no such class, period or report card")
	}
	return err
}

// CorrectInput is a correction of one published card.
type CorrectInput struct {
	Reason    string
	PublishOn string // "" : today
}

// CheckCorrect validates a correction.
func CheckCorrect(in CorrectInput) check.Problems {
	var ps check.Problems
	r := strings.TrimSpace(in.Reason)
	if r == "" {
		ps.Add("reason", "required", "")
	} else if n := len([]rune(r)); n > MaxAppraisal {
		ps = append(ps, check.Problem{Field: "reason", Code: "too-long", N: n})
	}
	if in.PublishOn != "" {
		if _, err := time.Parse("2006-01-02", in.PublishOn); err != nil {
			ps.Add("publish_on", "date", in.PublishOn)
		}
	}
	return ps
}

// Correct republishes one student's card as a new version (the head:
// ManageGrades), compiled afresh; the version it replaces is kept. Only
// the latest version can be corrected. It returns the new card's ID.
func (s *Service) Correct(ctx context.Context, v *access.Viewer, cardID string, in CorrectInput) (string, error) {
	row, err := cardByID(ctx, s.DB, cardID)
	if err != nil {
		return "", refusal(access.ManageGrades, access.Resource{Kind: "report-card", ID: cardID}, err)
	}
	if err := v.Can(ctx, access.ManageGrades, access.Establishment(row.Establishment)); err != nil {
		return "", err
	}
	if ps := CheckCorrect(in); len(ps) > 0 {
		return "", ps
	}
	now := s.now()
	if in.PublishOn == "" {
		in.PublishOn = now.In(i18n.Zone).Format("2006-01-02")
	}
	var id string
	err = s.DB.Tx(ctx, func(tx *db.Tx) error {
		// Two corrections of a card run one after the other: the second
		// finds it is no longer the latest.
		if tx.Dialect() == db.Postgres {
			if _, err := tx.Exec(ctx, `SELECT id FROM people WHERE id = ? FOR UPDATE`, row.Student); err != nil {
				return err
			}
		}
		latest, err := latestVersion(ctx, tx, row.Period, row.Student)
		if err != nil {
			return err
		}
		if latest != row.Version {
			return check.Problems{{Field: "reason", Code: "not-latest", N: latest}}
		}
		comp, err := compile(ctx, v, tx, row.Class, row.Period)
		if err != nil {
			return err
		}
		for _, card := range comp.cards {
			if card.StudentID != row.Student {
				continue
			}
			card.Version, card.PublishOn = row.Version+1, in.PublishOn
			card.Replaces = frDay(row.PublishOn) // the day families saw it from
			card.Reason = strings.TrimSpace(in.Reason)
			id, err = insertCard(ctx, v, tx, row.Establishment, card, row.ID, now)
			return err
		}
		return check.Problems{{Field: "reason", Code: "student-left"}}
	})
	return id, err
}

// ---------------------------------------------------------------- reading

// cardRow is a stored card, without its content.
type cardRow struct {
	ID, Establishment, Period, Class, Student string
	Version                                   int
	Replaces, Reason, PublishOn, CreatedBy    string
	PublishedAt                               time.Time
}

const cardCols = `r.id, r.establishment_id, r.period_id, r.class_id, r.student_id, r.version, COALESCE(r.replaces_id, ''),
	r.reason, r.publish_on, r.published_at, r.created_by`

func scanCard(s db.Scanner) (cardRow, error) {
	var c cardRow
	var at int64
	err := s.Scan(&c.ID, &c.Establishment, &c.Period, &c.Class, &c.Student, &c.Version, &c.Replaces, &c.Reason, &c.PublishOn, &at, &c.CreatedBy)
	c.PublishedAt = time.Unix(at, 0)
	return c, err
}

func cardByID(ctx context.Context, q db.Querier, id string) (cardRow, error) {
	c, err := scanCard(q.QueryRow(ctx, `SELECT `+cardCols+` FROM gr_report_cards r WHERE r.id = ?`, id))
	return c, notFound(err)
}

func latestVersion(ctx context.Context, q db.Querier, period, student string) (int, error) {
	var n int
	err := q.QueryRow(ctx, `SELECT COALESCE(MAX(version), 0) FROM gr_report_cards WHERE period_id = ? AND student_id = ?`, period, student).Scan(&n)
	return n, err
}

// latestPublished is the latest version families see on day: a correction
// to be published later leaves them the version it replaces until then.
func latestPublished(ctx context.Context, q db.Querier, period, student, day string) (int, error) {
	var n int
	err := q.QueryRow(ctx, `SELECT COALESCE(MAX(version), 0) FROM gr_report_cards WHERE period_id = ? AND student_id = ?
		AND publish_on <= ?`, period, student, day).Scan(&n)
	return n, err
}

// CardVersion is one version of a student's card, for the list of versions.
type CardVersion struct {
	ID          string
	Version     int
	PublishOn   string
	PublishedAt time.Time
	Reason      string
}

// CardView is a published card as its reader sees it.
type CardView struct {
	ID          string
	Card        Card
	PublishedAt time.Time
	Latest      bool
	// Versions are every version of the student's card for the period,
	// for school staff only (families read the latest one).
	Versions []CardVersion
	// MayCorrect: the viewer may publish a correction (the latest only).
	MayCorrect bool
}

// mayReadCard decides whether v reads the card: school staff who read the
// class's cards see every version; the student and their relatives the
// latest version published by today (from its publication day, until a
// correction's).
func (s *Service) mayReadCard(ctx context.Context, v *access.Viewer, row cardRow) (staff bool, err error) {
	res := access.Resource{Kind: "report-card", ID: row.ID}
	if err := v.Can(ctx, access.ReadReportCard, access.Person(row.Student)); err != nil {
		return false, err
	}
	staff, err = v.May(ctx, access.ReadReportCard, access.Class(row.Class))
	if err != nil || staff {
		return staff, err
	}
	today := s.now().In(i18n.Zone).Format("2006-01-02")
	if row.PublishOn > today {
		return false, access.Refuse(access.ReadReportCard, res, "not published yet")
	}
	latest, err := latestPublished(ctx, s.DB, row.Period, row.Student, today)
	if err != nil {
		return false, err
	}
	if latest != row.Version {
		return false, access.Refuse(access.ReadReportCard, res, "replaced by a later version")
	}
	return false, nil
}

// Card reads a published card for v.
func (s *Service) Card(ctx context.Context, v *access.Viewer, id string) (CardView, error) {
	row, err := cardByID(ctx, s.DB, id)
	if err != nil {
		return CardView{}, refusal(access.ReadReportCard, access.Resource{Kind: "report-card", ID: id}, err)
	}
	staff, err := s.mayReadCard(ctx, v, row)
	if err != nil {
		return CardView{}, err
	}
	var content string
	if err := s.DB.QueryRow(ctx, `SELECT content FROM gr_report_cards WHERE id = ?`, id).Scan(&content); err != nil {
		return CardView{}, err
	}
	out := CardView{ID: id, PublishedAt: row.PublishedAt}
	if err := json.Unmarshal([]byte(content), &out.Card); err != nil {
		return CardView{}, err
	}
	latest, err := latestVersion(ctx, s.DB, row.Period, row.Student)
	if err != nil {
		return CardView{}, err
	}
	// A family reads only the latest version published (mayReadCard).
	out.Latest = latest == row.Version || !staff
	if staff {
		vs, err := db.All(ctx, s.DB, scanCard, `SELECT `+cardCols+` FROM gr_report_cards r WHERE r.period_id = ? AND r.student_id = ?
			ORDER BY r.version`, row.Period, row.Student)
		if err != nil {
			return CardView{}, err
		}
		for _, c := range vs {
			out.Versions = append(out.Versions, CardVersion{ID: c.ID, Version: c.Version, PublishOn: c.PublishOn, PublishedAt: c.PublishedAt, Reason: c.Reason})
		}
		if out.Latest {
			if out.MayCorrect, err = v.May(ctx, access.ManageGrades, access.Establishment(row.Establishment)); err != nil {
				return CardView{}, err
			}
		}
	}
	return out, nil
}

// CardPDF returns a published card's PDF, exactly as frozen, and a file
// name for it.
func (s *Service) CardPDF(ctx context.Context, v *access.Viewer, id string) ([]byte, string, error) {
	row, err := cardByID(ctx, s.DB, id)
	if err != nil {
		return nil, "", refusal(access.ReadReportCard, access.Resource{Kind: "report-card", ID: id}, err)
	}
	if _, err := s.mayReadCard(ctx, v, row); err != nil {
		return nil, "", err
	}
	var pdf []byte
	if err := s.DB.QueryRow(ctx, `SELECT pdf FROM gr_report_cards WHERE id = ?`, id).Scan(&pdf); err != nil {
		return nil, "", err
	}
	return pdf, "bulletin-v" + strconv.Itoa(row.Version) + ".pdf", nil
}

// latestCards reads the content of the latest version of every published
// card of a class for a period, in the class's order.
func latestCards(ctx context.Context, q db.Querier, classID, periodID string) ([]Card, []string, error) {
	type stored struct {
		id, content string
	}
	rows, err := db.All(ctx, q, func(s db.Scanner) (r stored, err error) {
		err = s.Scan(&r.id, &r.content)
		return
	}, `SELECT r.id, r.content FROM gr_report_cards r JOIN people p ON p.id = r.student_id
		WHERE r.class_id = ? AND r.period_id = ? AND r.version = (SELECT MAX(version) FROM gr_report_cards x
		WHERE x.period_id = r.period_id AND x.student_id = r.student_id)
		ORDER BY p.last_name, p.first_name, p.id`, classID, periodID)
	if err != nil {
		return nil, nil, err
	}
	cards := make([]Card, len(rows))
	idl := make([]string, len(rows))
	for i, r := range rows {
		if err := json.Unmarshal([]byte(r.content), &cards[i]); err != nil {
			return nil, nil, err
		}
		idl[i] = r.id
	}
	return cards, idl, nil
}

// ClassPDF is one PDF with every student's card of a class for a period,
// for those who read the class's cards: the published cards (their latest
// versions, rendered from the frozen content), or, before publication, a
// draft compiled now and marked as such. It also tells which it is.
func (s *Service) ClassPDF(ctx context.Context, v *access.Viewer, classID, periodID string) ([]byte, bool, error) {
	c, _, err := classAndPeriod(ctx, s.DB, classID, periodID)
	if err != nil {
		return nil, false, refusal(access.ReadReportCard, access.Class(classID), err)
	}
	if err := v.Can(ctx, access.ReadReportCard, access.Class(c.ID)); err != nil {
		return nil, false, err
	}
	cards, _, err := latestCards(ctx, s.DB, classID, periodID)
	if err != nil {
		return nil, false, err
	}
	published := len(cards) > 0
	if !published {
		comp, err := compile(ctx, v, s.DB, classID, periodID)
		if err != nil {
			return nil, false, err
		}
		cards = comp.cards
	}
	pdf, err := RenderPDF(cards, s.now())
	return pdf, published, err
}

// ---------------------------------------------------------------- index

// FamilyCard is a published card in a family's list.
type FamilyCard struct {
	ID, Student, StudentName, Period, Class, PublishOn string
	Version                                            int
}

// ClassPeriods is a class with its periods, in a school staff's list.
type ClassPeriods struct {
	ClassID, Class string
	Periods        []PeriodState
}

// PeriodState is a period of a class: its label and how many cards are
// published.
type PeriodState struct {
	ID, Label string
	Published int
}

// Index is /report-cards for v: the published cards of the students v
// reads as family (themself, their children), and the classes whose cards
// v reads as school staff.
type Index struct {
	Cards   []FamilyCard
	Classes []ClassPeriods
}

// Index lists what v may open.
func (s *Service) Index(ctx context.Context, v *access.Viewer) (Index, error) {
	var out Index
	today := s.now().In(i18n.Zone).Format("2006-01-02")
	candidates, err := db.Strings(ctx, s.DB, `SELECT CAST(? AS TEXT) UNION SELECT student_id FROM family_links WHERE relative_id = ?`, v.ID, v.ID)
	if err != nil {
		return out, err
	}
	seen, err := v.VisibleGrades(ctx, access.ReadReportCard, candidates)
	if err != nil {
		return out, err
	}
	var kids []string
	for _, id := range candidates {
		if seen[id] {
			kids = append(kids, id)
		}
	}
	if len(kids) > 0 {
		out.Cards, err = db.All(ctx, s.DB, func(sc db.Scanner) (f FamilyCard, err error) {
			var last, first, kind string
			var number int
			err = sc.Scan(&f.ID, &f.Student, &last, &first, &kind, &number, &f.Class, &f.PublishOn, &f.Version)
			f.StudentName = strings.TrimSpace(first + " " + last)
			f.Period = cardPeriodLabel(Period{Kind: kind, Number: number})
			return
		}, `SELECT r.id, r.student_id, p.last_name, p.first_name, pe.kind, pe.number, c.name, r.publish_on, r.version
			FROM gr_report_cards r JOIN people p ON p.id = r.student_id JOIN periods pe ON pe.id = r.period_id
			JOIN classes c ON c.id = r.class_id
			WHERE `+db.In(s.DB, "r.student_id")+` AND r.publish_on <= ? AND r.version = (SELECT MAX(version)
			FROM gr_report_cards x WHERE x.period_id = r.period_id AND x.student_id = r.student_id AND x.publish_on <= ?)
			ORDER BY p.first_name, p.id, pe.starts_on DESC`, db.ListArg(s.DB, kids), today, today)
		if err != nil {
			return out, err
		}
	}
	type cls struct{ ID, Est, Year, Name string }
	classes, err := db.All(ctx, s.DB, func(sc db.Scanner) (c cls, err error) {
		err = sc.Scan(&c.ID, &c.Est, &c.Year, &c.Name)
		return
	}, `SELECT c.id, c.establishment_id, c.school_year_id, c.name FROM classes c JOIN school_years y ON y.id = c.school_year_id
		WHERE NOT y.closed AND c.establishment_id IN (SELECT establishment_id FROM memberships WHERE person_id = ?)
		ORDER BY c.level, c.code, c.id`, v.ID)
	if err != nil {
		return out, err
	}
	periods := map[string][]Period{}
	for _, c := range classes {
		ok, err := v.May(ctx, access.ReadReportCard, access.Class(c.ID))
		if err != nil {
			return out, err
		}
		if !ok {
			continue
		}
		if _, done := periods[c.Est]; !done {
			if periods[c.Est], err = periodsOf(ctx, s.DB, c.Est); err != nil {
				return out, err
			}
		}
		counts := map[string]int{}
		rows, err := s.DB.Query(ctx, `SELECT period_id, COUNT(DISTINCT student_id) FROM gr_report_cards WHERE class_id = ? GROUP BY period_id`, c.ID)
		if err != nil {
			return out, err
		}
		for rows.Next() {
			var p string
			var n int
			if err := rows.Scan(&p, &n); err != nil {
				rows.Close()
				return out, err
			}
			counts[p] = n
		}
		rows.Close()
		cp := ClassPeriods{ClassID: c.ID, Class: c.Name}
		for _, p := range periods[c.Est] {
			if p.Year == c.Year {
				cp.Periods = append(cp.Periods, PeriodState{ID: p.ID, Label: cardPeriodLabel(p), Published: counts[p.ID]})
			}
		}
		out.Classes = append(out.Classes, cp)
	}
	return out, nil
}
