package notify

import (
	"context"
	"time"

	"cartable/internal/access"
	"cartable/internal/db"
)

// Retract deletes, for the recipients given, the notices whose key is one of
// keys or starts with one of them and a "/": what they announced was
// withdrawn (a news item), so they are neither listed nor delivered (a
// delivery job whose notice is gone has nothing to do). The domain that
// calls it has asked the policy for the withdrawal; v is recorded nowhere.
// Identifiers only.
func Retract(ctx context.Context, v *access.Viewer, q db.Querier, recipients []string, keys ...string) (int, error) {
	if v.Actor() == "" {
		return 0, access.Refuse("notify", access.Person(""), "no viewer")
	}
	total := 0
	for _, k := range keys {
		res, err := q.Exec(ctx, `DELETE FROM notifications WHERE `+db.In(q, "recipient_id")+`
			AND (dedupe_key = ? OR substr(dedupe_key, 1, ?) = ?)`, db.ListArg(q, recipients), k, len(k)+1, k+"/")
		if err != nil {
			return total, err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return total, err
		}
		total += int(n)
	}
	return total, nil
}

// Postpone moves the not-yet-delivered notices of key, for the recipients
// given, to notBefore: what they announce now starts later (a news item's
// first day changed). Notices delivered already are left alone.
func Postpone(ctx context.Context, v *access.Viewer, q db.Querier, recipients []string, key string, notBefore time.Time) error {
	if v.Actor() == "" {
		return access.Refuse("notify", access.Person(""), "no viewer")
	}
	_, err := q.Exec(ctx, `UPDATE notifications SET not_before = ? WHERE `+db.In(q, "recipient_id")+` AND dedupe_key = ? AND sent_at IS NULL`,
		notBefore.Unix(), db.ListArg(q, recipients), key)
	return err
}
