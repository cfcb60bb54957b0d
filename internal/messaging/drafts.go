package messaging

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"

	"cartable/internal/access"
	"cartable/internal/check"
	"cartable/internal/db"
	"cartable/internal/files"
	"cartable/internal/ids"
	"cartable/internal/richtext"
)

func init() {
	// A draft's attachments are stored files too: the purge keeps those a
	// draft still holds.
	files.RegisterReference("msg_draft_attachments", "file_id")
}

// draftRef is one of v's drafts as sending or saving needs it.
type draftRef struct {
	id, establishment, conversation string
	files                           []files.File // only their IDs are set
}

// ownDraft returns v's draft id ("" : none). A draft of someone else is
// refused like a missing conversation; a missing one comes back with
// found false (sent or discarded in another tab).
func (s *Service) ownDraft(ctx context.Context, v *access.Viewer, id string) (d draftRef, found bool, err error) {
	if id == "" {
		return d, false, nil
	}
	if v == nil || v.IsSystem() || v.ID == "" {
		return d, false, access.Refuse(access.WriteTo, access.Person(""), "no person")
	}
	var author string
	err = s.DB.QueryRow(ctx, `SELECT author_id, establishment_id, conversation_id FROM msg_drafts WHERE id = ?`, id).
		Scan(&author, &d.establishment, &d.conversation)
	if errors.Is(err, sql.ErrNoRows) {
		return draftRef{}, false, nil
	}
	if err != nil {
		return d, false, err
	}
	if author != v.ID {
		return draftRef{}, false, access.Refuse(access.WriteTo, access.Person(""), "not the viewer's draft")
	}
	d.id = id
	list, err := db.Strings(ctx, s.DB, `SELECT file_id FROM msg_draft_attachments WHERE draft_id = ? ORDER BY file_id`, id)
	if err != nil {
		return d, false, err
	}
	for _, f := range list {
		d.files = append(d.files, files.File{ID: f})
	}
	return d, true, nil
}

// dropDraft deletes a sent draft; its files now belong to the message.
func dropDraft(ctx context.Context, tx db.Querier, v *access.Viewer, id string) error {
	if id == "" {
		return nil
	}
	if _, err := tx.Exec(ctx, `DELETE FROM msg_draft_attachments WHERE draft_id = ?`, id); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, `DELETE FROM msg_drafts WHERE id = ? AND author_id = ?`, id, v.ID)
	return err
}

