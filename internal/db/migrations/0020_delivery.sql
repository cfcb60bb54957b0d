-- The job queue (internal/jobs): background work that must not be lost
-- (an e-mail to send, a push message to deliver). A worker claims a job
-- by writing a lease (locked_by, locked_until); a job whose lease has run
-- out is claimed again, so a crashed replica loses nothing. attempts
-- counts claims; a failed attempt sets run_at later (exponential backoff)
-- until max_attempts, when failed_at marks the job given up. dedupe_key,
-- when set, makes a second enqueue of the same work a no-op (one digest
-- per person and day). Times are Unix seconds.
CREATE TABLE jobs (
    id            {{SERIAL}},
    kind          TEXT NOT NULL,
    payload       TEXT NOT NULL,
    dedupe_key    TEXT,
    run_at        BIGINT NOT NULL,
    attempts      INTEGER NOT NULL DEFAULT 0,
    max_attempts  INTEGER NOT NULL,
    last_error    TEXT NOT NULL DEFAULT '',
    locked_by     TEXT,
    locked_until  BIGINT,
    created_at    BIGINT NOT NULL,
    done_at       BIGINT,
    failed_at     BIGINT
);
CREATE UNIQUE INDEX jobs_dedupe ON jobs (dedupe_key);
CREATE INDEX jobs_due ON jobs (run_at, id) WHERE done_at IS NULL AND failed_at IS NULL;

-- Delivery preferences (internal/delivery): per person, category of
-- notice and channel, a mode (immediate, daily, weekly, off). A missing
-- row means the default (e-mail: daily digest; push: immediate). In the
-- workspace every notice is always shown.
CREATE TABLE delivery_prefs (
    person_id  TEXT NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    category   TEXT NOT NULL,
    channel    TEXT NOT NULL,
    mode       TEXT NOT NULL,
    PRIMARY KEY (person_id, category, channel)
);

-- Per person: the language messages are written in and the quiet hours
-- (minutes after midnight, Europe/Paris; from > to spans midnight), when
-- no immediate message is sent (it waits for their end).
CREATE TABLE delivery_settings (
    person_id   TEXT PRIMARY KEY REFERENCES people(id) ON DELETE CASCADE,
    lang        TEXT NOT NULL DEFAULT 'fr',
    quiet_from  INTEGER,
    quiet_to    INTEGER
);

-- Web Push subscriptions, one per device of a person (RFC 8030): the
-- push service's https endpoint and the device's public key (p256dh,
-- uncompressed P-256 point) and auth secret, base64url as the browser
-- gives them.
CREATE TABLE push_subscriptions (
    id          TEXT PRIMARY KEY,
    person_id   TEXT NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    endpoint    TEXT NOT NULL UNIQUE,
    p256dh      TEXT NOT NULL,
    auth        TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);
CREATE INDEX push_subscriptions_person ON push_subscriptions (person_id);
