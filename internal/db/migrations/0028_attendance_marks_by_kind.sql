-- A student's lateness (and other marks of one kind) found from the
-- student: with only (student_id, lesson_date) and (establishment_id,
-- lesson_date) to choose from, SQLite took the establishment's index and
-- read every mark of the school to find one student's lateness.
CREATE INDEX att_marks_student_kind ON att_marks (student_id, kind, lesson_date);
