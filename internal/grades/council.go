package grades

// The class council: its entries per period and student (the head
// teacher's general appraisal, the CPE's appraisal, the mention, the
// orientation opinion), the council's page for a class and period, and
// their writes with the history.

import (
	"context"
	"strings"
	"time"

	"cartable/internal/access"
	"cartable/internal/check"
	"cartable/internal/db"
)

// councilEntry is a student's row of gr_council_entries.
type councilEntry struct {
	General, Life, Mention, Orientation string
}

func (e councilEntry) card() CardCouncil {
	return CardCouncil{General: e.General, Life: e.Life, Mention: e.Mention, Orientation: e.Orientation}
}

// text is the entry as the history shows it.
func (e councilEntry) text() string {
	if e == (councilEntry{}) {
		return ""
	}
	return "appréciation générale : " + e.General + " | vie scolaire : " + e.Life + " | mention : " + e.Mention +
		" | orientation : " + e.Orientation
}

// councilOf reads the council's entries of a class's students for a period.
func councilOf(ctx context.Context, q db.Querier, classID, periodID string) (map[string]councilEntry, error) {
	rows, err := q.Query(ctx, `SELECT student_id, general_appraisal, life_appraisal, mention, orientation FROM gr_council_entries
		WHERE period_id = ? AND student_id IN (SELECT student_id FROM enrolments WHERE class_id = ?)`, periodID, classID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]councilEntry{}
	for rows.Next() {
		var id string
		var e councilEntry
		if err := rows.Scan(&id, &e.General, &e.Life, &e.Mention, &e.Orientation); err != nil {
			return nil, err
		}
		out[id] = e
	}
	return out, rows.Err()
}

// CouncilRow is one student's line of the council's form.
type CouncilRow struct {
	Student     string
	General     string
	Life        string
	Mention     string
	Orientation string
}

// CouncilInput is the council's form: its rows, and which fields it
// carries (the head teacher's and head's: general, mention, orientation;
// the CPE's: life). A field not carried is left as it is.
type CouncilInput struct {
	Council bool // General, Mention and Orientation are submitted
	Life    bool // Life is submitted
	Rows    []CouncilRow
	// Shown are the entries the form showed, by student (nil: no check),
	// so that the head teacher and the head saving at once never silently
	// undo each other: a field left as shown keeps what is stored now, one
	// changed over someone else's change since is refused
	// ("changed-meanwhile"), nothing saved.
	Shown map[string]CouncilRow
}

// CheckCouncil validates the council's form; names gives each student's
// name, so that a message names the row. Fields are "general/ID",
// "life/ID", "mention/ID", "orientation/ID"; too-long carries the count.
func CheckCouncil(in CouncilInput, names map[string]string) check.Problems {
	var ps check.Problems
	long := func(field, id, s string) {
		if n := len([]rune(strings.TrimSpace(s))); n > MaxAppraisal {
			ps = append(ps, check.Problem{Field: field + "/" + id, Code: "too-long", Value: names[id], N: n})
		}
	}
	for _, r := range in.Rows {
		if in.Council {
			long("general", r.Student, r.General)
			long("orientation", r.Student, r.Orientation)
			ok := r.Mention == ""
			for _, m := range Mentions {
				ok = ok || r.Mention == m
			}
			if !ok {
				ps = append(ps, check.Problem{Field: "mention/" + r.Student, Code: "unknown-mention", Value: names[r.Student]})
			}
		}
		if in.Life {
			long("life", r.Student, r.Life)
		}
	}
	return ps
}

// CouncilStudent is a student's line on the council's page.
type CouncilStudent struct {
	ID, Name string
	Overall  string
	Subjects []string // the averages, in the order of CouncilView.Subjects; "" when the subject does not apply
	Life     CardLife
	Entry    CouncilRow
	// Card is the latest published card, if any, and its version.
	Card    string
	Version int
}

// CouncilView is the council's page of a class for a period.
type CouncilView struct {
	ClassID, Class      string
	PeriodID, Period    string
	Establishment       string
	Subjects            []string // short names, the columns
	Students            []CouncilStudent
	MayCouncil, MayLife bool // the viewer writes these fields
	// StepUp: the viewer would write them once their session passed a
	// second factor.
	StepUp             bool
	MayPublish         bool // ManageGrades: publish, correct, export
	Published          int  // students with a published card
	MaxAppraisalLength int
	HeadTeachers       []string
	Mentions           []string
	ClassOverall       string
	CouncilOn          string // the council's day, if set
}

