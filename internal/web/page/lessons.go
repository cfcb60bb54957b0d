package page

import (
	"strings"

	"cartable/internal/i18n"
	"cartable/internal/timetable"
)

// LessonNotes puts a lesson's changes into words (cancelled, moved, room
// changed, replaced, test planned, note), for every page and feed that
// shows a lesson.
func LessonNotes(lang string, l timetable.Lesson) []string {
	var out []string
	if l.Slot.Exceptional {
		out = append(out, i18n.T(lang, "tt.exceptional"))
	}
	c := l.Change
	if c == nil {
		return out
	}
	if c.Cancelled {
		out = append(out, i18n.T(lang, "tt.cancelled", i18n.T(lang, "tt.reason."+c.Reason)))
	}
	if l.Moved() {
		day, _ := timetable.ParseDate(l.Date)
		orig := timetable.At(day, l.Slot.StartMin)
		out = append(out, i18n.T(lang, "tt.moved", DayName(lang, l.Start), l.Start.Format("15:04"), l.End.Format("15:04"),
			DayName(lang, orig), orig.Format("15:04")))
	}
	if c.NewRoom != nil {
		was := "—"
		if l.Slot.Room != nil {
			was = l.Slot.Room.Name
		}
		out = append(out, i18n.T(lang, "tt.roomchange", c.NewRoom.Name, was))
	}
	if c.Replacement != nil {
		out = append(out, i18n.T(lang, "tt.replaced", c.Replacement.Name(), TeacherNames(l.Slot.Teachers)))
	}
	if c.TestPlanned {
		out = append(out, i18n.T(lang, "tt.test"))
	}
	if c.Note != "" {
		out = append(out, i18n.T(lang, "tt.note", c.Note))
	}
	return out
}

// TeacherNames lists teachers' names, comma-separated.
func TeacherNames(ps []timetable.Person) string {
	names := make([]string, len(ps))
	for i, p := range ps {
		names[i] = p.Name()
	}
	return strings.Join(names, ", ")
}

// TimetableProblems translates the timetable's problems into sentences
// (the change of a lesson, the timetable's editing and import).
func TimetableProblems(lang string, ps timetable.Problems) []string {
	var out []string
	for _, p := range ps {
		msg := i18n.T(lang, "tt.problem."+p.Code, p.Value)
		field := i18n.T(lang, "tt.field."+p.Field)
		if p.Line > 0 {
			out = append(out, i18n.T(lang, "tt.problem.atline", p.Line, field, msg))
		} else {
			out = append(out, i18n.T(lang, "tt.problem.atfield", field, msg))
		}
	}
	return out
}
