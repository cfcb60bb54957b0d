-- Server-side sessions. Only a SHA-256 of the token is stored, so a
-- database dump cannot be replayed as cookies.
CREATE TABLE sessions (
    token_hash    TEXT PRIMARY KEY,
    person_id     TEXT NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    created_at    BIGINT NOT NULL,
    last_seen_at  BIGINT NOT NULL,
    expires_at    BIGINT NOT NULL,
    user_agent    TEXT NOT NULL DEFAULT '',
    source_ip     TEXT NOT NULL DEFAULT '',
    mfa_done      BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX sessions_person ON sessions (person_id);

-- Append-only trail of security events. No password, no personal content:
-- actor and target are identifiers.
CREATE TABLE audit_events (
    id                {{SERIAL}},
    at                BIGINT NOT NULL,
    actor_id          TEXT NOT NULL DEFAULT '',
    establishment_id  TEXT NOT NULL DEFAULT '',
    action            TEXT NOT NULL,
    target            TEXT NOT NULL DEFAULT '',
    outcome           TEXT NOT NULL,
    source_ip         TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_events_at ON audit_events (at);
CREATE INDEX audit_events_actor ON audit_events (actor_id);
