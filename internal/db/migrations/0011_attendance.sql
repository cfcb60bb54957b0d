-- School life, attendance (internal/attendance): registers taken per
-- lesson occurrence, marks on students, absences over time, reasons,
-- exemptions, collective absences, families' justifications and the
-- history of every change. Local times are kept as the establishment's
-- date ('YYYY-MM-DD') and minute of the day (Europe/Paris), as the
-- timetable keeps them: half-days are counted on those.

-- An establishment's settings; defaults apply while it has no row.
CREATE TABLE att_settings (
    establishment_id  TEXT PRIMARY KEY REFERENCES establishments(id) ON DELETE CASCADE,
    unit              TEXT NOT NULL DEFAULT 'half-day' CHECK (unit IN ('half-day', 'hour', 'day')),
    boundary_min      INTEGER NOT NULL DEFAULT 750 CHECK (boundary_min BETWEEN 0 AND 1439), -- morning/afternoon, 12:30
    opens_before_min  INTEGER NOT NULL DEFAULT 10,  -- a register opens this long before its lesson
    late_after_min    INTEGER NOT NULL DEFAULT 15,  -- not done this long after the start: chased, teacher reminded
    alert_delay_min   INTEGER NOT NULL DEFAULT 0,   -- between the mark and the alert to relatives
    alert_from_min    INTEGER NOT NULL DEFAULT 420, -- alerts go out between these minutes of the day
    alert_until_min   INTEGER NOT NULL DEFAULT 1200,
    max_absences      INTEGER NOT NULL DEFAULT 5,   -- thresholds since the start of the year: a CPE task
    max_lateness      INTEGER NOT NULL DEFAULT 3,
    max_incidents     INTEGER NOT NULL DEFAULT 3,
    updated_at        BIGINT NOT NULL DEFAULT 0
);

-- Reasons of absence, per establishment. legitimate: a justified absence
-- ("motif recevable"); confidential: shown as "motif confidentiel" to
-- those without read-confidential.
CREATE TABLE att_reasons (
    id                TEXT PRIMARY KEY,
    establishment_id  TEXT NOT NULL REFERENCES establishments(id) ON DELETE CASCADE,
    label             TEXT NOT NULL,
    legitimate        BOOLEAN NOT NULL,
    confidential      BOOLEAN NOT NULL DEFAULT FALSE,
    active            BOOLEAN NOT NULL DEFAULT TRUE,
    position          INTEGER NOT NULL DEFAULT 0,
    UNIQUE (establishment_id, label)
);

-- An absence over time: from a register (one lesson, extended by the next
-- lessons of the day), recorded by school life (hours or days) or
-- declared by a family ahead. State: no-reason → reason-given →
-- justified | not-accepted.
CREATE TABLE att_absences (
    id                TEXT PRIMARY KEY,
    establishment_id  TEXT NOT NULL REFERENCES establishments(id) ON DELETE CASCADE,
    student_id        TEXT NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    start_date        TEXT NOT NULL,
    start_min         INTEGER NOT NULL CHECK (start_min BETWEEN 0 AND 1440),
    end_date          TEXT NOT NULL,
    end_min           INTEGER NOT NULL CHECK (end_min BETWEEN 0 AND 1440),
    source            TEXT NOT NULL CHECK (source IN ('register', 'school-life', 'family')),
    reason_id         TEXT REFERENCES att_reasons(id) ON DELETE RESTRICT,
    state             TEXT NOT NULL DEFAULT 'no-reason' CHECK (state IN ('no-reason', 'reason-given', 'justified', 'not-accepted')),
    comment           TEXT NOT NULL DEFAULT '',     -- school life's follow-up, not shown to families
    created_by        TEXT NOT NULL,
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL,
    CHECK (end_date > start_date OR (end_date = start_date AND end_min > start_min))
);
CREATE INDEX att_absences_student ON att_absences (student_id, start_date);
CREATE INDEX att_absences_day ON att_absences (establishment_id, start_date, end_date);

