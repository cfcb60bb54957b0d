package timetable

// Notices of lesson changes: the outbox's events (events.go) turned into
// one notice (internal/notify) per person concerned — the students of the
// lesson's classes and groups, their legal guardians, its teachers and
// replacement except the author of the change — each asked of the policy
// as that person (they must see the lesson). A notice tells the lesson's
// state when the events are read, not each event: three edits before a
// round make one notice, and an edit that changes nothing a person was
// told (a note, the same room saved again) tells nothing.

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"sort"
	"strconv"
	"strings"
	"time"

	"cartable/internal/access"
	"cartable/internal/db"
	"cartable/internal/notify"
)

// Kinds of the notices of lesson changes (the catalogs' "notice.<kind>").
const (
	NoticeLessonCancelled = "lesson-cancelled" // the lesson does not take place
	NoticeLessonChanged   = "lesson-changed"   // moved, another room, a replacement, a test: "parts" says which
	NoticeLessonRestored  = "lesson-restored"  // back as planned, to those told of a change
)

// AnnounceChanges reads up to limit undelivered events of the outbox and,
// occurrence by occurrence, queues the notices they call for and marks
// the events delivered in one transaction. It returns the number of
// notices queued. sys writes them (access.System); any replica may run
// it: an event delivered meanwhile by another is skipped, and a notice is
// keyed by its occurrence, event and content, so nobody is told twice.
func AnnounceChanges(ctx context.Context, sys *access.Viewer, d *db.DB, now time.Time, limit int) (int, error) {
	evs, err := PendingEvents(ctx, sys, d, limit)
	if err != nil {
		return 0, err
	}
	queued := 0
	for _, g := range groupEvents(evs) {
		err := d.Tx(ctx, func(tx *db.Tx) error {
			n, err := announceOccurrence(ctx, sys, tx, g, now)
			queued += n
			return err
		})
		if err != nil {
			return queued, err
		}
	}
	return queued, nil
}

// AnnounceChangesTx is AnnounceChanges in the caller's transaction (the
// demo, which tells the first events and leaves the rest to the server).
func AnnounceChangesTx(ctx context.Context, sys *access.Viewer, tx *db.Tx, now time.Time, limit int) (int, error) {
	evs, err := PendingEvents(ctx, sys, tx, limit)
	if err != nil {
		return 0, err
	}
	queued := 0
	for _, g := range groupEvents(evs) {
		n, err := announceOccurrence(ctx, sys, tx, g, now)
		queued += n
		if err != nil {
			return queued, err
		}
	}
	return queued, nil
}

// groupEvents gathers the lesson events by occurrence, in the order of
// each occurrence's first event. Events of kinds this version does not
// know are left in the outbox (a newer replica may).
func groupEvents(evs []Event) [][]Event {
	var order []string
	by := map[string][]Event{}
	for _, e := range evs {
		if e.Kind != EventLessonChanged {
			continue
		}
		if _, ok := by[e.Subject]; !ok {
			order = append(order, e.Subject)
		}
		by[e.Subject] = append(by[e.Subject], e)
	}
	out := make([][]Event, len(order))
	for i, s := range order {
		out[i] = by[s]
	}
	return out
}

// lessonState is what a notice of one occurrence says.
type lessonState struct {
	kind  string
	args  map[string]string
	print string // the content's fingerprint: same print, nothing new to tell
}

