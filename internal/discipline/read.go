package discipline

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"cartable/internal/access"
	"cartable/internal/db"
	"cartable/internal/roles"
	"cartable/internal/timetable"
)

func timeOf(s string) (time.Time, error) { return timetable.ParseDate(s) }
func trim(s string) string               { return strings.TrimSpace(s) }

// deskLimit is how many of the latest punishments, sanctions and incidents
// a desk shows.
const deskLimit = 100

// MayOpen tells whether the discipline pages open for the viewer (the
// menu's entry): students and relatives (their record), teachers (the
// punishments they give), school life.
func MayOpen(ctx context.Context, v *access.Viewer) (bool, error) {
	if v == nil || v.IsSystem() {
		return false, nil
	}
	switch v.Profile {
	case roles.Student, roles.Relative, roles.Teacher:
		return true, nil
	}
	for _, e := range v.Establishments {
		if ok, err := v.May(ctx, access.ReadSchoolLife, access.Establishment(e)); err != nil || ok {
			return ok, err
		}
	}
	return false, nil
}

// Record reads a student's discipline record as the viewer may see it: the
// student and their relatives get the family's view (no private note, no
// report, no incident, no cancelled punishment), a teacher of the student
// the punishments without sanctions, school life everything. Sanctions
// removed from the record (RemovalDate) are shown to nobody.
func (s *Service) Record(ctx context.Context, v *access.Viewer, studentID string) (Record, error) {
	f, err := s.student(ctx, v, access.ReadSchoolLife, studentID)
	if err != nil {
		return Record{}, err
	}
	today := s.today()
	out := Record{Student: f.Student, Today: today}
	ps, err := punishmentsWhere(ctx, s.DB, 0, `p.student_id = ?`, f.ID)
	if err != nil {
		return out, err
	}
	showSanctions, err := v.May(ctx, access.ReadSanctions, access.Person(f.ID))
	if err != nil {
		return out, err
	}
	var ss []sanRow
	if showSanctions {
		if ss, err = sanctionsWhere(ctx, s.DB, today, `s.student_id = ?`, f.ID); err != nil {
			return out, err
		}
	}
	if v.ID == f.ID || v.Profile == roles.Relative {
		fam := &FamilyRecord{}
		for _, p := range ps {
			if !p.Cancelled {
				fam.Punishments = append(fam.Punishments, p.Punishment)
			}
		}
		for _, x := range ss {
			fam.Sanctions = append(fam.Sanctions, x.Sanction)
		}
		out.Family = fam
		return out, nil
	}
	st := &StaffRecord{SanctionsShown: showSanctions}
	if st.SchoolLife, err = v.May(ctx, access.ManageSchoolLife, access.Person(f.ID)); err != nil {
		return out, err
	}
	if st.MayPunish, err = v.May(ctx, access.GivePunishment, access.Person(f.ID)); err != nil {
		return out, err
	}
	if st.MayDecide, err = v.May(ctx, access.DecideSanction, access.Person(f.ID)); err != nil {
		return out, err
	}
	if st.History, err = v.May(ctx, access.ReadSchoolLifeHistory, access.Establishment(f.establishment)); err != nil {
		return out, err
	}
	for _, p := range ps {
		st.Punishments = append(st.Punishments, staffView(p.StaffPunishment, v.ID, st.SchoolLife, st.MayPunish))
	}
	for _, x := range ss {
		x.MayRevoke = st.MayDecide && x.Suspended() && x.SuspendedUntil >= today
		st.Sanctions = append(st.Sanctions, x.StaffSanction)
	}
	out.Staff = st
	return out, nil
}

// staffView keeps of a punishment what a member of staff sees: the
// private note and the report for its author and school life, the
// incident for school life.
func staffView(p StaffPunishment, viewer string, schoolLife, mayPunish bool) StaffPunishment {
	own := p.AuthorID == viewer
	if !own && !schoolLife {
		p.PrivateNote, p.Report = "", ""
	}
	if !schoolLife {
		p.IncidentID = ""
	}
	p.MayEdit = !p.Cancelled && (schoolLife || own && mayPunish)
	return p
}

// Desk reads the viewer's desk in an establishment ("" for their first
// where they run school life): for school life the latest punishments,
// sanctions and incidents; for a teacher the punishments they gave to
// students they still teach. Both get the students they may punish.
func (s *Service) Desk(ctx context.Context, v *access.Viewer, est string) (Desk, error) {
	var out Desk
	e, err := s.schoolLifeEstablishment(ctx, v, access.ReadSchoolLife, est)
	switch {
	case err == nil:
		return s.schoolLifeDesk(ctx, v, e)
	case !errors.Is(err, access.ErrDenied):
		return out, err
	case est != "" || v.Profile != roles.Teacher:
		return out, err
	}
	rows, err := punishmentsWhere(ctx, s.DB, deskLimit, `p.author_id = ?`, v.ID)
	if err != nil {
		return out, err
	}
	ids := make([]string, len(rows))
	for i, p := range rows {
		ids[i] = p.Student.ID
	}
	ok, err := v.VisibleStudents(ctx, access.GivePunishment, ids)
	if err != nil {
		return out, err
	}
	for _, p := range rows {
		if ok[p.Student.ID] {
			out.Punishments = append(out.Punishments, staffView(p.StaffPunishment, v.ID, false, true))
		}
	}
	out.Students, err = s.op().students(ctx, v, access.GivePunishment, v.Establishments)
	return out, err
}

