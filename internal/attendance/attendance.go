// Package attendance holds school life's attendance: the register of each
// lesson occurrence and its marks (absent, late, left early, remark,
// forgotten material), absences over time, collective absences,
// exemptions, the establishment's reasons and settings, families'
// justifications and school life's review, the counts (half-days, the
// monthly compulsory-schooling counter of L131-8), the tasks raised by
// thresholds, and the history of every change.
//
// It owns the att_* tables (migration 0011) and their SQL. Its Service
// answers for a viewer: every read and write asks the access policy
// (internal/access/schoollife.go) first and refuses (access.ErrDenied) what
// the viewer may not see or do, missing or forbidden alike. Alerts to
// relatives are notices of the outbox (internal/notify), queued in the
// transaction of the mark that causes them.
package attendance

import (
	"log/slog"
	"time"

	"cartable/internal/access"
	"cartable/internal/db"
	"cartable/internal/files"
)

// Service is attendance as the pages see it.
type Service struct {
	DB     *db.DB
	Policy *access.Policy
	Files  *files.Store // justification documents; nil refuses uploads
	Now    func() time.Time
	Log    *slog.Logger
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// States of an absence or a lateness.
const (
	NoReason    = "no-reason"
	ReasonGiven = "reason-given"
	Justified   = "justified"
	NotAccepted = "not-accepted"
)

// Kinds of a mark in a register.
const (
	Absent    = "absent"
	Late      = "late"
	LeftEarly = "left-early"
	Remark    = "remark"
	Material  = "material"
)
