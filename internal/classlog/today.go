package classlog

// The home page's reads of the class log: what teachers published for a
// student since a visit, the lessons a teacher still has to write up, and
// the work handed in to a teacher since a visit.

import (
	"context"
	"strings"
	"time"

	"cartable/internal/access"
	"cartable/internal/db"
	"cartable/internal/timetable"
)

// NewsItem is an entry published or changed since a visit, without its
// body: the home page links to it.
type NewsItem struct {
	EntryID, SlotID, LessonDate string
	ClassID, GroupID, Structure string
	SubjectName, AuthorName     string
	Title                       string
	Homework, Attachments       int
	At                          time.Time // published or last changed
	Changed                     bool      // written before the visit, changed since

	at, created int64 // unix seconds
}

// NewsWindow is the furthest back news go: a first visit, or one after
// a long absence, shows what the last weeks brought, not the whole year.
const NewsWindow = 31 * 24 * time.Hour

// Recent is a student's news over NewsWindow: the entries of their
// classes and groups published or changed in the window (and published by
// now), newest first, of those the viewer reads, for the student and those
// who read their timetable (a relative, the staff). It is read before the
// visit is known: the home page reads it and the visit at once
// (db.Together), then keeps those after the visit's start (Since).
type Recent struct {
	items []NewsItem // the newest limit+1 of the window the viewer reads
	floor int64
	limit int
}

// RecentNews reads a student's news over NewsWindow, at most limit+1
// (Since tells whether there are more). Refused unless the viewer reads the
// student's timetable.
func (s *Service) RecentNews(ctx context.Context, v *access.Viewer, studentID string, limit int) (Recent, error) {
	if err := v.Can(ctx, access.ReadTimetable, access.Person(studentID)); err != nil {
		return Recent{}, err
	}
	now := s.now()
	floor := now.Add(-NewsWindow)
	items, err := newsOfStudent(ctx, s.DB, studentID, floor, now, limit+1)
	if err != nil {
		return Recent{}, err
	}
	if items, err = readable(ctx, s, v, items, func(n NewsItem) string { return n.EntryID }); err != nil {
		return Recent{}, err
	}
	return Recent{items: items, floor: floor.Unix(), limit: limit}, nil
}

// Since keeps the news after since, at most the limit, with more telling
// whether there are others. The news after since are the first of the
// window's, newest first: the limit+1 read hold them all, or limit+1 of
// them.
func (r Recent) Since(since time.Time) (items []NewsItem, more bool) {
	s := max(since.Unix(), r.floor)
	for _, it := range r.items {
		if it.at > s {
			it.Changed = it.created <= s
			items = append(items, it)
		}
	}
	if len(items) > r.limit {
		items, more = items[:r.limit], true
	}
	return items, more
}

func newsOfStudent(ctx context.Context, q db.Querier, studentID string, since, now time.Time, limit int) ([]NewsItem, error) {
	// The newest first. An entry's news time is the later of its last
	// change and its publication; it is news when that time is after the
	// visit began and it is published by now. Two lookups of one index
	// each (migration 0031: the entries of a class, or of a group, by
	// news time), the few kept then joined to their details and counts.
	const at = `(CASE WHEN e.publish_at > e.updated_at THEN e.publish_at ELSE e.updated_at END)`
	const news = ` AND ` + at + ` > ? AND e.publish_at <= ? AND NOT e.draft ORDER BY 2 DESC, 1 LIMIT ?`
	const byClass = `SELECT e.id, ` + at + ` AS at FROM enrolments en JOIN classlog_entries e ON e.class_id = en.class_id WHERE en.student_id = ?` + news
	const byGroup = `SELECT e.id, ` + at + ` AS at FROM group_members gm JOIN classlog_entries e ON e.group_id = gm.group_id WHERE gm.student_id = ?` + news
	s, n := since.Unix(), now.Unix()
	return db.All(ctx, q, func(sc db.Scanner) (NewsItem, error) {
		var it NewsItem
		err := sc.Scan(&it.EntryID, &it.SlotID, &it.LessonDate, &it.ClassID, &it.GroupID, &it.Structure, &it.SubjectName,
			&it.AuthorName, &it.Title, &it.created, &it.at, &it.Homework, &it.Attachments)
		it.AuthorName = strings.TrimSpace(it.AuthorName)
		it.At = time.Unix(it.at, 0)
		return it, err
	}, `SELECT e.id, COALESCE(e.slot_id, ''), e.lesson_date, COALESCE(e.class_id, ''), COALESCE(e.group_id, ''),
		COALESCE(c.name, g.name, ''), su.name, p.title || ' ' || p.last_name, e.title, e.created_at, x.at,
		(SELECT COUNT(*) FROM homework h WHERE h.entry_id = e.id),
		(SELECT COUNT(*) FROM classlog_attachments a WHERE a.entry_id = e.id)
		FROM (SELECT * FROM (SELECT * FROM (`+byClass+`) c UNION ALL SELECT * FROM (`+byGroup+`) g) y ORDER BY at DESC, id LIMIT ?) x
		JOIN classlog_entries e ON e.id = x.id JOIN people p ON p.id = e.author_id JOIN subjects su ON su.id = e.subject_id
		LEFT JOIN classes c ON c.id = e.class_id LEFT JOIN groups g ON g.id = e.group_id
		ORDER BY x.at DESC, x.id`,
		studentID, s, n, limit, studentID, s, n, limit, limit)
}

