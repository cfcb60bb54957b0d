-- Provisioning from the academic feeds (AAF) and the establishments' own
-- exports (SIECLE, STS, spreadsheets), and the account lifecycle:
-- deactivation, the choice about contributions, the timed purge.

-- Where an establishment's directory comes from. 'aaf': the academic feed,
-- which names the establishment by its structure join key (external_id);
-- 'local': the establishment's own exports. An establishment is fed by one
-- of the two, never both, so that one person never gets two accounts.
CREATE TABLE provisioning_establishments (
    establishment_id  TEXT PRIMARY KEY REFERENCES establishments(id) ON DELETE CASCADE,
    feed              TEXT NOT NULL CHECK (feed IN ('aaf', 'local')),
    external_id       TEXT UNIQUE,
    structure_type    TEXT NOT NULL DEFAULT '',
    academy           TEXT NOT NULL DEFAULT ''
);

-- People a feed delivered without any establishment we could resolve (a
-- relative whose children are missing from the delivery, a member of staff
-- attached to an unknown structure). They are tied loosely to the
-- establishments the delivery covered, so that the next complete delivery
-- of those establishments can deactivate them. This grants no visibility:
-- it is not a membership.
CREATE TABLE provisioning_orphans (
    person_id         TEXT NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    establishment_id  TEXT NOT NULL REFERENCES establishments(id) ON DELETE CASCADE,
    PRIMARY KEY (person_id, establishment_id)
);
CREATE INDEX provisioning_orphans_establishment ON provisioning_orphans (establishment_id);

-- National nomenclatures seen in deliveries (subject and MEF labels by
-- code), to name the subjects that a later delta refers to.
CREATE TABLE provisioning_nomenclature (
    kind   TEXT NOT NULL CHECK (kind IN ('subject', 'mef')),
    code   TEXT NOT NULL,
    label  TEXT NOT NULL,
    PRIMARY KEY (kind, code)
);

-- Import history: who ran which import, when, and what it changed. The
-- summary is JSON with counts per kind and action and the warnings; it
-- names people by join key at most, never by name.
CREATE TABLE import_runs (
    id             TEXT PRIMARY KEY,
    at             BIGINT NOT NULL,
    actor_id       TEXT NOT NULL DEFAULT '',   -- person ID; '' for the command line
    source         TEXT NOT NULL,              -- aaf, siecle, sts, csv
    mode           TEXT NOT NULL,              -- complete, delta
    delivery_date  TEXT NOT NULL DEFAULT '',   -- YYYY-MM-DD
    outcome        TEXT NOT NULL,              -- applied, refused
    summary        TEXT NOT NULL
);
CREATE INDEX import_runs_at ON import_runs (at);

CREATE TABLE import_run_establishments (
    run_id            TEXT NOT NULL REFERENCES import_runs(id) ON DELETE CASCADE,
    establishment_id  TEXT NOT NULL REFERENCES establishments(id) ON DELETE CASCADE,
    PRIMARY KEY (run_id, establishment_id)
);
CREATE INDEX import_run_establishments_establishment ON import_run_establishments (establishment_id);

-- Deliveries uploaded in the web interface and waiting for review. The
-- files are kept as one zip in the database (not on a replica's disk), so
-- that the confirmation may reach any replica. Deleted once confirmed or
-- cancelled, and by the daily purge after a day.
CREATE TABLE import_uploads (
    id                       TEXT PRIMARY KEY,
    created_at               BIGINT NOT NULL,
    created_by               TEXT NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    source                   TEXT NOT NULL,
    target_establishment_id  TEXT REFERENCES establishments(id) ON DELETE CASCADE,
    archive                  {{BLOB}} NOT NULL,
    fingerprint              TEXT NOT NULL,   -- of the changes shown for review
    summary                  TEXT NOT NULL
);

CREATE TABLE import_upload_establishments (
    upload_id         TEXT NOT NULL REFERENCES import_uploads(id) ON DELETE CASCADE,
    establishment_id  TEXT NOT NULL REFERENCES establishments(id) ON DELETE CASCADE,
    PRIMARY KEY (upload_id, establishment_id)
);

-- The choice of a person whose account closes: whether they object to
-- their contributions to shared spaces being kept. No row: no objection.
CREATE TABLE account_closures (
    person_id    TEXT PRIMARY KEY REFERENCES people(id) ON DELETE CASCADE,
    objects      BOOLEAN NOT NULL DEFAULT FALSE,
    recorded_at  BIGINT NOT NULL,
    recorded_by  TEXT NOT NULL DEFAULT ''
);

-- One line per purge: counts only, no personal data. The audit trail
-- points here ("purge-run:ID").
CREATE TABLE purge_runs (
    id                    {{SERIAL}},
    at                    BIGINT NOT NULL,
    actor_id              TEXT NOT NULL DEFAULT '',   -- '' for the daily job or the command line
    delay_days            INTEGER NOT NULL,
    accounts_anonymised   INTEGER NOT NULL DEFAULT 0, -- contributions kept, identity erased
    accounts_deleted      INTEGER NOT NULL DEFAULT 0, -- objected: everything deleted
    school_years_deleted  INTEGER NOT NULL DEFAULT 0,
    uploads_deleted       INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX purge_runs_at ON purge_runs (at);

-- The purge looks for accounts deactivated before a date.
CREATE INDEX people_deactivated ON people (deactivated_at);
