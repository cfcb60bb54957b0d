-- Correspondence notes, the digital carnet de liaison (internal/liaison):
-- a teacher or school life writes to a student's legal guardians; each
-- acknowledges ("j'ai pris connaissance") and may answer. The guardians a
-- note waits for are the student's current legal guardians (family_links),
-- so a guardian added later is asked too and one unlinked is no longer
-- waited for; an acknowledgement, once given, is kept with its instant.

CREATE TABLE liaison_notes (
    id                TEXT PRIMARY KEY,
    establishment_id  TEXT NOT NULL REFERENCES establishments(id) ON DELETE CASCADE,
    student_id        TEXT NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    author_id         TEXT NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    batch_id          TEXT NOT NULL,        -- notes written at once to several students share it
    subject           TEXT NOT NULL,
    body              TEXT NOT NULL,
    created_at        BIGINT NOT NULL,
    reminded_on       TEXT NOT NULL DEFAULT '' -- the last day (YYYY-MM-DD, Paris) guardians were reminded
);
CREATE INDEX liaison_notes_student ON liaison_notes (student_id, created_at);
CREATE INDEX liaison_notes_author ON liaison_notes (author_id, created_at);
CREATE INDEX liaison_notes_establishment ON liaison_notes (establishment_id, created_at);

-- One acknowledgement per note and guardian, never rewritten.
CREATE TABLE liaison_signatures (
    note_id      TEXT NOT NULL REFERENCES liaison_notes(id) ON DELETE CASCADE,
    guardian_id  TEXT NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    signed_at    BIGINT NOT NULL,
    PRIMARY KEY (note_id, guardian_id)
);
CREATE INDEX liaison_signatures_guardian ON liaison_signatures (guardian_id);

-- Answers, one thread per note and guardian (separated parents do not read
-- each other's exchange with the school): guardian_id names the thread,
-- author_id who wrote (the guardian, the note's author or school life).
CREATE TABLE liaison_replies (
    id           TEXT PRIMARY KEY,
    note_id      TEXT NOT NULL REFERENCES liaison_notes(id) ON DELETE CASCADE,
    guardian_id  TEXT NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    author_id    TEXT NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    body         TEXT NOT NULL,
    created_at   BIGINT NOT NULL
);
CREATE INDEX liaison_replies_note ON liaison_replies (note_id, guardian_id, created_at);
