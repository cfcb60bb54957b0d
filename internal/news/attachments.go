package news

import (
	"context"
	"database/sql"
	"errors"
	"strconv"

	"cartable/internal/access"
	"cartable/internal/check"
	"cartable/internal/db"
	"cartable/internal/files"
)

func init() {
	// News attachments are stored files: the purge keeps those a news
	// item still refers to, and deletes them once the news is gone.
	files.RegisterReference("news_attachments", "file_id")
}

// MaxAttachments bounds the files of one news item.
const MaxAttachments = 5

// Upload is a file sent with a news item.
type Upload = files.Upload

// Attachment is a file of a news item, as its readers see it.
type Attachment struct {
	ID          string
	Name        string
	ContentType string
	Size        int64
}

// saveUploads stores the uploads sealed through the file store (owned by
// the viewer, under the news's establishment), recorded through tx. A
// refused file comes back as check.Problems on the field "attachments",
// naming it, and nothing of it is kept. The caller discards the saved
// files if its transaction fails.
func (s *Service) saveUploads(ctx context.Context, v *access.Viewer, tx db.Querier, est string, have int, ups []Upload) ([]files.File, error) {
	if len(ups) == 0 {
		return nil, nil
	}
	if have+len(ups) > MaxAttachments {
		return nil, check.Problems{{Field: "attachments", Code: "too-many-files", Value: strconv.Itoa(MaxAttachments)}}
	}
	if s.Files == nil {
		return nil, check.Problems{{Field: "attachments", Code: "no-storage"}}
	}
	return s.Files.SaveAll(ctx, v, tx, s.DB, est, "attachments", ups)
}

func (s *Service) discard(ctx context.Context, fs []files.File) {
	for _, f := range fs {
		s.Files.Discard(ctx, s.DB, f)
	}
}

func attach(ctx context.Context, q db.Querier, news string, fs []files.File) error {
	for _, f := range fs {
		if _, err := q.Exec(ctx, `INSERT INTO news_attachments (news_id, file_id) VALUES (?, ?)`, news, f.ID); err != nil {
			return err
		}
	}
	return nil
}

func attachmentsOf(ctx context.Context, q db.Querier, news string) ([]Attachment, error) {
	rows, err := q.Query(ctx, `SELECT f.id, f.name, f.content_type, f.size FROM news_attachments a JOIN files f ON f.id = a.file_id
		WHERE a.news_id = ? ORDER BY f.name, f.id`, news)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Attachment
	for rows.Next() {
		var a Attachment
		if err := rows.Scan(&a.ID, &a.Name, &a.ContentType, &a.Size); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// File returns an attachment of news item id and its clear content for a
// reader of the news: its recipients while they see it, its author, and
// those who follow the establishment's news. The news is asked first
// (anyone else: a refusal, whatever the file), then the store reads the
// file for the viewer, whose read-file the policy grants on the same
// grounds (internal/access/learning.go).
func (s *Service) File(ctx context.Context, v *access.Viewer, id, fileID string) (files.File, []byte, error) {
	if _, err := s.followed(ctx, v, id); err != nil {
		if !errors.Is(err, access.ErrDenied) {
			return files.File{}, nil, err
		}
		if _, err := s.received(ctx, v, id, s.now()); err != nil {
			return files.File{}, nil, err
		}
	}
	var x int
	err := s.DB.QueryRow(ctx, `SELECT 1 FROM news_attachments WHERE news_id = ? AND file_id = ?`, id, fileID).Scan(&x)
	if errors.Is(err, sql.ErrNoRows) {
		return files.File{}, nil, access.Refuse(access.ReadFile, access.File(fileID), "not an attachment of the news")
	}
	if err != nil {
		return files.File{}, nil, err
	}
	if s.Files == nil {
		return files.File{}, nil, files.ErrUnavailable
	}
	return s.Files.Read(ctx, v, s.DB, fileID)
}
