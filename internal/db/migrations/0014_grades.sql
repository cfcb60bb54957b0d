-- Grades (internal/grades): establishment settings, periods' entry
-- deadlines, subject coefficients, sub-subjects, evaluations, marks, the
-- entry grid's drafts, subject appraisals and the history of every change.
-- Numbers are stored exactly as integer hundredths (*_x100: 14,5 → 1450)
-- so that both engines store and compare the same values; averages are
-- computed by internal/averages, never stored. Calendar days are
-- 'YYYY-MM-DD' text.

-- A session that passed a second factor (TOTP or passkey), as opposed to
-- one the establishment let in on a password alone: marks need it.
ALTER TABLE sessions ADD COLUMN second_factor BOOLEAN NOT NULL DEFAULT FALSE;

-- An establishment's grading settings; no row means the defaults.
CREATE TABLE gr_settings (
    establishment_id  TEXT PRIMARY KEY REFERENCES establishments(id) ON DELETE CASCADE,
    rounding_x100     INTEGER NOT NULL DEFAULT 1 CHECK (rounding_x100 IN (1, 10, 50, 100)),
    rounding_mode     TEXT NOT NULL DEFAULT 'nearest' CHECK (rounding_mode IN ('nearest', 'up', 'down')),
    overall_weighted  BOOLEAN NOT NULL DEFAULT TRUE,   -- overall average weighted by subject coefficients
    year_mode         TEXT NOT NULL DEFAULT 'periods' CHECK (year_mode IN ('periods', 'marks')),
    show_mean         BOOLEAN NOT NULL DEFAULT TRUE,   -- class statistics shown to families
    show_min_max      BOOLEAN NOT NULL DEFAULT TRUE,
    show_median       BOOLEAN NOT NULL DEFAULT FALSE,
    level_mode        TEXT NOT NULL DEFAULT 'mean' CHECK (level_mode IN ('mean', 'highest')),
    level_marks       TEXT NOT NULL DEFAULT '500,1000,1500,2000', -- levels 1..4 as marks /20, x100
    updated_at        BIGINT NOT NULL DEFAULT 0,
    updated_by        TEXT NOT NULL DEFAULT ''
);

-- A period's grading calendar: marks of the period are locked after the
-- entry deadline, unless the head reopened entry until a later day.
CREATE TABLE gr_periods (
    period_id         TEXT PRIMARY KEY REFERENCES periods(id) ON DELETE CASCADE,
    entry_deadline    TEXT NOT NULL DEFAULT '',  -- '' : no deadline yet
    reopened_until    TEXT NOT NULL DEFAULT '',
    council_on        TEXT NOT NULL DEFAULT '',
    updated_at        BIGINT NOT NULL DEFAULT 0,
    updated_by        TEXT NOT NULL DEFAULT ''
);

-- A subject's coefficient in the overall average, for a level ('4e') or a
-- class (which wins over its level); no row: coefficient 1.
CREATE TABLE gr_subject_coefficients (
    establishment_id  TEXT NOT NULL REFERENCES establishments(id) ON DELETE CASCADE,
    subject_id        TEXT NOT NULL REFERENCES subjects(id) ON DELETE CASCADE,
    level             TEXT NOT NULL DEFAULT '',
    class_id          TEXT NOT NULL DEFAULT '',
    coef_x100         INTEGER NOT NULL CHECK (coef_x100 BETWEEN 1 AND 10000),
    PRIMARY KEY (establishment_id, subject_id, level, class_id)
);

-- Sub-subjects of a subject (written and oral French…), each weighted in
-- the subject's average.
CREATE TABLE gr_sub_subjects (
    id                TEXT PRIMARY KEY,
    establishment_id  TEXT NOT NULL REFERENCES establishments(id) ON DELETE CASCADE,
    subject_id        TEXT NOT NULL REFERENCES subjects(id) ON DELETE CASCADE,
    name              TEXT NOT NULL,
    coef_x100         INTEGER NOT NULL CHECK (coef_x100 BETWEEN 1 AND 10000),
    UNIQUE (subject_id, name)
);

