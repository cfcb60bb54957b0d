package provisioning

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"time"

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

var yearLabel = regexp.MustCompile(`^(\d{4})-(\d{4})$`)

var (
	ErrYearLabel  = errors.New("the year must read YYYY-YYYY, two consecutive years (e.g. 2027-2028)")
	ErrYearExists = errors.New("this school year already exists in the establishment")
	ErrYearOrder  = errors.New("an open school year starts after the new one: the rollover only moves forward")
)

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

// PlanRollover works out the rollover of an establishment to the year
// label ("2027-2028", from 1 September to 31 August).
func PlanRollover(ctx context.Context, q db.Querier, establishmentID, label string) (*RolloverPlan, error) {
	m := yearLabel.FindStringSubmatch(label)
	if m == nil {
		return nil, ErrYearLabel
	}
	y1, _ := strconv.Atoi(m[1])
	y2, _ := strconv.Atoi(m[2])
	if y2 != y1+1 {
		return nil, ErrYearLabel
	}
	e, err := directory.EstablishmentByID(ctx, q, establishmentID)
	if err != nil {
		return nil, err
	}
	p := &RolloverPlan{Establishment: e, NewYear: directory.SchoolYear{EstablishmentID: e.ID, Label: label,
		StartsOn: fmt.Sprintf("%d-09-01", y1), EndsOn: fmt.Sprintf("%d-08-31", y2)}}
	rows, err := q.Query(ctx, `SELECT id, label, starts_on, ends_on, closed FROM school_years WHERE establishment_id = ? ORDER BY starts_on`, e.ID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var y directory.SchoolYear
		if err := rows.Scan(&y.ID, &y.Label, &y.StartsOn, &y.EndsOn, &y.Closed); err != nil {
			return nil, err
		}
		y.EstablishmentID = e.ID
		if y.Label == label {
			return nil, ErrYearExists
		}
		if y.Closed {
			continue
		}
		if y.StartsOn >= p.NewYear.StartsOn {
			return nil, ErrYearOrder
		}
		p.Closing = append(p.Closing, y)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
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

// Rollover closes the establishment's open years and opens label, in one
// transaction, and returns what it did.
func Rollover(ctx context.Context, d *db.DB, establishmentID, label, actorID string, now time.Time) (*RolloverPlan, error) {
	var p *RolloverPlan
	err := d.Tx(ctx, func(tx *db.Tx) error {
		var err error
		if p, err = PlanRollover(ctx, tx, establishmentID, label); err != nil {
			return err
		}
		for _, y := range p.Closing {
			if _, err := tx.Exec(ctx, `UPDATE school_years SET closed = TRUE WHERE id = ?`, y.ID); err != nil {
				return err
			}
		}
		p.NewYear.ID = ids.New()
		if err := directory.CreateSchoolYear(ctx, tx, &p.NewYear); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Event{At: now, ActorID: actorID, EstablishmentID: establishmentID,
			Action: AuditRollover, Target: "establishment:" + establishmentID, Outcome: audit.Success})
	})
	return p, err
}