func (s *Service) schoolLifeDesk(ctx context.Context, v *access.Viewer, est string) (Desk, error) {
	out := Desk{EstablishmentID: est, SchoolLife: true}
	today := s.today()
	var err error
	if out.History, err = v.May(ctx, access.ReadSchoolLifeHistory, access.Establishment(est)); err != nil {
		return out, err
	}
	ps, err := punishmentsWhere(ctx, s.DB, deskLimit, `p.establishment_id = ?`, est)
	if err != nil {
		return out, err
	}
	for _, p := range ps {
		out.Punishments = append(out.Punishments, staffView(p.StaffPunishment, v.ID, true, true))
	}
	ss, err := sanctionsWhere(ctx, s.DB, today, `s.establishment_id = ?`, est)
	if err != nil {
		return out, err
	}
	for _, x := range ss {
		out.Sanctions = append(out.Sanctions, x.StaffSanction)
	}
	if out.Incidents, err = incidentsOf(ctx, s.DB, est, deskLimit); err != nil {
		return out, err
	}
	out.Students, err = s.op().students(ctx, v, access.GivePunishment, []string{est})
	return out, err
}

// History reads the changes of an establishment's punishments, sanctions
// and incidents, newest first (optionally of one student): who, when,
// before → after. The head and the CPE read it.
func (s *Service) History(ctx context.Context, v *access.Viewer, est, student string) ([]Change, error) {
	if err := v.Can(ctx, access.ReadSchoolLifeHistory, access.Establishment(est)); err != nil {
		return nil, err
	}
	return history(ctx, s.DB, est, student, s.today(), 500)
}

// Purge deletes, for the instance (the daily purge), the sanctions whose
// day of removal from the record has come on now, with their history
// (R511-13 IV). It returns how many went.
func Purge(ctx context.Context, v *access.Viewer, q db.Querier, now time.Time) (int, error) {
	if !v.IsSystem() {
		return 0, access.Refuse(access.DecideSanction, access.Instance(), "the purge is the instance's")
	}
	return purgeRemoved(ctx, q, now.In(timetable.Paris).Format(timetable.DateFormat))
}

// ExportLine is one punishment or sanction of an establishment's export:
// what school life reads, without the private notes and reports.
type ExportLine struct {
	What    string // "punishment" or "sanction"
	Student Student
	Kind    string
	Day     string // given on, decided on
	Reason  string
	Details string // work and due day, detention, lesson, length, suspension
	By      string
	State   string // cancelled, the detention's outcome, revoked
	Removal string // a sanction's removal from the record
}

// Export lists an establishment's punishments and the sanctions still in
// the record, newest first, for school life (CPE, head, deputy): the CSV
// of the establishment.
func (s *Service) Export(ctx context.Context, v *access.Viewer, est string) ([]ExportLine, error) {
	if err := v.Can(ctx, access.ManageSchoolLife, access.Establishment(est)); err != nil {
		return nil, err
	}
	var out []ExportLine
	ps, err := punishmentsWhere(ctx, s.DB, 0, `p.establishment_id = ?`, est)
	if err != nil {
		return nil, err
	}
	for _, p := range ps {
		l := ExportLine{What: "punishment", Student: p.Student, Kind: p.Kind, Day: p.GivenOn, Reason: p.Reason, By: p.Author, State: p.Outcome}
		switch p.Kind {
		case ExtraWork:
			l.Details = p.Work + " (" + p.DueOn + ")"
		case Detention:
			l.Details = strings.TrimSpace(p.OnDate + " " + timetable.HHMM(p.StartMin) + " " + strconv.Itoa(p.DurationMin) + " min " + p.Place + " " + p.Work)
		case LessonExclusion:
			if p.Lesson != nil {
				l.Details = p.Lesson.Date + " " + timetable.HHMM(p.Lesson.StartMin) + " " + p.Lesson.Subject
			}
		}
		if p.Cancelled {
			l.State = "cancelled"
		}
		out = append(out, l)
	}
	ss, err := sanctionsWhere(ctx, s.DB, s.today(), `s.establishment_id = ?`, est)
	if err != nil {
		return nil, err
	}
	for _, x := range ss {
		l := ExportLine{What: "sanction", Student: x.Student, Kind: x.Kind, Day: x.DecidedOn, Reason: x.Reason, By: x.DecidedBy,
			Removal: x.RemovalOn}
		var d []string
		if x.Hours > 0 {
			d = append(d, strconv.Itoa(x.Hours)+" h")
		}
		if x.Days > 0 {
			d = append(d, strconv.Itoa(x.Days)+" d")
		}
		if x.StartsOn != "" {
			d = append(d, "from "+x.StartsOn)
		}
		if x.Suspension != NoSuspension {
			d = append(d, x.Suspension+" suspension until "+x.SuspendedUntil)
		}
		l.Details = strings.Join(d, ", ")
		if x.RevokedOn != "" {
			l.State = "revoked " + x.RevokedOn
		}
		out = append(out, l)
	}
	return out, nil
}

// IncidentCounts counts, per student of an establishment, the incidents
// since from (a day) of which they are the author: the attendance's
// threshold on incidents reads it (school life, or the instance).
func IncidentCounts(ctx context.Context, v *access.Viewer, q db.Querier, est, from string) (map[string]int, error) {
	if err := v.Can(ctx, access.ReadSchoolLife, access.Establishment(est)); err != nil {
		return nil, err
	}
	return authorCounts(ctx, q, est, from)
}
