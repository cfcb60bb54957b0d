package web

import (
	"errors"
	"net/http"
	"time"

	"cartable/internal/access"
	"cartable/internal/roles"
	"cartable/internal/timetable"
	"cartable/internal/web/page"
)

func dayName(lang string, t time.Time) string { return page.DayName(lang, t) }

func mustDate(s string) time.Time {
	d, _ := timetable.ParseDate(s)
	return d
}

// nowNext is the home page's "now and next" (timetable.Cache.NowNext)
// ready for its template: the lesson under way, the next one, and the
// changes of the coming week, for the student, the selected child or the
// teacher.
type nowNext struct {
	Now, Next      *page.LessonView
	Changes        []page.LessonView
	Link, Homework string
}

func (s *Server) nowNext(r *http.Request, data *homeData) (*nowNext, error) {
	v := currentOf(r).viewer
	var t timetable.Target
	n := &nowNext{Link: "/timetable", Homework: "/homework"}
	switch v.Profile {
	case roles.Student:
		t = timetable.Target{Kind: timetable.TargetStudent, ID: v.ID}
	case roles.Relative:
		if data.ChildID == "" {
			return nil, nil
		}
		t = timetable.Target{Kind: timetable.TargetStudent, ID: data.ChildID}
		n.Link, n.Homework = "/timetable?child="+data.ChildID, "/homework?child="+data.ChildID
	case roles.Teacher:
		t = timetable.Target{Kind: timetable.TargetTeacher, ID: v.ID}
	default:
		return nil, nil
	}
	now := s.Now()
	nn, err := s.weeks.NowNext(r.Context(), v, s.DB, t, now)
	if errors.Is(err, access.ErrDenied) {
		return nil, nil // no timetable to show: the rest of the home page is
	}
	if err != nil || nn == nil {
		return nil, err
	}
	shown := make([]timetable.Lesson, 0, 2+len(nn.Changes))
	for _, l := range []*timetable.Lesson{nn.Now, nn.Next} {
		if l != nil {
			shown = append(shown, *l)
		}
	}
	views := page.LessonViews(langOf(r), append(shown, nn.Changes...), now)
	i := 0
	if nn.Now != nil {
		n.Now, i = &views[i], i+1
	}
	if nn.Next != nil {
		n.Next, i = &views[i], i+1
	}
	n.Changes = views[i:]
	return n, nil
}
