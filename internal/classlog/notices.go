package classlog

// Homework notices: when homework due within the coming days is set or
// its content changes (due date, description, minutes, hand-in mode), its
// students and their legal guardians get a notice (internal/notify), each
// asked of the policy as that person (they must read the entry: not a
// draft, its publication time come). A round looks at entries left alone
// for homeworkSettle, so that a teacher correcting a typo twice makes one
// notice, and a homework is told at most once a day (its key holds the
// day); a change after the day's notice is told by the next day's round,
// if the homework is still to come. What was told is kept in
// homework_notices (migration 0021).

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"cartable/internal/access"
	"cartable/internal/db"
	"cartable/internal/notify"
	"cartable/internal/richtext"
	"cartable/internal/timetable"
)

// Kinds of homework notices (the catalogs' "notice.<kind>").
const (
	NoticeHomework        = "homework"         // set
	NoticeHomeworkChanged = "homework-changed" // changed after a notice
)

const (
	// HomeworkNoticeDays bounds the homework told: due from today to
	// that many days on (further away, the homework list tells it).
	HomeworkNoticeDays = 7
	// homeworkSettle is how long an entry must be left alone before its
	// homework is told.
	homeworkSettle = 10 * time.Minute
	// homeworkWindow bounds the entries looked at: changed or published
	// within it.
	homeworkWindow = 3 * 24 * time.Hour
	// workChars bounds the description's text quoted in a notice.
	workChars = 80
)

type dueHomework struct {
	id, est, entry, class, group, audience, subject, due, desc, handin string
	minutes                                                            int
	print, told, toldOn                                                string
}

// fingerprint is the hash of what a homework notice is about.
func (h dueHomework) fingerprint() string {
	sum := sha256.Sum256([]byte(h.due + "|" + strconv.Itoa(h.minutes) + "|" + h.handin + "|" + h.desc))
	return hex.EncodeToString(sum[:6])
}

// AnnounceHomework queues the notices of the homework set or changed
// (one transaction per homework, with the record of what was told) and
// returns how many it queued. sys writes them (access.System); any
// replica may run it: a notice's key (homework, day) and recipient make
// it once.
func AnnounceHomework(ctx context.Context, sys *access.Viewer, d *db.DB, now time.Time) (int, error) {
	hws, err := homeworkToTell(ctx, sys, d, now)
	if err != nil {
		return 0, err
	}
	queued := 0
	for _, h := range hws {
		err := d.Tx(ctx, func(tx *db.Tx) error {
			n, err := announceHomework(ctx, sys, tx, h, now)
			queued += n
			return err
		})
		if err != nil {
			return queued, err
		}
	}
	return queued, nil
}

// AnnounceHomeworkTx is AnnounceHomework in the caller's transaction,
// for the first limit homework to tell (the demo, which leaves the rest
// to the server).
func AnnounceHomeworkTx(ctx context.Context, sys *access.Viewer, tx *db.Tx, now time.Time, limit int) (int, error) {
	hws, err := homeworkToTell(ctx, sys, tx, now)
	if err != nil {
		return 0, err
	}
	if len(hws) > limit {
		hws = hws[:limit]
	}
	queued := 0
	for _, h := range hws {
		n, err := announceHomework(ctx, sys, tx, h, now)
		queued += n
		if err != nil {
			return queued, err
		}
	}
	return queued, nil
}

// homeworkToTell lists the published homework due soon, of entries
// changed or published lately and left alone since, whose content differs
// from what was told and was not told today.
func homeworkToTell(ctx context.Context, sys *access.Viewer, q db.Querier, now time.Time) ([]dueHomework, error) {
	if !sys.IsSystem() {
		return nil, access.Refuse("announce-homework", access.Resource{Kind: "outbox"}, "homework notices are queued by the instance")
	}
	today := now.In(timetable.Paris).Format(timetable.DateFormat)
	until := now.In(timetable.Paris).AddDate(0, 0, HomeworkNoticeDays).Format(timetable.DateFormat)
	settled, since := now.Add(-homeworkSettle).Unix(), now.Add(-homeworkWindow).Unix()
	hws, err := db.All(ctx, q, func(sc db.Scanner) (dueHomework, error) {
		var h dueHomework
		return h, sc.Scan(&h.id, &h.est, &h.entry, &h.class, &h.group, &h.audience, &h.subject, &h.due, &h.desc, &h.minutes, &h.handin,
			&h.told, &h.toldOn)
	}, `SELECT h.id, h.establishment_id, h.entry_id, COALESCE(h.class_id, ''), COALESCE(h.group_id, ''), COALESCE(c.code, g.code, ''),
		su.name, h.due_date, h.description, h.minutes, h.handin, COALESCE(n.fingerprint, ''), COALESCE(n.told_on, '')
		FROM homework h JOIN classlog_entries e ON e.id = h.entry_id JOIN subjects su ON su.id = e.subject_id
		LEFT JOIN classes c ON c.id = h.class_id LEFT JOIN groups g ON g.id = h.group_id
		LEFT JOIN homework_notices n ON n.homework_id = h.id
		WHERE NOT e.draft AND e.publish_at <= ? AND e.updated_at <= ? AND (e.updated_at >= ? OR e.publish_at >= ?)
		AND h.due_date BETWEEN ? AND ? AND (n.told_on IS NULL OR n.told_on < ?)
		ORDER BY h.due_date, h.created_at, su.name, 6, h.description, h.id`, now.Unix(), settled, since, since, today, until, today)
	if err != nil {
		return nil, err
	}
	out := hws[:0]
	for _, h := range hws {
		if h.print = h.fingerprint(); h.print != h.told {
			out = append(out, h)
		}
	}
	return out, nil
}

