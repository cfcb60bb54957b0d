package discipline

import (
	"strconv"

	"cartable/internal/timetable"
)

func hhmm(min int) string { return timetable.HHMM(min) }
func itoa(n int) string   { return strconv.Itoa(n) }
