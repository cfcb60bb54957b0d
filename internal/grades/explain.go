package grades

// "Comment est calculée cette moyenne ?": an average with the engine's
// steps, so that a family can redo the computation by hand.

import (
	"context"

	"cartable/internal/access"
	"cartable/internal/averages"
)

// Explanation is one average with its steps and what it is the average
// of.
type Explanation struct {
	Results *Results
	// Subject is the subject explained; nil for the overall average.
	Subject *SubjectResults
	Average averages.Result
}

// Explain reads the average of a student's subject (subject "" : the
// overall average) for a period or the year (YearPeriod), for whoever may
// read the student's results. An unknown subject is a refusal.
func (s *Service) Explain(ctx context.Context, v *access.Viewer, student, subject, period string) (*Explanation, error) {
	res, err := s.StudentResults(ctx, v, student, period)
	if err != nil {
		return nil, err
	}
	if subject == "" {
		return &Explanation{Results: res, Average: res.Overall}, nil
	}
	sr, ok := res.Subject(subject)
	if !ok {
		return nil, access.Refuse(access.ReadGrades, access.Resource{Kind: "subject", ID: subject}, "no evaluation of the subject in the student's results")
	}
	return &Explanation{Results: res, Subject: sr, Average: sr.Average}, nil
}
