package access_test

// The policy's questions on lesson occurrences are answered by the
// timetable, which registers its reader when it is linked (see
// RegisterOccurrences). The internal tests of this package cannot import
// it (it imports this package); this external test file links it into the
// same test binary.
import _ "cartable/internal/timetable"
