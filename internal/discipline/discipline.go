// Package discipline holds school life's punishments (punitions
// scolaires), the six disciplinary sanctions of Code de l'éducation
// R511-13, and incidents with their protagonists, kept apart: a teacher
// gives and reads punishments of the students they teach, never sanctions;
// only the head decides a sanction; incidents are school life's (CPE, head,
// deputy) to record and read.
//
// It owns the dis_* tables (migration 0012) and their SQL (store.go). Its
// Service answers for a viewer: every read and write asks the access
// policy (internal/access/schoollife.go) first and refuses
// (access.ErrDenied) what the viewer may not see or do, missing or
// forbidden alike. Every change is in the history (who, when, before →
// after); families are told through the notification outbox in the
// transaction of the change. Sanctions leave the record at the dates of
// R511-13 IV (RemovalDate): hidden from every view from that day, deleted
// by Purge, which the daily purge calls.
package discipline

import (
	"time"

	"cartable/internal/access"
	"cartable/internal/db"
)

// Service is discipline as the pages see it.
type Service struct {
	DB     *db.DB
	Policy *access.Policy
	Now    func() time.Time
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// Kinds of punishment.
const (
	Note            = "note"             // a note in the correspondence book
	Apology         = "apology"          // an apology, oral or written
	ExtraWork       = "extra-work"       // extra work, with what and when due
	Detention       = "detention"        // retenue: date, time, duration, place, work
	LessonExclusion = "lesson-exclusion" // exclusion from one lesson, with a written report
)

// PunishmentKinds in the order forms offer them.
var PunishmentKinds = []string{Note, Apology, ExtraWork, Detention, LessonExclusion}

// Outcomes of a detention.
const (
	Done    = "done"
	NotDone = "not-done"
)

// The six sanctions of R511-13 I, in their order (1° to 6°).
const (
	Warning            = "warning"             // 1° avertissement
	Reprimand          = "reprimand"           // 2° blâme
	Responsibility     = "responsibility"      // 3° mesure de responsabilisation (≤ 20 h)
	ClassExclusion     = "class-exclusion"     // 4° exclusion temporaire de la classe (≤ 8 days)
	SchoolExclusion    = "school-exclusion"    // 5° exclusion temporaire de l'établissement ou d'un service annexe (≤ 8 days)
	PermanentExclusion = "permanent-exclusion" // 6° exclusion définitive (the disciplinary board)
)

// SanctionKinds in the order of R511-13.
var SanctionKinds = []string{Warning, Reprimand, Responsibility, ClassExclusion, SchoolExclusion, PermanentExclusion}

// Limits of R511-13 I and II.
const (
	MaxResponsibilityHours = 20
	MaxExclusionDays       = 8
)

// Suspension (sursis) of a sanction.
const (
	NoSuspension      = "none"
	TotalSuspension   = "total"
	PartialSuspension = "partial"
)

// Suspendable tells whether a sanction may be suspended (R511-13 I: 3° to 6°).
func Suspendable(kind string) bool {
	switch kind {
	case Responsibility, ClassExclusion, SchoolExclusion, PermanentExclusion:
		return true
	}
	return false
}

// Roles of a protagonist of an incident.
const (
	Author  = "author"
	Victim  = "victim"
	Witness = "witness"
)

// Roles in the order forms offer them.
var Roles = []string{Author, Victim, Witness}

// IncidentKinds are the types of incident a form offers.
var IncidentKinds = []string{"violence", "verbal-abuse", "disruption", "damage", "theft", "harassment", "cheating", "dangerous-object", "other"}

// Seriousness of an incident, 1 (minor) to 4 (very serious).
const MaxSeriousness = 4
