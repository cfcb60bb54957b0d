-- A family's latest marks from indexes alone: a student's marks with what
-- the home page shows of them, and an evaluation's dates by its ID. The
-- newest few are chosen from these before any evaluation row is read
-- (grades.LatestMarks); the first replaces the plain student index.
DROP INDEX gr_marks_student;
CREATE INDEX gr_marks_student ON gr_marks (student_id, evaluation_id, value_x100, special);
CREATE INDEX gr_evaluations_dates ON gr_evaluations (id, publish_on, held_on);