// stateOf describes l as its notice tells it: names, times, rooms that
// anyone who sees the lesson sees; never the reason of a cancellation or
// the free note.
func stateOf(l Lesson) lessonState {
	auds := make([]string, len(l.Slot.Audiences))
	for i, a := range l.Slot.Audiences {
		auds[i] = a.Code
	}
	s := lessonState{args: map[string]string{
		"subject": l.Slot.SubjectName, "audience": strings.Join(auds, ", "),
		"date": l.Date, "time": HHMM(l.Slot.StartMin),
	}}
	var parts, print []string
	switch {
	case l.Cancelled():
		s.kind = NoticeLessonCancelled
		print = append(print, "cancelled")
	default:
		if l.Moved() {
			parts = append(parts, "moved")
			s.args["new_date"] = l.Start.Format(DateFormat)
			s.args["new_time"] = l.Start.Format("15:04") + "–" + l.End.Format("15:04")
			print = append(print, "moved:"+s.args["new_date"]+" "+s.args["new_time"])
		}
		if l.RoomChanged() {
			parts = append(parts, "room")
			s.args["room"] = l.Change.NewRoom.Name
			print = append(print, "room:"+l.Change.NewRoom.ID)
		}
		if l.Replaced() {
			parts = append(parts, "replacement")
			s.args["teacher"] = l.Change.Replacement.Name()
			print = append(print, "replacement:"+l.Change.Replacement.ID)
		}
		if l.TestPlanned() {
			parts = append(parts, "test")
			print = append(print, "test")
		}
		s.kind = NoticeLessonChanged
		if len(parts) == 0 {
			s.kind = NoticeLessonRestored
		} else {
			s.args["parts"] = strings.Join(parts, ",")
		}
	}
	sum := sha256.Sum256([]byte(s.kind + "|" + strings.Join(print, "|")))
	s.print = hex.EncodeToString(sum[:6])
	return s
}

// recipient is one person a change may concern.
type recipient struct{ id, about string }

// announceOccurrence handles the events of one occurrence in tx.
func announceOccurrence(ctx context.Context, sys *access.Viewer, tx *db.Tx, evs []Event, now time.Time) (int, error) {
	ids := make([]string, len(evs))
	for i, e := range evs {
		ids[i] = strconv.FormatInt(e.ID, 10)
	}
	// Claimed first: a replica that delivered them meanwhile has told.
	res, err := tx.Exec(ctx, `UPDATE notification_outbox SET delivered_at = ? WHERE delivered_at IS NULL AND `+db.In(tx, "CAST(id AS TEXT)"),
		now.Unix(), db.ListArg(tx, ids))
	if err != nil {
		return 0, err
	}
	if k, _ := res.RowsAffected(); k == 0 {
		return 0, nil
	}
	last := evs[len(evs)-1]
	slot, date, _ := strings.Cut(strings.TrimPrefix(last.Subject, "lesson:"), "/")
	var p struct {
		By string `json:"by"`
	}
	_ = json.Unmarshal([]byte(last.Payload), &p)
	l, err := lessonAt(ctx, tx, slot, date)
	if errors.Is(err, errNotFound) {
		return 0, nil // the lesson no longer runs that day: its timetable says so
	}
	if err != nil {
		return 0, err
	}
	if l.End.Before(now) {
		return 0, nil // over: too late to tell
	}
	st := stateOf(l)
	people, err := recipientsOf(ctx, tx, l, p.By)
	if err != nil || len(people) == 0 {
		return 0, err
	}
	// What each was last told of this occurrence: the latest event's key.
	prefix := "lesson/" + slot + "/" + date + "/"
	pids := make([]string, len(people))
	for i, r := range people {
		pids[i] = r.id
	}
	told := map[string][2]string{} // person → event id (zero-padded), print
	rows, err := db.All(ctx, tx, func(sc db.Scanner) ([2]string, error) {
		var r [2]string
		return r, sc.Scan(&r[0], &r[1])
	}, `SELECT recipient_id, dedupe_key FROM notifications WHERE `+db.In(tx, "recipient_id")+` AND substr(dedupe_key, 1, ?) = ?`,
		db.ListArg(tx, pids), len(prefix), prefix)
	if err != nil {
		return 0, err
	}
	for _, r := range rows {
		ev, print, _ := strings.Cut(strings.TrimPrefix(r[1], prefix), "-")
		if cur, ok := told[r[0]]; !ok || ev > cur[0] {
			told[r[0]] = [2]string{ev, print}
		}
	}
	key := prefix + pad(last.ID) + "-" + st.print
	policy := access.New(tx)
	queued := 0
	for _, r := range people {
		before, known := told[r.id]
		if known && before[1] == st.print {
			continue // told this already
		}
		if !known && st.kind == NoticeLessonRestored {
			continue // nothing was told: nothing to take back
		}
		rv, err := policy.Viewer(ctx, r.id)
		if errors.Is(err, access.ErrInactive) {
			continue
		}
		if err != nil {
			return queued, err
		}
		if ok, err := sees(ctx, rv, l); err != nil {
			return queued, err
		} else if !ok {
			continue
		}
		ok, err := notify.Queue(ctx, sys, tx, notify.Notice{Establishment: l.Slot.EstablishmentID, Recipient: r.id, About: r.about,
			Kind: st.kind, Key: key, Args: st.args, Link: "/lessons/" + slot + "/" + date})
		if err != nil {
			return queued, err
		}
		if ok {
			queued++
		}
	}
	return queued, nil
}

