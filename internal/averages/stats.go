package averages

import "sort"

// Stats are a class's statistics: over the marks that count of one
// evaluation (on its scale), or over the students' averages in a subject.
// Count 0 means there is nothing to show.
type Stats struct {
	Count                  int
	Mean, Min, Max, Median float64
	Hypothetical           bool
}

func stats(values []float64) Stats {
	if len(values) == 0 {
		return Stats{}
	}
	sort.Float64s(values)
	n := len(values)
	s := Stats{Count: n, Min: values[0], Max: values[n-1]}
	for _, v := range values {
		s.Mean += v
	}
	s.Mean /= float64(n)
	if n%2 == 1 {
		s.Median = values[n/2]
	} else {
		s.Median = (values[n/2-1] + values[n/2]) / 2
	}
	return s
}

// Round rounds the statistics' values as the establishment rounds
// averages (the count is left alone).
func (s Stats) Round(r Rounding) Stats {
	s.Mean, s.Min, s.Max, s.Median = r.Apply(s.Mean), r.Apply(s.Min), r.Apply(s.Max), r.Apply(s.Median)
	return s
}

// EvaluationStats are the statistics of one evaluation's marks on its
// scale: the values, and abs0 and nr0 as 0; other special marks are left
// out.
func EvaluationStats(marks []Mark) Stats {
	values := make([]float64, 0, len(marks))
	hyp := false
	for _, m := range marks {
		switch {
		case m.Code == "":
			values = append(values, m.Value)
		case m.Code.CountsAsZero():
			values = append(values, 0)
		default:
			continue
		}
		hyp = hyp || m.Hypothetical
	}
	s := stats(values)
	s.Hypothetical = hyp
	return s
}

// SubjectStats are the statistics of students' averages in a subject
// (their unrounded values); not-graded students are left out.
func SubjectStats(averages []Result) Stats {
	values := make([]float64, 0, len(averages))
	hyp := false
	for _, r := range averages {
		if r.Graded {
			values = append(values, r.Value)
			hyp = hyp || r.Hypothetical
		}
	}
	s := stats(values)
	s.Hypothetical = hyp
	return s
}

// StudentMarks are one student's marks in a subject, by evaluation ID.
type StudentMarks struct {
	Student string
	Marks   map[string]Mark
}

// ClassResult is a subject's computation for a whole class.
type ClassResult struct {
	Averages    []Result // one per student, in the order given
	Evaluations []Stats  // one per evaluation, in the order given
	Subject     Stats    // over the students' averages
}

// ClassSubject computes every student's average in a subject, with its
// steps, and the class statistics of each evaluation and of the subject.
func ClassSubject(s Subject, evals []Evaluation, students []StudentMarks, set Settings) ClassResult {
	out := ClassResult{Averages: make([]Result, len(students)), Evaluations: make([]Stats, len(evals))}
	entries := make([]Entry, 0, len(evals))
	for i, st := range students {
		entries = entries[:0]
		for _, ev := range evals {
			if m, ok := st.Marks[ev.ID]; ok {
				entries = append(entries, Entry{Eval: ev, Mark: m})
			}
		}
		out.Averages[i] = SubjectAverage(s, entries, set)
	}
	marks := make([]Mark, 0, len(students))
	for j, ev := range evals {
		marks = marks[:0]
		for _, st := range students {
			if m, ok := st.Marks[ev.ID]; ok {
				marks = append(marks, m)
			}
		}
		out.Evaluations[j] = EvaluationStats(marks)
		out.Evaluations[j].Hypothetical = out.Evaluations[j].Hypothetical || ev.Hypothetical
	}
	out.Subject = SubjectStats(out.Averages)
	return out
}