// SaveDraft creates or updates v's draft d (its ID, "" for a new one), adds
// the uploads to its attachments, and returns its ID. A draft is saved
// whatever its text holds (as typed, unchecked but for size): it is the
// sender's own and is checked when sent. Its files are checked and sealed
// as a message's are; a refused file saves nothing (check.Problems on
// "attachments").
func (s *Service) SaveDraft(ctx context.Context, v *access.Viewer, d Draft, ups ...Upload) (string, error) {
	if v == nil || v.IsSystem() || len(v.Establishments) == 0 {
		return "", access.Refuse(access.WriteTo, access.Person(""), "no person")
	}
	if len(d.Subject) > 4*MaxSubject || len(d.Body) > richtext.MaxBytes || len(d.Recipients) > MaxRecipients {
		return "", check.Problems{{Field: "body", Code: "too-long", Value: strconv.Itoa(MaxBody)}}
	}
	est := v.Establishments[0]
	if d.Conversation != "" {
		// Only a participant drafts an answer (and attaches to it).
		p, err := s.participation(ctx, v, d.Conversation)
		if err != nil {
			return "", err
		}
		est = p.establishment
	}
	var old draftRef
	if d.ID != "" {
		var found bool
		var err error
		if old, found, err = s.ownDraft(ctx, v, d.ID); err != nil {
			return "", err
		}
		if !found || old.conversation != d.Conversation {
			return "", access.Refuse(access.WriteTo, access.Person(""), "not the viewer's draft")
		}
		est = old.establishment
	}
	if len(old.files)+len(ups) > MaxAttachments {
		return "", check.Problems{{Field: "attachments", Code: "too-many-files", Value: strconv.Itoa(MaxAttachments)}}
	}
	rec := strings.Join(uniq(d.Recipients), " ")
	at := s.now().Unix()
	id := d.ID
	var saved []files.File
	err := s.DB.Tx(ctx, func(tx *db.Tx) error {
		if id != "" {
			if _, err := tx.Exec(ctx, `UPDATE msg_drafts SET recipients = ?, subject = ?, body = ?, no_reply = ?, updated_at = ? WHERE id = ? AND author_id = ?`,
				rec, d.Subject, d.Body, d.NoReply, at, id, v.ID); err != nil {
				return err
			}
		} else {
			id = ids.For(ctx)
			if _, err := tx.Exec(ctx, `INSERT INTO msg_drafts (id, establishment_id, author_id, conversation_id, recipients, subject, body, no_reply, updated_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, id, est, v.ID, d.Conversation, rec, d.Subject, d.Body, d.NoReply, at); err != nil {
				return err
			}
		}
		var err error
		if saved, err = s.saveUploads(ctx, v, tx, est, ups); err != nil {
			return err
		}
		for _, f := range saved {
			if _, err := tx.Exec(ctx, `INSERT INTO msg_draft_attachments (draft_id, file_id) VALUES (?, ?)`, id, f.ID); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		if saved != nil {
			s.discard(ctx, saved)
		}
		return "", err
	}
	return id, nil
}

// RemoveDraftAttachment removes file fileID from v's draft draftID and
// deletes the file. Anyone else's draft, or a file that is not the
// draft's, is refused like a missing one.
func (s *Service) RemoveDraftAttachment(ctx context.Context, v *access.Viewer, draftID, fileID string) error {
	d, found, err := s.ownDraft(ctx, v, draftID)
	if err != nil {
		return err
	}
	mine := false
	for _, f := range d.files {
		mine = mine || f.ID == fileID
	}
	if !found || !mine {
		return access.Refuse(access.ReadFile, access.File(fileID), "not an attachment of the viewer's draft")
	}
	return s.deleteDraftFiles(ctx, d.id, []string{fileID}, false)
}

// DeleteDraft discards v's draft id and deletes its files.
func (s *Service) DeleteDraft(ctx context.Context, v *access.Viewer, id string) error {
	d, found, err := s.ownDraft(ctx, v, id)
	if err != nil || !found {
		return err
	}
	var list []string
	for _, f := range d.files {
		list = append(list, f.ID)
	}
	return s.deleteDraftFiles(ctx, d.id, list, true)
}

// deleteDraftFiles deletes files of draft id (and the draft, with whole)
// in one transaction; the records' deletion queues their blobs, erased
// right after (or by the server's erasure if the storage is away).
func (s *Service) deleteDraftFiles(ctx context.Context, id string, list []string, whole bool) error {
	var keys []string
	err := s.DB.Tx(ctx, func(tx *db.Tx) error {
		for _, f := range list {
			if _, err := tx.Exec(ctx, `DELETE FROM msg_draft_attachments WHERE draft_id = ? AND file_id = ?`, id, f); err != nil {
				return err
			}
		}
		if whole {
			if _, err := tx.Exec(ctx, `DELETE FROM msg_draft_attachments WHERE draft_id = ?`, id); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `DELETE FROM msg_drafts WHERE id = ?`, id); err != nil {
				return err
			}
		}
		var err error
		keys, err = files.DeleteRecords(ctx, tx, list)
		return err
	})
	if err == nil && s.Files != nil && len(keys) > 0 {
		_, _ = s.Files.Erase(ctx, s.DB, keys...) // what fails stays queued
	}
	return err
}

// draftAttachments lists the attachments of v's drafts, by draft.
func draftAttachments(ctx context.Context, q db.Querier, author string) (map[string][]Attachment, error) {
	rows, err := q.Query(ctx, `SELECT a.draft_id, f.id, f.name, f.content_type, f.size FROM msg_draft_attachments a
		JOIN msg_drafts d ON d.id = a.draft_id JOIN files f ON f.id = a.file_id
		WHERE d.author_id = ? ORDER BY f.name, f.id`, author)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string][]Attachment{}
	for rows.Next() {
		var d string
		var a Attachment
		if err := rows.Scan(&d, &a.ID, &a.Name, &a.ContentType, &a.Size); err != nil {
			return nil, err
		}
		out[d] = append(out[d], a)
	}
	return out, rows.Err()
}
