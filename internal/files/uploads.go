package files

import (
	"context"
	"errors"
	"io"
	"strconv"

	"cartable/internal/access"
	"cartable/internal/check"
	"cartable/internal/db"
)

// Upload is a file sent with a form (a message's or a news item's
// attachments).
type Upload struct {
	Name string
	Body io.Reader
}

// ErrUnreadable is what an upload's Body returns when the file was received
// but can no longer be read (its temporary copy is gone): SaveAll refuses
// the form, naming the file, so that it is sent again.
var ErrUnreadable = errors.New("files: the uploaded file could not be read back")

// SaveAll saves ups sealed (Save, as v, under establishment est, recorded
// through q), all or none: a refused, oversized or empty file comes back
// as check.Problems on field, naming it, and the blobs already written are
// discarded (queued for erasure on d if the storage refuses). The caller
// discards the returned files if its own transaction then fails.
func (s *Store) SaveAll(ctx context.Context, v *access.Viewer, q db.Querier, d *db.DB, est, field string, ups []Upload) ([]File, error) {
	var out []File
	for _, u := range ups {
		f, err := s.Save(ctx, v, q, est, u.Name, u.Body, 0)
		var refused Refused
		var large TooLarge
		switch {
		case errors.As(err, &refused):
			err = check.Problems{{Field: field, Code: "refused-type", Value: CleanName(u.Name)}}
		case errors.As(err, &large):
			err = check.Problems{{Field: field, Code: "too-large", Value: strconv.FormatInt(large.Limit/(1<<20), 10)}}
		case errors.Is(err, ErrEmpty):
			err = check.Problems{{Field: field, Code: "empty", Value: CleanName(u.Name)}}
		case errors.Is(err, ErrUnreadable):
			err = check.Problems{{Field: field, Code: "unreadable", Value: CleanName(u.Name)}}
		}
		if err != nil {
			for _, f := range out {
				s.Discard(ctx, d, f)
			}
			return nil, err
		}
		out = append(out, f)
	}
	return out, nil
}
