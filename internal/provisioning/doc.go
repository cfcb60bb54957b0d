// Package provisioning fills the directory from the administration's
// systems and runs the account lifecycle.
//
// Readers turn a delivery into one Delivery value: the academic feed (AAF,
// complete or delta, aaf*.go), the establishment's own SIECLE and STS
// exports (siecle.go, sts.go) and spreadsheets (csv.go). Every reader
// streams its input (an XML token or a CSV record at a time), honours the
// declared encoding, never fetches a DTD nor expands an entity, and reports
// what it cannot read with the file, the line and the field.
//
// An import then computes, against the current directory, the plan of
// every change (people created, updated, deactivated, reactivated; family
// links; classes, groups, subjects, enrolments, assignments) with a summary
// of counts per kind and action, and applies it in one transaction: a bad
// file, a refused guard, a database error or a killed process leave the
// directory exactly as it was. People are matched by their join key
// (people.external_id), never by name, so the same delivery applied twice
// changes nothing the second time.
//
// The lifecycle (lifecycle.go, rollover.go): people absent from a complete
// delivery, deleted by a delta or closed by hand are deactivated at once
// (their sessions end; their links stay so that a reactivation restores
// the account intact); the daily purge erases a deactivated person's data
// after a delay of at most 90 days, keeping an anonymous stub only where
// the person did not object to their contributions being kept.
//
// The package owns the provisioning tables and, as the directory's bulk
// writer for feeds, writes the directory tables with batched statements:
// going through one INSERT per row would not meet the time budget of an
// academy-sized delivery.
package provisioning
