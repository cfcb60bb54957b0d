// Package averages is the one calculation engine of marks and averages:
// a subject's average for a student, a year's, the overall average, class
// statistics, competence levels and the brevet's continuous assessment.
// The student's page, the class statistics, the report cards, the brevet
// and the what-if simulation all call it, so that they can never disagree.
//
// It holds no database and no HTTP: callers load evaluations and marks,
// pass them in with the establishment's Settings, and get back a Result.
// A Result carries its unrounded value, the reported (rounded) value,
// whether anything counted at all ("not graded", NN, is not 0) and the
// Steps of the computation as data: a rule code, what the step concerns
// (Ref: an ID and a label), its operands and result as numbers, and
// flags (hypothetical, skipped). Explain renders the steps one line each
// through the i18n keys avg.step.<rule>, with numbers written the
// language's way, so that a parent can redo every product, sum, division,
// cap and rounding by hand. docs/grades.md states every rule with a
// worked example.
//
// Design choices:
//   - float64 throughout; intermediate values are never rounded. Only the
//     reported value is, by Rounding, which forgives float error (1e-6
//     point) so that 14.45 rounds to 14.5 and 12.000000001 up to 12.0.
//   - the rules are plain functions over slices; nothing is cached, and a
//     class of 30 students with 40 evaluations takes well under a
//     millisecond (BenchmarkClassSubject).
//   - steps follow the order of the entries given (callers pass them by
//     date), except that optional marks are weighed last, best first.
//   - what-if: hypothetical marks are ordinary entries with a flag; the
//     engine computes as usual and flags the steps and the result. Nothing
//     is stored, since the engine has no storage.
package averages
