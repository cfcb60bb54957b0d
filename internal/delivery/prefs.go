// Package delivery takes the notices of the outbox (internal/notify) out
// of the workspace: by e-mail, at once or in a daily or weekly digest,
// and by Web Push, as jobs of the queue (internal/jobs) so that a mail
// server or push service down loses nothing. Each person chooses, per
// category of notice and channel, how they are told, and quiet hours
// during which nothing immediate is sent. In the workspace every notice
// is always shown.
package delivery

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"cartable/internal/access"
	"cartable/internal/db"
	"cartable/internal/i18n"
	"cartable/internal/roles"
)

// Category groups the kinds of notice a person chooses for together.
type Category string

const (
	Timetable  Category = "timetable"  // timetable changes
	Homework   Category = "homework"   // homework set or changed
	SchoolLife Category = "schoollife" // absences, lateness, registers, discipline
	Marks      Category = "marks"      // marks and results
	Messages   Category = "messages"   // correspondence notes and messages
	News       Category = "news"       // everything else
)

// Categories lists them in the order the settings page shows them.
var Categories = []Category{Timetable, Homework, SchoolLife, Marks, Messages, News}

// CategoryOf is the category of a notice's kind (notify.Notice.Kind). A
// kind not listed is news: a new kind is delivered before it is sorted.
func CategoryOf(kind string) Category {
	switch {
	case strings.HasPrefix(kind, "timetable"), strings.HasPrefix(kind, "lesson-"):
		return Timetable
	case strings.HasPrefix(kind, "homework"):
		return Homework
	case strings.HasPrefix(kind, "message"), strings.HasPrefix(kind, "note-"):
		return Messages
	}
	switch kind {
	case "absence", "lateness", "register-late", "justification-reviewed",
		"punishment", "sanction", "incident", "exclusion-report":
		return SchoolLife
	case "marks":
		return Marks
	}
	return News
}

// Channel is a way out of the workspace.
type Channel string

const (
	Email Channel = "email"
	Push  Channel = "push"
)

// Channels lists them in the order the settings page shows them.
var Channels = []Channel{Email, Push}

// Mode is how a channel tells a category.
type Mode string

const (
	Immediate Mode = "immediate"
	Daily     Mode = "daily"
	Weekly    Mode = "weekly"
	Off       Mode = "off"
)

// Modes lists the modes of a channel: push has no digest.
func Modes(c Channel) []Mode {
	if c == Push {
		return []Mode{Immediate, Off}
	}
	return []Mode{Immediate, Daily, Weekly, Off}
}

// Default is the mode of a channel nobody chose for: e-mail in a daily
// digest, push at once (it only reaches a device its owner registered).
// (A relative's homework is the exception: see DefaultFor.)
func Default(c Channel) Mode {
	if c == Push {
		return Immediate
	}
	return Daily
}

// DefaultFor is the mode of category c on channel ch for a person who
// did not choose: Default, except that a relative gets homework in the
// workspace only (every homework of every child would crowd their
// mailbox and phone; they switch it on on the settings page).
func DefaultFor(relative bool, c Category, ch Channel) Mode {
	if relative && c == Homework {
		return Off
	}
	return Default(ch)
}

// Settings are a person's delivery choices.
type Settings struct {
	Lang string // the language of their e-mails and push messages
	// Quiet hours, minutes after midnight (Europe/Paris); Quiet false:
	// none. From > To spans midnight (22:00–07:00).
	Quiet     bool
	QuietFrom int
	QuietTo   int
	// DigestHour is the whole hour (Europe/Paris) the daily digest, and on
	// Friday the weekly one, leave at: MinDigestHour to MaxDigestHour.
	DigestHour     int
	modes          map[Category]map[Channel]Mode
	PushRegistered int  // devices registered for push (read only)
	relative       bool // the person is a relative (DefaultFor)
	// At the last change of hour, the end of the last daily and weekly
	// digests (Unix seconds; 0: none): the next ones start there.
	dailySentTo, weeklySentTo int64
}

// The hours a person may choose for their digests, and the default. The
// night is left out: no one reads a digest at 3 a.m., and the hours when
// Europe/Paris changes its clocks (2–3 a.m.) never come up.
const (
	DefaultDigestHour = 18
	MinDigestHour     = 6
	MaxDigestHour     = 22
)

// Mode is the person's mode for category c on channel ch.
func (s *Settings) Mode(c Category, ch Channel) Mode {
	if m, ok := s.modes[c][ch]; ok {
		return m
	}
	return DefaultFor(s.relative, c, ch)
}

// SetMode changes the mode for category c on channel ch.
func (s *Settings) SetMode(c Category, ch Channel, m Mode) {
	if s.modes == nil {
		s.modes = map[Category]map[Channel]Mode{}
	}
	if s.modes[c] == nil {
		s.modes[c] = map[Channel]Mode{}
	}
	s.modes[c][ch] = m
}

// quiet reports whether minute (after midnight) falls in the quiet hours.
func (s *Settings) quiet(minute int) bool {
	if !s.Quiet || s.QuietFrom == s.QuietTo {
		return false
	}
	if s.QuietFrom < s.QuietTo {
		return minute >= s.QuietFrom && minute < s.QuietTo
	}
	return minute >= s.QuietFrom || minute < s.QuietTo
}

