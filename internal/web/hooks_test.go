package web_test

import (
	"slices"
	"testing"

	"cartable/internal/timetable"
	_ "cartable/internal/web"
)

// The application links the class log, whose hooks follow a lesson split
// (docs/architecture.md, "Hooks"): without them a lesson changed after it
// began would leave its class log entries and homework on the old lesson.
func TestTimetableHooksAreRegistered(t *testing.T) {
	if !slices.Contains(timetable.RegisteredHooks(), "classlog") {
		t.Fatalf("the class log's timetable hooks are not registered: %v", timetable.RegisteredHooks())
	}
}
