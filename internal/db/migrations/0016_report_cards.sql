-- Report cards (internal/grades: council.go, reportcards.go): what the
-- class council writes per period and student, and the published report
-- cards, frozen. Calendar days are 'YYYY-MM-DD' text.

-- The council's entries for a student in a period: the head teacher's
-- general appraisal, the CPE's appraisal, the mention and the orientation
-- opinion (each appraisal ≤ 300 characters, checked by the service).
CREATE TABLE gr_council_entries (
    period_id          TEXT NOT NULL REFERENCES periods(id) ON DELETE CASCADE,
    student_id         TEXT NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    class_id           TEXT NOT NULL REFERENCES classes(id) ON DELETE CASCADE,
    general_appraisal  TEXT NOT NULL DEFAULT '',
    life_appraisal     TEXT NOT NULL DEFAULT '',
    mention            TEXT NOT NULL DEFAULT '' CHECK (mention IN ('', 'felicitations', 'compliments', 'encouragements',
                           'mise-en-garde-travail', 'mise-en-garde-comportement')),
    orientation        TEXT NOT NULL DEFAULT '',
    updated_at         BIGINT NOT NULL,
    updated_by         TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (period_id, student_id)
);
CREATE INDEX gr_council_entries_class ON gr_council_entries (class_id, period_id);

-- A published report card: one row per period, student and version. The
-- content is the card as printed (JSON: every figure, appraisal, identity
-- and school-life figure), the pdf its bytes. A row is never changed: a
-- correction inserts version n+1 (replaces_id the previous one), and the
-- trigger below refuses any UPDATE.
CREATE TABLE gr_report_cards (
    id                 TEXT PRIMARY KEY,
    establishment_id   TEXT NOT NULL REFERENCES establishments(id) ON DELETE CASCADE,
    period_id          TEXT NOT NULL REFERENCES periods(id) ON DELETE CASCADE,
    class_id           TEXT NOT NULL REFERENCES classes(id) ON DELETE CASCADE,
    student_id         TEXT NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    version            INTEGER NOT NULL CHECK (version >= 1),
    replaces_id        TEXT REFERENCES gr_report_cards(id) ON DELETE CASCADE,
    reason             TEXT NOT NULL DEFAULT '',  -- why a correction was made
    content            TEXT NOT NULL,
    pdf                {{BLOB}} NOT NULL,
    publish_on         TEXT NOT NULL,             -- families see it from this day
    published_at       BIGINT NOT NULL,
    created_by         TEXT NOT NULL,
    UNIQUE (period_id, student_id, version)
);
CREATE INDEX gr_report_cards_class ON gr_report_cards (class_id, period_id);
CREATE INDEX gr_report_cards_student ON gr_report_cards (student_id);

{{POSTGRES}}
CREATE FUNCTION gr_report_cards_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'a published report card is never changed: publish a new version';
END
$$;
CREATE TRIGGER gr_report_cards_frozen BEFORE UPDATE ON gr_report_cards
    FOR EACH ROW EXECUTE FUNCTION gr_report_cards_frozen();
{{END}}
{{SQLITE}}
CREATE TRIGGER gr_report_cards_frozen BEFORE UPDATE ON gr_report_cards
BEGIN
    SELECT RAISE(ABORT, 'a published report card is never changed: publish a new version');
END;
{{END}}
