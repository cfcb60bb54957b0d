package attendance

import (
	"context"
	"strings"
	"time"

	"cartable/internal/access"
	"cartable/internal/db"
	"cartable/internal/ids"
)

// Collective absences: a class or a group away together (a trip, an
// exam elsewhere). Its students are not absent for that time: the desk
// lists the outing, not them, and awayTogether tells the registers and
// the counts who is out with their class.

// Collective is a collective absence as school life lists it.
type Collective struct {
	ID        string
	Audience  string // "class:ID" or "group:ID"
	Name      string // the class's or group's name
	Label     string
	StartDate string
	StartMin  int
	EndDate   string
	EndMin    int
}

// Audience is a class or a group to choose from.
type Audience struct {
	Key  string // "class:ID", "group:ID"
	Name string
}

// CollectivePage is an establishment's collective absences of the school
// year of a day, and the classes and groups to choose from.
type CollectivePage struct {
	Establishment string
	Items         []Collective
	Audiences     []Audience
}

const collectiveSelect = `SELECT a.id, CASE WHEN a.class_id IS NOT NULL THEN 'class:' || a.class_id ELSE 'group:' || a.group_id END,
	COALESCE(c.name, g.name, ''), a.label, a.start_date, a.start_min, a.end_date, a.end_min
	FROM att_collective a LEFT JOIN classes c ON c.id = a.class_id LEFT JOIN groups g ON g.id = a.group_id`

func scanCollective(s db.Scanner) (Collective, error) {
	var c Collective
	err := s.Scan(&c.ID, &c.Audience, &c.Name, &c.Label, &c.StartDate, &c.StartMin, &c.EndDate, &c.EndMin)
	return c, err
}

// collectiveOn lists est's collective absences touching day.
func collectiveOn(ctx context.Context, q db.Querier, est, day string) ([]Collective, error) {
	return db.All(ctx, q, scanCollective, collectiveSelect+` WHERE a.establishment_id = ? AND a.start_date <= ? AND a.end_date >= ?
		ORDER BY a.start_date, a.start_min, a.label`, est, day, day)
}

// awayTogether tells which of est's students are out with their class or
// group at some moment between minutes from and to of day (a collective
// absence covers them): they are not absent then.
func awayTogether(ctx context.Context, q db.Querier, est, day string, from, to int) (map[string]bool, error) {
	ids, err := db.Strings(ctx, q, `SELECT e.student_id FROM att_collective a JOIN enrolments e ON e.class_id = a.class_id
		WHERE a.establishment_id = ? AND (a.start_date < ? OR (a.start_date = ? AND a.start_min < ?))
		  AND (a.end_date > ? OR (a.end_date = ? AND a.end_min > ?))
		UNION SELECT m.student_id FROM att_collective a JOIN group_members m ON m.group_id = a.group_id
		WHERE a.establishment_id = ? AND (a.start_date < ? OR (a.start_date = ? AND a.start_min < ?))
		  AND (a.end_date > ? OR (a.end_date = ? AND a.end_min > ?))`,
		est, day, day, to, day, day, from, est, day, day, to, day, day, from)
	if err != nil {
		return nil, err
	}
	out := make(map[string]bool, len(ids))
	for _, id := range ids {
		out[id] = true
	}
	return out, nil
}

// audiencesOf lists est's classes and groups of the school year of day.
func audiencesOf(ctx context.Context, q db.Querier, est, day string) ([]Audience, error) {
	return db.All(ctx, q, func(s db.Scanner) (Audience, error) {
		var a Audience
		err := s.Scan(&a.Key, &a.Name)
		return a, err
	}, `SELECT 'class:' || c.id, c.name FROM classes c JOIN school_years y ON y.id = c.school_year_id
		WHERE c.establishment_id = ? AND y.starts_on <= ? AND y.ends_on >= ?
		UNION ALL SELECT 'group:' || g.id, g.name FROM groups g JOIN school_years y ON y.id = g.school_year_id
		WHERE g.establishment_id = ? AND y.starts_on <= ? AND y.ends_on >= ?
		ORDER BY 1, 2`, est, day, day, est, day, day)
}

