-- School life, discipline (internal/discipline): punishments (punitions
-- scolaires), the six disciplinary sanctions of Code de l'éducation
-- R511-13, incidents with their protagonists, and the history of every
-- change. Punishments and sanctions are kept apart: different tables,
-- different rights (teachers never read sanctions). Calendar days are
-- 'YYYY-MM-DD' text, times of day minutes (Europe/Paris).

-- An incident: what happened, where, when, how serious; recorded and read
-- by school life (CPE, head, deputy) only.
CREATE TABLE dis_incidents (
    id                TEXT PRIMARY KEY,
    establishment_id  TEXT NOT NULL REFERENCES establishments(id) ON DELETE CASCADE,
    occurred_on       TEXT NOT NULL,
    occurred_min      INTEGER NOT NULL CHECK (occurred_min BETWEEN 0 AND 1439),
    place             TEXT NOT NULL,
    kind              TEXT NOT NULL,     -- one of discipline.IncidentKinds
    seriousness       INTEGER NOT NULL CHECK (seriousness BETWEEN 1 AND 4),
    description       TEXT NOT NULL,
    processed         BOOLEAN NOT NULL DEFAULT FALSE,
    created_by        TEXT REFERENCES people(id) ON DELETE SET NULL,
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL
);
CREATE INDEX dis_incidents_day ON dis_incidents (establishment_id, occurred_on);

-- The students an incident involves, each with their role.
CREATE TABLE dis_protagonists (
    incident_id       TEXT NOT NULL REFERENCES dis_incidents(id) ON DELETE CASCADE,
    student_id        TEXT NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    role              TEXT NOT NULL CHECK (role IN ('author', 'victim', 'witness')),
    PRIMARY KEY (incident_id, student_id)
);
CREATE INDEX dis_protagonists_student ON dis_protagonists (student_id);

-- A punishment. The columns of each kind: extra work (work, due_on);
-- detention (on_date, start_min, duration_min, place, work, outcome);
-- exclusion from one lesson (slot_id, lesson_date, report: the written
-- report to the CPE and head). private_note is the author's and school
-- life's, never shown to the family.
CREATE TABLE dis_punishments (
    id                TEXT PRIMARY KEY,
    establishment_id  TEXT NOT NULL REFERENCES establishments(id) ON DELETE CASCADE,
    student_id        TEXT NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    incident_id       TEXT REFERENCES dis_incidents(id) ON DELETE SET NULL,
    kind              TEXT NOT NULL CHECK (kind IN ('note', 'apology', 'extra-work', 'detention', 'lesson-exclusion')),
    given_on          TEXT NOT NULL,
    reason            TEXT NOT NULL,
    private_note      TEXT NOT NULL DEFAULT '',
    work              TEXT NOT NULL DEFAULT '',
    due_on            TEXT NOT NULL DEFAULT '',
    on_date           TEXT NOT NULL DEFAULT '',
    start_min         INTEGER NOT NULL DEFAULT 0,
    duration_min      INTEGER NOT NULL DEFAULT 0,
    place             TEXT NOT NULL DEFAULT '',
    outcome           TEXT NOT NULL DEFAULT '' CHECK (outcome IN ('', 'done', 'not-done')),
    slot_id           TEXT,
    lesson_date       TEXT NOT NULL DEFAULT '',
    report            TEXT NOT NULL DEFAULT '',
    cancelled         BOOLEAN NOT NULL DEFAULT FALSE,
    author_id         TEXT REFERENCES people(id) ON DELETE SET NULL,
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL
);
CREATE INDEX dis_punishments_student ON dis_punishments (student_id, given_on);
CREATE INDEX dis_punishments_establishment ON dis_punishments (establishment_id, given_on);
CREATE INDEX dis_punishments_incident ON dis_punishments (incident_id);

-- A disciplinary sanction (R511-13 I 1°-6°), decided by the head, or by
-- the disciplinary board for a permanent exclusion (board_on). hours: a
-- responsabilisation (≤ 20); days: a temporary exclusion (≤ 8).
-- Suspension (sursis, 3°-6° only): total or partial (suspended_units of
-- the hours or days), revocable until suspended_until (R511-13-1);
-- revoked_on by a later decision. removal_on: the day the sanction leaves
-- the student's record (R511-13 IV); '' for a permanent exclusion. The
-- daily purge deletes those whose day has come.
CREATE TABLE dis_sanctions (
    id                TEXT PRIMARY KEY,
    establishment_id  TEXT NOT NULL REFERENCES establishments(id) ON DELETE CASCADE,
    student_id        TEXT NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    incident_id       TEXT REFERENCES dis_incidents(id) ON DELETE SET NULL,
    kind              TEXT NOT NULL CHECK (kind IN ('warning', 'reprimand', 'responsibility', 'class-exclusion', 'school-exclusion', 'permanent-exclusion')),
    decided_on        TEXT NOT NULL,
    reason            TEXT NOT NULL,
    hours             INTEGER NOT NULL DEFAULT 0 CHECK (hours BETWEEN 0 AND 20),
    days              INTEGER NOT NULL DEFAULT 0 CHECK (days BETWEEN 0 AND 8),
    starts_on         TEXT NOT NULL DEFAULT '',
    service           TEXT NOT NULL DEFAULT '',   -- exclusion from an annexed service (half-board, boarding) instead of the school
    board_on          TEXT NOT NULL DEFAULT '',
    suspension        TEXT NOT NULL DEFAULT 'none' CHECK (suspension IN ('none', 'total', 'partial')),
    suspended_units   INTEGER NOT NULL DEFAULT 0,
    suspended_until   TEXT NOT NULL DEFAULT '',
    revoked_on        TEXT NOT NULL DEFAULT '',
    revocation_reason TEXT NOT NULL DEFAULT '',
    revoked_by        TEXT REFERENCES people(id) ON DELETE SET NULL,
    removal_on        TEXT NOT NULL DEFAULT '',
    decided_by        TEXT REFERENCES people(id) ON DELETE SET NULL,
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL
);
CREATE INDEX dis_sanctions_student ON dis_sanctions (student_id, decided_on);
CREATE INDEX dis_sanctions_establishment ON dis_sanctions (establishment_id, decided_on);
CREATE INDEX dis_sanctions_removal ON dis_sanctions (removal_on);

-- Every change to a punishment, a sanction or an incident: who, when,
-- before and after (JSON of the changed fields). The history of a
-- sanction leaves with it when it is removed from the record.
CREATE TABLE dis_history (
    id                {{SERIAL}},
    establishment_id  TEXT NOT NULL REFERENCES establishments(id) ON DELETE CASCADE,
    student_id        TEXT REFERENCES people(id) ON DELETE CASCADE,  -- NULL: an incident
    subject           TEXT NOT NULL,   -- "punishment:ID", "sanction:ID", "incident:ID"
    actor             TEXT NOT NULL,
    at                BIGINT NOT NULL,
    before_state      TEXT NOT NULL DEFAULT '',
    after_state       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX dis_history_establishment ON dis_history (establishment_id, at);
CREATE INDEX dis_history_subject ON dis_history (subject);
