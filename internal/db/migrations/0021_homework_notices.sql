-- What families were last told of a homework (internal/classlog's
-- notices): the fingerprint of its content (due date, description,
-- minutes, hand-in mode) and the day it was told. A homework is told
-- again when its content differs from the fingerprint, at most once a
-- day, so that an edit storm makes one notice.
CREATE TABLE homework_notices (
    homework_id  TEXT PRIMARY KEY REFERENCES homework(id) ON DELETE CASCADE,
    fingerprint  TEXT NOT NULL,
    told_on      TEXT NOT NULL,
    told_at      BIGINT NOT NULL
);
-- The round reads the homework due in the coming days, across classes.
CREATE INDEX homework_due ON homework (due_date);
