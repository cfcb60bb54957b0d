package messaging

import (
	"context"
	"database/sql"
	"errors"
	"sort"
	"strings"
	"time"

	"cartable/internal/access"
	"cartable/internal/check"
	"cartable/internal/db"
	"cartable/internal/files"
	"cartable/internal/roles"
)

// people returns the named people among ids, by name.
func people(ctx context.Context, q db.Querier, list []string) ([]Person, error) {
	if len(list) == 0 {
		return nil, nil
	}
	rows, err := q.Query(ctx, `SELECT id, first_name, last_name, profile FROM people WHERE `+db.In(q, "id")+
		` ORDER BY last_name, first_name, id`, db.ListArg(q, list))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Person
	for rows.Next() {
		var p Person
		if err := rows.Scan(&p.ID, &p.FirstName, &p.LastName, &p.Profile); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

func participants(ctx context.Context, q db.Querier, conv string) ([]Person, error) {
	rows, err := q.Query(ctx, `SELECT p.id, p.first_name, p.last_name, p.profile FROM msg_participants m
		JOIN people p ON p.id = m.person_id WHERE m.conversation_id = ? ORDER BY p.last_name, p.first_name, p.id`, conv)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Person
	for rows.Next() {
		var p Person
		if err := rows.Scan(&p.ID, &p.FirstName, &p.LastName, &p.Profile); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

func authorsOf(ctx context.Context, q db.Querier, conv string) (map[string]bool, error) {
	rows, err := q.Query(ctx, `SELECT DISTINCT author_id FROM msg_messages WHERE conversation_id = ?`, conv)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out[id] = true
	}
	return out, rows.Err()
}

// Folder lists v's conversations in folder, newest first (page from 0).
func (s *Service) Folder(ctx context.Context, v *access.Viewer, folder string, page int) ([]Summary, error) {
	switch folder {
	case Inbox, Sent, Archive, Trash:
	default:
		return nil, check.Problems{{Field: "folder", Code: "unknown", Value: folder}}
	}
	if v == nil || v.IsSystem() || v.ID == "" {
		return nil, access.Refuse("read-conversation", access.Person(""), "no person")
	}
	if page < 0 {
		page = 0
	}
	rows, err := s.DB.Query(ctx, `SELECT c.id, c.subject, p.last_at, p.read_at, c.created_by FROM msg_participants p
		JOIN msg_conversations c ON c.id = p.conversation_id
		WHERE p.person_id = ? AND p.folder = ? ORDER BY p.last_at DESC, c.id LIMIT ? OFFSET ?`,
		v.ID, folder, PageSize, page*PageSize)
	if err != nil {
		return nil, err
	}
	var out []Summary
	var convs []string
	creators := map[string]string{}
	for rows.Next() {
		var sm Summary
		var last, read int64
		var creator string
		if err := rows.Scan(&sm.ID, &sm.Subject, &last, &read, &creator); err != nil {
			rows.Close()
			return nil, err
		}
		sm.LastAt, sm.Unread, sm.Folder = time.Unix(last, 0), read == 0, folder
		out = append(out, sm)
		convs = append(convs, sm.ID)
		creators[sm.ID] = creator
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(out) == 0 {
		return out, err
	}
	// The other participants of the page, in one query.
	rows, err = s.DB.Query(ctx, `SELECT m.conversation_id, p.id, p.first_name, p.last_name, p.profile FROM msg_participants m
		JOIN people p ON p.id = m.person_id WHERE `+db.In(s.DB, "m.conversation_id")+` AND m.person_id <> ?
		ORDER BY p.last_name, p.first_name, p.id`, db.ListArg(s.DB, convs), v.ID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	idx := map[string]int{}
	for i, sm := range out {
		idx[sm.ID] = i
	}
	type row struct {
		conv string
		p    Person
	}
	var found []row
	var list []string
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.conv, &r.p.ID, &r.p.FirstName, &r.p.LastName, &r.p.Profile); err != nil {
			return nil, err
		}
		found = append(found, r)
		list = append(list, r.p.ID)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// As in Open: the people v may know by name, and the conversation's
	// first author; the others are counted.
	known, err := v.Visible(ctx, access.ReadName, uniq(list))
	if err != nil {
		return nil, err
	}
	for _, r := range found {
		sm := &out[idx[r.conv]]
		if len(sm.With) < 3 && (known[r.p.ID] || r.p.ID == creators[r.conv]) {
			sm.With = append(sm.With, r.p)
		} else {
			sm.Others++
		}
	}
	return out, nil
}

// Unread counts v's unread conversations in the inbox.
func (s *Service) Unread(ctx context.Context, v *access.Viewer) (int, error) {
	if v == nil || v.IsSystem() {
		return 0, nil
	}
	var n int
	// The literals match the partial index msg_participants_unread.
	err := s.DB.QueryRow(ctx, `SELECT COUNT(*) FROM msg_participants WHERE person_id = ? AND folder = 'inbox' AND read_at = 0`,
		v.ID).Scan(&n)
	return n, err
}

// Open returns conversation conv as v reads it, and marks it read for v
// (the conversation and each message's receipt). Only a participant opens
// a conversation; anyone else, an administrator or the head included, is
// refused like for a missing one.
func (s *Service) Open(ctx context.Context, v *access.Viewer, conv string) (*Conversation, error) {
	part, err := s.participation(ctx, v, conv)
	if err != nil {
		return nil, err
	}
	c := &Conversation{ID: conv, Establishment: part.establishment, Folder: part.folder,
		Closed: part.closedAt != 0, CanClose: part.createdBy == v.ID}
	if c.Closed {
		c.ClosedAt = time.Unix(part.closedAt, 0)
	}
	if err := s.DB.QueryRow(ctx, `SELECT subject FROM msg_conversations WHERE id = ?`, conv).Scan(&c.Subject); err != nil {
		return nil, err
	}
	all, err := participants(ctx, s.DB, conv)
	if err != nil {
		return nil, err
	}
	byID := map[string]Person{}
	for _, p := range all {
		byID[p.ID] = p
	}
	authors, err := authorsOf(ctx, s.DB, conv)
	if err != nil {
		return nil, err
	}
	// A message to many is sent as in blind copy: each recipient sees the
	// people who wrote and those they may know (read-name), never the
	// names of the other families of a class.
	shown, err := shownParticipants(ctx, v, all, authors)
	if err != nil {
		return nil, err
	}
	for _, p := range all {
		if c.Closed && p.ID == part.closedBy {
			c.ClosedBy = p
		}
		if shown[p.ID] {
			c.Participants = append(c.Participants, p)
		} else {
			c.Hidden++
		}
	}
	rows, err := s.DB.Query(ctx, `SELECT id, author_id, body, created_at FROM msg_messages WHERE conversation_id = ? ORDER BY seq, created_at, id`, conv)
	if err != nil {
		return nil, err
	}
	idx := map[string]int{}
	for rows.Next() {
		var m Message
		var author string
		var at int64
		if err := rows.Scan(&m.ID, &author, &m.Body, &at); err != nil {
			rows.Close()
			return nil, err
		}
		m.Author, m.At, m.Mine = byID[author], time.Unix(at, 0), author == v.ID
		if m.Author.ID == "" {
			m.Author = Person{ID: author}
		}
		idx[m.ID] = len(c.Messages)
		c.Messages = append(c.Messages, m)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	att, err := attachmentsOf(ctx, s.DB, conv)
	if err != nil {
		return nil, err
	}
	for i := range c.Messages {
		c.Messages[i].Attachments = att[c.Messages[i].ID]
	}
	// Receipts of v's own messages.
	rows, err = s.DB.Query(ctx, `SELECT r.message_id, r.person_id, r.read_at FROM msg_receipts r
		JOIN msg_messages m ON m.id = r.message_id WHERE m.conversation_id = ? AND m.author_id = ?`, conv, v.ID)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var msg, who string
		var at int64
		if err := rows.Scan(&msg, &who, &at); err != nil {
			rows.Close()
			return nil, err
		}
		r := Receipt{Person: byID[who]}
		if r.Person.ID == "" {
			r.Person = Person{ID: who}
		}
		if at > 0 {
			r.ReadAt = time.Unix(at, 0)
		}
		m := &c.Messages[idx[msg]]
		m.Receipts = append(m.Receipts, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range c.Messages {
		sort.Slice(c.Messages[i].Receipts, func(a, b int) bool {
			x, y := c.Messages[i].Receipts[a].Person, c.Messages[i].Receipts[b].Person
			return x.LastName+x.FirstName+x.ID < y.LastName+y.FirstName+y.ID
		})
	}
	now := s.now().Unix()
	err = s.DB.Tx(ctx, func(tx *db.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE msg_participants SET read_at = ? WHERE conversation_id = ? AND person_id = ? AND read_at = 0`,
			now, conv, v.ID); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `UPDATE msg_receipts SET read_at = ? WHERE person_id = ? AND read_at = 0
			AND message_id IN (SELECT id FROM msg_messages WHERE conversation_id = ?)`, now, v.ID, conv)
		return err
	})
	return c, err
}

// shownParticipants tells which participants v sees by name: v, the
// authors of the conversation's messages, and those v may read the name of.
func shownParticipants(ctx context.Context, v *access.Viewer, all []Person, authors map[string]bool) (map[string]bool, error) {
	var list []string
	for _, p := range all {
		list = append(list, p.ID)
	}
	known, err := v.Visible(ctx, access.ReadName, list)
	if err != nil {
		return nil, err
	}
	for id := range authors {
		known[id] = true
	}
	known[v.ID] = true
	return known, nil
}

// Drafts lists v's drafts, newest first.
func (s *Service) Drafts(ctx context.Context, v *access.Viewer) ([]Draft, error) {
	if v == nil || v.IsSystem() {
		return nil, nil
	}
	rows, err := s.DB.Query(ctx, `SELECT id, conversation_id, recipients, subject, body, no_reply, updated_at FROM msg_drafts
		WHERE author_id = ? ORDER BY updated_at DESC, id LIMIT ?`, v.ID, PageSize)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Draft
	for rows.Next() {
		var d Draft
		var rec string
		var at int64
		if err := rows.Scan(&d.ID, &d.Conversation, &rec, &d.Subject, &d.Body, &d.NoReply, &at); err != nil {
			return nil, err
		}
		d.Recipients, d.UpdatedAt = strings.Fields(rec), time.Unix(at, 0)
		out = append(out, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(out) == 0 {
		return out, err
	}
	att, err := draftAttachments(ctx, s.DB, v.ID)
	if err != nil {
		return nil, err
	}
	for i := range out {
		out[i].Attachments = att[out[i].ID]
	}
	return out, nil
}

// GetDraft returns v's draft id.
func (s *Service) GetDraft(ctx context.Context, v *access.Viewer, id string) (Draft, error) {
	ds, err := s.Drafts(ctx, v)
	if err != nil {
		return Draft{}, err
	}
	for _, d := range ds {
		if d.ID == id {
			return d, nil
		}
	}
	return Draft{}, access.Refuse(access.WriteTo, access.Person(""), "no such draft")
}

// MaxCandidates bounds a recipient search.
const MaxCandidates = 30

// Search finds, by name, the people v may write to in v's establishments
// (at most MaxCandidates). The rules filter the candidates: nobody else is
// ever listed.
func (s *Service) Search(ctx context.Context, v *access.Viewer, term string) ([]Person, error) {
	term = strings.ToLower(strings.TrimSpace(term))
	if v == nil || v.IsSystem() || len([]rune(term)) < 2 || len(v.Establishments) == 0 {
		return nil, nil
	}
	like := "%" + strings.NewReplacer("%", "", "_", "").Replace(term) + "%"
	rows, err := s.DB.Query(ctx, `SELECT DISTINCT p.id, p.first_name, p.last_name, p.profile FROM people p
		JOIN memberships m ON m.person_id = p.id
		WHERE `+db.In(s.DB, "m.establishment_id")+` AND p.active AND p.id <> ?
		AND (LOWER(p.last_name) LIKE ? OR LOWER(p.first_name) LIKE ? OR LOWER(p.first_name || ' ' || p.last_name) LIKE ?)
		ORDER BY p.last_name, p.first_name, p.id LIMIT 500`, db.ListArg(s.DB, v.Establishments), v.ID, like, like, like)
	if err != nil {
		return nil, err
	}
	var found []Person
	var list []string
	for rows.Next() {
		var p Person
		if err := rows.Scan(&p.ID, &p.FirstName, &p.LastName, &p.Profile); err != nil {
			rows.Close()
			return nil, err
		}
		found = append(found, p)
		list = append(list, p.ID)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	ok, err := v.Writable(ctx, list)
	if err != nil {
		return nil, err
	}
	var out []Person
	for _, p := range found {
		if ok[p.ID] && len(out) < MaxCandidates {
			out = append(out, p)
		}
	}
	return out, nil
}

// Recipients returns the named people among ids that v may write to (a
// form's chosen recipients shown back).
func (s *Service) Recipients(ctx context.Context, v *access.Viewer, list []string) ([]Person, error) {
	ok, err := v.Writable(ctx, uniq(list))
	if err != nil {
		return nil, err
	}
	var allowed []string
	for id := range ok {
		allowed = append(allowed, id)
	}
	return people(ctx, s.DB, allowed)
}

// GroupOption is a group of recipients offered to v: every member is one
// the rules let v write to.
type GroupOption struct {
	Ref       string // "families:CLASS", "teachers:CLASS"
	Kind      string // "families" or "teachers"
	ClassName string
	Members   int
}

// classMembers lists, per class of v's establishments in open years, the
// families (legal guardians and contact relatives of active students) and
// the teachers (assigned or head teacher). classes limits the classes
// (nil: all of v's establishments).
func classMembers(ctx context.Context, q db.Querier, ests, classes []string) (names map[string]string, fam, teach map[string][]string, err error) {
	where, arg := db.In(q, "c.establishment_id"), db.ListArg(q, ests)
	if classes != nil {
		where, arg = db.In(q, "c.id"), db.ListArg(q, classes)
	}
	// Families and teachers count when attached to the class's
	// establishment: the group is the school's people.
	rows, err := q.Query(ctx, `WITH cl AS (SELECT c.id, c.name, c.establishment_id FROM classes c JOIN school_years y ON y.id = c.school_year_id
			WHERE `+where+` AND NOT y.closed)
		SELECT 'f', cl.id, cl.name, f.relative_id FROM cl JOIN enrolments e ON e.class_id = cl.id
			JOIN people s ON s.id = e.student_id JOIN family_links f ON f.student_id = s.id
			JOIN people r ON r.id = f.relative_id
			JOIN memberships rm ON rm.person_id = r.id AND rm.establishment_id = cl.establishment_id
			WHERE s.active AND r.active AND (f.legal_guardian OR f.contact)
		UNION SELECT 't', cl.id, cl.name, a.teacher_id FROM cl JOIN teaching_assignments a ON a.class_id = cl.id
		UNION SELECT 't', cl.id, cl.name, h.teacher_id FROM cl JOIN head_teachers h ON h.class_id = cl.id
		UNION SELECT '', cl.id, cl.name, '' FROM cl`, arg)
	if err != nil {
		return nil, nil, nil, err
	}
	defer rows.Close()
	names, fam, teach = map[string]string{}, map[string][]string{}, map[string][]string{}
	for rows.Next() {
		var kind, class, name, person string
		if err := rows.Scan(&kind, &class, &name, &person); err != nil {
			return nil, nil, nil, err
		}
		names[class] = name
		switch kind {
		case "f":
			fam[class] = append(fam[class], person)
		case "t":
			teach[class] = append(teach[class], person)
		}
	}
	return names, fam, teach, rows.Err()
}

// Groups lists the groups of recipients v may use: "the families of class
// X" and "the teachers of class X" when the rules let v write to every
// member. Students get none.
func (s *Service) Groups(ctx context.Context, v *access.Viewer) ([]GroupOption, error) {
	if v == nil || v.IsSystem() || v.Profile == roles.Student || v.Profile == roles.Relative || len(v.Establishments) == 0 {
		return nil, nil
	}
	names, fam, teach, err := classMembers(ctx, s.DB, v.Establishments, nil)
	if err != nil {
		return nil, err
	}
	var all []string
	for _, m := range fam {
		all = append(all, m...)
	}
	for _, m := range teach {
		all = append(all, m...)
	}
	ok, err := v.Writable(ctx, uniq(all))
	if err != nil {
		return nil, err
	}
	every := func(m []string) bool {
		m = slicesWithout(m, v.ID)
		for _, id := range m {
			if !ok[id] {
				return false
			}
		}
		return len(m) > 0
	}
	var out []GroupOption
	for class, name := range names {
		if m := uniq(fam[class]); every(m) {
			out = append(out, GroupOption{Ref: "families:" + class, Kind: "families", ClassName: name, Members: len(m)})
		}
		if m := uniq(teach[class]); every(m) {
			out = append(out, GroupOption{Ref: "teachers:" + class, Kind: "teachers", ClassName: name, Members: len(slicesWithout(m, v.ID))})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].ClassName != out[j].ClassName {
			return out[i].ClassName < out[j].ClassName
		}
		return out[i].Kind < out[j].Kind
	})
	return out, nil
}

func slicesWithout(list []string, id string) []string {
	var out []string
	for _, s := range list {
		if s != id {
			out = append(out, s)
		}
	}
	return out
}

// groupMembers expands group refs into people; an unknown or malformed ref
// is refused. Whether v may write to each member is Send's to check.
func (s *Service) groupMembers(ctx context.Context, v *access.Viewer, refs []string) ([]string, error) {
	var classes []string
	for _, r := range refs {
		kind, class, ok := strings.Cut(r, ":")
		if !ok || (kind != "families" && kind != "teachers") || class == "" {
			return nil, check.Problems{{Field: "recipients", Code: "unknown-group", Value: ""}}
		}
		classes = append(classes, class)
	}
	names, fam, teach, err := classMembers(ctx, s.DB, v.Establishments, classes)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, r := range refs {
		kind, class, _ := strings.Cut(r, ":")
		if _, ok := names[class]; !ok {
			return nil, check.Problems{{Field: "recipients", Code: "unknown-group", Value: ""}}
		}
		// A class of another establishment is unknown: v.Establishments
		// is checked below through the rules on each member, and the
		// class must belong to one of them.
		if kind == "families" {
			out = append(out, fam[class]...)
		} else {
			out = append(out, teach[class]...)
		}
	}
	if err := s.classesIn(ctx, v, classes); err != nil {
		return nil, err
	}
	return out, nil
}

// classesIn refuses a class outside v's establishments.
func (s *Service) classesIn(ctx context.Context, v *access.Viewer, classes []string) error {
	var n int
	if err := s.DB.QueryRow(ctx, `SELECT COUNT(DISTINCT id) FROM classes WHERE `+db.In(s.DB, "id")+` AND `+
		db.In(s.DB, "establishment_id"), db.ListArg(s.DB, uniq(classes)), db.ListArg(s.DB, v.Establishments)).Scan(&n); err != nil {
		return err
	}
	if n != len(uniq(classes)) {
		return check.Problems{{Field: "recipients", Code: "unknown-group", Value: ""}}
	}
	return nil
}

// ReportItem is a reported message in school life's queue: the message
// alone (not its conversation), its author and who reported it, why.
type ReportItem struct {
	ID       string
	Message  Message
	Subject  string
	Reporter Person
	Reason   string
	At       time.Time
	Closed   bool
}

// Reports lists establishment est's reported messages, open ones first,
// for its school-life office (CPE, head, deputy).
func (s *Service) Reports(ctx context.Context, v *access.Viewer, est string) ([]ReportItem, error) {
	if err := v.Can(ctx, access.ManageSchoolLife, access.Establishment(est)); err != nil {
		return nil, err
	}
	rows, err := s.DB.Query(ctx, `SELECT r.id, r.reason, r.created_at, r.closed_at, m.id, m.body, m.created_at, c.subject,
			a.id, a.first_name, a.last_name, a.profile, p.id, p.first_name, p.last_name, p.profile
		FROM msg_reports r JOIN msg_messages m ON m.id = r.message_id
		JOIN msg_conversations c ON c.id = m.conversation_id
		JOIN people a ON a.id = m.author_id JOIN people p ON p.id = r.reporter_id
		WHERE r.establishment_id = ? ORDER BY CASE WHEN r.closed_at = 0 THEN 0 ELSE 1 END, r.created_at DESC, r.id LIMIT 200`, est)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ReportItem
	for rows.Next() {
		var it ReportItem
		var at, closed, mAt int64
		if err := rows.Scan(&it.ID, &it.Reason, &at, &closed, &it.Message.ID, &it.Message.Body, &mAt, &it.Subject,
			&it.Message.Author.ID, &it.Message.Author.FirstName, &it.Message.Author.LastName, &it.Message.Author.Profile,
			&it.Reporter.ID, &it.Reporter.FirstName, &it.Reporter.LastName, &it.Reporter.Profile); err != nil {
			return nil, err
		}
		it.At, it.Closed, it.Message.At = time.Unix(at, 0), closed > 0, time.Unix(mAt, 0)
		out = append(out, it)
	}
	return out, rows.Err()
}

// Retention returns establishment est's retention in days, for its head.
func (s *Service) Retention(ctx context.Context, v *access.Viewer, est string) (int, error) {
	if err := v.Can(ctx, access.ManageCommRules, access.Establishment(est)); err != nil {
		return 0, err
	}
	return retention(ctx, s.DB, est)
}

func retention(ctx context.Context, q db.Querier, est string) (int, error) {
	var days int
	err := q.QueryRow(ctx, `SELECT retention_days FROM msg_settings WHERE establishment_id = ?`, est).Scan(&days)
	if errors.Is(err, sql.ErrNoRows) {
		return DefaultRetentionDays, nil
	}
	return days, err
}

// Purge deletes the conversations untouched for longer than their
// establishment's retention (messages, receipts and reports with them) and
// drafts as old; the daily purge calls it as the system. It returns the
// number of conversations deleted.
func Purge(ctx context.Context, v *access.Viewer, q db.Querier, now time.Time) (int, error) {
	if !v.IsSystem() {
		return 0, access.Refuse(access.ManageCommRules, access.Instance(), "the purge is the instance's")
	}
	rows, err := q.Query(ctx, `SELECT e.id, COALESCE(s.retention_days, 0) FROM establishments e
		LEFT JOIN msg_settings s ON s.establishment_id = e.id`)
	if err != nil {
		return 0, err
	}
	days := map[string]int{}
	for rows.Next() {
		var e string
		var d int
		if err := rows.Scan(&e, &d); err != nil {
			rows.Close()
			return 0, err
		}
		if d == 0 {
			d = DefaultRetentionDays
		}
		days[e] = min(max(d, MinRetentionDays), MaxRetentionDays)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	total := 0
	for e, d := range days {
		before := now.Add(-time.Duration(d) * 24 * time.Hour).Unix()
		// The attachments' records go with their messages; deleting them
		// queues their blobs for erasure (files.DeleteRecords).
		rows, err := q.Query(ctx, `SELECT a.file_id FROM msg_attachments a JOIN msg_messages m ON m.id = a.message_id
			JOIN msg_conversations c ON c.id = m.conversation_id WHERE c.establishment_id = ? AND c.last_at < ?`, e, before)
		if err != nil {
			return total, err
		}
		var fileIDs []string
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return total, err
			}
			fileIDs = append(fileIDs, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return total, err
		}
		// Drafts as old go with their files.
		drafted, err := db.Strings(ctx, q, `SELECT a.file_id FROM msg_draft_attachments a JOIN msg_drafts d ON d.id = a.draft_id
			WHERE d.establishment_id = ? AND d.updated_at < ?`, e, before)
		if err != nil {
			return total, err
		}
		fileIDs = append(fileIDs, drafted...)
		// Children first: PostgreSQL cascades, SQLite may run without
		// foreign keys enforced in some tools.
		for _, st := range []string{
			`DELETE FROM msg_attachments WHERE message_id IN (SELECT m.id FROM msg_messages m JOIN msg_conversations c ON c.id = m.conversation_id WHERE c.establishment_id = ? AND c.last_at < ?)`,
			`DELETE FROM msg_reports WHERE message_id IN (SELECT m.id FROM msg_messages m JOIN msg_conversations c ON c.id = m.conversation_id WHERE c.establishment_id = ? AND c.last_at < ?)`,
			`DELETE FROM msg_receipts WHERE message_id IN (SELECT m.id FROM msg_messages m JOIN msg_conversations c ON c.id = m.conversation_id WHERE c.establishment_id = ? AND c.last_at < ?)`,
			`DELETE FROM msg_messages WHERE conversation_id IN (SELECT id FROM msg_conversations WHERE establishment_id = ? AND last_at < ?)`,
			`DELETE FROM msg_participants WHERE conversation_id IN (SELECT id FROM msg_conversations WHERE establishment_id = ? AND last_at < ?)`,
			`DELETE FROM msg_draft_attachments WHERE draft_id IN (SELECT id FROM msg_drafts WHERE establishment_id = ? AND updated_at < ?)`,
			`DELETE FROM msg_drafts WHERE establishment_id = ? AND updated_at < ?`,
		} {
			if _, err := q.Exec(ctx, st, e, before); err != nil {
				return total, err
			}
		}
		if _, err := files.DeleteRecords(ctx, q, fileIDs); err != nil {
			return total, err
		}
		res, err := q.Exec(ctx, `DELETE FROM msg_conversations WHERE establishment_id = ? AND last_at < ?`, e, before)
		if err != nil {
			return total, err
		}
		n, _ := res.RowsAffected()
		total += int(n)
	}
	return total, nil
}

// Unreachable is a person v knows (may read the name of) but may not
// write to, with the rule that says so.
type Unreachable struct {
	Person Person
	Why    access.Why
}

// WhyNot finds, by name, the people of v's establishments whom v may read
// the name of but not write to, each with the rule in words: the answer
// to "why can't I write to X?". People v does not know are never listed.
func (s *Service) WhyNot(ctx context.Context, v *access.Viewer, term string) ([]Unreachable, error) {
	term = strings.ToLower(strings.TrimSpace(term))
	if v == nil || v.IsSystem() || len([]rune(term)) < 2 || len(v.Establishments) == 0 {
		return nil, nil
	}
	like := "%" + strings.NewReplacer("%", "", "_", "").Replace(term) + "%"
	rows, err := s.DB.Query(ctx, `SELECT DISTINCT p.id, p.first_name, p.last_name, p.profile FROM people p
		JOIN memberships m ON m.person_id = p.id
		WHERE `+db.In(s.DB, "m.establishment_id")+` AND p.id <> ?
		AND (LOWER(p.last_name) LIKE ? OR LOWER(p.first_name) LIKE ? OR LOWER(p.first_name || ' ' || p.last_name) LIKE ?)
		ORDER BY p.last_name, p.first_name, p.id LIMIT 500`, db.ListArg(s.DB, v.Establishments), v.ID, like, like, like)
	if err != nil {
		return nil, err
	}
	var found []Person
	var list []string
	for rows.Next() {
		var p Person
		if err := rows.Scan(&p.ID, &p.FirstName, &p.LastName, &p.Profile); err != nil {
			rows.Close()
			return nil, err
		}
		found = append(found, p)
		list = append(list, p.ID)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	known, err := v.Visible(ctx, access.ReadName, list)
	if err != nil {
		return nil, err
	}
	ok, err := v.Writable(ctx, list)
	if err != nil {
		return nil, err
	}
	var out []Unreachable
	for _, p := range found {
		if !known[p.ID] || ok[p.ID] || len(out) >= MaxCandidates {
			continue
		}
		why, err := v.WhyWrite(ctx, p.ID)
		if err != nil {
			return nil, err
		}
		out = append(out, Unreachable{Person: p, Why: why})
	}
	return out, nil
}
