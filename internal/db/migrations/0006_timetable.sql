-- Timetable, class log, homework, files and calendar feeds (issue 5).
-- Times of day are minutes after midnight, local time of the establishment
-- (Europe/Paris); dates are 'YYYY-MM-DD'; timestamps Unix seconds UTC.

-- Rooms of an establishment (free labels from the timetable software).
CREATE TABLE tt_rooms (
    id                TEXT PRIMARY KEY,
    establishment_id  TEXT NOT NULL REFERENCES establishments(id) ON DELETE CASCADE,
    code              TEXT NOT NULL,
    name              TEXT NOT NULL,
    UNIQUE (establishment_id, code)
);

-- Week patterns: the Mondays of the weeks a weekly lesson applies to
-- (week A, week B, fortnights, custom). A lesson without one runs every
-- school week.
CREATE TABLE tt_alternations (
    id                TEXT PRIMARY KEY,
    establishment_id  TEXT NOT NULL REFERENCES establishments(id) ON DELETE CASCADE,
    code              TEXT NOT NULL,
    label             TEXT NOT NULL,
    UNIQUE (establishment_id, code)
);

CREATE TABLE tt_alternation_weeks (
    alternation_id  TEXT NOT NULL REFERENCES tt_alternations(id) ON DELETE CASCADE,
    monday          TEXT NOT NULL,
    PRIMARY KEY (alternation_id, monday)
);

-- Weekly lessons. A one-off ("exceptional") lesson is a slot valid on its
-- one date only, flagged as such.
CREATE TABLE tt_slots (
    id                TEXT PRIMARY KEY,
    establishment_id  TEXT NOT NULL REFERENCES establishments(id) ON DELETE CASCADE,
    school_year_id    TEXT NOT NULL REFERENCES school_years(id) ON DELETE CASCADE,
    weekday           INTEGER NOT NULL CHECK (weekday BETWEEN 1 AND 7),
    start_min         INTEGER NOT NULL CHECK (start_min BETWEEN 0 AND 1439),
    duration_min      INTEGER NOT NULL CHECK (duration_min BETWEEN 5 AND 720),
    subject_id        TEXT NOT NULL REFERENCES subjects(id) ON DELETE CASCADE,
    room_id           TEXT REFERENCES tt_rooms(id) ON DELETE SET NULL,
    alternation_id    TEXT REFERENCES tt_alternations(id) ON DELETE SET NULL,
    valid_from        TEXT NOT NULL,
    valid_to          TEXT NOT NULL,
    exceptional       BOOLEAN NOT NULL DEFAULT FALSE,
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL
);
CREATE INDEX tt_slots_establishment ON tt_slots (establishment_id);
CREATE INDEX tt_slots_room ON tt_slots (room_id);

CREATE TABLE tt_slot_teachers (
    slot_id     TEXT NOT NULL REFERENCES tt_slots(id) ON DELETE CASCADE,
    teacher_id  TEXT NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    PRIMARY KEY (slot_id, teacher_id)
);
CREATE INDEX tt_slot_teachers_teacher ON tt_slot_teachers (teacher_id);

-- Who attends: classes and groups (exactly one of the two per row).
CREATE TABLE tt_slot_audiences (
    slot_id   TEXT NOT NULL REFERENCES tt_slots(id) ON DELETE CASCADE,
    class_id  TEXT REFERENCES classes(id) ON DELETE CASCADE,
    group_id  TEXT REFERENCES groups(id) ON DELETE CASCADE,
    CHECK ((class_id IS NULL) <> (group_id IS NULL))
);
CREATE INDEX tt_slot_audiences_slot ON tt_slot_audiences (slot_id);
CREATE INDEX tt_slot_audiences_class ON tt_slot_audiences (class_id);
CREATE INDEX tt_slot_audiences_group ON tt_slot_audiences (group_id);

