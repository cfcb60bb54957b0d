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
