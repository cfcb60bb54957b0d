package messaging

import (
	"context"
	"time"

	"cartable/internal/access"
	"cartable/internal/check"
	"cartable/internal/db"
)

// The system's own writing (the demo generator): inside the caller's
// transaction, at a given instant, with identifiers from ctx's source
// (ids.For), and without notices (they would carry the clock). The rules
// still apply: the author's own viewer is asked, as for a page.

func systemOnly(v *access.Viewer) error {
	if !v.IsSystem() {
		return access.Refuse(access.WriteTo, access.Person(""), "written in a transaction by the system only")
	}
	return nil
}

// SendIn writes a new conversation from author, as Send does.
func SendIn(ctx context.Context, v *access.Viewer, tx *db.Tx, author string, recipients []string, subject, body string, at time.Time) (string, error) {
	if err := systemOnly(v); err != nil {
		return "", err
	}
	av, err := access.New(tx).Viewer(ctx, author)
	if err != nil {
		return "", err
	}
	var ps check.Problems
	html := cleanBody(&ps, body)
	subject = cleanSubject(subject)
	if subject == "" {
		ps.Add("subject", "required", "")
	}
	if len(ps) > 0 {
		return "", ps
	}
	svc := &Service{}
	if err := svc.allowedIn(ctx, av, tx, uniq(recipients)); err != nil {
		return "", err
	}
	est, err := establishmentIn(ctx, tx, av, recipients[0], "")
	if err != nil {
		return "", err
	}
	return write(ctx, v, tx, est, author, subject, html, uniq(recipients), at.Unix(), false, nil)
}

// ReplyIn answers conversation conv from author, to every other participant.
func ReplyIn(ctx context.Context, v *access.Viewer, tx *db.Tx, author, conv, body string, at time.Time) error {
	if err := systemOnly(v); err != nil {
		return err
	}
	var est string
	if err := tx.QueryRow(ctx, `SELECT c.establishment_id FROM msg_conversations c JOIN msg_participants p ON p.conversation_id = c.id
		WHERE c.id = ? AND p.person_id = ?`, conv, author).Scan(&est); err != nil {
		return err
	}
	parts, err := participants(ctx, tx, conv)
	if err != nil {
		return err
	}
	var to []string
	for _, p := range parts {
		if p.ID != author {
			to = append(to, p.ID)
		}
	}
	var ps check.Problems
	html := cleanBody(&ps, body)
	if len(ps) > 0 {
		return ps
	}
	t := at.Unix()
	if _, err := tx.Exec(ctx, `UPDATE msg_conversations SET last_at = ? WHERE id = ?`, t, conv); err != nil {
		return err
	}
	for _, id := range to {
		if _, err := tx.Exec(ctx, `UPDATE msg_participants SET folder = ?, read_at = 0, last_at = ? WHERE conversation_id = ? AND person_id = ?`,
			Inbox, t, conv, id); err != nil {
			return err
		}
	}
	if _, err := tx.Exec(ctx, `UPDATE msg_participants SET read_at = ?, last_at = ? WHERE conversation_id = ? AND person_id = ?`,
		t, t, conv, author); err != nil {
		return err
	}
	return addMessage(ctx, v, tx, est, conv, author, html, to, t, false, nil)
}

// ReadIn marks conversation conv read by person at an instant (their
// receipts included).
func ReadIn(ctx context.Context, v *access.Viewer, tx *db.Tx, person, conv string, at time.Time) error {
	if err := systemOnly(v); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `UPDATE msg_participants SET read_at = ? WHERE conversation_id = ? AND person_id = ? AND read_at = 0`,
		at.Unix(), conv, person); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, `UPDATE msg_receipts SET read_at = ? WHERE person_id = ? AND read_at = 0
		AND message_id IN (SELECT id FROM msg_messages WHERE conversation_id = ?)`, at.Unix(), person, conv)
	return err
}

// ClassFamiliesIn lists the families of class (as the group "families of
// class X" has them), for the system.
func ClassFamiliesIn(ctx context.Context, v *access.Viewer, tx *db.Tx, establishment, class string) ([]string, error) {
	if err := systemOnly(v); err != nil {
		return nil, err
	}
	_, fam, _, err := classMembers(ctx, tx, []string{establishment}, []string{class})
	if err != nil {
		return nil, err
	}
	return uniq(fam[class]), nil
}

// allowedIn is allowed for a viewer built in a transaction.
func (s *Service) allowedIn(ctx context.Context, v *access.Viewer, q db.Querier, recipients []string) error {
	if len(recipients) == 0 {
		return check.Problems{{Field: "recipients", Code: "required"}}
	}
	ok, err := v.Writable(ctx, recipients)
	if err != nil {
		return err
	}
	for _, id := range recipients {
		if !ok[id] {
			why, err := v.WhyWrite(ctx, id)
			if err != nil {
				return err
			}
			return &Refused{PersonID: id, Why: why}
		}
	}
	return nil
}

// establishmentIn is the establishment a new conversation belongs to:
// prefer when the recipient is attached there, else the first of v's
// establishments the recipient is attached to.
func establishmentIn(ctx context.Context, q db.Querier, v *access.Viewer, recipient, prefer string) (string, error) {
	rows, err := q.Query(ctx, `SELECT establishment_id FROM memberships WHERE person_id = ? ORDER BY establishment_id`, recipient)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	first := ""
	for rows.Next() {
		var e string
		if err := rows.Scan(&e); err != nil {
			return "", err
		}
		for _, mine := range v.Establishments {
			if mine == e && first == "" {
				first = e
			}
			if mine == e && e == prefer {
				return e, nil
			}
		}
	}
	if err := rows.Err(); err != nil {
		return "", err
	}
	if first != "" {
		return first, nil
	}
	return "", access.Refuse(access.WriteTo, access.Person(recipient), "no shared establishment")
}