-- An evaluation of a class or group in a subject, within a period.
-- Families see it (and its marks) from publish_on.
CREATE TABLE gr_evaluations (
    id                TEXT PRIMARY KEY,
    establishment_id  TEXT NOT NULL REFERENCES establishments(id) ON DELETE CASCADE,
    class_id          TEXT REFERENCES classes(id) ON DELETE CASCADE,
    group_id          TEXT REFERENCES groups(id) ON DELETE CASCADE,
    subject_id        TEXT NOT NULL REFERENCES subjects(id) ON DELETE CASCADE,
    sub_subject_id    TEXT REFERENCES gr_sub_subjects(id) ON DELETE SET NULL,
    period_id         TEXT NOT NULL REFERENCES periods(id) ON DELETE CASCADE,
    title             TEXT NOT NULL,
    description       TEXT NOT NULL DEFAULT '',
    held_on           TEXT NOT NULL,
    scale_x100        INTEGER NOT NULL CHECK (scale_x100 BETWEEN 100 AND 10000),
    coef_x100         INTEGER NOT NULL CHECK (coef_x100 BETWEEN 1 AND 10000),
    to20              BOOLEAN NOT NULL DEFAULT TRUE,   -- brought back to /20
    formative         BOOLEAN NOT NULL DEFAULT FALSE,  -- not counted in averages
    bonus             BOOLEAN NOT NULL DEFAULT FALSE,
    optional          BOOLEAN NOT NULL DEFAULT FALSE,
    publish_on        TEXT NOT NULL,
    author_id         TEXT REFERENCES people(id) ON DELETE SET NULL,
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL,
    CHECK ((class_id IS NULL) <> (group_id IS NULL))
);
CREATE INDEX gr_evaluations_class ON gr_evaluations (class_id, subject_id, period_id);
CREATE INDEX gr_evaluations_group ON gr_evaluations (group_id, subject_id, period_id);
CREATE INDEX gr_evaluations_period ON gr_evaluations (period_id);

-- A student's mark: a value on the evaluation's scale or a special code
-- (internal/averages: abs, disp, nn, inap, nr, abs0, nr0, felic).
CREATE TABLE gr_marks (
    evaluation_id     TEXT NOT NULL REFERENCES gr_evaluations(id) ON DELETE CASCADE,
    student_id        TEXT NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    value_x100        INTEGER CHECK (value_x100 >= 0),
    special           TEXT NOT NULL DEFAULT '',
    updated_at        BIGINT NOT NULL,
    updated_by        TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (evaluation_id, student_id),
    CHECK ((value_x100 IS NULL) <> (special = ''))
);
CREATE INDEX gr_marks_student ON gr_marks (student_id);

-- What a teacher typed in an evaluation's grid and has not saved yet
-- (JSON: student → typed text), kept as they type so that nothing is lost
-- when a session expires; removed when the grid is saved.
CREATE TABLE gr_drafts (
    evaluation_id     TEXT NOT NULL REFERENCES gr_evaluations(id) ON DELETE CASCADE,
    author_id         TEXT NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    cells             TEXT NOT NULL,
    updated_at        BIGINT NOT NULL,
    PRIMARY KEY (evaluation_id, author_id)
);

-- A teacher's appraisal of a student in a subject for a period (≤ 300
-- characters), printed on the report card.
CREATE TABLE gr_appraisals (
    period_id         TEXT NOT NULL REFERENCES periods(id) ON DELETE CASCADE,
    student_id        TEXT NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    subject_id        TEXT NOT NULL REFERENCES subjects(id) ON DELETE CASCADE,
    body              TEXT NOT NULL,
    author_id         TEXT REFERENCES people(id) ON DELETE SET NULL,
    updated_at        BIGINT NOT NULL,
    PRIMARY KEY (period_id, student_id, subject_id)
);

-- Students (or relatives) who asked to be told of new marks through the
-- notification outbox.
CREATE TABLE gr_mark_notices (
    person_id         TEXT PRIMARY KEY REFERENCES people(id) ON DELETE CASCADE,
    since             BIGINT NOT NULL
);

-- Every change to a mark, a level, an appraisal or a report card: who,
-- when, before and after; read by the head.
CREATE TABLE gr_history (
    id                {{SERIAL}},
    establishment_id  TEXT NOT NULL REFERENCES establishments(id) ON DELETE CASCADE,
    student_id        TEXT REFERENCES people(id) ON DELETE CASCADE,
    subject           TEXT NOT NULL,   -- "mark:EVAL", "appraisal:PERIOD/SUBJECT", "report-card:ID", "level:EVAL/ITEM"…
    actor             TEXT NOT NULL,
    at                BIGINT NOT NULL,
    before_state      TEXT NOT NULL DEFAULT '',
    after_state       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX gr_history_establishment ON gr_history (establishment_id, at);
CREATE INDEX gr_history_student ON gr_history (student_id);