// MaxToWrite bounds the lessons ToWrite reports.
const MaxToWrite = 8

// ToWrite keeps, of lessons (a teacher's day, from their timetable), those
// that have begun by now, are not cancelled, are given by the viewer (one
// of the lesson's teachers and not replaced, or the replacement) and hold
// no entry of the viewer yet, and whose class log the viewer may write: the
// entries still to fill. At most MaxToWrite. The lessons must come with
// their teachers and change (a timetable read): the policy answers from
// them.
func (s *Service) ToWrite(ctx context.Context, v *access.Viewer, lessons []timetable.Lesson) ([]timetable.Lesson, error) {
	now := s.now()
	var begun []timetable.Lesson
	var slots []string
	from, to := "", ""
	for _, l := range lessons {
		if l.Start.After(now) || l.Cancelled() || !gives(l, v.ID) {
			continue
		}
		begun = append(begun, l)
		slots = append(slots, l.Slot.ID)
		if from == "" || l.Date < from {
			from = l.Date
		}
		to = max(to, l.Date)
	}
	if len(begun) == 0 {
		return nil, nil
	}
	written, err := writtenBy(ctx, s.DB, v.ID, slots, from, to)
	if err != nil {
		return nil, err
	}
	// The policy answers from the lessons' own facts: reading each
	// occurrence again would cost a handful of queries per lesson.
	facts := make(map[string]access.OccurrenceFacts, len(begun))
	for _, l := range begun {
		f := access.OccurrenceFacts{Establishment: l.Slot.EstablishmentID}
		for _, t := range l.Slot.Teachers {
			f.Teachers = append(f.Teachers, t.ID)
		}
		if l.Replaced() {
			f.Replacement = l.Change.Replacement.ID
		}
		facts[l.Key()] = f
	}
	may := v.MayWriteOccurrences(facts)
	var out []timetable.Lesson
	for _, l := range begun {
		if may[l.Key()] && !written[l.Key()] && len(out) < MaxToWrite {
			out = append(out, l)
		}
	}
	return out, nil
}

// gives tells whether teacher id gives the lesson: its replacement, or
// one of its teachers when nobody replaces them.
func gives(l timetable.Lesson, id string) bool {
	if l.Replaced() {
		return l.Change.Replacement.ID == id
	}
	for _, t := range l.Slot.Teachers {
		if t.ID == id {
			return true
		}
	}
	return false
}

// writtenBy tells which occurrences ("slot/date") of the slots between two
// dates hold an entry of the author. The entries are looked up by lesson
// (an occurrence holds a few), not by author (who holds a year's).
func writtenBy(ctx context.Context, q db.Querier, author string, slots []string, from, to string) (map[string]bool, error) {
	type written struct{ key, author string }
	ws, err := db.All(ctx, q, func(sc db.Scanner) (w written, err error) {
		var slot, date string
		err = sc.Scan(&slot, &date, &w.author)
		w.key = slot + "/" + date
		return
	}, `SELECT slot_id, lesson_date, author_id FROM classlog_entries
		WHERE `+db.In(q, "slot_id")+` AND lesson_date BETWEEN ? AND ?`, db.ListArg(q, slots), from, to)
	if err != nil {
		return nil, err
	}
	out := make(map[string]bool, len(ws))
	for _, w := range ws {
		if w.author == author {
			out[w.key] = true
		}
	}
	return out, nil
}

// HandInNews is the work handed in for one homework since a visit.
type HandInNews struct {
	HomeworkID, DueDate    string
	Structure, SubjectName string
	Count                  int       // hand-ins since the visit
	Last                   time.Time // the latest
}

// HandInsSince lists the homework of the viewer's entries that received
// work after since, the latest first, at most limit (more: there are
// others), each one whose hand-ins the viewer may read.
func (s *Service) HandInsSince(ctx context.Context, v *access.Viewer, since time.Time, limit int) (out []HandInNews, more bool, err error) {
	hs, err := db.All(ctx, s.DB, func(sc db.Scanner) (HandInNews, error) {
		var h HandInNews
		var last int64
		err := sc.Scan(&h.HomeworkID, &h.DueDate, &h.Structure, &h.SubjectName, &h.Count, &last)
		h.Last = time.Unix(last, 0)
		return h, err
	}, `SELECT h.id, h.due_date, COALESCE(c.name, g.name, ''), su.name, COUNT(*), MAX(s.submitted_at)
		FROM classlog_entries e JOIN homework h ON h.entry_id = e.id JOIN homework_submissions s ON s.homework_id = h.id
		JOIN subjects su ON su.id = e.subject_id LEFT JOIN classes c ON c.id = h.class_id LEFT JOIN groups g ON g.id = h.group_id
		WHERE e.author_id = ? AND s.submitted_at > ?
		GROUP BY h.id, h.due_date, c.name, g.name, su.name ORDER BY 6 DESC, 1 LIMIT ?`, v.ID, since.Unix(), limit+1)
	if err != nil {
		return nil, false, err
	}
	for _, h := range hs {
		if len(out) == limit {
			return out, true, nil
		}
		ok, err := v.May(ctx, access.ReadHandIns, access.Homework(h.HomeworkID))
		if err != nil {
			return nil, false, err
		}
		if ok {
			out = append(out, h)
		}
	}
	return out, false, nil
}
