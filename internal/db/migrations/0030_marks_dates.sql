-- A mark carries its evaluation's dates, so that a family's latest marks
-- are the first few entries of one index (grades.LatestMarks) instead of a
-- lookup of every evaluation the student ever had. The copies are kept by
-- triggers, whatever code writes marks or evaluations. A mark the triggers
-- never reached (a load with triggers off) stays hidden: its publication
-- date defaults to after any real one. Migration 0029's index of the
-- evaluations' dates served only the former query.
DROP INDEX gr_evaluations_dates;
ALTER TABLE gr_marks ADD COLUMN publish_on TEXT NOT NULL DEFAULT '9999-12-31';
ALTER TABLE gr_marks ADD COLUMN held_on TEXT NOT NULL DEFAULT '';
UPDATE gr_marks SET
    publish_on = (SELECT e.publish_on FROM gr_evaluations e WHERE e.id = gr_marks.evaluation_id),
    held_on = (SELECT e.held_on FROM gr_evaluations e WHERE e.id = gr_marks.evaluation_id);
CREATE INDEX gr_marks_latest ON gr_marks (student_id, publish_on DESC, held_on DESC, evaluation_id, value_x100, special);

{{POSTGRES}}
-- FOR SHARE: a mark written while its evaluation's dates change waits for
-- that change and copies the new dates; the change, in turn, waits for the
-- marks being written and then updates them too.
CREATE FUNCTION gr_marks_copy_dates() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    SELECT e.publish_on, e.held_on INTO NEW.publish_on, NEW.held_on
    FROM gr_evaluations e WHERE e.id = NEW.evaluation_id FOR SHARE;
    RETURN NEW;
END $$;
CREATE TRIGGER gr_marks_copy_dates BEFORE INSERT OR UPDATE OF evaluation_id ON gr_marks
    FOR EACH ROW EXECUTE FUNCTION gr_marks_copy_dates();

CREATE FUNCTION gr_evaluations_copy_dates() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE gr_marks SET publish_on = NEW.publish_on, held_on = NEW.held_on WHERE evaluation_id = NEW.id;
    RETURN NULL;
END $$;
CREATE TRIGGER gr_evaluations_copy_dates AFTER UPDATE OF publish_on, held_on ON gr_evaluations
    FOR EACH ROW WHEN (OLD.publish_on IS DISTINCT FROM NEW.publish_on OR OLD.held_on IS DISTINCT FROM NEW.held_on)
    EXECUTE FUNCTION gr_evaluations_copy_dates();
{{END}}
{{SQLITE}}
-- SQLite has one writer at a time: no write can come between.
CREATE TRIGGER gr_marks_copy_dates AFTER INSERT ON gr_marks
BEGIN
    UPDATE gr_marks SET
        publish_on = (SELECT e.publish_on FROM gr_evaluations e WHERE e.id = NEW.evaluation_id),
        held_on = (SELECT e.held_on FROM gr_evaluations e WHERE e.id = NEW.evaluation_id)
    WHERE evaluation_id = NEW.evaluation_id AND student_id = NEW.student_id;
END;
CREATE TRIGGER gr_marks_copy_dates_moved AFTER UPDATE OF evaluation_id ON gr_marks
BEGIN
    UPDATE gr_marks SET
        publish_on = (SELECT e.publish_on FROM gr_evaluations e WHERE e.id = NEW.evaluation_id),
        held_on = (SELECT e.held_on FROM gr_evaluations e WHERE e.id = NEW.evaluation_id)
    WHERE evaluation_id = NEW.evaluation_id AND student_id = NEW.student_id;
END;
CREATE TRIGGER gr_evaluations_copy_dates AFTER UPDATE OF publish_on, held_on ON gr_evaluations
    WHEN OLD.publish_on IS NOT NEW.publish_on OR OLD.held_on IS NOT NEW.held_on
BEGIN
    UPDATE gr_marks SET publish_on = NEW.publish_on, held_on = NEW.held_on WHERE evaluation_id = NEW.id;
END;
{{END}}