// load reads person's settings, defaults filled in.
func load(ctx context.Context, q db.Querier, person string) (*Settings, error) {
	s := &Settings{Lang: i18n.Default, DigestHour: DefaultDigestHour}
	var from, to, hour, daily, weekly sql.NullInt64
	err := q.QueryRow(ctx, `SELECT lang, quiet_from, quiet_to, digest_hour, daily_sent_to, weekly_sent_to FROM delivery_settings WHERE person_id = ?`,
		person).Scan(&s.Lang, &from, &to, &hour, &daily, &weekly)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, err
	}
	if hour.Valid {
		s.DigestHour = int(hour.Int64)
	}
	s.dailySentTo, s.weeklySentTo = daily.Int64, weekly.Int64
	if from.Valid && to.Valid {
		s.Quiet, s.QuietFrom, s.QuietTo = true, int(from.Int64), int(to.Int64)
	}
	rows, err := db.All(ctx, q, func(sc db.Scanner) ([3]string, error) {
		var r [3]string
		return r, sc.Scan(&r[0], &r[1], &r[2])
	}, `SELECT category, channel, mode FROM delivery_prefs WHERE person_id = ?`, person)
	if err != nil {
		return nil, err
	}
	for _, r := range rows {
		s.SetMode(Category(r[0]), Channel(r[1]), Mode(r[2]))
	}
	if err := q.QueryRow(ctx, `SELECT COUNT(*) FROM push_subscriptions WHERE person_id = ?`, person).Scan(&s.PushRegistered); err != nil {
		return nil, err
	}
	// The profile decides a default (DefaultFor).
	var profile string
	if err := q.QueryRow(ctx, `SELECT profile FROM people WHERE id = ?`, person).Scan(&profile); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, err
	}
	s.relative = profile == roles.Relative
	return s, nil
}

// Mine returns the viewer's own settings: a person reads their own only.
func Mine(ctx context.Context, v *access.Viewer, q db.Querier) (*Settings, error) {
	if v == nil || v.IsSystem() || v.ID == "" {
		return nil, access.Refuse("delivery-settings", access.Person(""), "settings are read by their owner")
	}
	return load(ctx, q, v.ID)
}

// FieldError names the field a refused setting came from.
type FieldError struct {
	Field string // "quiet_from", "mode.marks.email"…
	Err   error
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Err.Error() }

// Save stores the viewer's own settings, after checking every value;
// nothing is changed when one is refused.
func Save(ctx context.Context, v *access.Viewer, d *db.DB, s *Settings) error {
	if v == nil || v.IsSystem() || v.ID == "" {
		return access.Refuse("delivery-settings", access.Person(""), "settings are changed by their owner")
	}
	if !i18n.Supported(s.Lang) {
		return &FieldError{"lang", fmt.Errorf("unsupported language %q", s.Lang)}
	}
	if s.Quiet {
		for f, m := range map[string]int{"quiet_from": s.QuietFrom, "quiet_to": s.QuietTo} {
			if m < 0 || m >= 24*60 {
				return &FieldError{f, errors.New("not a time of day")}
			}
		}
	}
	if s.DigestHour < MinDigestHour || s.DigestHour > MaxDigestHour {
		return &FieldError{"digest_hour", fmt.Errorf("not a whole hour from %d to %d", MinDigestHour, MaxDigestHour)}
	}
	for c, byCh := range s.modes {
		if !knownCategory(c) {
			return &FieldError{"mode." + string(c), errors.New("unknown category")}
		}
		for ch, m := range byCh {
			if !validMode(ch, m) {
				return &FieldError{"mode." + string(c) + "." + string(ch), fmt.Errorf("mode %q not offered on this channel", m)}
			}
		}
	}
	return d.Tx(ctx, func(tx *db.Tx) error {
		var from, to any
		if s.Quiet {
			from, to = s.QuietFrom, s.QuietTo
		}
		old, err := load(ctx, tx, v.ID)
		if err != nil {
			return err
		}
		// A new hour: the next digests start where the last ones ended
		// (mailDigest), so that nothing is sent twice nor skipped.
		daily, weekly := old.dailySentTo, old.weeklySentTo
		if old.DigestHour != s.DigestHour {
			if daily, err = lastDigestEnd(ctx, tx, v.ID, Daily); err != nil {
				return err
			}
			if weekly, err = lastDigestEnd(ctx, tx, v.ID, Weekly); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, `INSERT INTO delivery_settings (person_id, lang, quiet_from, quiet_to, digest_hour, daily_sent_to, weekly_sent_to)
			VALUES (?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (person_id) DO UPDATE SET lang = excluded.lang, quiet_from = excluded.quiet_from, quiet_to = excluded.quiet_to,
			digest_hour = excluded.digest_hour, daily_sent_to = excluded.daily_sent_to, weekly_sent_to = excluded.weekly_sent_to`,
			v.ID, s.Lang, from, to, s.DigestHour, nullable(daily), nullable(weekly)); err != nil {
			return err
		}
		for c, byCh := range s.modes {
			for ch, m := range byCh {
				if _, err := tx.Exec(ctx, `INSERT INTO delivery_prefs (person_id, category, channel, mode) VALUES (?, ?, ?, ?)
					ON CONFLICT (person_id, category, channel) DO UPDATE SET mode = excluded.mode`, v.ID, string(c), string(ch), string(m)); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// nullable is NULL for 0.
func nullable(n int64) any {
	if n == 0 {
		return nil
	}
	return n
}

func knownCategory(c Category) bool {
	for _, k := range Categories {
		if k == c {
			return true
		}
	}
	return false
}

func validMode(ch Channel, m Mode) bool {
	for _, k := range Modes(ch) {
		if k == m {
			return true
		}
	}
	return false
}