// pad writes an event ID so that keys sort as IDs do.
func pad(id int64) string {
	s := strconv.FormatInt(id, 10)
	if len(s) < 12 {
		s = strings.Repeat("0", 12-len(s)) + s
	}
	return s
}

// recipientsOf lists the people a change of l concerns, without its
// author: its teachers and replacement, the active students of its
// classes and groups, their active legal guardians (About: the student;
// a parent of two pupils of the lesson once).
func recipientsOf(ctx context.Context, q db.Querier, l Lesson, author string) ([]recipient, error) {
	seen := map[string]bool{author: true}
	var out []recipient
	add := func(id, about string) {
		if id != "" && !seen[id] {
			seen[id] = true
			out = append(out, recipient{id, about})
		}
	}
	for _, t := range l.Slot.Teachers {
		add(t.ID, "")
	}
	for _, t := range l.Teachers {
		add(t.ID, "")
	}
	var students []string
	for _, a := range l.Slot.Audiences {
		query := `SELECT e.student_id FROM enrolments e JOIN people p ON p.id = e.student_id WHERE e.class_id = ? AND p.active`
		id := a.ClassID
		if a.GroupID != "" {
			query = `SELECT g.student_id FROM group_members g JOIN people p ON p.id = g.student_id WHERE g.group_id = ? AND p.active`
			id = a.GroupID
		}
		s, err := db.Strings(ctx, q, query+` ORDER BY 1`, id)
		if err != nil {
			return nil, err
		}
		students = append(students, s...)
	}
	sort.Strings(students)
	for _, s := range students {
		add(s, s)
	}
	type link struct{ relative, student string }
	links, err := db.All(ctx, q, func(sc db.Scanner) (link, error) {
		var k link
		return k, sc.Scan(&k.relative, &k.student)
	}, `SELECT f.relative_id, f.student_id FROM family_links f JOIN people p ON p.id = f.relative_id
		WHERE `+db.In(q, "f.student_id")+` AND f.legal_guardian AND p.active ORDER BY f.relative_id, f.student_id`, db.ListArg(q, students))
	if err != nil {
		return nil, err
	}
	for _, k := range links {
		add(k.relative, k.student)
	}
	return out, nil
}

// sees reports whether v sees occurrence l: one of its teachers or its
// replacement, or one who reads the timetable of one of its classes or
// groups (a student of it, their relatives). The staff who edit the
// timetable are not recipients of these notices.
func sees(ctx context.Context, v *access.Viewer, l Lesson) (bool, error) {
	for _, t := range append(append([]Person{}, l.Slot.Teachers...), l.Teachers...) {
		if t.ID == v.ID {
			return true, nil
		}
	}
	for _, a := range l.Slot.Audiences {
		t := Target{Kind: TargetClass, ID: a.ClassID}
		if a.GroupID != "" {
			t = Target{Kind: TargetGroup, ID: a.GroupID}
		}
		if ok, err := v.May(ctx, access.ReadTimetable, resourceOf(t)); err != nil || ok {
			return ok, err
		}
	}
	return false, nil
}
