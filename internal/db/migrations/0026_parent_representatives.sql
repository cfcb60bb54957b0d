-- Elected parent representatives (issue 13): the relatives elected for a
-- school year, to the establishment's board (no class) or for a class's
-- council (class_id). The communication rule relative → relative reaches
-- them: a family writes to the representatives of its children's classes
-- and of the establishment, a representative to the families of the
-- classes represented (access/comm.go). Designated by the head.
CREATE TABLE parent_representatives (
    id                TEXT PRIMARY KEY,
    establishment_id  TEXT NOT NULL REFERENCES establishments(id) ON DELETE CASCADE,
    school_year_id    TEXT NOT NULL REFERENCES school_years(id) ON DELETE CASCADE,
    person_id         TEXT NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    class_id          TEXT REFERENCES classes(id) ON DELETE CASCADE,
    created_at        BIGINT NOT NULL,
    created_by        TEXT NOT NULL
);
-- Once per person, year and class (or establishment).
CREATE UNIQUE INDEX parent_representatives_one ON parent_representatives (school_year_id, person_id, COALESCE(class_id, ''));
CREATE INDEX parent_representatives_person ON parent_representatives (person_id);
CREATE INDEX parent_representatives_class ON parent_representatives (class_id);
CREATE INDEX parent_representatives_establishment ON parent_representatives (establishment_id);

-- They decide write-to: the access policy keeps them in its per-version
-- facts (access.Facts), so each change bumps the directory's version
-- (migration 0017) and every replica sees it at its next request.
{{POSTGRES}}
CREATE TRIGGER dv_parent_representatives AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON parent_representatives
    FOR EACH STATEMENT EXECUTE FUNCTION bump_directory_version();
{{END}}
{{SQLITE}}
CREATE TRIGGER dv_parent_representatives_insert AFTER INSERT ON parent_representatives BEGIN UPDATE directory_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER dv_parent_representatives_update AFTER UPDATE ON parent_representatives BEGIN UPDATE directory_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER dv_parent_representatives_delete AFTER DELETE ON parent_representatives BEGIN UPDATE directory_version SET n = n + 1 WHERE id = 1; END;
{{END}}
