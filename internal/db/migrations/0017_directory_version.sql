-- The directory's version: a counter bumped by every change to the tables
-- that decide what a viewer may see (profiles, memberships, functions,
-- families, enrolments, groups, classes, years, teaching assignments, head
-- teachers). A session lookup reads it in the same statement, and the
-- access policy keeps each viewer's facts and scope per version in the
-- process (access.Facts): one replica's edit is seen by every other at
-- their next request, with no message between them.
CREATE TABLE directory_version (
    id  INTEGER PRIMARY KEY CHECK (id = 1),
    n   BIGINT NOT NULL
);
INSERT INTO directory_version (id, n) VALUES (1, 1);

{{POSTGRES}}
CREATE FUNCTION bump_directory_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE directory_version SET n = n + 1 WHERE id = 1;
    RETURN NULL;
END
$$;
-- A person's names, password and contact details change nothing the
-- policy decides: only their profile and state count.
CREATE TRIGGER dv_people AFTER INSERT OR UPDATE OF profile, active OR DELETE OR TRUNCATE ON people
    FOR EACH STATEMENT EXECUTE FUNCTION bump_directory_version();
CREATE TRIGGER dv_memberships AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON memberships
    FOR EACH STATEMENT EXECUTE FUNCTION bump_directory_version();
CREATE TRIGGER dv_functions AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON functions
    FOR EACH STATEMENT EXECUTE FUNCTION bump_directory_version();
CREATE TRIGGER dv_family_links AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON family_links
    FOR EACH STATEMENT EXECUTE FUNCTION bump_directory_version();
CREATE TRIGGER dv_enrolments AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON enrolments
    FOR EACH STATEMENT EXECUTE FUNCTION bump_directory_version();
CREATE TRIGGER dv_group_members AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON group_members
    FOR EACH STATEMENT EXECUTE FUNCTION bump_directory_version();
CREATE TRIGGER dv_group_classes AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON group_classes
    FOR EACH STATEMENT EXECUTE FUNCTION bump_directory_version();
CREATE TRIGGER dv_classes AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON classes
    FOR EACH STATEMENT EXECUTE FUNCTION bump_directory_version();
CREATE TRIGGER dv_groups AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON groups
    FOR EACH STATEMENT EXECUTE FUNCTION bump_directory_version();
CREATE TRIGGER dv_school_years AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON school_years
    FOR EACH STATEMENT EXECUTE FUNCTION bump_directory_version();
CREATE TRIGGER dv_teaching_assignments AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON teaching_assignments
    FOR EACH STATEMENT EXECUTE FUNCTION bump_directory_version();
CREATE TRIGGER dv_head_teachers AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON head_teachers
    FOR EACH STATEMENT EXECUTE FUNCTION bump_directory_version();
{{END}}
{{SQLITE}}
-- SQLite has row triggers only: one bump per row changed, a few microseconds.
CREATE TRIGGER dv_people_insert AFTER INSERT ON people BEGIN UPDATE directory_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER dv_people_update AFTER UPDATE OF profile, active ON people BEGIN UPDATE directory_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER dv_people_delete AFTER DELETE ON people BEGIN UPDATE directory_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER dv_memberships_insert AFTER INSERT ON memberships BEGIN UPDATE directory_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER dv_memberships_update AFTER UPDATE ON memberships BEGIN UPDATE directory_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER dv_memberships_delete AFTER DELETE ON memberships BEGIN UPDATE directory_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER dv_functions_insert AFTER INSERT ON functions BEGIN UPDATE directory_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER dv_functions_update AFTER UPDATE ON functions BEGIN UPDATE directory_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER dv_functions_delete AFTER DELETE ON functions BEGIN UPDATE directory_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER dv_family_links_insert AFTER INSERT ON family_links BEGIN UPDATE directory_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER dv_family_links_update AFTER UPDATE ON family_links BEGIN UPDATE directory_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER dv_family_links_delete AFTER DELETE ON family_links BEGIN UPDATE directory_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER dv_enrolments_insert AFTER INSERT ON enrolments BEGIN UPDATE directory_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER dv_enrolments_update AFTER UPDATE ON enrolments BEGIN UPDATE directory_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER dv_enrolments_delete AFTER DELETE ON enrolments BEGIN UPDATE directory_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER dv_group_members_insert AFTER INSERT ON group_members BEGIN UPDATE directory_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER dv_group_members_update AFTER UPDATE ON group_members BEGIN UPDATE directory_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER dv_group_members_delete AFTER DELETE ON group_members BEGIN UPDATE directory_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER dv_group_classes_insert AFTER INSERT ON group_classes BEGIN UPDATE directory_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER dv_group_classes_update AFTER UPDATE ON group_classes BEGIN UPDATE directory_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER dv_group_classes_delete AFTER DELETE ON group_classes BEGIN UPDATE directory_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER dv_classes_insert AFTER INSERT ON classes BEGIN UPDATE directory_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER dv_classes_update AFTER UPDATE ON classes BEGIN UPDATE directory_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER dv_classes_delete AFTER DELETE ON classes BEGIN UPDATE directory_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER dv_groups_insert AFTER INSERT ON groups BEGIN UPDATE directory_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER dv_groups_update AFTER UPDATE ON groups BEGIN UPDATE directory_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER dv_groups_delete AFTER DELETE ON groups BEGIN UPDATE directory_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER dv_school_years_insert AFTER INSERT ON school_years BEGIN UPDATE directory_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER dv_school_years_update AFTER UPDATE ON school_years BEGIN UPDATE directory_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER dv_school_years_delete AFTER DELETE ON school_years BEGIN UPDATE directory_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER dv_teaching_assignments_insert AFTER INSERT ON teaching_assignments BEGIN UPDATE directory_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER dv_teaching_assignments_update AFTER UPDATE ON teaching_assignments BEGIN UPDATE directory_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER dv_teaching_assignments_delete AFTER DELETE ON teaching_assignments BEGIN UPDATE directory_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER dv_head_teachers_insert AFTER INSERT ON head_teachers BEGIN UPDATE directory_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER dv_head_teachers_update AFTER UPDATE ON head_teachers BEGIN UPDATE directory_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER dv_head_teachers_delete AFTER DELETE ON head_teachers BEGIN UPDATE directory_version SET n = n + 1 WHERE id = 1; END;
{{END}}
