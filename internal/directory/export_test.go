package directory

// The store functions the tests check against the tables directly.
var (
	TeachingOfStudent = teachingOfStudent
	TeachingOfClass   = teachingOfClass
	SchoolingOf       = schoolingOf
)
