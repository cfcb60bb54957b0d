// Package feeds holds the private calendar feeds (iCalendar subscriptions)
// of a person: the calendar_feeds table, their secret tokens, and what a
// feed holds. A calendar application fetches a feed without a session: the
// unguessable token is the credential, and the feed is built as its owner,
// asking the same access questions as the owner's pages.
package feeds

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"time"

	"cartable/internal/access"
	"cartable/internal/check"
	"cartable/internal/classlog"
	"cartable/internal/db"
	"cartable/internal/directory"
	"cartable/internal/ids"
	"cartable/internal/roles"
	"cartable/internal/timetable"
)

// Service reads and writes the feeds. The policy loads a feed's owner
// and answers which class log entries the owner may read.
type Service struct {
	DB       *db.DB
	Policy   *access.Policy    // loads the feed owner's viewer
	ClassLog *classlog.Service // the homework of the feed's lessons
}

// Feed is one of a person's feeds as their page lists it.
type Feed struct {
	ID, Label          string
	CreatedAt, LastUse time.Time
	Revoked            bool
}

func hashToken(t string) string {
	sum := sha256.Sum256([]byte("cartable-feed:" + t))
	return hex.EncodeToString(sum[:])
}

// List returns v's own feeds, newest first.
func (s *Service) List(ctx context.Context, v *access.Viewer) ([]Feed, error) {
	return db.All(ctx, s.DB, func(sc db.Scanner) (f Feed, err error) {
		var created, used int64
		if err = sc.Scan(&f.ID, &f.Label, &created, &used, &f.Revoked); err != nil {
			return f, err
		}
		f.CreatedAt = time.Unix(created, 0)
		if used > 0 {
			f.LastUse = time.Unix(used, 0)
		}
		return f, nil
	}, `SELECT id, label, created_at, COALESCE(last_used_at, 0), revoked_at IS NOT NULL
		FROM calendar_feeds WHERE person_id = ? ORDER BY created_at DESC, id`, v.ID)
}

