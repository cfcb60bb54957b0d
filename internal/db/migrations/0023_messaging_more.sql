-- Messaging, continued (issue 13): attachments kept in drafts, closed
-- discussions, each person's "does not accept messages", and the
-- communication rules' edits in the directory's version (access.Facts).

-- A draft's attachments, sealed at rest like a message's (internal/files;
-- a registered reference: the purge keeps the files a draft still holds).
-- They go with the message when it is sent; a discarded draft's files are
-- deleted with it.
CREATE TABLE msg_draft_attachments (
    draft_id  TEXT NOT NULL REFERENCES msg_drafts(id) ON DELETE CASCADE,
    file_id   TEXT NOT NULL REFERENCES files(id) ON DELETE CASCADE,
    PRIMARY KEY (draft_id, file_id)
);
CREATE INDEX msg_draft_attachments_file ON msg_draft_attachments (file_id);

-- A closed discussion: its participants read it, nobody answers it.
-- closed_at 0: open. A message whose recipients may not answer is a
-- conversation closed when written.
ALTER TABLE msg_conversations ADD COLUMN closed_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE msg_conversations ADD COLUMN closed_by TEXT NOT NULL DEFAULT '';
-- A draft remembers "the recipients cannot answer" as ticked.
ALTER TABLE msg_drafts ADD COLUMN no_reply BOOLEAN NOT NULL DEFAULT FALSE;

-- A person who does not accept new messages from students and/or from
-- families (access/comm.go says who may choose it). No row: accepts.
CREATE TABLE comm_refusals (
    person_id      TEXT PRIMARY KEY REFERENCES people(id) ON DELETE CASCADE,
    from_students  BOOLEAN NOT NULL DEFAULT FALSE,
    from_families  BOOLEAN NOT NULL DEFAULT FALSE,
    changed_at     BIGINT NOT NULL
);

-- The rules' edits and the refusals decide write-to: the access policy
-- keeps them in its per-version facts (access.Facts), so each change bumps
-- the directory's version (migration 0017) and every replica sees it at
-- its next request.
{{POSTGRES}}
CREATE TRIGGER dv_comm_rules AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON comm_rules
    FOR EACH STATEMENT EXECUTE FUNCTION bump_directory_version();
CREATE TRIGGER dv_comm_refusals AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON comm_refusals
    FOR EACH STATEMENT EXECUTE FUNCTION bump_directory_version();
{{END}}
{{SQLITE}}
CREATE TRIGGER dv_comm_rules_insert AFTER INSERT ON comm_rules BEGIN UPDATE directory_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER dv_comm_rules_update AFTER UPDATE ON comm_rules BEGIN UPDATE directory_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER dv_comm_rules_delete AFTER DELETE ON comm_rules BEGIN UPDATE directory_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER dv_comm_refusals_insert AFTER INSERT ON comm_refusals BEGIN UPDATE directory_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER dv_comm_refusals_update AFTER UPDATE ON comm_refusals BEGIN UPDATE directory_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER dv_comm_refusals_delete AFTER DELETE ON comm_refusals BEGIN UPDATE directory_version SET n = n + 1 WHERE id = 1; END;
{{END}}