-- A dated change to one occurrence of a slot (slot, original date):
-- cancelled with a reason, moved (date, time, room), replacement teacher,
-- test planned. One row per occurrence holds every aspect.
CREATE TABLE tt_changes (
    slot_id             TEXT NOT NULL REFERENCES tt_slots(id) ON DELETE CASCADE,
    on_date             TEXT NOT NULL,
    establishment_id    TEXT NOT NULL REFERENCES establishments(id) ON DELETE CASCADE,
    cancelled           BOOLEAN NOT NULL DEFAULT FALSE,
    reason              TEXT NOT NULL DEFAULT '' CHECK (reason IN ('', 'teacher-absent', 'class-absent', 'school-trip', 'exam', 'strike', 'other')),
    new_date            TEXT,
    new_start_min       INTEGER CHECK (new_start_min BETWEEN 0 AND 1439),
    new_duration_min    INTEGER CHECK (new_duration_min BETWEEN 5 AND 720),
    new_room_id         TEXT REFERENCES tt_rooms(id) ON DELETE SET NULL,
    replacement_id      TEXT REFERENCES people(id) ON DELETE SET NULL,
    test_planned        BOOLEAN NOT NULL DEFAULT FALSE,
    note                TEXT NOT NULL DEFAULT '',
    changed_by          TEXT NOT NULL DEFAULT '',
    changed_at          BIGINT NOT NULL,
    PRIMARY KEY (slot_id, on_date)
);
CREATE INDEX tt_changes_date ON tt_changes (establishment_id, on_date);
CREATE INDEX tt_changes_new_date ON tt_changes (establishment_id, new_date);

-- Events for the notification outbox (delivery comes with messaging):
-- identifiers only, never names or free text.
CREATE TABLE notification_outbox (
    id                {{SERIAL}},
    establishment_id  TEXT NOT NULL REFERENCES establishments(id) ON DELETE CASCADE,
    kind              TEXT NOT NULL,
    subject           TEXT NOT NULL,
    payload           TEXT NOT NULL DEFAULT '{}',
    occurs_on         TEXT NOT NULL DEFAULT '',
    created_at        BIGINT NOT NULL,
    delivered_at      BIGINT
);
CREATE INDEX notification_outbox_pending ON notification_outbox (delivered_at, id);

-- Per-establishment data keys for files, wrapped (AES-256-GCM) by the
-- master key kept in the data directory.
CREATE TABLE file_keys (
    establishment_id  TEXT PRIMARY KEY REFERENCES establishments(id) ON DELETE CASCADE,
    wrapped           {{BLOB}} NOT NULL,
    created_at        BIGINT NOT NULL
);

-- Stored files (attachments, hand-ins); the bytes live in the storage
-- backend, sealed with the establishment's data key.
CREATE TABLE files (
    id                TEXT PRIMARY KEY,
    establishment_id  TEXT NOT NULL REFERENCES establishments(id) ON DELETE CASCADE,
    owner_id          TEXT NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    name              TEXT NOT NULL,
    content_type      TEXT NOT NULL,
    size              BIGINT NOT NULL,
    sha256            TEXT NOT NULL,
    storage_key       TEXT NOT NULL UNIQUE,
    created_at        BIGINT NOT NULL
);
CREATE INDEX files_owner ON files (owner_id);

-- Class log settings of an establishment.
CREATE TABLE classlog_settings (
    establishment_id  TEXT PRIMARY KEY REFERENCES establishments(id) ON DELETE CASCADE,
    colleagues_read   BOOLEAN NOT NULL DEFAULT FALSE
);

