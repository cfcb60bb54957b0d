// Package roles names the profiles of a person and the staff functions held
// in an establishment. It is a leaf: the directory stores these values, the
// access policy decides with them, and neither needs the other to name them.
package roles

// Profiles of a person.
const (
	Student  = "student"
	Relative = "relative"
	Teacher  = "teacher"
	Staff    = "staff"
	Admin    = "admin"
)

// Functions of staff within an establishment.
const (
	Head          = "head"
	Deputy        = "deputy"
	CPE           = "cpe"
	Documentalist = "documentalist"
	Secretary     = "secretary"
)

// Profiles lists every profile, in display order.
var Profiles = []string{Student, Relative, Teacher, Staff, Admin}

// Functions lists every staff function.
var Functions = []string{Head, Deputy, CPE, Documentalist, Secretary}
