-- The notification outbox (internal/notify): what a person is to be told
-- (a child marked absent, a note to sign). A domain writes a row in the
-- same transaction as the change it announces; delivery (in the
-- workspace, by e-mail, by web push) reads the rows whose not_before has
-- come and marks them sent. dedupe_key makes a second write of the same
-- news a no-op (one absence alert per student and half-day).
-- The timetable's notification_outbox (0006) holds change events whose
-- audience is worked out at delivery; this table holds notices already
-- addressed to one person.
CREATE TABLE notifications (
    id               TEXT PRIMARY KEY,
    establishment_id TEXT NOT NULL REFERENCES establishments(id) ON DELETE CASCADE,
    recipient_id     TEXT NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    about_id         TEXT REFERENCES people(id) ON DELETE CASCADE,
    kind             TEXT NOT NULL,
    dedupe_key       TEXT NOT NULL,
    args             TEXT NOT NULL,
    link             TEXT NOT NULL,
    actor            TEXT NOT NULL,
    created_at       BIGINT NOT NULL,
    not_before       BIGINT NOT NULL,
    sent_at          BIGINT,
    read_at          BIGINT,
    UNIQUE (recipient_id, dedupe_key)
);
CREATE INDEX notifications_due ON notifications (not_before) WHERE sent_at IS NULL;
CREATE INDEX notifications_about ON notifications (about_id);
