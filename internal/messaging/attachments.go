package messaging

import (
	"context"
	"database/sql"
	"errors"

	"cartable/internal/access"
	"cartable/internal/check"
	"cartable/internal/db"
	"cartable/internal/files"
)

func init() {
	// Message attachments are stored files: the purge keeps those a
	// message still refers to, and deletes them once their conversation
	// is gone.
	files.RegisterReference("msg_attachments", "file_id")
}

// MaxAttachments bounds the files of one message.
const MaxAttachments = 5

// Upload is a file sent with a message.
type Upload = files.Upload

// Attachment is a file of a message, as its participants see it.
type Attachment struct {
	ID          string
	Name        string
	ContentType string
	Size        int64
}

// saveUploads stores the uploads sealed through the file store, recorded
// through tx; a refused file comes back as check.Problems on the field
// "attachments" and nothing of it is kept. The caller discards the saved
// files if its transaction fails.
func (s *Service) saveUploads(ctx context.Context, v *access.Viewer, tx db.Querier, est string, ups []Upload) ([]files.File, error) {
	if len(ups) == 0 {
		return nil, nil
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

func attach(ctx context.Context, tx db.Querier, msg string, fs []files.File) error {
	for _, f := range fs {
		if _, err := tx.Exec(ctx, `INSERT INTO msg_attachments (message_id, file_id) VALUES (?, ?)`, msg, f.ID); err != nil {
			return err
		}
	}
	return nil
}

// attachmentsOf lists the attachments of a conversation's messages.
func attachmentsOf(ctx context.Context, q db.Querier, conv string) (map[string][]Attachment, error) {
	rows, err := q.Query(ctx, `SELECT a.message_id, f.id, f.name, f.content_type, f.size FROM msg_attachments a
		JOIN files f ON f.id = a.file_id JOIN msg_messages m ON m.id = a.message_id
		WHERE m.conversation_id = ? ORDER BY f.name, f.id`, conv)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string][]Attachment{}
	for rows.Next() {
		var msg string
		var a Attachment
		if err := rows.Scan(&msg, &a.ID, &a.Name, &a.ContentType, &a.Size); err != nil {
			return nil, err
		}
		out[msg] = append(out[msg], a)
	}
	return out, rows.Err()
}

// File returns an attachment of conversation conv and its clear content,
// for a participant only: the store reads it for the viewer, whose
// read-file the policy grants to the conversation's participants.
func (s *Service) File(ctx context.Context, v *access.Viewer, conv, fileID string) (files.File, []byte, error) {
	if _, err := s.participation(ctx, v, conv); err != nil {
		return files.File{}, nil, err
	}
	var x int
	err := s.DB.QueryRow(ctx, `SELECT 1 FROM msg_attachments a JOIN msg_messages m ON m.id = a.message_id
		WHERE m.conversation_id = ? AND a.file_id = ?`, conv, fileID).Scan(&x)
	if errors.Is(err, sql.ErrNoRows) {
		return files.File{}, nil, access.Refuse(access.ReadFile, access.File(fileID), "not an attachment of the conversation")
	}
	if err != nil {
		return files.File{}, nil, err
	}
	if s.Files == nil {
		return files.File{}, nil, files.ErrUnavailable
	}
	return s.Files.Read(ctx, v, s.DB, fileID)
}