// Create makes a feed for v and returns its token, shown once: only its
// hash is kept. A label too long or a person holding MaxFeeds feeds
// already get check.Problems and nothing is created.
func (s *Service) Create(ctx context.Context, v *access.Viewer, label string, now time.Time) (string, error) {
	if v.IsSystem() || v.ID == "" {
		return "", access.Refuse("create-feed", access.Person(v.ID), "a feed belongs to a person")
	}
	label, ps := CheckLabel(label)
	if len(ps) > 0 {
		return "", ps
	}
	var raw [32]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return "", err
	}
	token := base64.RawURLEncoding.EncodeToString(raw[:])
	err := s.DB.Tx(ctx, func(tx *db.Tx) error {
		var n int
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM calendar_feeds WHERE person_id = ? AND revoked_at IS NULL`, v.ID).Scan(&n); err != nil {
			return err
		}
		if n >= MaxFeeds {
			return check.Problems{{Field: "label", Code: "too-many", N: MaxFeeds}}
		}
		_, err := tx.Exec(ctx, `INSERT INTO calendar_feeds (id, person_id, token_hash, label, created_at) VALUES (?, ?, ?, ?, ?)`,
			ids.New(), v.ID, hashToken(token), label, now.Unix())
		return err
	})
	if err != nil {
		return "", err
	}
	return token, nil
}

// Revoke ends one of v's feeds; another's, a revoked or a missing one is
// refused alike.
func (s *Service) Revoke(ctx context.Context, v *access.Viewer, id string, now time.Time) error {
	res, err := s.DB.Exec(ctx, `UPDATE calendar_feeds SET revoked_at = ? WHERE id = ? AND person_id = ? AND revoked_at IS NULL`,
		now.Unix(), id, v.ID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return access.Refuse("revoke-feed", access.Resource{Kind: "calendar-feed", ID: id}, "not a live feed of the viewer")
	}
	return nil
}

// ErrUnknown is the answer to a token that opens no feed: unknown,
// revoked, or its owner's account closed.
var ErrUnknown = errors.New("feeds: unknown or revoked calendar feed")

// Open is the anonymous step of a feed: the secret token is the
// credential. It returns the viewer of the feed's owner, to build the
// feed as them, and notes the use (at most hourly).
func (s *Service) Open(ctx context.Context, token string, now time.Time) (*access.Viewer, error) {
	var id, person string
	var used int64
	var revoked bool
	err := s.DB.QueryRow(ctx, `SELECT id, person_id, COALESCE(last_used_at, 0), revoked_at IS NOT NULL FROM calendar_feeds WHERE token_hash = ?`,
		hashToken(token)).Scan(&id, &person, &used, &revoked)
	if errors.Is(err, sql.ErrNoRows) || err == nil && revoked {
		return nil, ErrUnknown
	}
	if err != nil {
		return nil, err
	}
	v, err := s.Policy.Viewer(ctx, person)
	if errors.Is(err, access.ErrInactive) {
		return nil, ErrUnknown
	}
	if err != nil {
		return nil, err
	}
	if now.Unix()-used > 3600 {
		if _, err := s.DB.Exec(ctx, `UPDATE calendar_feeds SET last_used_at = ? WHERE id = ?`, now.Unix(), id); err != nil {
			return nil, err
		}
	}
	return v, nil
}

// Source is one timetable of a feed: the lessons of the current school
// year and the homework of the same span that the owner may read.
type Source struct {
	// Child is the first name of the child whose timetable this is, for a
	// relative (the events say whose they are); empty otherwise.
	Child    string
	SetBy    bool // the homework is what the owner set (a teacher), not what is due
	Lessons  []timetable.Lesson
	Homework []classlog.Homework
}

// Build gathers what v's feed holds: v's timetable (a student's, a
// teacher's or a member of staff's) or, for a relative, each child's, with
// the homework due (or, for a teacher, set) over the current school year.
// A timetable v may not read is left out.
func (s *Service) Build(ctx context.Context, v *access.Viewer, now time.Time) ([]Source, error) {
	type target struct {
		t       timetable.Target
		child   string
		student string // student ID, for the homework due
		teacher string // teacher ID, for the homework they set
	}
	var targets []target
	switch v.Profile {
	case roles.Student:
		targets = append(targets, target{t: timetable.Target{Kind: timetable.TargetStudent, ID: v.ID}, student: v.ID})
	case roles.Relative:
		children, err := directory.MyChildren(ctx, v, s.DB)
		if err != nil {
			return nil, err
		}
		for _, c := range children {
			targets = append(targets, target{t: timetable.Target{Kind: timetable.TargetStudent, ID: c.ID}, child: c.FirstName, student: c.ID})
		}
	default:
		t := target{t: timetable.Target{Kind: timetable.TargetTeacher, ID: v.ID}}
		if v.Profile == roles.Teacher {
			t.teacher = v.ID
		}
		targets = append(targets, t)
	}
	today := now.In(timetable.Paris).Format(timetable.DateFormat)
	var out []Source
	for _, t := range targets {
		from, to, err := timetable.YearOf(ctx, v, s.DB, t.t, today)
		if errors.Is(err, access.ErrDenied) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if from == "" {
			continue
		}
		src := Source{Child: t.child, SetBy: t.teacher != ""}
		if src.Lessons, err = timetable.Lessons(ctx, v, s.DB, t.t, from, to); err != nil {
			return nil, err
		}
		switch {
		case t.student != "":
			src.Homework, err = s.ClassLog.HomeworkOfStudent(ctx, v, t.student, from, to)
		case t.teacher != "":
			src.Homework, err = s.ClassLog.HomeworkSetBy(ctx, v, from, to)
		}
		if err != nil {
			return nil, err
		}
		out = append(out, src)
	}
	return out, nil
}
