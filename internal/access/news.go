package access

// Rules for news (internal/news): who may publish to which audience, and
// who follows an establishment's news. Reading a news item is not a rule
// here: the news package writes one row per person addressed when the news
// is published, and a reader sees only the rows that name them.

import (
	"context"
	"database/sql"
	"errors"

	"cartable/internal/roles"
)

const (
	// PublishNews: write news for an audience. On a class or group: its
	// students and/or their families (its teachers, and school life and
	// direction of its establishment). On an establishment: the whole
	// establishment, a profile or a function (head, deputy, CPE).
	PublishNews Action = "publish-news"
	// FollowNews: read every news item of an establishment with its
	// tracking, remind and export (head and deputy), whoever wrote it.
	FollowNews Action = "follow-news"
)

func newsAction(a Action) bool { return a == PublishNews || a == FollowNews }

// Who speaks to a whole establishment: the head, the deputy and the CPE.
const fnNewsEstablishment = fnHead | fnDeputy | fnCPE

// canNews answers the news actions. Callers hold v.mu. Students and
// relatives publish nothing and follow nothing.
func (p *Policy) canNews(ctx context.Context, v *Viewer, a Action, r Resource) error {
	ok, err := p.news(ctx, v, a, r)
	if err != nil || ok {
		return err
	}
	return deny(string(a) + " on " + string(r.Kind) + ": no rule grants it")
}

func (p *Policy) news(ctx context.Context, v *Viewer, a Action, r Resource) (bool, error) {
	if v.profile != roles.Teacher && v.profile != roles.Staff {
		return false, nil
	}
	switch r.Kind {
	case KindEstablishment:
		if !v.est[r.ID] {
			return false, nil
		}
		if a == FollowNews {
			return v.fn[r.ID]&(fnHead|fnDeputy) != 0, nil
		}
		return v.fn[r.ID]&fnNewsEstablishment != 0, nil
	case KindClass, KindGroup:
		if a != PublishNews {
			return false, nil
		}
		return p.onStructure(ctx, v, r, fnNewsEstablishment, structTaught)
	}
	return false, nil
}

// readNewsFile: a file attached to news item id is read by whoever reads
// the news: its author; once published, the head and deputy of its
// establishment (FollowNews); a person it was addressed to (a
// news_recipients row naming them), while it is shown to them (published,
// not withdrawn, within its window). Callers hold v.mu.
func (p *Policy) readNewsFile(ctx context.Context, v *Viewer, id string) (bool, error) {
	var est, author string
	var draft bool
	var from, until, withdrawn int64
	err := p.q.QueryRow(ctx, `SELECT establishment_id, author_id, draft, visible_from, visible_until, withdrawn_at FROM news WHERE id = ?`, id).
		Scan(&est, &author, &draft, &from, &until, &withdrawn)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil || !v.est[est] {
		return false, err
	}
	if author == v.ID {
		return true, nil
	}
	if draft {
		return false, nil
	}
	if ok, err := p.news(ctx, v, FollowNews, Establishment(est)); err != nil || ok {
		return ok, err
	}
	now := p.clock().Unix()
	if withdrawn != 0 || from > now || (until != 0 && until <= now) {
		return false, nil
	}
	var n int
	err = p.q.QueryRow(ctx, `SELECT COUNT(*) FROM news_recipients WHERE news_id = ? AND person_id = ?`, id, v.ID).Scan(&n)
	return n > 0, err
}
