-- Account security: second factors, attempt limiting, activation codes,
-- password reset, sessions under the user's control.

-- Which profiles and staff functions of an establishment must use a second
-- factor. No row means the default: teachers, staff and admins must;
-- students and relatives may.
CREATE TABLE mfa_policies (
    establishment_id  TEXT PRIMARY KEY REFERENCES establishments(id) ON DELETE CASCADE,
    profiles          TEXT NOT NULL DEFAULT '',  -- comma-separated profiles
    functions         TEXT NOT NULL DEFAULT '',  -- comma-separated staff functions
    updated_at        BIGINT NOT NULL,
    updated_by        TEXT NOT NULL DEFAULT ''
);

-- One TOTP authenticator per person. An unconfirmed row is an enrolment in
-- progress; last_step is the last time step accepted, so a code is used once.
CREATE TABLE totp_credentials (
    person_id   TEXT PRIMARY KEY REFERENCES people(id) ON DELETE CASCADE,
    secret      TEXT NOT NULL,
    confirmed   BOOLEAN NOT NULL DEFAULT FALSE,
    created_at  BIGINT NOT NULL,
    last_step   BIGINT NOT NULL DEFAULT 0
);

-- Single-use recovery codes, stored as SHA-256 (they carry 50 random bits
-- and are tried only under attempt limiting).
CREATE TABLE recovery_codes (
    person_id   TEXT NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    code_hash   TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    used_at     BIGINT,
    PRIMARY KEY (person_id, code_hash)
);

-- Passkeys (WebAuthn credentials).
CREATE TABLE webauthn_credentials (
    id            TEXT PRIMARY KEY,       -- credential ID, base64url
    person_id     TEXT NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    name          TEXT NOT NULL,
    credential    TEXT NOT NULL,          -- JSON of the verified credential (public key, counters, flags)
    created_at    BIGINT NOT NULL,
    last_used_at  BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX webauthn_credentials_person ON webauthn_credentials (person_id);

-- WebAuthn ceremonies in progress, bound to the browser's session.
CREATE TABLE webauthn_ceremonies (
    token_hash  TEXT NOT NULL REFERENCES sessions(token_hash) ON DELETE CASCADE,
    kind        TEXT NOT NULL,            -- register, login
    data        TEXT NOT NULL,
    expires_at  BIGINT NOT NULL,
    PRIMARY KEY (token_hash, kind)
);

-- Attempt counters shared by every replica. A key is "login:<hash of the
-- login typed>", "ip:<address or /64>" or "device:<hash>".
CREATE TABLE auth_attempts (
    counter_key    TEXT PRIMARY KEY,
    failures       INTEGER NOT NULL DEFAULT 0,
    last_failure   BIGINT NOT NULL DEFAULT 0,
    blocked_until  BIGINT NOT NULL DEFAULT 0,
    locked         BOOLEAN NOT NULL DEFAULT FALSE
);

-- Browsers where a person completed a sign-in: an account lock caused by
-- someone else does not apply to them, so an attacker cannot lock a victim
-- out of their usual browser.
CREATE TABLE known_devices (
    token_hash  TEXT NOT NULL,
    person_id   TEXT NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    PRIMARY KEY (token_hash, person_id)
);
CREATE INDEX known_devices_person ON known_devices (person_id);

-- Account settings that are not directory data: the recovery e-mail
-- (asked of relatives at activation) and when the password was last set.
CREATE TABLE account_settings (
    person_id        TEXT PRIMARY KEY REFERENCES people(id) ON DELETE CASCADE,
    recovery_email   TEXT NOT NULL DEFAULT '',
    password_set_at  BIGINT NOT NULL DEFAULT 0,
    activated_at     BIGINT NOT NULL DEFAULT 0
);

-- First-time activation codes, single use and expiring, stored hashed.
CREATE TABLE activation_codes (
    code_hash         TEXT PRIMARY KEY,
    person_id         TEXT NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    establishment_id  TEXT NOT NULL REFERENCES establishments(id) ON DELETE CASCADE,
    created_by        TEXT NOT NULL DEFAULT '',
    created_at        BIGINT NOT NULL,
    expires_at        BIGINT NOT NULL,
    used_at           BIGINT
);
CREATE INDEX activation_codes_person ON activation_codes (person_id);

-- Password reset links, single use, valid 30 minutes, stored hashed.
CREATE TABLE password_resets (
    token_hash  TEXT PRIMARY KEY,
    person_id   TEXT NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    used_at     BIGINT
);
CREATE INDEX password_resets_person ON password_resets (person_id);

-- Sessions: a public handle to list and end them without exposing the
-- token hash, and the time of the last re-authentication.
ALTER TABLE sessions ADD COLUMN handle TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN reauth_at BIGINT NOT NULL DEFAULT 0;
CREATE INDEX sessions_handle ON sessions (handle);