// managedEstablishment is the establishment est if v manages its school
// life, or with est empty the first of v's establishments v manages.
func managedEstablishment(ctx context.Context, v *access.Viewer, a access.Action, est string) (string, error) {
	if est != "" {
		return est, v.Can(ctx, a, access.Establishment(est))
	}
	for _, e := range v.Establishments {
		ok, err := v.May(ctx, a, access.Establishment(e))
		if err != nil {
			return "", err
		}
		if ok {
			return e, nil
		}
	}
	return "", access.Refuse(a, access.Establishment(""), "no establishment whose school life the viewer runs")
}

// Collectives lists an establishment's collective absences (est "" for the
// viewer's own) for school life, with the classes and groups to choose.
func (s *Service) Collectives(ctx context.Context, v *access.Viewer, est string) (CollectivePage, error) {
	var out CollectivePage
	est, err := managedEstablishment(ctx, v, access.ManageSchoolLife, est)
	if err != nil {
		return out, err
	}
	out.Establishment = est
	day := s.today()
	if out.Items, err = db.All(ctx, s.DB, scanCollective, collectiveSelect+` WHERE a.establishment_id = ?
		ORDER BY a.start_date DESC, a.start_min DESC, a.label`, est); err != nil {
		return out, err
	}
	out.Audiences, err = audiencesOf(ctx, s.DB, est, day)
	return out, err
}

// AddCollective records a collective absence of a class or group of est.
func (s *Service) AddCollective(ctx context.Context, v *access.Viewer, est string, in CollectiveInput) (string, error) {
	id := ids.For(ctx)
	err := s.DB.Tx(ctx, func(tx *db.Tx) error { return AddCollectiveIn(ctx, v, tx, id, est, in, s.now()) })
	if err != nil {
		return "", err
	}
	return id, nil
}

// AddCollectiveIn is AddCollective in the caller's transaction q (the
// demo), with the new collective absence's id.
func AddCollectiveIn(ctx context.Context, v *access.Viewer, q db.Querier, id, est string, in CollectiveInput, at time.Time) error {
	if err := v.Can(ctx, access.ManageSchoolLife, access.Establishment(est)); err != nil {
		return err
	}
	sp, ps := checkCollective(in)
	kind, aud, _ := strings.Cut(in.Audience, ":")
	var class, group any
	if !ps.Has("audience") {
		table := "classes"
		if kind == "group" {
			table = "groups"
		}
		var n int
		if err := q.QueryRow(ctx, `SELECT COUNT(*) FROM `+table+` WHERE id = ? AND establishment_id = ?`, aud, est).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			ps.Add("audience", "bad-choice", in.Audience)
		} else if kind == "class" {
			class = aud
		} else {
			group = aud
		}
	}
	if sp.startDate != "" && sp.endDate != "" && !ps.Has("end-date") {
		ok, err := inSchoolYear(ctx, q, est, sp.startDate, sp.endDate)
		if err != nil {
			return err
		}
		if !ok {
			ps.Add("start-date", "out-of-year", sp.startDate)
		}
	}
	if len(ps) > 0 {
		return ps
	}
	_, err := q.Exec(ctx, `INSERT INTO att_collective (id, establishment_id, class_id, group_id, label, start_date, start_min, end_date, end_min,
		created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, id, est, class, group, strings.TrimSpace(in.Label),
		sp.startDate, sp.startMin, sp.endDate, sp.endMin, v.Actor(), at.Unix())
	return err
}

// DeleteCollective removes a collective absence of an establishment v
// manages; it returns the establishment.
func (s *Service) DeleteCollective(ctx context.Context, v *access.Viewer, id string) (string, error) {
	var est string
	err := s.DB.Tx(ctx, func(tx *db.Tx) error {
		ests, err := db.Strings(ctx, tx, `SELECT establishment_id FROM att_collective WHERE id = ?`, id)
		if err != nil {
			return err
		}
		if len(ests) == 0 {
			return access.Refuse(access.ManageSchoolLife, access.Resource{Kind: "collective", ID: id}, "no such collective absence")
		}
		est = ests[0]
		if err := v.Can(ctx, access.ManageSchoolLife, access.Establishment(est)); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `DELETE FROM att_collective WHERE id = ?`, id)
		return err
	})
	return est, err
}
