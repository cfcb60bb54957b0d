package news

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"cartable/internal/db"
)

var errNotFound = errors.New("news: not found")

const newsColumns = `n.id, n.establishment_id, n.author_id, p.first_name || ' ' || p.last_name, n.title, n.body, n.audience,
	n.class_students, n.class_families, n.visible_from, n.visible_until, n.ack_required, n.ack_deadline, n.draft, n.published_at,
	n.edited_at, n.withdrawn_at, n.ack_round`

const newsFrom = ` FROM news n JOIN people p ON p.id = n.author_id`

func scanNews(s db.Scanner, extra ...any) (News, error) {
	var n News
	var audience string
	var from, until, deadline, published, edited, withdrawn int64
	dest := append([]any{&n.ID, &n.EstablishmentID, &n.AuthorID, &n.AuthorName, &n.Title, &n.Body, &audience,
		&n.ClassStudents, &n.ClassFamilies, &from, &until, &n.AckRequired, &deadline, &n.Draft, &published,
		&edited, &withdrawn, &n.AckRound}, extra...)
	if err := s.Scan(dest...); err != nil {
		return n, err
	}
	n.Targets = decodeTargets(audience)
	n.From, n.Until, n.AckDeadline, n.PublishedAt = unix(from), unix(until), unix(deadline), unix(published)
	n.EditedAt, n.WithdrawnAt = unix(edited), unix(withdrawn)
	return n, nil
}

// The audience column: one target a line, "kind:id:name".
func encodeTargets(ts []Target) string {
	lines := make([]string, len(ts))
	for i, t := range ts {
		lines[i] = t.Kind + ":" + t.ID + ":" + strings.ReplaceAll(t.Name, "\n", " ")
	}
	return strings.Join(lines, "\n")
}

func decodeTargets(s string) []Target {
	var out []Target
	for _, line := range strings.Split(s, "\n") {
		parts := strings.SplitN(line, ":", 3)
		if len(parts) == 3 {
			out = append(out, Target{Kind: parts[0], ID: parts[1], Name: parts[2]})
		}
	}
	return out
}

func newsByID(ctx context.Context, q db.Querier, id string) (News, error) {
	n, err := scanNews(q.QueryRow(ctx, `SELECT `+newsColumns+newsFrom+` WHERE n.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return n, errNotFound
	}
	return n, err
}

func insertNews(ctx context.Context, q db.Querier, n News, created int64) error {
	_, err := q.Exec(ctx, `INSERT INTO news (id, establishment_id, author_id, title, body, audience, class_students, class_families,
		visible_from, visible_until, ack_required, ack_deadline, draft, published_at, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		n.ID, n.EstablishmentID, n.AuthorID, n.Title, n.Body, encodeTargets(n.Targets), n.ClassStudents, n.ClassFamilies,
		stamp(n.From), stamp(n.Until), n.AckRequired, stamp(n.AckDeadline), n.Draft, stamp(n.PublishedAt), created)
	return err
}

// recipientQueries gives, per target, the query of the active people it
// addresses in establishment est. Families are the legal guardians (who
// acknowledge, each for themself).
func recipientQuery(t Target, students, families bool) (string, []any) {
	const guardians = `SELECT fl.relative_id FROM family_links fl JOIN people r ON r.id = fl.relative_id
		WHERE fl.legal_guardian AND r.active AND fl.student_id IN (%s)`
	switch t.Kind {
	case TargetProfile:
		if t.ID == "relative" {
			return strings.Replace(guardians, "%s", `SELECT s.id FROM people s JOIN memberships m ON m.person_id = s.id
				WHERE m.establishment_id = ? AND s.active AND s.profile = 'student'`, 1), nil
		}
		return `SELECT p.id FROM people p JOIN memberships m ON m.person_id = p.id
			WHERE m.establishment_id = ? AND p.active AND p.profile = ?`, []any{t.ID}
	case TargetFunction:
		return `SELECT f.person_id FROM functions f JOIN memberships m ON m.person_id = f.person_id AND m.establishment_id = f.establishment_id
			JOIN people p ON p.id = f.person_id
			WHERE f.establishment_id = ? AND p.active AND p.profile IN ('teacher', 'staff') AND f.function = ?`, []any{t.ID}
	case TargetClass, TargetGroup:
		members := `SELECT e.student_id FROM enrolments e JOIN classes c ON c.id = e.class_id JOIN people s ON s.id = e.student_id
			WHERE c.establishment_id = ? AND c.id = ? AND s.active`
		if t.Kind == TargetGroup {
			members = `SELECT e.student_id FROM group_members e JOIN groups c ON c.id = e.group_id JOIN people s ON s.id = e.student_id
				WHERE c.establishment_id = ? AND c.id = ? AND s.active`
		}
		var parts []string
		var args []any
		if students {
			parts = append(parts, members)
			args = append(args, t.ID)
		}
		if families {
			parts = append(parts, strings.Replace(guardians, "%s", members, 1))
			if students {
				args = append(args, "\x00est", t.ID) // the establishment again, filled by the caller
			} else {
				args = append(args, t.ID)
			}
		}
		return strings.Join(parts, " UNION "), args
	}
	return "", nil
}

// resolve returns the people a news item addresses, each once, in a
// stable order.
func resolve(ctx context.Context, q db.Querier, est string, ts []Target, students, families bool) ([]string, error) {
	seen := map[string]bool{}
	var out []string
	for _, t := range ts {
		query, extra := recipientQuery(t, students, families)
		if query == "" {
			continue
		}
		args := []any{est}
		for _, a := range extra {
			if a == "\x00est" {
				a = est
			}
			args = append(args, a)
		}
		rows, err := q.Query(ctx, query, args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return nil, err
			}
			if !seen[id] {
				seen[id] = true
				out = append(out, id)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// structureName returns the name of a class or group of est, "" if none.
func structureName(ctx context.Context, q db.Querier, kind, id, est string) (string, error) {
	table := "classes"
	if kind == TargetGroup {
		table = "groups"
	}
	var name string
	err := q.QueryRow(ctx, `SELECT name FROM `+table+` WHERE id = ? AND establishment_id = ?`, id, est).Scan(&name)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return name, err
}

func recipientsOf(ctx context.Context, q db.Querier, id string) ([]Recipient, error) {
	rows, err := q.Query(ctx, `SELECT r.person_id, p.first_name || ' ' || p.last_name, p.profile, r.read_at, r.acked_at,
		COALESCE((SELECT h.acked_at FROM news_ack_history h WHERE h.news_id = r.news_id AND h.person_id = r.person_id
			ORDER BY h.round DESC LIMIT 1), 0)
		FROM news_recipients r JOIN people p ON p.id = r.person_id WHERE r.news_id = ?
		ORDER BY CASE WHEN r.acked_at = 0 THEN 0 ELSE 1 END, p.last_name, p.first_name, r.person_id`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Recipient
	for rows.Next() {
		var r Recipient
		var read, acked, previous int64
		if err := rows.Scan(&r.PersonID, &r.Name, &r.Profile, &read, &acked, &previous); err != nil {
			return nil, err
		}
		r.ReadAt, r.AckedAt, r.PreviousAck = unix(read), unix(acked), unix(previous)
		out = append(out, r)
	}
	return out, rows.Err()
}