// Council is the council's page: every student of the class with their
// averages and the council's entries, for those who read the class's
// report cards (its head teacher, the CPE, the head and deputies).
func (s *Service) Council(ctx context.Context, v *access.Viewer, classID, periodID string) (CouncilView, error) {
	c, p, err := classAndPeriod(ctx, s.DB, classID, periodID)
	if err != nil {
		return CouncilView{}, refusal(access.ReadReportCard, access.Class(classID), err)
	}
	if err := v.Can(ctx, access.ReadReportCard, access.Class(c.ID)); err != nil {
		return CouncilView{}, err
	}
	out := CouncilView{ClassID: c.ID, Class: c.Name, PeriodID: p.ID, Period: cardPeriodLabel(p), Establishment: c.EstName,
		MaxAppraisalLength: MaxAppraisal, Mentions: Mentions, CouncilOn: p.CouncilOn}
	if out.MayCouncil, err = v.May(ctx, access.WriteCouncil, access.Class(c.ID)); err != nil {
		return out, err
	}
	if out.MayLife, err = v.May(ctx, access.WriteLifeAppraisal, access.Class(c.ID)); err != nil {
		return out, err
	}
	for _, a := range []access.Action{access.WriteCouncil, access.WriteLifeAppraisal} {
		out.StepUp = out.StepUp || access.IsSecondFactorRefusal(v.Can(ctx, a, access.Class(c.ID)))
	}
	if out.MayPublish, err = v.May(ctx, access.ManageGrades, access.Establishment(c.Establishment)); err != nil {
		return out, err
	}
	comp, err := compile(ctx, v, s.DB, classID, periodID)
	if err != nil {
		return out, err
	}
	// The columns: every subject of any card, in the cards' order.
	col := map[string]int{}
	for _, card := range comp.cards {
		for _, sub := range card.Subjects {
			if _, ok := col[sub.ID]; !ok {
				col[sub.ID] = len(out.Subjects)
				name := comp.subjects[sub.ID].Short
				if name == "" {
					name = sub.Name
				}
				out.Subjects = append(out.Subjects, name)
			}
		}
	}
	type pub struct {
		id      string
		version int
	}
	published := map[string]pub{}
	rows, err := s.DB.Query(ctx, `SELECT r.id, r.student_id, r.version FROM gr_report_cards r WHERE r.class_id = ? AND r.period_id = ?
		ORDER BY r.version`, classID, periodID)
	if err != nil {
		return out, err
	}
	for rows.Next() {
		var id, st string
		var n int
		if err := rows.Scan(&id, &st, &n); err != nil {
			rows.Close()
			return out, err
		}
		published[st] = pub{id, n}
	}
	rows.Close()
	out.Published = len(published)
	out.HeadTeachers = append(out.HeadTeachers, comp.cards0HeadTeachers()...)
	for _, card := range comp.cards {
		st := CouncilStudent{ID: card.StudentID, Name: card.Student, Overall: card.Overall, Life: card.Life,
			Subjects: make([]string, len(out.Subjects)),
			Entry: CouncilRow{Student: card.StudentID, General: card.Council.General, Life: card.Council.Life,
				Mention: card.Council.Mention, Orientation: card.Council.Orientation}}
		for _, sub := range card.Subjects {
			st.Subjects[col[sub.ID]] = sub.Student
		}
		if p, ok := published[card.StudentID]; ok {
			st.Card, st.Version = p.id, p.version
		}
		out.ClassOverall = card.ClassOverall
		out.Students = append(out.Students, st)
	}
	return out, nil
}

func (c *compiled) cards0HeadTeachers() []string {
	var out []string
	for _, h := range c.heads {
		out = append(out, h.name())
	}
	return out
}