-- Collective absences: a class or group away together (a trip). Its
-- students are not absent; registers show them as away.
CREATE TABLE att_collective (
    id                TEXT PRIMARY KEY,
    establishment_id  TEXT NOT NULL REFERENCES establishments(id) ON DELETE CASCADE,
    class_id          TEXT REFERENCES classes(id) ON DELETE CASCADE,
    group_id          TEXT REFERENCES groups(id) ON DELETE CASCADE,
    label             TEXT NOT NULL,
    start_date        TEXT NOT NULL,
    start_min         INTEGER NOT NULL,
    end_date          TEXT NOT NULL,
    end_min           INTEGER NOT NULL,
    created_by        TEXT NOT NULL,
    created_at        BIGINT NOT NULL,
    CHECK ((class_id IS NULL) <> (group_id IS NULL))
);
CREATE INDEX att_collective_day ON att_collective (establishment_id, start_date);

-- Exemptions (dispenses): a subject, one-off (dates) or recurring
-- (weekdays, every week or one week in two), attendance required or not.
CREATE TABLE att_exemptions (
    id                TEXT PRIMARY KEY,
    establishment_id  TEXT NOT NULL REFERENCES establishments(id) ON DELETE CASCADE,
    student_id        TEXT NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    subject_id        TEXT REFERENCES subjects(id) ON DELETE CASCADE,  -- NULL: every lesson
    start_date        TEXT NOT NULL,
    end_date          TEXT NOT NULL,
    weekdays          TEXT NOT NULL DEFAULT '',  -- '' every day, else e.g. '1,4'
    every_other_week  BOOLEAN NOT NULL DEFAULT FALSE,
    attendance        BOOLEAN NOT NULL DEFAULT TRUE, -- must still attend
    comment           TEXT NOT NULL DEFAULT '',
    created_by        TEXT NOT NULL,
    created_at        BIGINT NOT NULL
);
CREATE INDEX att_exemptions_student ON att_exemptions (student_id, end_date);

-- One register per lesson occurrence (original date, as the class log):
-- no row is "to do"; in-progress once opened and saved, done when the
-- teacher says so.
CREATE TABLE att_registers (
    slot_id           TEXT NOT NULL REFERENCES tt_slots(id) ON DELETE CASCADE,
    lesson_date       TEXT NOT NULL,
    establishment_id  TEXT NOT NULL REFERENCES establishments(id) ON DELETE CASCADE,
    state             TEXT NOT NULL CHECK (state IN ('in-progress', 'done')),
    taken_by          TEXT REFERENCES people(id) ON DELETE SET NULL,
    started_at        BIGINT NOT NULL,
    done_at           BIGINT,
    reminded_at       BIGINT,  -- the teacher was reminded (it was late)
    PRIMARY KEY (slot_id, lesson_date)
);
CREATE INDEX att_registers_day ON att_registers (establishment_id, lesson_date);

-- What a register says of a student. An 'absent' mark belongs to the
-- absence covering the lesson (absence_id); lateness in minutes, leaving
-- early at a minute of the day; a remark; forgotten material.
CREATE TABLE att_marks (
    id                TEXT PRIMARY KEY,
    slot_id           TEXT NOT NULL,
    lesson_date       TEXT NOT NULL,
    establishment_id  TEXT NOT NULL REFERENCES establishments(id) ON DELETE CASCADE,
    student_id        TEXT NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    kind              TEXT NOT NULL CHECK (kind IN ('absent', 'late', 'left-early', 'remark', 'material')),
    minutes           INTEGER NOT NULL DEFAULT 0,  -- late: minutes; left-early: minute of the day
    note              TEXT NOT NULL DEFAULT '',
    absence_id        TEXT REFERENCES att_absences(id) ON DELETE SET NULL,
    reason_id         TEXT REFERENCES att_reasons(id) ON DELETE RESTRICT, -- lateness: its reason once given
    state             TEXT NOT NULL DEFAULT 'no-reason' CHECK (state IN ('no-reason', 'reason-given', 'justified', 'not-accepted')),
    created_by        TEXT NOT NULL,
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL,
    UNIQUE (slot_id, lesson_date, student_id, kind),
    FOREIGN KEY (slot_id, lesson_date) REFERENCES att_registers(slot_id, lesson_date) ON DELETE CASCADE
);
CREATE INDEX att_marks_student ON att_marks (student_id, lesson_date);
CREATE INDEX att_marks_day ON att_marks (establishment_id, lesson_date);
CREATE INDEX att_marks_absence ON att_marks (absence_id);

