package grades

// The head's grading administration: settings, periods' calendar,
// subject coefficients and sub-subjects (ManageGrades on the
// establishment).

import (
	"context"
	"strconv"
	"strings"
	"time"

	"cartable/internal/access"
	"cartable/internal/check"
	"cartable/internal/db"
	"cartable/internal/ids"
	"cartable/internal/timetable"
)

// Establishment names an establishment the viewer manages.
type Establishment struct {
	ID   string
	Name string
	// Audit: the viewer reads its history of changes (ReadGradesAudit:
	// the head only), so that no one is offered a page they may not open.
	Audit bool
}

// Managed lists the establishments whose grading the viewer manages.
func (s *Service) Managed(ctx context.Context, v *access.Viewer) ([]Establishment, error) {
	if v == nil {
		return nil, nil
	}
	var out []Establishment
	for _, id := range v.Establishments {
		ok, err := v.May(ctx, access.ManageGrades, access.Establishment(id))
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		e := Establishment{ID: id}
		if err := s.DB.QueryRow(ctx, `SELECT name FROM establishments WHERE id = ?`, id).Scan(&e.Name); err != nil {
			return nil, err
		}
		if e.Audit, err = v.May(ctx, access.ReadGradesAudit, access.Establishment(id)); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}

// SettingsOf reads an establishment's settings (ManageGrades).
func (s *Service) SettingsOf(ctx context.Context, v *access.Viewer, est string) (Settings, error) {
	if err := v.Can(ctx, access.ManageGrades, access.Establishment(est)); err != nil {
		return Settings{}, err
	}
	return settingsOf(ctx, s.DB, est)
}

// SettingsInput is the settings form as typed.
type SettingsInput struct {
	Rounding        string // "0,01", "0,1", "0,5", "1"
	RoundingMode    string
	OverallWeighted bool
	YearMode        string
	ShowMean        bool
	ShowMinMax      bool
	ShowMedian      bool
	LevelMode       string
	Levels          [4]string // marks /20 of levels 1..4
}

// SettingsInputOf is stored settings as their form shows them.
func SettingsInputOf(lang string, st Settings) SettingsInput {
	in := SettingsInput{Rounding: FormatX100(lang, st.RoundingX100), RoundingMode: st.RoundingMode, OverallWeighted: st.OverallWeighted,
		YearMode: st.YearMode, ShowMean: st.ShowMean, ShowMinMax: st.ShowMinMax, ShowMedian: st.ShowMedian, LevelMode: st.LevelMode}
	for i, n := range st.LevelMarksX100 {
		in.Levels[i] = FormatX100(lang, n)
	}
	return in
}

// CheckSettings validates the settings form into settings.
func CheckSettings(in SettingsInput) (Settings, check.Problems) {
	var ps check.Problems
	var st Settings
	n, ok := ParseX100(in.Rounding)
	if !ok || (n != 1 && n != 10 && n != 50 && n != 100) {
		ps.Add("rounding", "rounding", in.Rounding)
	}
	st.RoundingX100 = n
	oneOf := func(field, val string, allowed ...string) string {
		for _, a := range allowed {
			if val == a {
				return val
			}
		}
		ps.Add(field, "choice", val)
		return ""
	}
	st.RoundingMode = oneOf("rounding_mode", in.RoundingMode, "nearest", "up", "down")
	st.YearMode = oneOf("year_mode", in.YearMode, "periods", "marks")
	st.LevelMode = oneOf("level_mode", in.LevelMode, "mean", "highest")
	st.OverallWeighted, st.ShowMean, st.ShowMinMax, st.ShowMedian = in.OverallWeighted, in.ShowMean, in.ShowMinMax, in.ShowMedian
	prev := -1 // the last valid level's mark
	for i, l := range in.Levels {
		n, ok := ParseX100(l)
		field := "level" + strconv.Itoa(i+1)
		switch {
		case !ok || n > 2000:
			ps.Add(field, "level-mark", l)
			continue
		case n < prev:
			ps.Add(field, "level-order", l)
		}
		st.LevelMarksX100[i], prev = n, n
	}
	return st, ps
}

// SaveSettings writes an establishment's settings (ManageGrades); the
// change is recorded in the history.
func (s *Service) SaveSettings(ctx context.Context, v *access.Viewer, est string, in SettingsInput) error {
	if err := v.Can(ctx, access.ManageGrades, access.Establishment(est)); err != nil {
		return err
	}
	st, ps := CheckSettings(in)
	if err := ps.Err(); err != nil {
		return err
	}
	return s.DB.Tx(ctx, func(tx *db.Tx) error {
		old, err := settingsOf(ctx, tx, est)
		if err != nil {
			return err
		}
		now := s.now()
		if _, err := tx.Exec(ctx, `INSERT INTO gr_settings (establishment_id, rounding_x100, rounding_mode, overall_weighted, year_mode,
			show_mean, show_min_max, show_median, level_mode, level_marks, updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (establishment_id) DO UPDATE SET rounding_x100 = excluded.rounding_x100, rounding_mode = excluded.rounding_mode,
			overall_weighted = excluded.overall_weighted, year_mode = excluded.year_mode, show_mean = excluded.show_mean,
			show_min_max = excluded.show_min_max, show_median = excluded.show_median, level_mode = excluded.level_mode,
			level_marks = excluded.level_marks, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
			est, st.RoundingX100, st.RoundingMode, st.OverallWeighted, st.YearMode, st.ShowMean, st.ShowMinMax, st.ShowMedian,
			st.LevelMode, levelsText(st), now.Unix(), v.Actor()); err != nil {
			return err
		}
		st.Establishment = est
		return record(ctx, tx, now, change{Establishment: est, Subject: "settings", Actor: v.Actor(),
			Before: settingsText(old), After: settingsText(st)})
	})
}

func settingsText(st Settings) string {
	return "rounding=" + strconv.Itoa(st.RoundingX100) + " " + st.RoundingMode + " weighted=" + strconv.FormatBool(st.OverallWeighted) +
		" year=" + st.YearMode + " mean=" + strconv.FormatBool(st.ShowMean) + " minmax=" + strconv.FormatBool(st.ShowMinMax) +
		" median=" + strconv.FormatBool(st.ShowMedian) + " levels=" + st.LevelMode + " " + levelsText(st)
}

func levelsText(st Settings) string {
	out := make([]string, 4)
	for i, n := range st.LevelMarksX100 {
		out[i] = strconv.Itoa(n)
	}
	return strings.Join(out, ",")
}

// PeriodsOf lists an establishment's periods with their grading calendar
// (ManageGrades).
func (s *Service) PeriodsOf(ctx context.Context, v *access.Viewer, est string) ([]Period, error) {
	if err := v.Can(ctx, access.ManageGrades, access.Establishment(est)); err != nil {
		return nil, err
	}
	return periodsOf(ctx, s.DB, est)
}

// PeriodInput is a period's calendar as typed: days YYYY-MM-DD or "".
type PeriodInput struct {
	EntryDeadline string
	CouncilOn     string
	ReopenedUntil string
}

// CheckPeriod validates a period's calendar.
func CheckPeriod(p Period, in PeriodInput) check.Problems {
	var ps check.Problems
	for _, f := range []struct{ field, val string }{{"entry_deadline", in.EntryDeadline}, {"council_on", in.CouncilOn}, {"reopened_until", in.ReopenedUntil}} {
		if f.val == "" {
			continue
		}
		if _, err := timetable.ParseDate(f.val); err != nil {
			ps.Add(f.field, "date", f.val)
		}
	}
	if ps.Has("entry_deadline") || ps.Has("reopened_until") {
		return ps
	}
	if in.EntryDeadline != "" && in.EntryDeadline < p.StartsOn {
		ps.Add("entry_deadline", "before-period", in.EntryDeadline)
	}
	if in.ReopenedUntil != "" {
		if in.EntryDeadline == "" {
			ps.Add("reopened_until", "reopen-without-deadline", in.ReopenedUntil)
		} else if in.ReopenedUntil <= in.EntryDeadline {
			ps.Add("reopened_until", "reopen-before-deadline", in.ReopenedUntil)
		}
	}
	return ps
}

// SavePeriod sets a period's entry deadline, council day and reopening
// (ManageGrades on its establishment); the change is recorded in the
// history ("period:ID").
func (s *Service) SavePeriod(ctx context.Context, v *access.Viewer, id string, in PeriodInput) error {
	return s.DB.Tx(ctx, func(tx *db.Tx) error { return s.SavePeriodIn(ctx, v, tx, id, in) })
}

// SavePeriodIn is SavePeriod in the caller's transaction.
func (s *Service) SavePeriodIn(ctx context.Context, v *access.Viewer, tx *db.Tx, id string, in PeriodInput) error {
	p, err := periodByID(ctx, tx, id)
	if err == errNotFound {
		return &access.Denied{Action: access.ManageGrades, Reason: "no such period"}
	}
	if err != nil {
		return err
	}
	if err := v.Can(ctx, access.ManageGrades, access.Establishment(p.Establishment)); err != nil {
		return err
	}
	if err := CheckPeriod(p, in).Err(); err != nil {
		return err
	}
	return setPeriod(ctx, tx, v, s.now(), p, in)
}

func setPeriod(ctx context.Context, q db.Querier, v *access.Viewer, now time.Time, p Period, in PeriodInput) error {
	if _, err := q.Exec(ctx, `INSERT INTO gr_periods (period_id, entry_deadline, reopened_until, council_on, updated_at, updated_by)
		VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (period_id) DO UPDATE SET entry_deadline = excluded.entry_deadline,
		reopened_until = excluded.reopened_until, council_on = excluded.council_on, updated_at = excluded.updated_at,
		updated_by = excluded.updated_by`, p.ID, in.EntryDeadline, in.ReopenedUntil, in.CouncilOn, now.Unix(), v.Actor()); err != nil {
		return err
	}
	text := func(d, r, c string) string { return "deadline=" + d + " reopened=" + r + " council=" + c }
	before, after := text(p.EntryDeadline, p.ReopenedUntil, p.CouncilOn), text(in.EntryDeadline, in.ReopenedUntil, in.CouncilOn)
	if before == after {
		return nil
	}
	return record(ctx, q, now, change{Establishment: p.Establishment, Subject: "period:" + p.ID, Actor: v.Actor(), Before: before, After: after})
}

// Coefficients is the page of subject coefficients and sub-subjects.
type Coefficients struct {
	Establishment string
	Subjects      []Named
	Levels        []string
	Classes       []ClassRef
	Rows          []SubjectCoefficient
	SubSubjects   []SubSubject
}

// Named is a subject's ID and name.
type Named struct{ ID, Name string }

// ClassRef is a class of an open year.
type ClassRef struct{ ID, Name, Level string }

// SubjectCoefficient is a subject's coefficient for a level or a class.
type SubjectCoefficient struct {
	Subject, Level, Class string
	CoefX100              int
}

// CoefficientsOf reads an establishment's subject coefficients and
// sub-subjects (ManageGrades).
func (s *Service) CoefficientsOf(ctx context.Context, v *access.Viewer, est string) (Coefficients, error) {
	if err := v.Can(ctx, access.ManageGrades, access.Establishment(est)); err != nil {
		return Coefficients{}, err
	}
	return coefficientsOf(ctx, s.DB, est)
}

func coefficientsOf(ctx context.Context, q db.Querier, est string) (Coefficients, error) {
	out := Coefficients{Establishment: est}
	var err error
	if out.Subjects, err = db.All(ctx, q, func(sc db.Scanner) (Named, error) {
		var n Named
		return n, sc.Scan(&n.ID, &n.Name)
	}, `SELECT id, name FROM subjects WHERE establishment_id = ? ORDER BY name, id`, est); err != nil {
		return out, err
	}
	if out.Classes, err = db.All(ctx, q, func(sc db.Scanner) (ClassRef, error) {
		var c ClassRef
		return c, sc.Scan(&c.ID, &c.Name, &c.Level)
	}, `SELECT c.id, c.name, c.level FROM classes c JOIN school_years y ON y.id = c.school_year_id
		WHERE c.establishment_id = ? AND NOT y.closed ORDER BY c.level, c.name`, est); err != nil {
		return out, err
	}
	seen := map[string]bool{}
	for _, c := range out.Classes {
		if c.Level != "" && !seen[c.Level] {
			seen[c.Level] = true
			out.Levels = append(out.Levels, c.Level)
		}
	}
	if out.Rows, err = db.All(ctx, q, func(sc db.Scanner) (SubjectCoefficient, error) {
		var r SubjectCoefficient
		return r, sc.Scan(&r.Subject, &r.Level, &r.Class, &r.CoefX100)
	}, `SELECT subject_id, level, class_id, coef_x100 FROM gr_subject_coefficients WHERE establishment_id = ?
		ORDER BY subject_id, level, class_id`, est); err != nil {
		return out, err
	}
	out.SubSubjects, err = db.All(ctx, q, func(sc db.Scanner) (SubSubject, error) {
		var s SubSubject
		return s, sc.Scan(&s.ID, &s.Subject, &s.Name, &s.CoefX100)
	}, `SELECT id, subject_id, name, coef_x100 FROM gr_sub_subjects WHERE establishment_id = ? ORDER BY subject_id, name`, est)
	return out, err
}

// CoefficientInput is a subject's coefficient for a level or a class
// (exactly one of them) as typed; an empty Coefficient removes it.
type CoefficientInput struct {
	Subject, Level, Class, Coefficient string
}

// SetCoefficient sets or removes a subject coefficient (ManageGrades).
func (s *Service) SetCoefficient(ctx context.Context, v *access.Viewer, est string, in CoefficientInput) error {
	if err := v.Can(ctx, access.ManageGrades, access.Establishment(est)); err != nil {
		return err
	}
	return s.DB.Tx(ctx, func(tx *db.Tx) error {
		c, err := coefficientsOf(ctx, tx, est)
		if err != nil {
			return err
		}
		var ps check.Problems
		if !hasNamed(c.Subjects, in.Subject) {
			ps.Add("subject", "unknown-subject", in.Subject)
		}
		levelOK := in.Level != "" && in.Class == "" && hasString(c.Levels, in.Level)
		classOK := in.Class != "" && in.Level == "" && hasClass(c.Classes, in.Class)
		if !levelOK && !classOK {
			ps.Add("target", "level-or-class", in.Level+in.Class)
		}
		n, ok := ParseX100(in.Coefficient)
		if in.Coefficient != "" && (!ok || n <= 0 || n > maxCoefX100) {
			ps.Add("coefficient", "coefficient", in.Coefficient)
		}
		if err := ps.Err(); err != nil {
			return err
		}
		before := ""
		for _, r := range c.Rows {
			if r.Subject == in.Subject && r.Level == in.Level && r.Class == in.Class {
				before = strconv.Itoa(r.CoefX100)
			}
		}
		after := ""
		if in.Coefficient == "" {
			_, err = tx.Exec(ctx, `DELETE FROM gr_subject_coefficients WHERE establishment_id = ? AND subject_id = ? AND level = ? AND class_id = ?`,
				est, in.Subject, in.Level, in.Class)
		} else {
			after = strconv.Itoa(n)
			_, err = tx.Exec(ctx, `INSERT INTO gr_subject_coefficients (establishment_id, subject_id, level, class_id, coef_x100)
				VALUES (?, ?, ?, ?, ?) ON CONFLICT (establishment_id, subject_id, level, class_id) DO UPDATE SET coef_x100 = excluded.coef_x100`,
				est, in.Subject, in.Level, in.Class, n)
		}
		if err != nil || before == after {
			return err
		}
		return record(ctx, tx, s.now(), change{Establishment: est, Subject: "coefficient:" + in.Subject + "/" + in.Level + in.Class,
			Actor: v.Actor(), Before: before, After: after})
	})
}

// SubSubjectInput is a sub-subject as typed; ID "" adds one, a Name ""
// with an ID removes it.
type SubSubjectInput struct {
	ID, Subject, Name, Coefficient string
}

// SaveSubSubject adds, renames, reweights or removes a sub-subject
// (ManageGrades).
func (s *Service) SaveSubSubject(ctx context.Context, v *access.Viewer, est string, in SubSubjectInput) error {
	return s.DB.Tx(ctx, func(tx *db.Tx) error {
		_, err := s.SaveSubSubjectIn(ctx, v, tx, est, in)
		return err
	})
}

// SaveSubSubjectIn is SaveSubSubject in the caller's transaction; it
// returns the sub-subject's ID ("" once removed).
func (s *Service) SaveSubSubjectIn(ctx context.Context, v *access.Viewer, tx *db.Tx, est string, in SubSubjectInput) (string, error) {
	if err := v.Can(ctx, access.ManageGrades, access.Establishment(est)); err != nil {
		return "", err
	}
	id := in.ID
	err := func() error {
		c, err := coefficientsOf(ctx, tx, est)
		if err != nil {
			return err
		}
		var old *SubSubject
		for i := range c.SubSubjects {
			if c.SubSubjects[i].ID == in.ID {
				old = &c.SubSubjects[i]
			}
		}
		if in.ID != "" && old == nil {
			return &access.Denied{Action: access.ManageGrades, Reason: "no such sub-subject"}
		}
		name := strings.TrimSpace(in.Name)
		if old != nil && name == "" {
			_, err := tx.Exec(ctx, `DELETE FROM gr_sub_subjects WHERE id = ?`, old.ID)
			if err != nil {
				return err
			}
			id = ""
			return record(ctx, tx, s.now(), change{Establishment: est, Subject: "sub-subject:" + old.ID, Actor: v.Actor(),
				Before: old.Name + " " + strconv.Itoa(old.CoefX100)})
		}
		var ps check.Problems
		subject := in.Subject
		if old != nil {
			subject = old.Subject
		}
		if !hasNamed(c.Subjects, subject) {
			ps.Add("subject", "unknown-subject", subject)
		}
		if name == "" || len(name) > 80 {
			ps.Add("name", "required", name)
		}
		for _, ss := range c.SubSubjects {
			if ss.Subject == subject && strings.EqualFold(ss.Name, name) && (old == nil || ss.ID != old.ID) {
				ps.Add("name", "duplicate", name)
			}
		}
		n, ok := ParseX100(in.Coefficient)
		if !ok || n <= 0 || n > maxCoefX100 {
			ps.Add("coefficient", "coefficient", in.Coefficient)
		}
		if err := ps.Err(); err != nil {
			return err
		}
		before := ""
		if old == nil {
			id = ids.For(ctx)
			_, err = tx.Exec(ctx, `INSERT INTO gr_sub_subjects (id, establishment_id, subject_id, name, coef_x100) VALUES (?, ?, ?, ?, ?)`,
				id, est, subject, name, n)
		} else {
			before = old.Name + " " + strconv.Itoa(old.CoefX100)
			_, err = tx.Exec(ctx, `UPDATE gr_sub_subjects SET name = ?, coef_x100 = ? WHERE id = ?`, name, n, id)
		}
		if err != nil {
			return err
		}
		return record(ctx, tx, s.now(), change{Establishment: est, Subject: "sub-subject:" + id, Actor: v.Actor(),
			Before: before, After: name + " " + strconv.Itoa(n)})
	}()
	return id, err
}

func hasNamed(ns []Named, id string) bool {
	for _, n := range ns {
		if n.ID == id {
			return true
		}
	}
	return false
}

func hasString(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

func hasClass(cs []ClassRef, id string) bool {
	for _, c := range cs {
		if c.ID == id {
			return true
		}
	}
	return false
}
