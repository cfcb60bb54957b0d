package messaging

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"cartable/internal/access"
	"cartable/internal/audit"
	"cartable/internal/check"
	"cartable/internal/db"
	"cartable/internal/files"
	"cartable/internal/ids"
	"cartable/internal/notify"
	"cartable/internal/richtext"
	"cartable/internal/roles"
)

// Compose is the form of a new message.
type Compose struct {
	Recipients  []string // person IDs
	Groups      []string // "families:CLASS" or "teachers:CLASS" (GroupOption.Ref)
	Subject     string
	Body        string // rich text as typed
	DraftID     string // the draft this message was; deleted once sent, its attachments going with the message
	Attachments []Upload
	// NoReply: the recipients cannot answer (the conversation is closed
	// when written); staff and teachers only.
	NoReply bool
}

// Refused is a recipient the rules refuse: the send is refused whole and
// nothing is written. Name is empty when the sender may not even read the
// person's name (a forged identifier).
type Refused struct {
	PersonID string
	Name     string
	Why      access.Why
}

func (r *Refused) Error() string { return "messaging: recipient refused by rule " + r.Why.RuleID }

// Is makes a refusal an access refusal for callers that only test that.
func (r *Refused) Is(target error) bool { return target == access.ErrDenied }

func cleanSubject(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == utf8.RuneError {
			return ' '
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

// cleanBody sanitises a body and adds its faults to ps.
func cleanBody(ps *check.Problems, body string) string {
	html, findings := richtext.Clean(body)
	for _, f := range findings {
		if f.Kind == "too-long" {
			ps.Add("body", "too-long", strconv.Itoa(MaxBody))
			return ""
		}
		ps.Add("body", "active-content", f.Kind)
		return ""
	}
	switch {
	case strings.TrimSpace(richtext.Text(html)) == "":
		ps.Add("body", "required", "")
	case len(html) > MaxBody:
		ps.Add("body", "too-long", strconv.Itoa(MaxBody))
	}
	return html
}

func uniq(list []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, s := range list {
		s = strings.TrimSpace(s)
		if s != "" && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// Send writes a new conversation from v to the recipients and the members
// of the groups, and announces it to each. Every recipient must be one the
// rules let v write to: the first refused one comes back as *Refused and
// nothing is written (the draft, if any, is kept). Faults of the form come
// back as check.Problems. It returns the conversation's ID.
func (s *Service) Send(ctx context.Context, v *access.Viewer, in Compose) (string, error) {
	var ps check.Problems
	subject := cleanSubject(in.Subject)
	switch n := utf8.RuneCountInString(subject); {
	case n == 0:
		ps.Add("subject", "required", "")
	case n > MaxSubject:
		ps.Add("subject", "too-long", strconv.Itoa(MaxSubject))
	}
	body := cleanBody(&ps, in.Body)
	student := v.Profile == roles.Student
	groups := uniq(in.Groups)
	if student && len(groups) > 0 {
		ps.Add("recipients", "no-groups-for-students", "")
	}
	recipients := uniq(in.Recipients)
	if len(groups) > 0 && !student {
		members, err := s.groupMembers(ctx, v, groups)
		if err != nil {
			return "", err
		}
		recipients = uniq(append(recipients, members...))
	}
	recipients = slices.DeleteFunc(recipients, func(id string) bool { return id == v.ID })
	switch {
	case len(recipients) == 0:
		ps.Add("recipients", "required", "")
	case student && len(recipients) > MaxStudentRecipients:
		ps.Add("recipients", "too-many", strconv.Itoa(MaxStudentRecipients))
	case len(recipients) > MaxRecipients:
		ps.Add("recipients", "too-many", strconv.Itoa(MaxRecipients))
	}
	if in.NoReply && (student || v.Profile == roles.Relative) {
		ps.Add("noreply", "staff-only", "")
	}
	dr, _, err := s.ownDraft(ctx, v, in.DraftID)
	if err != nil {
		return "", err
	}
	if len(in.Attachments)+len(dr.files) > MaxAttachments {
		ps.Add("attachments", "too-many-files", strconv.Itoa(MaxAttachments))
	}
	if len(ps) > 0 {
		return "", ps
	}
	if err := s.allowed(ctx, v, recipients, nil); err != nil {
		return "", err
	}
	// The draft's files are sealed under its establishment's key: the
	// conversation belongs there when the first recipient is attached to it.
	est, err := establishmentIn(ctx, s.DB, v, recipients[0], dr.establishment)
	if err != nil {
		return "", err
	}
	var conv string
	var saved []files.File
	err = s.DB.Tx(ctx, func(tx *db.Tx) error {
		var err error
		if saved, err = s.saveUploads(ctx, v, tx, est, in.Attachments); err != nil {
			return err
		}
		at := s.now().Unix()
		conv, err = write(ctx, v, tx, est, v.ID, subject, body, recipients, at, true, append(dr.files, saved...))
		if err != nil {
			return err
		}
		if in.NoReply {
			if _, err := tx.Exec(ctx, `UPDATE msg_conversations SET closed_at = ?, closed_by = ? WHERE id = ?`, at, v.ID, conv); err != nil {
				return err
			}
		}
		return dropDraft(ctx, tx, v, dr.id)
	})
	if err != nil && saved != nil {
		s.discard(ctx, saved)
	}
	return conv, err
}

// allowed refuses the first recipient v may not write to, unless repliers
// (people who wrote in the conversation being answered) holds them: the
// "reply" rule, so that whoever received a message may answer its author.
func (s *Service) allowed(ctx context.Context, v *access.Viewer, recipients []string, repliers map[string]bool) error {
	ok, err := v.Writable(ctx, recipients)
	if err != nil {
		return err
	}
	for _, id := range recipients {
		if ok[id] || repliers[id] {
			continue
		}
		why, err := v.WhyWrite(ctx, id)
		if err != nil {
			return err
		}
		r := &Refused{PersonID: id, Why: why}
		if may, err := v.May(ctx, access.ReadName, access.Person(id)); err != nil {
			return err
		} else if may {
			p, err := people(ctx, s.DB, []string{id})
			if err != nil {
				return err
			}
			if len(p) == 1 {
				r.Name = p[0].Name()
			}
		}
		return r
	}
	return nil
}

// write inserts a conversation and its first message in tx and notifies
// the recipients. The caller asked the rules.
func write(ctx context.Context, v *access.Viewer, tx db.Querier, est, author, subject, body string, recipients []string, at int64, announce bool, att []files.File) (string, error) {
	conv := ids.For(ctx)
	if _, err := tx.Exec(ctx, `INSERT INTO msg_conversations (id, establishment_id, subject, created_by, created_at, last_at)
		VALUES (?, ?, ?, ?, ?, ?)`, conv, est, subject, author, at, at); err != nil {
		return "", err
	}
	if _, err := tx.Exec(ctx, `INSERT INTO msg_participants (conversation_id, person_id, folder, read_at, last_at) VALUES (?, ?, ?, ?, ?)`,
		conv, author, Sent, at, at); err != nil {
		return "", err
	}
	for _, r := range recipients {
		if _, err := tx.Exec(ctx, `INSERT INTO msg_participants (conversation_id, person_id, folder, read_at, last_at) VALUES (?, ?, ?, 0, ?)`,
			conv, r, Inbox, at); err != nil {
			return "", err
		}
	}
	if err := addMessage(ctx, v, tx, est, conv, author, body, recipients, at, announce, att); err != nil {
		return "", err
	}
	return conv, nil
}

// addMessage inserts a message, its receipts, and (announce) one notice per
// recipient.
func addMessage(ctx context.Context, v *access.Viewer, tx db.Querier, est, conv, author, body string, recipients []string, at int64, announce bool, att []files.File) error {
	msg := ids.For(ctx)
	if _, err := tx.Exec(ctx, `INSERT INTO msg_messages (id, conversation_id, author_id, body, created_at, seq)
		VALUES (?, ?, ?, ?, ?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM msg_messages WHERE conversation_id = ?))`,
		msg, conv, author, body, at, conv); err != nil {
		return err
	}
	if err := attach(ctx, tx, msg, att); err != nil {
		return err
	}
	var from string
	if err := tx.QueryRow(ctx, `SELECT first_name || ' ' || last_name FROM people WHERE id = ?`, author).Scan(&from); err != nil {
		return err
	}
	for _, r := range recipients {
		if _, err := tx.Exec(ctx, `INSERT INTO msg_receipts (message_id, person_id, read_at) VALUES (?, ?, 0)`, msg, r); err != nil {
			return err
		}
		if !announce {
			continue
		}
		// The notice names the sender, never the subject or the text.
		if _, err := notify.Queue(ctx, v, tx, notify.Notice{Establishment: est, Recipient: r, Kind: "message",
			Key: "message/" + msg, Args: map[string]string{"from": from}, Link: "/messages/c/" + conv}); err != nil {
			return err
		}
	}
	return nil
}

// Reply answers conversation conv: to every other participant, or, with
// staffOnly, to those who are neither students nor relatives ("reply to
// all except parents and students"). A recipient the rules refuse is
// allowed only if they wrote in the conversation (the reply rule).
func (s *Service) Reply(ctx context.Context, v *access.Viewer, conv, body string, staffOnly bool, att ...Upload) error {
	return s.Answer(ctx, v, Answer{Conversation: conv, Body: body, StaffOnly: staffOnly, Attachments: att})
}

// Answer is a reply's form.
type Answer struct {
	Conversation string
	Body         string
	StaffOnly    bool   // "reply to all except parents and students"
	DraftID      string // the draft of this answer: its attachments go with it, it is deleted once sent
	Attachments  []Upload
}

// Answer sends an answer (see Reply). A closed discussion is answered by
// nobody: check.Problems on "conversation" (code "closed"), nothing
// written, the draft kept.
func (s *Service) Answer(ctx context.Context, v *access.Viewer, in Answer) error {
	conv, body, staffOnly, att := in.Conversation, in.Body, in.StaffOnly, in.Attachments
	c, err := s.participation(ctx, v, conv)
	if err != nil {
		return err
	}
	dr, _, err := s.ownDraft(ctx, v, in.DraftID)
	if err != nil {
		return err
	}
	if dr.id != "" && dr.conversation != conv {
		return access.Refuse(access.WriteTo, access.Person(""), "a draft of another conversation")
	}
	var ps check.Problems
	if c.closedAt != 0 {
		ps.Add("conversation", "closed", "")
		return ps
	}
	html := cleanBody(&ps, body)
	if len(att)+len(dr.files) > MaxAttachments {
		ps.Add("attachments", "too-many-files", strconv.Itoa(MaxAttachments))
	}
	if len(ps) > 0 {
		return ps
	}
	parts, err := participants(ctx, s.DB, conv)
	if err != nil {
		return err
	}
	var to []string
	for _, p := range parts {
		if p.ID == v.ID || (staffOnly && (p.Profile == roles.Student || p.Profile == roles.Relative)) {
			continue
		}
		to = append(to, p.ID)
	}
	if len(to) == 0 {
		ps.Add("recipients", "required", "")
		return ps
	}
	if v.Profile == roles.Student && len(to) > MaxStudentRecipients {
		ps.Add("recipients", "too-many", strconv.Itoa(MaxStudentRecipients))
		return ps
	}
	authors, err := authorsOf(ctx, s.DB, conv)
	if err != nil {
		return err
	}
	if err := s.allowed(ctx, v, to, authors); err != nil {
		return err
	}
	at := s.now().Unix()
	var saved []files.File
	err = s.DB.Tx(ctx, func(tx *db.Tx) error {
		var err error
		if saved, err = s.saveUploads(ctx, v, tx, c.establishment, att); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE msg_conversations SET last_at = ? WHERE id = ?`, at, conv); err != nil {
			return err
		}
		// The answer comes back to each recipient's inbox, wherever they
		// had put the conversation.
		for _, id := range to {
			if _, err := tx.Exec(ctx, `UPDATE msg_participants SET folder = ?, read_at = 0, last_at = ? WHERE conversation_id = ? AND person_id = ?`,
				Inbox, at, conv, id); err != nil {
				return err
			}
		}
		folder := c.folder
		if folder == Trash {
			folder = Inbox
		}
		if _, err := tx.Exec(ctx, `UPDATE msg_participants SET folder = ?, read_at = ?, last_at = ? WHERE conversation_id = ? AND person_id = ?`,
			folder, at, at, conv, v.ID); err != nil {
			return err
		}
		if err := addMessage(ctx, v, tx, c.establishment, conv, v.ID, html, to, at, true, append(dr.files, saved...)); err != nil {
			return err
		}
		return dropDraft(ctx, tx, v, dr.id)
	})
	if err != nil && saved != nil {
		s.discard(ctx, saved)
	}
	return err
}

type participation struct {
	establishment, folder string
	closedAt              int64  // 0: open
	closedBy, createdBy   string // who closed it, who started it
}

// participation returns v's place in conv; a conversation v is not part of
// is refused like a missing one, whoever v is.
func (s *Service) participation(ctx context.Context, v *access.Viewer, conv string) (participation, error) {
	var p participation
	if v == nil || v.IsSystem() || v.ID == "" {
		return p, access.Refuse("read-conversation", access.Resource{Kind: "conversation", ID: conv}, "no person")
	}
	err := s.DB.QueryRow(ctx, `SELECT c.establishment_id, p.folder, c.closed_at, c.closed_by, c.created_by FROM msg_participants p
		JOIN msg_conversations c ON c.id = p.conversation_id
		WHERE p.conversation_id = ? AND p.person_id = ?`, conv, v.ID).Scan(&p.establishment, &p.folder, &p.closedAt, &p.closedBy, &p.createdBy)
	if errors.Is(err, sql.ErrNoRows) {
		return p, access.Refuse("read-conversation", access.Resource{Kind: "conversation", ID: conv}, "not a participant")
	}
	return p, err
}

// Close closes conversation conv to answers (closed true) or reopens it,
// as the person who started it; its participants still read it. Anyone
// else is refused (a non-participant like for a missing conversation).
func (s *Service) Close(ctx context.Context, v *access.Viewer, conv string, closed bool) error {
	c, err := s.participation(ctx, v, conv)
	if err != nil {
		return err
	}
	if c.createdBy != v.ID {
		return access.Refuse("close-conversation", access.Resource{Kind: "conversation", ID: conv}, "not its author")
	}
	at, by := s.now().Unix(), v.ID
	if !closed {
		at, by = 0, ""
	}
	_, err = s.DB.Exec(ctx, `UPDATE msg_conversations SET closed_at = ?, closed_by = ? WHERE id = ?`, at, by, conv)
	return err
}

// Move puts conversation conv in one of v's folders (inbox, archive,
// trash; a conversation v started may go back to sent).
func (s *Service) Move(ctx context.Context, v *access.Viewer, conv, folder string) error {
	if _, err := s.participation(ctx, v, conv); err != nil {
		return err
	}
	switch folder {
	case Inbox, Archive, Trash, Sent:
	default:
		return check.Problems{{Field: "folder", Code: "unknown", Value: folder}}
	}
	_, err := s.DB.Exec(ctx, `UPDATE msg_participants SET folder = ? WHERE conversation_id = ? AND person_id = ?`, folder, conv, v.ID)
	return err
}

// MaxReason bounds a report's reason.
const MaxReason = 1000

// Report sends message msg, which v received, to the school-life office of
// its conversation's establishment, with a reason. Reporting twice keeps
// the first report.
func (s *Service) Report(ctx context.Context, v *access.Viewer, msg, reason string) error {
	var conv, author string
	err := s.DB.QueryRow(ctx, `SELECT conversation_id, author_id FROM msg_messages WHERE id = ?`, msg).Scan(&conv, &author)
	if errors.Is(err, sql.ErrNoRows) {
		return access.Refuse("report-message", access.Resource{Kind: "message", ID: msg}, "no such message")
	}
	if err != nil {
		return err
	}
	c, err := s.participation(ctx, v, conv)
	if err != nil {
		return err
	}
	var ps check.Problems
	reason = strings.TrimSpace(reason)
	switch n := utf8.RuneCountInString(reason); {
	case author == v.ID:
		ps.Add("message", "own-message", "")
	case n == 0:
		ps.Add("reason", "required", "")
	case n > MaxReason:
		ps.Add("reason", "too-long", strconv.Itoa(MaxReason))
	}
	if len(ps) > 0 {
		return ps
	}
	at := s.now().Unix()
	return s.DB.Tx(ctx, func(tx *db.Tx) error {
		id := ids.For(ctx)
		res, err := tx.Exec(ctx, `INSERT INTO msg_reports (id, establishment_id, message_id, reporter_id, reason, created_at)
			VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (message_id, reporter_id) DO NOTHING`, id, c.establishment, msg, v.ID, reason, at)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		rows, err := tx.Query(ctx, `SELECT f.person_id FROM functions f JOIN memberships m
			ON m.person_id = f.person_id AND m.establishment_id = f.establishment_id
			JOIN people p ON p.id = f.person_id
			WHERE f.establishment_id = ? AND f.function = ? AND p.active`, c.establishment, roles.CPE)
		if err != nil {
			return err
		}
		var cpes []string
		for rows.Next() {
			var p string
			if err := rows.Scan(&p); err != nil {
				rows.Close()
				return err
			}
			cpes = append(cpes, p)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, p := range cpes {
			if _, err := notify.Queue(ctx, v, tx, notify.Notice{Establishment: c.establishment, Recipient: p, Kind: "message-report",
				Key: "message-report/" + id, Link: "/messages/reports"}); err != nil {
				return err
			}
		}
		return nil
	})
}

// CloseReport marks a report dealt with, as school life.
func (s *Service) CloseReport(ctx context.Context, v *access.Viewer, id string) error {
	var est string
	err := s.DB.QueryRow(ctx, `SELECT establishment_id FROM msg_reports WHERE id = ?`, id).Scan(&est)
	if errors.Is(err, sql.ErrNoRows) {
		return access.Refuse(access.ManageSchoolLife, access.Resource{Kind: "report", ID: id}, "no such report")
	}
	if err != nil {
		return err
	}
	if err := v.Can(ctx, access.ManageSchoolLife, access.Establishment(est)); err != nil {
		return err
	}
	_, err = s.DB.Exec(ctx, `UPDATE msg_reports SET closed_at = ? WHERE id = ? AND closed_at = 0`, s.now().Unix(), id)
	return err
}

// SetRetention sets how many days establishment est keeps conversations
// untouched, as its head, within the bounds.
func (s *Service) SetRetention(ctx context.Context, v *access.Viewer, est string, days int) error {
	if err := v.Can(ctx, access.ManageCommRules, access.Establishment(est)); err != nil {
		return err
	}
	if days < MinRetentionDays || days > MaxRetentionDays {
		return check.Problems{{Field: "retention", Code: "out-of-range", Value: fmt.Sprintf("%d-%d", MinRetentionDays, MaxRetentionDays)}}
	}
	_, err := s.DB.Exec(ctx, `INSERT INTO msg_settings (establishment_id, retention_days) VALUES (?, ?)
		ON CONFLICT (establishment_id) DO UPDATE SET retention_days = excluded.retention_days`, est, days)
	return err
}

// Rules returns establishment est's communication rules, cell by cell,
// for its head (access.Viewer.CommMatrix).
func (s *Service) Rules(ctx context.Context, v *access.Viewer, est string) ([]access.CommCell, error) {
	return v.CommMatrix(ctx, est)
}

// SetRule sets one cell of establishment est's rules, as its head; a
// change is recorded in the audit trail (who, which establishment, which
// cell).
func (s *Service) SetRule(ctx context.Context, v *access.Viewer, est, ruleID string, scope access.CommScope) error {
	cells, err := v.CommMatrix(ctx, est)
	if err != nil {
		return err
	}
	for _, c := range cells {
		if c.Rule.ID == ruleID && c.Scope == scope {
			return nil // unchanged
		}
	}
	if err := v.SetCommRule(ctx, s.DB, est, ruleID, scope); err != nil {
		return err
	}
	return audit.Record(ctx, s.DB, audit.Event{ActorID: v.ID, EstablishmentID: est, Action: "comm-rule-changed",
		Target: "comm-rule:" + ruleID + "=" + string(scope), Outcome: audit.Success, At: s.now()})
}

// RuleEstablishments are the establishments whose rules v edits (head).
func (s *Service) RuleEstablishments(ctx context.Context, v *access.Viewer) ([]string, error) {
	return establishmentsWhere(ctx, v, access.ManageCommRules)
}

// ReportEstablishments are the establishments whose reported messages v
// reads (school life).
func (s *Service) ReportEstablishments(ctx context.Context, v *access.Viewer) ([]string, error) {
	return establishmentsWhere(ctx, v, access.ManageSchoolLife)
}

func establishmentsWhere(ctx context.Context, v *access.Viewer, a access.Action) ([]string, error) {
	var out []string
	if v == nil {
		return nil, nil
	}
	for _, e := range v.Establishments {
		ok, err := v.May(ctx, a, access.Establishment(e))
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, e)
		}
	}
	return out, nil
}

// SetMessageRefusal records whom v does not accept new messages from
// (access.Viewer.SetMessageRefusal), audited.
func (s *Service) SetMessageRefusal(ctx context.Context, v *access.Viewer, r access.MessageRefusal) error {
	if err := v.SetMessageRefusal(ctx, s.DB, r); err != nil {
		return err
	}
	return audit.Record(ctx, s.DB, audit.Event{ActorID: v.ID, Action: "message-refusal-changed",
		Target: fmt.Sprintf("students=%t,families=%t", r.Students, r.Families), Outcome: audit.Success, At: s.now()})
}
