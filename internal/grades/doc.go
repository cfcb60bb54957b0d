// Package grades holds evaluations, marks, subject appraisals, competence
// levels and report cards, for a viewer. Averages are never stored: they
// are computed by internal/averages (the one engine, with its steps) from
// the marks read here.
//
// It owns the gr_* tables (migrations 0014 and later) and their SQL
// (store.go and the file of each feature). Its Service answers for a
// viewer: every read and write asks the access policy
// (internal/access/grades.go) first and refuses (access.ErrDenied) what the
// viewer may not see or do, missing or forbidden alike. Entering or
// changing a mark needs a session that passed a second factor (the policy
// refuses EnterMarks otherwise). Every change to a mark, a level, an
// appraisal or a report card is written to gr_history in the transaction
// of the change (who, when, before → after), read by the head.
//
// Files:
//   - grades.go: the service, the model shared by the features;
//   - store.go: the shared SQL (evaluations, marks, settings, periods);
//   - one file (or a few) per feature: entry (evaluations, the grid,
//     drafts, locking), results (what students and families read, the
//     what-if simulation, exports), competences, report cards, the
//     national record (LSU) export, the brevet.
package grades