// announceHomework tells h to its students and their legal guardians who
// read its entry, and records what was told, in tx.
func announceHomework(ctx context.Context, sys *access.Viewer, tx *db.Tx, h dueHomework, now time.Time) (int, error) {
	today := now.In(timetable.Paris).Format(timetable.DateFormat)
	// Recorded first, under the row's lock: a replica that told it
	// meanwhile has recorded today's day, and this one stops.
	res, err := tx.Exec(ctx, `INSERT INTO homework_notices (homework_id, fingerprint, told_on, told_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (homework_id) DO UPDATE SET fingerprint = excluded.fingerprint, told_on = excluded.told_on, told_at = excluded.told_at
		WHERE homework_notices.told_on < excluded.told_on`, h.id, h.print, today, now.Unix())
	if err != nil {
		return 0, err
	}
	if k, _ := res.RowsAffected(); k == 0 {
		return 0, nil
	}
	query := `SELECT e.student_id FROM enrolments e JOIN people p ON p.id = e.student_id WHERE e.class_id = ? AND p.active ORDER BY 1`
	aud := h.class
	if h.group != "" {
		query = `SELECT g.student_id FROM group_members g JOIN people p ON p.id = g.student_id WHERE g.group_id = ? AND p.active ORDER BY 1`
		aud = h.group
	}
	students, err := db.Strings(ctx, tx, query, aud)
	if err != nil || len(students) == 0 {
		return 0, err
	}
	type recipient struct{ id, about string }
	var people []recipient
	seen := map[string]bool{}
	for _, s := range students {
		seen[s] = true
		people = append(people, recipient{s, s})
	}
	links, err := db.All(ctx, tx, func(sc db.Scanner) (recipient, error) {
		var r recipient
		return r, sc.Scan(&r.id, &r.about)
	}, `SELECT f.relative_id, f.student_id FROM family_links f JOIN people p ON p.id = f.relative_id
		WHERE `+db.In(tx, "f.student_id")+` AND f.legal_guardian AND p.active ORDER BY f.relative_id, f.student_id`, db.ListArg(tx, students))
	if err != nil {
		return 0, err
	}
	for _, r := range links {
		if !seen[r.id] {
			seen[r.id] = true
			people = append(people, r)
		}
	}
	kind := NoticeHomework
	if h.told != "" {
		kind = NoticeHomeworkChanged
	}
	args := map[string]string{"subject": h.subject, "audience": h.audience, "date": h.due, "work": excerpt(richtext.Text(h.desc))}
	policy := access.New(tx)
	policy.SetClock(func() time.Time { return now })
	queued := 0
	for _, r := range people {
		rv, err := policy.Viewer(ctx, r.id)
		if errors.Is(err, access.ErrInactive) {
			continue
		}
		if err != nil {
			return queued, err
		}
		ok, err := policy.VisibleEntries(ctx, rv, []string{h.entry})
		if err != nil {
			return queued, err
		}
		if !ok[h.entry] {
			continue
		}
		link := "/homework"
		if r.about != r.id {
			link += "?child=" + r.about
		}
		done, err := notify.Queue(ctx, sys, tx, notify.Notice{Establishment: h.est, Recipient: r.id, About: r.about, Kind: kind,
			Key: "homework/" + h.id + "/" + today, Args: args, Link: link})
		if err != nil {
			return queued, err
		}
		if done {
			queued++
		}
	}
	return queued, nil
}

// excerpt shortens a homework's text to its first words.
func excerpt(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= workChars {
		return s
	}
	r := []rune(s)[:workChars]
	if i := strings.LastIndexByte(string(r), ' '); i > workChars/2 {
		return string(r)[:i] + "…"
	}
	return string(r) + "…"
}
