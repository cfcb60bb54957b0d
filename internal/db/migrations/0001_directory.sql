-- The school directory: establishments, years, structures, people, links.
-- Identifiers are random text (unguessable, stable, safe in URLs);
-- timestamps are Unix seconds UTC; calendar dates are 'YYYY-MM-DD' text.

CREATE TABLE establishments (
    id          TEXT PRIMARY KEY,
    uai         TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('ecole', 'college', 'lycee')),
    city        TEXT NOT NULL DEFAULT '',
    created_at  BIGINT NOT NULL
);

CREATE TABLE school_years (
    id                TEXT PRIMARY KEY,
    establishment_id  TEXT NOT NULL REFERENCES establishments(id) ON DELETE CASCADE,
    label             TEXT NOT NULL,
    starts_on         TEXT NOT NULL,
    ends_on           TEXT NOT NULL,
    closed            BOOLEAN NOT NULL DEFAULT FALSE,
    UNIQUE (establishment_id, label)
);

CREATE TABLE periods (
    id              TEXT PRIMARY KEY,
    school_year_id  TEXT NOT NULL REFERENCES school_years(id) ON DELETE CASCADE,
    kind            TEXT NOT NULL CHECK (kind IN ('trimestre', 'semestre')),
    number          INTEGER NOT NULL,
    starts_on       TEXT NOT NULL,
    ends_on         TEXT NOT NULL,
    UNIQUE (school_year_id, number)
);

CREATE TABLE holidays (
    id              TEXT PRIMARY KEY,
    school_year_id  TEXT NOT NULL REFERENCES school_years(id) ON DELETE CASCADE,
    label           TEXT NOT NULL,
    starts_on       TEXT NOT NULL,
    ends_on         TEXT NOT NULL
);

CREATE TABLE subjects (
    id                TEXT PRIMARY KEY,
    establishment_id  TEXT NOT NULL REFERENCES establishments(id) ON DELETE CASCADE,
    code              TEXT NOT NULL,
    short_name        TEXT NOT NULL DEFAULT '',
    name              TEXT NOT NULL,
    UNIQUE (establishment_id, code)
);

CREATE TABLE classes (
    id                TEXT PRIMARY KEY,
    establishment_id  TEXT NOT NULL REFERENCES establishments(id) ON DELETE CASCADE,
    school_year_id    TEXT NOT NULL REFERENCES school_years(id) ON DELETE CASCADE,
    code              TEXT NOT NULL,
    name              TEXT NOT NULL,
    level             TEXT NOT NULL DEFAULT '',
    UNIQUE (school_year_id, code)
);
CREATE INDEX classes_establishment ON classes (establishment_id);

CREATE TABLE groups (
    id                TEXT PRIMARY KEY,
    establishment_id  TEXT NOT NULL REFERENCES establishments(id) ON DELETE CASCADE,
    school_year_id    TEXT NOT NULL REFERENCES school_years(id) ON DELETE CASCADE,
    code              TEXT NOT NULL,
    name              TEXT NOT NULL,
    UNIQUE (school_year_id, code)
);
CREATE INDEX groups_establishment ON groups (establishment_id);

-- A group may span several classes (e.g. a language group across 4A and 4B).
CREATE TABLE group_classes (
    group_id  TEXT NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
    class_id  TEXT NOT NULL REFERENCES classes(id) ON DELETE CASCADE,
    PRIMARY KEY (group_id, class_id)
);

CREATE TABLE people (
    id             TEXT PRIMARY KEY,
    external_id    TEXT,                 -- join key of the academic feed
    profile        TEXT NOT NULL CHECK (profile IN ('student', 'relative', 'teacher', 'staff', 'admin')),
    login          TEXT NOT NULL UNIQUE,
    password_hash  TEXT NOT NULL DEFAULT '',
    title          TEXT NOT NULL DEFAULT '',
    last_name      TEXT NOT NULL,
    first_name     TEXT NOT NULL,
    birth_date     TEXT NOT NULL DEFAULT '',
    email          TEXT NOT NULL DEFAULT '',
    phone          TEXT NOT NULL DEFAULT '',
    address        TEXT NOT NULL DEFAULT '',
    postal_code    TEXT NOT NULL DEFAULT '',
    city           TEXT NOT NULL DEFAULT '',
    active         BOOLEAN NOT NULL DEFAULT TRUE,
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL,
    deactivated_at BIGINT
);
CREATE UNIQUE INDEX people_external ON people (external_id);

-- A person is attached to one or several establishments.
CREATE TABLE memberships (
    person_id         TEXT NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    establishment_id  TEXT NOT NULL REFERENCES establishments(id) ON DELETE CASCADE,
    PRIMARY KEY (person_id, establishment_id)
);
CREATE INDEX memberships_establishment ON memberships (establishment_id);

-- Functions of staff in an establishment: head, deputy, cpe, documentalist,
-- secretary (and 'teacher' is implied by the teacher profile).
CREATE TABLE functions (
    person_id         TEXT NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    establishment_id  TEXT NOT NULL REFERENCES establishments(id) ON DELETE CASCADE,
    function          TEXT NOT NULL CHECK (function IN ('head', 'deputy', 'cpe', 'documentalist', 'secretary')),
    PRIMARY KEY (person_id, establishment_id, function)
);

CREATE TABLE enrolments (
    student_id  TEXT NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    class_id    TEXT NOT NULL REFERENCES classes(id) ON DELETE CASCADE,
    PRIMARY KEY (student_id, class_id)
);
CREATE INDEX enrolments_class ON enrolments (class_id);

CREATE TABLE group_members (
    student_id  TEXT NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    group_id    TEXT NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
    PRIMARY KEY (student_id, group_id)
);
CREATE INDEX group_members_group ON group_members (group_id);

-- Family links with the flags of the national feeds.
CREATE TABLE family_links (
    student_id      TEXT NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    relative_id     TEXT NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    relationship    TEXT NOT NULL DEFAULT '',   -- mere, pere, tuteur, autre…
    legal_guardian  BOOLEAN NOT NULL DEFAULT FALSE, -- responsable légal (else: person in charge)
    financial       BOOLEAN NOT NULL DEFAULT FALSE,
    contact         BOOLEAN NOT NULL DEFAULT FALSE,
    lives_with      BOOLEAN NOT NULL DEFAULT FALSE,
    receives_mail   BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (student_id, relative_id)
);
CREATE INDEX family_links_relative ON family_links (relative_id);

-- Teacher × (class or group) × subject.
CREATE TABLE teaching_assignments (
    id                TEXT PRIMARY KEY,
    establishment_id  TEXT NOT NULL REFERENCES establishments(id) ON DELETE CASCADE,
    teacher_id        TEXT NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    class_id          TEXT REFERENCES classes(id) ON DELETE CASCADE,
    group_id          TEXT REFERENCES groups(id) ON DELETE CASCADE,
    subject_id        TEXT NOT NULL REFERENCES subjects(id) ON DELETE CASCADE,
    CHECK ((class_id IS NULL) <> (group_id IS NULL))
);
CREATE INDEX assignments_teacher ON teaching_assignments (teacher_id);
CREATE INDEX assignments_class ON teaching_assignments (class_id);
CREATE INDEX assignments_group ON teaching_assignments (group_id);

CREATE TABLE head_teachers (
    class_id    TEXT NOT NULL REFERENCES classes(id) ON DELETE CASCADE,
    teacher_id  TEXT NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    PRIMARY KEY (class_id, teacher_id)
);
CREATE INDEX head_teachers_teacher ON head_teachers (teacher_id);
