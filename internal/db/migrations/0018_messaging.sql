-- Messaging (internal/messaging) and the communication rules it obeys
-- (internal/access/comm.go).

-- An establishment's edits of the default communication rules: one row
-- per (sender category, recipient category) cell that differs from the
-- defaults in code. scope is 'none', 'linked' or 'all'.
CREATE TABLE comm_rules (
    establishment_id  TEXT NOT NULL REFERENCES establishments(id) ON DELETE CASCADE,
    sender            TEXT NOT NULL,
    recipient         TEXT NOT NULL,
    scope             TEXT NOT NULL,
    changed_by        TEXT NOT NULL,
    changed_at        BIGINT NOT NULL,
    PRIMARY KEY (establishment_id, sender, recipient)
);

-- A conversation belongs to the establishment where its first message was
-- written (its retention setting applies).
CREATE TABLE msg_conversations (
    id                TEXT PRIMARY KEY,
    establishment_id  TEXT NOT NULL REFERENCES establishments(id) ON DELETE CASCADE,
    subject           TEXT NOT NULL,
    created_by        TEXT NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    created_at        BIGINT NOT NULL,
    last_at           BIGINT NOT NULL
);
CREATE INDEX msg_conversations_est ON msg_conversations (establishment_id, last_at);

CREATE TABLE msg_messages (
    id               TEXT PRIMARY KEY,
    conversation_id  TEXT NOT NULL REFERENCES msg_conversations(id) ON DELETE CASCADE,
    author_id        TEXT NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    body             TEXT NOT NULL,        -- sanitised HTML (internal/richtext)
    created_at       BIGINT NOT NULL
);
CREATE INDEX msg_messages_conversation ON msg_messages (conversation_id, created_at);

-- Who takes part in a conversation and where it sits for them. Only a
-- participant reads a conversation: there is no other way in.
-- folder: inbox, sent, archive, trash. read_at: 0 while unread.
CREATE TABLE msg_participants (
    conversation_id  TEXT NOT NULL REFERENCES msg_conversations(id) ON DELETE CASCADE,
    person_id        TEXT NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    folder           TEXT NOT NULL,
    read_at          BIGINT NOT NULL DEFAULT 0,
    last_at          BIGINT NOT NULL,      -- the last message they received or wrote
    PRIMARY KEY (conversation_id, person_id)
);
CREATE INDEX msg_participants_folder ON msg_participants (person_id, folder, last_at);
-- The unread count of an inbox reads this one only.
CREATE INDEX msg_participants_unread ON msg_participants (person_id) WHERE folder = 'inbox' AND read_at = 0;

-- Attachments, stored sealed through internal/files (a registered
-- reference: the purge keeps the files a message still refers to).
CREATE TABLE msg_attachments (
    message_id  TEXT NOT NULL REFERENCES msg_messages(id) ON DELETE CASCADE,
    file_id     TEXT NOT NULL REFERENCES files(id) ON DELETE CASCADE,
    PRIMARY KEY (message_id, file_id)
);
CREATE INDEX msg_attachments_file ON msg_attachments (file_id);

-- Read receipts: when each recipient first opened each message.
CREATE TABLE msg_receipts (
    message_id  TEXT NOT NULL REFERENCES msg_messages(id) ON DELETE CASCADE,
    person_id   TEXT NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    read_at     BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (message_id, person_id)
);
CREATE INDEX msg_receipts_person ON msg_receipts (person_id, read_at);

-- A sender's unsent draft.
CREATE TABLE msg_drafts (
    id                TEXT PRIMARY KEY,
    establishment_id  TEXT NOT NULL REFERENCES establishments(id) ON DELETE CASCADE,
    author_id         TEXT NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    conversation_id   TEXT NOT NULL DEFAULT '', -- a reply's conversation; '' for a new one
    recipients        TEXT NOT NULL DEFAULT '', -- person ids, space-separated
    subject           TEXT NOT NULL DEFAULT '',
    body              TEXT NOT NULL DEFAULT '',
    updated_at        BIGINT NOT NULL
);
CREATE INDEX msg_drafts_author ON msg_drafts (author_id, updated_at);

-- A message reported to school life: the CPE of the establishment read the
-- reported message (and only it) in their queue.
CREATE TABLE msg_reports (
    id                TEXT PRIMARY KEY,
    establishment_id  TEXT NOT NULL REFERENCES establishments(id) ON DELETE CASCADE,
    message_id        TEXT NOT NULL REFERENCES msg_messages(id) ON DELETE CASCADE,
    reporter_id       TEXT NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    reason            TEXT NOT NULL,
    created_at        BIGINT NOT NULL,
    closed_at         BIGINT NOT NULL DEFAULT 0,
    UNIQUE (message_id, reporter_id)
);
CREATE INDEX msg_reports_est ON msg_reports (establishment_id, closed_at, created_at);

-- Messages' retention per establishment, in days (bounds in code).
CREATE TABLE msg_settings (
    establishment_id  TEXT PRIMARY KEY REFERENCES establishments(id) ON DELETE CASCADE,
    retention_days    INTEGER NOT NULL
);