// SaveCouncil writes the council's form for a class and period: the
// general appraisal, mention and orientation need WriteCouncil on the
// class (its head teacher, the head, deputies), the CPE's appraisal
// WriteLifeAppraisal. Every row must be a student of the class. Nothing is
// written when anything is wrong; each changed row is in the history
// ("council:PERIOD/STUDENT").
func (s *Service) SaveCouncil(ctx context.Context, v *access.Viewer, classID, periodID string, in CouncilInput) error {
	c, p, err := classAndPeriod(ctx, s.DB, classID, periodID)
	if err != nil {
		return refusal(access.WriteCouncil, access.Class(classID), err)
	}
	if in.Council {
		if err := v.Can(ctx, access.WriteCouncil, access.Class(c.ID)); err != nil {
			return err
		}
	}
	if in.Life {
		if err := v.Can(ctx, access.WriteLifeAppraisal, access.Class(c.ID)); err != nil {
			return err
		}
	}
	if !in.Council && !in.Life {
		return access.Refuse(access.WriteCouncil, access.Class(c.ID), "nothing to write")
	}
	pupils, err := pupilsOf(ctx, s.DB, c.ID)
	if err != nil {
		return err
	}
	names := map[string]string{}
	for _, st := range pupils {
		names[st.ID] = st.name()
	}
	for _, r := range in.Rows {
		if _, ok := names[r.Student]; !ok {
			return access.Refuse(access.WriteCouncil, access.Person(r.Student), "not a student of the class")
		}
	}
	if ps := CheckCouncil(in, names); len(ps) > 0 {
		return ps
	}
	now := s.now()
	return s.DB.Tx(ctx, func(tx *db.Tx) error {
		if tx.Dialect() == db.Postgres { // two saves of a class's council, one after the other
			if _, err := tx.Exec(ctx, `SELECT id FROM classes WHERE id = ? FOR UPDATE`, c.ID); err != nil {
				return err
			}
		}
		old, err := councilOf(ctx, tx, c.ID, p.ID)
		if err != nil {
			return err
		}
		var ps check.Problems
		afters := make([]councilEntry, len(in.Rows))
		for i, r := range in.Rows {
			before := old[r.Student]
			after := before
			shown, seen := in.Shown[r.Student]
			// set takes a typed field unless it was left as shown (what is
			// stored now stays) or changed over someone else's change.
			set := func(field string, dst *string, typed, was string) {
				typed = strings.TrimSpace(typed)
				switch {
				case !seen || sameText(*dst, was):
					*dst = typed
				case sameText(typed, was) || sameText(typed, *dst):
				default:
					ps = append(ps, check.Problem{Field: field + "/" + r.Student, Code: "changed-meanwhile", Value: names[r.Student]})
				}
			}
			if in.Council {
				set("general", &after.General, r.General, shown.General)
				set("mention", &after.Mention, r.Mention, shown.Mention)
				set("orientation", &after.Orientation, r.Orientation, shown.Orientation)
			}
			if in.Life {
				set("life", &after.Life, r.Life, shown.Life)
			}
			afters[i] = after
		}
		if len(ps) > 0 {
			return ps
		}
		for i, r := range in.Rows {
			before, after := old[r.Student], afters[i]
			if after == before {
				continue
			}
			if _, err := tx.Exec(ctx, `INSERT INTO gr_council_entries (period_id, student_id, class_id, general_appraisal, life_appraisal,
				mention, orientation, updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
				ON CONFLICT (period_id, student_id) DO UPDATE SET class_id = excluded.class_id,
				general_appraisal = excluded.general_appraisal, life_appraisal = excluded.life_appraisal, mention = excluded.mention,
				orientation = excluded.orientation, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
				p.ID, r.Student, c.ID, after.General, after.Life, after.Mention, after.Orientation, now.Unix(), v.Actor()); err != nil {
				return err
			}
			if err := record(ctx, tx, now, change{Establishment: c.Establishment, Student: r.Student,
				Subject: "council:" + p.ID + "/" + r.Student, Actor: v.Actor(), Before: before.text(), After: after.text()}); err != nil {
				return err
			}
		}
		return nil
	})
}

// SaveCouncilIn writes council entries inside a caller's transaction (the
// demo), for a viewer who may write the class's council.
func SaveCouncilIn(ctx context.Context, v *access.Viewer, tx *db.Tx, classID, periodID string, rows []CouncilRow, at time.Time) error {
	c, p, err := classAndPeriod(ctx, tx, classID, periodID)
	if err != nil {
		return refusal(access.WriteCouncil, access.Class(classID), err)
	}
	if err := v.Can(ctx, access.WriteCouncil, access.Class(c.ID)); err != nil {
		return err
	}
	if err := v.Can(ctx, access.WriteLifeAppraisal, access.Class(c.ID)); err != nil {
		return err
	}
	if ps := CheckCouncil(CouncilInput{Council: true, Life: true, Rows: rows}, nil); len(ps) > 0 {
		return ps
	}
	for _, r := range rows {
		if _, err := tx.Exec(ctx, `INSERT INTO gr_council_entries (period_id, student_id, class_id, general_appraisal, life_appraisal,
			mention, orientation, updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			p.ID, r.Student, c.ID, r.General, r.Life, r.Mention, r.Orientation, at.Unix(), v.Actor()); err != nil {
			return err
		}
	}
	return nil
}
