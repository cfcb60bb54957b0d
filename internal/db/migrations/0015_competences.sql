-- Competences of the socle commun (internal/grades: competences.go,
-- cycle.go): the items an establishment assesses, each tied to one of the
-- eight components of the socle by its national code (the LSU's
-- CodeDomaineSocle); the items an evaluation assesses; the level given per
-- evaluation, item and student; and the end-of-cycle positioning per
-- student, school year and component. Every change is written to
-- gr_history ("level:EVAL/ITEM", "cycle:YEAR/COMPONENT") in the same
-- transaction.

-- A competence item: establishment-wide (subject_id NULL) or a subject's.
-- Archived items are offered no more but keep the levels given on them.
CREATE TABLE gr_competence_items (
    id                TEXT PRIMARY KEY,
    establishment_id  TEXT NOT NULL REFERENCES establishments(id) ON DELETE CASCADE,
    subject_id        TEXT REFERENCES subjects(id) ON DELETE CASCADE,
    component         TEXT NOT NULL CHECK (component IN ('CPD_FRA', 'CPD_ETR', 'CPD_SCI', 'CPD_ART',
                                                        'MET_APP', 'FRM_CIT', 'SYS_NAT', 'REP_MND')),
    label             TEXT NOT NULL,
    archived          BOOLEAN NOT NULL DEFAULT FALSE,
    author_id         TEXT REFERENCES people(id) ON DELETE SET NULL,
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL
);
CREATE INDEX gr_competence_items_establishment ON gr_competence_items (establishment_id, subject_id);

-- The items an evaluation assesses, in the order of the grid's columns.
-- An item is never deleted once chosen (it is archived instead).
CREATE TABLE gr_evaluation_items (
    evaluation_id     TEXT NOT NULL REFERENCES gr_evaluations(id) ON DELETE CASCADE,
    item_id           TEXT NOT NULL REFERENCES gr_competence_items(id),
    position          INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (evaluation_id, item_id)
);
CREATE INDEX gr_evaluation_items_item ON gr_evaluation_items (item_id);

-- A student's level on an item of an evaluation: 1 maîtrise insuffisante,
-- 2 fragile, 3 satisfaisante, 4 très bonne maîtrise; or a special code
-- instead: 'disp' (exempt: the LSU's 0) or 'abs' (absent: not assessed).
-- No row: nothing entered.
CREATE TABLE gr_levels (
    evaluation_id     TEXT NOT NULL REFERENCES gr_evaluations(id) ON DELETE CASCADE,
    item_id           TEXT NOT NULL REFERENCES gr_competence_items(id),
    student_id        TEXT NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    level             INTEGER CHECK (level BETWEEN 1 AND 4),
    special           TEXT NOT NULL DEFAULT '' CHECK (special IN ('', 'abs', 'disp')),
    updated_at        BIGINT NOT NULL,
    updated_by        TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (evaluation_id, item_id, student_id),
    CHECK ((level IS NULL) <> (special = ''))
);
CREATE INDEX gr_levels_student ON gr_levels (student_id);
CREATE INDEX gr_levels_item ON gr_levels (item_id);

-- The end-of-cycle positioning of a student on a component of the socle
-- (bilan de fin de cycle: cycle 3 in 6e, cycle 4 in 3e): 1 to 4, or 0 for
-- exempt (dispensé), as the LSU's PositionnementSocle writes it.
CREATE TABLE gr_cycle_positions (
    student_id        TEXT NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    school_year_id    TEXT NOT NULL REFERENCES school_years(id) ON DELETE CASCADE,
    component         TEXT NOT NULL CHECK (component IN ('CPD_FRA', 'CPD_ETR', 'CPD_SCI', 'CPD_ART',
                                                        'MET_APP', 'FRM_CIT', 'SYS_NAT', 'REP_MND')),
    cycle             INTEGER NOT NULL CHECK (cycle IN (3, 4)),
    position          INTEGER NOT NULL CHECK (position BETWEEN 0 AND 4),
    author_id         TEXT REFERENCES people(id) ON DELETE SET NULL,
    updated_at        BIGINT NOT NULL,
    PRIMARY KEY (student_id, school_year_id, component)
);