-- Class log (cahier de textes): what was done in a lesson, for one class
-- or group. Body is sanitised HTML.
CREATE TABLE classlog_entries (
    id                TEXT PRIMARY KEY,
    establishment_id  TEXT NOT NULL REFERENCES establishments(id) ON DELETE CASCADE,
    author_id         TEXT NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    slot_id           TEXT REFERENCES tt_slots(id) ON DELETE SET NULL,
    lesson_date       TEXT NOT NULL,
    class_id          TEXT REFERENCES classes(id) ON DELETE CASCADE,
    group_id          TEXT REFERENCES groups(id) ON DELETE CASCADE,
    subject_id        TEXT NOT NULL REFERENCES subjects(id) ON DELETE CASCADE,
    title             TEXT NOT NULL,
    body              TEXT NOT NULL DEFAULT '',
    category          TEXT NOT NULL CHECK (category IN ('lesson', 'tutorial', 'practical', 'test', 'other')),
    draft             BOOLEAN NOT NULL DEFAULT TRUE,
    publish_at        BIGINT NOT NULL DEFAULT 0,
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL,
    CHECK ((class_id IS NULL) <> (group_id IS NULL))
);
CREATE INDEX classlog_entries_class ON classlog_entries (class_id, lesson_date);
CREATE INDEX classlog_entries_group ON classlog_entries (group_id, lesson_date);
CREATE INDEX classlog_entries_slot ON classlog_entries (slot_id, lesson_date);
CREATE INDEX classlog_entries_author ON classlog_entries (author_id);

CREATE TABLE classlog_attachments (
    entry_id  TEXT NOT NULL REFERENCES classlog_entries(id) ON DELETE CASCADE,
    file_id   TEXT NOT NULL REFERENCES files(id) ON DELETE CASCADE,
    PRIMARY KEY (entry_id, file_id)
);

-- Homework set in a class log entry, due on a date (or at a lesson).
CREATE TABLE homework (
    id                TEXT PRIMARY KEY,
    entry_id          TEXT NOT NULL REFERENCES classlog_entries(id) ON DELETE CASCADE,
    establishment_id  TEXT NOT NULL REFERENCES establishments(id) ON DELETE CASCADE,
    class_id          TEXT REFERENCES classes(id) ON DELETE CASCADE,
    group_id          TEXT REFERENCES groups(id) ON DELETE CASCADE,
    due_date          TEXT NOT NULL,
    due_slot_id       TEXT REFERENCES tt_slots(id) ON DELETE SET NULL,
    description       TEXT NOT NULL,
    minutes           INTEGER NOT NULL DEFAULT 0 CHECK (minutes BETWEEN 0 AND 600),
    handin            TEXT NOT NULL DEFAULT 'none' CHECK (handin IN ('none', 'paper', 'upload')),
    created_at        BIGINT NOT NULL,
    CHECK ((class_id IS NULL) <> (group_id IS NULL))
);
CREATE INDEX homework_class ON homework (class_id, due_date);
CREATE INDEX homework_group ON homework (group_id, due_date);
CREATE INDEX homework_entry ON homework (entry_id);

-- A student's own "done" tick: seen by the student and their relatives only.
CREATE TABLE homework_done (
    homework_id  TEXT NOT NULL REFERENCES homework(id) ON DELETE CASCADE,
    student_id   TEXT NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    done_at      BIGINT NOT NULL,
    PRIMARY KEY (homework_id, student_id)
);
CREATE INDEX homework_done_student ON homework_done (student_id);

-- Work handed in (upload); a new upload replaces the previous one.
CREATE TABLE homework_submissions (
    homework_id   TEXT NOT NULL REFERENCES homework(id) ON DELETE CASCADE,
    student_id    TEXT NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    file_id       TEXT NOT NULL REFERENCES files(id) ON DELETE CASCADE,
    submitted_at  BIGINT NOT NULL,
    PRIMARY KEY (homework_id, student_id)
);
CREATE INDEX homework_submissions_student ON homework_submissions (student_id);

-- Private calendar feeds: only the SHA-256 of the token is kept.
CREATE TABLE calendar_feeds (
    id            TEXT PRIMARY KEY,
    person_id     TEXT NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    token_hash    TEXT NOT NULL UNIQUE,
    label         TEXT NOT NULL DEFAULT '',
    created_at    BIGINT NOT NULL,
    last_used_at  BIGINT,
    revoked_at    BIGINT
);
CREATE INDEX calendar_feeds_person ON calendar_feeds (person_id);
