-- The directory's version (0017) now also covers what the directory shows
-- of people, establishments and subjects, not only what the policy
-- decides: the directory keeps the rows of a home page's top (a student's
-- classes and head teachers, a relative's children, a teacher's classes)
-- per version (directory.memo), so a name or an establishment's label
-- edited on one replica must be seen by every other at its next request.
-- A password, a last-seen or an updated_at change still bumps nothing.
{{POSTGRES}}
DROP TRIGGER dv_people ON people;
CREATE TRIGGER dv_people AFTER INSERT OR UPDATE OF external_id, profile, login, title, last_name, first_name, birth_date,
    email, phone, address, postal_code, city, active OR DELETE OR TRUNCATE ON people
    FOR EACH STATEMENT EXECUTE FUNCTION bump_directory_version();
CREATE TRIGGER dv_establishments AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON establishments
    FOR EACH STATEMENT EXECUTE FUNCTION bump_directory_version();
CREATE TRIGGER dv_subjects AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON subjects
    FOR EACH STATEMENT EXECUTE FUNCTION bump_directory_version();
{{END}}
{{SQLITE}}
DROP TRIGGER dv_people_update;
CREATE TRIGGER dv_people_update AFTER UPDATE OF external_id, profile, login, title, last_name, first_name, birth_date,
    email, phone, address, postal_code, city, active ON people BEGIN UPDATE directory_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER dv_establishments_insert AFTER INSERT ON establishments BEGIN UPDATE directory_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER dv_establishments_update AFTER UPDATE ON establishments BEGIN UPDATE directory_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER dv_establishments_delete AFTER DELETE ON establishments BEGIN UPDATE directory_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER dv_subjects_insert AFTER INSERT ON subjects BEGIN UPDATE directory_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER dv_subjects_update AFTER UPDATE ON subjects BEGIN UPDATE directory_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER dv_subjects_delete AFTER DELETE ON subjects BEGIN UPDATE directory_version SET n = n + 1 WHERE id = 1; END;
{{END}}
