package news

import (
	"context"
	"sort"
	"time"

	"cartable/internal/access"
	"cartable/internal/directory"
	"cartable/internal/liaison"
	"cartable/internal/roles"
)

// Task kinds of the to-do list.
const (
	TaskAcknowledge = "acknowledge" // a news item to acknowledge
	TaskSign        = "sign"        // a correspondence note to sign
	TaskAnswer      = "answer"      // a survey to answer
)

// Task is one thing awaiting the viewer's action.
type Task struct {
	Kind     string
	Href     string
	Title    string
	Detail   string    // who wrote it, or the child it is about
	Deadline time.Time // zero: none
	At       time.Time // when it was written
}

// maxTasks bounds each source of the to-do list.
const maxTasks = 50

// Todo gathers what awaits the viewer's action: news to acknowledge, and
// surveys to answer, and for a legal guardian the correspondence notes to
// sign about each child (asked of liaison, which asks the policy); more
// are tasks a caller adds. Those with a deadline come first, earliest
// first; then the oldest.
func (s *Service) Todo(ctx context.Context, v *access.Viewer, notes *liaison.Service, more ...Task) ([]Task, error) {
	acks, err := s.ToAcknowledge(ctx, v, maxTasks)
	if err != nil {
		return nil, err
	}
	out := append([]Task(nil), more...)
	surveys, err := s.ToAnswer(ctx, v, maxTasks)
	if err != nil {
		return nil, err
	}
	for _, sv := range surveys {
		out = append(out, Task{Kind: TaskAnswer, Href: "/surveys/" + sv.ID, Title: sv.Title, Detail: sv.AuthorName,
			Deadline: sv.ClosesAt, At: sv.PublishedAt})
	}
	for _, n := range acks {
		out = append(out, Task{Kind: TaskAcknowledge, Href: "/news/" + n.ID, Title: n.Title, Detail: n.AuthorName,
			Deadline: n.AckDeadline, At: n.From})
	}
	if notes != nil && v.Profile == roles.Relative {
		children, err := directory.MyChildren(ctx, v, s.DB)
		if err != nil {
			return nil, err
		}
		for _, c := range children {
			ns, _, err := notes.ToSign(ctx, v, c.ID, maxTasks)
			if err != nil {
				return nil, err
			}
			for _, n := range ns {
				out = append(out, Task{Kind: TaskSign, Href: "/notes/" + n.ID, Title: n.Subject, Detail: c.FirstName, At: n.At})
			}
		}
	}
	SortTasks(out)
	return out, nil
}

// SortTasks puts the tasks with a deadline first, earliest first, then
// the others, oldest first.
func SortTasks(ts []Task) {
	sort.SliceStable(ts, func(i, j int) bool {
		a, b := ts[i], ts[j]
		if a.Deadline.IsZero() != b.Deadline.IsZero() {
			return !a.Deadline.IsZero()
		}
		if !a.Deadline.Equal(b.Deadline) {
			return a.Deadline.Before(b.Deadline)
		}
		return a.At.Before(b.At)
	})
}
