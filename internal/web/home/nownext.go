package home

import (
	"errors"
	"net/http"

	"cartable/internal/access"
	"cartable/internal/roles"
	"cartable/internal/timetable"
	"cartable/internal/web/page"
)

// nowNext is the home page's "now and next" (timetable.Cache.NowNext)
// ready for its template: the lesson under way, the next one, and the
// changes of the coming week, for the student, the selected child or the
// teacher.
type nowNext struct {
	Now, Next      *page.LessonView
	Changes        []page.LessonView
	Link, Homework string
}

func (a *Area) nowNext(r *http.Request, childID string) (*nowNext, error) {
	v := page.Viewer(r)
	var t timetable.Target
	n := &nowNext{Link: "/timetable", Homework: "/homework"}
	switch v.Profile {
	case roles.Student:
		t = timetable.Target{Kind: timetable.TargetStudent, ID: v.ID}
	case roles.Relative:
		if childID == "" {
			return nil, nil
		}
		t = timetable.Target{Kind: timetable.TargetStudent, ID: childID}
		n.Link, n.Homework = "/timetable?child="+childID, "/homework?child="+childID
	case roles.Teacher:
		t = timetable.Target{Kind: timetable.TargetTeacher, ID: v.ID}
	default:
		return nil, nil
	}
	now := a.kit.Now()
	nn, err := a.weeks.NowNext(r.Context(), v, a.db, t, now)
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
	views := page.LessonViews(page.Lang(r), append(shown, nn.Changes...), now)
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
