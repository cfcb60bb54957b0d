package provisioning

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"cartable/internal/access"
	"cartable/internal/audit"
	"cartable/internal/db"
	"cartable/internal/directory"
	"cartable/internal/ids"
)

// The yearly rollover, before the new year's first complete delivery: the
// ending year is closed (its classes, groups, enrolments and teaching stay,
// read-only, for the retention period; the access policy ignores closed
// years) and the new year is opened, empty. Accounts persist: the next
// complete delivery fills the new year and deactivates whoever it no
// longer names.

// RolloverPlan is what a rollover does, for the preview.
type RolloverPlan struct {
	Establishment directory.Establishment
	Closing       []directory.SchoolYear
	NewYear       directory.SchoolYear
	Classes       int
	Groups        int
	Enrolments    int
	GroupMembers  int
	Assignments   int
	HeadTeachers  int
}

// PlanRollover works out the rollover of an establishment v may
// provision to the year label ("2027-2028", from 1 September to 31
// August). A year at fault (CheckRollover, one that exists already, one
// before an open year) gives its check.Problems.
func PlanRollover(ctx context.Context, v *access.Viewer, q db.Querier, establishmentID, label string) (*RolloverPlan, error) {
	e, err := Establishment(ctx, v, q, establishmentID)
	if err != nil {
		return nil, err
	}
	return planRollover(ctx, q, e, label)
}

func planRollover(ctx context.Context, q db.Querier, e directory.Establishment, label string) (*RolloverPlan, error) {
	y1, y2, ps := checkRollover(label)
	if len(ps) > 0 {
		return nil, ps
	}
	p := &RolloverPlan{Establishment: e, NewYear: directory.SchoolYear{EstablishmentID: e.ID, Label: label,
		StartsOn: fmt.Sprintf("%d-09-01", y1), EndsOn: fmt.Sprintf("%d-08-31", y2)}}
	years, err := db.All(ctx, q, func(sc db.Scanner) (y directory.SchoolYear, err error) {
		err = sc.Scan(&y.ID, &y.Label, &y.StartsOn, &y.EndsOn, &y.Closed)
		y.EstablishmentID = e.ID
		return
	}, `SELECT id, label, starts_on, ends_on, closed FROM school_years WHERE establishment_id = ? ORDER BY starts_on`, e.ID)
	if err != nil {
		return nil, err
	}
	for _, y := range years {
		if y.Label == label {
			return nil, yearProblem("exists", label)
		}
		if y.Closed {
			continue
		}
		if y.StartsOn >= p.NewYear.StartsOn {
			return nil, yearProblem("order", label)
		}
		p.Closing = append(p.Closing, y)
	}
	for _, y := range p.Closing {
		for _, c := range []struct {
			dst   *int
			query string
		}{
			{&p.Classes, `SELECT COUNT(*) FROM classes WHERE school_year_id = ?`},
			{&p.Groups, `SELECT COUNT(*) FROM groups WHERE school_year_id = ?`},
			{&p.Enrolments, `SELECT COUNT(*) FROM enrolments e JOIN classes c ON c.id = e.class_id WHERE c.school_year_id = ?`},
			{&p.GroupMembers, `SELECT COUNT(*) FROM group_members m JOIN groups g ON g.id = m.group_id WHERE g.school_year_id = ?`},
			{&p.Assignments, `SELECT COUNT(*) FROM teaching_assignments a LEFT JOIN classes c ON c.id = a.class_id
				LEFT JOIN groups g ON g.id = a.group_id WHERE COALESCE(c.school_year_id, g.school_year_id) = ?`},
			{&p.HeadTeachers, `SELECT COUNT(*) FROM head_teachers h JOIN classes c ON c.id = h.class_id WHERE c.school_year_id = ?`},
		} {
			var n int
			if err := q.QueryRow(ctx, c.query, y.ID).Scan(&n); err != nil {
				return nil, err
			}
			*c.dst += n
		}
	}
	return p, nil
}

// Rollover closes the open years of an establishment v may provision and
// opens label, in one transaction, and returns what it did.
func Rollover(ctx context.Context, v *access.Viewer, d *db.DB, establishmentID, label string, now time.Time) (*RolloverPlan, error) {
	e, err := Establishment(ctx, v, d, establishmentID)
	if err != nil {
		return nil, err
	}
	var p *RolloverPlan
	err = d.Tx(ctx, func(tx *db.Tx) error {
		var err error
		if p, err = planRollover(ctx, tx, e, label); err != nil {
			return err
		}
		for _, y := range p.Closing {
			if _, err := tx.Exec(ctx, `UPDATE school_years SET closed = TRUE WHERE id = ?`, y.ID); err != nil {
				return err
			}
		}
		p.NewYear.ID = ids.New()
		if err := directory.CreateSchoolYear(ctx, v, tx, &p.NewYear); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Event{At: now, ActorID: v.Actor(), EstablishmentID: establishmentID,
			Action: AuditRollover, Target: "establishment:" + establishmentID, Outcome: audit.Success})
	})
	return p, err
}

// NextYear proposes the year to open in an establishment v may provision:
// the one after its current year, or the school year of now when it has
// none open.
func NextYear(ctx context.Context, v *access.Viewer, q db.Querier, establishmentID string, now time.Time) (string, error) {
	if err := v.Can(ctx, access.Provision, access.Establishment(establishmentID)); err != nil {
		return "", err
	}
	y, err := directory.CurrentSchoolYear(ctx, q, establishmentID, now.Format("2006-01-02"))
	if err == nil && len(y.Label) >= 4 {
		if start, err := strconv.Atoi(y.Label[:4]); err == nil {
			return fmt.Sprintf("%d-%d", start+1, start+2), nil
		}
	}
	if err != nil && !errors.Is(err, directory.ErrNotFound) {
		return "", err
	}
	start := now.Year()
	if now.Month() < time.August {
		start--
	}
	return fmt.Sprintf("%d-%d", start, start+1), nil
}