-- A family's justification: a period, a reason, a text, an optional
-- document (a sealed file), the absences and lateness it covers; the
-- school life's answer.
CREATE TABLE att_justifications (
    id                TEXT PRIMARY KEY,
    establishment_id  TEXT NOT NULL REFERENCES establishments(id) ON DELETE CASCADE,
    student_id        TEXT NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    author_id         TEXT NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    start_date        TEXT NOT NULL,
    start_min         INTEGER NOT NULL,
    end_date          TEXT NOT NULL,
    end_min           INTEGER NOT NULL,
    reason_id         TEXT NOT NULL REFERENCES att_reasons(id) ON DELETE RESTRICT,
    body              TEXT NOT NULL DEFAULT '',
    file_id           TEXT REFERENCES files(id) ON DELETE SET NULL,
    state             TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'accepted', 'refused')),
    answer            TEXT NOT NULL DEFAULT '',
    reviewed_by       TEXT REFERENCES people(id) ON DELETE SET NULL,
    reviewed_at       BIGINT,
    created_at        BIGINT NOT NULL
);
CREATE INDEX att_justifications_student ON att_justifications (student_id, start_date);
CREATE INDEX att_justifications_pending ON att_justifications (establishment_id, state);

CREATE TABLE att_justification_covers (
    justification_id  TEXT NOT NULL REFERENCES att_justifications(id) ON DELETE CASCADE,
    absence_id        TEXT REFERENCES att_absences(id) ON DELETE CASCADE,
    mark_id           TEXT REFERENCES att_marks(id) ON DELETE CASCADE,
    CHECK ((absence_id IS NULL) <> (mark_id IS NULL))
);
CREATE INDEX att_justification_covers_j ON att_justification_covers (justification_id);

-- Every change to an absence, a mark or a justification: who, when,
-- before and after (JSON of the changed fields; identifiers and states,
-- the text of a comment when it is what changed).
CREATE TABLE att_history (
    id                {{SERIAL}},
    establishment_id  TEXT NOT NULL REFERENCES establishments(id) ON DELETE CASCADE,
    student_id        TEXT NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    subject           TEXT NOT NULL,   -- "absence:ID", "mark:ID", "justification:ID"
    actor             TEXT NOT NULL,
    at                BIGINT NOT NULL,
    before_state      TEXT NOT NULL DEFAULT '',
    after_state       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX att_history_student ON att_history (student_id, at);
CREATE INDEX att_history_establishment ON att_history (establishment_id, at);

-- Tasks raised for school life (a threshold crossed, the monthly
-- compulsory-schooling counter): one per student, kind and key.
CREATE TABLE att_tasks (
    id                TEXT PRIMARY KEY,
    establishment_id  TEXT NOT NULL REFERENCES establishments(id) ON DELETE CASCADE,
    student_id        TEXT NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    kind              TEXT NOT NULL CHECK (kind IN ('absences', 'lateness', 'incidents', 'compulsory-schooling')),
    key               TEXT NOT NULL,   -- '2026-11' for the monthly counter, the year for thresholds
    count             INTEGER NOT NULL,
    created_at        BIGINT NOT NULL,
    done_by           TEXT REFERENCES people(id) ON DELETE SET NULL,
    done_at           BIGINT,
    UNIQUE (student_id, kind, key)
);
CREATE INDEX att_tasks_open ON att_tasks (establishment_id, done_at);
