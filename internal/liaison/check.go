package liaison

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"cartable/internal/check"
)

// NoteInput is the form of a new note: to one student or several of a
// class or group (one note each), a subject and a text.
type NoteInput struct {
	Students []string
	Subject  string
	Body     string
}

// ReplyInput is an answer in a note's thread. Thread names the guardian
// whose thread it is: the guardian themself leaves it empty; the author
// and school life choose it.
type ReplyInput struct {
	NoteID string
	Thread string
	Body   string
}

// cleanText trims a text, unifies line ends and drops control characters
// other than newlines and tabs.
func cleanText(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.Map(func(r rune) rune {
		if r == '\n' || r == '\t' {
			return r
		}
		if unicode.IsControl(r) || r == utf8.RuneError {
			return -1
		}
		return r
	}, s)
	return strings.TrimSpace(s)
}

func textProblems(ps *check.Problems, field, s string, max int) {
	switch n := utf8.RuneCountInString(s); {
	case n == 0:
		ps.Add(field, "required", "")
	case n > max:
		ps.Add(field, "too-long", strconv.Itoa(max))
	}
}

// CheckNote reports what is at fault in a note's form as the form alone
// tells (whether the viewer may write to the students is the service's
// to answer). Write calls it first.
func CheckNote(in NoteInput) check.Problems {
	_, ps := checkNote(in)
	return ps
}

func checkNote(in NoteInput) (NoteInput, check.Problems) {
	var ps check.Problems
	out := NoteInput{Subject: strings.Join(strings.Fields(cleanText(in.Subject)), " "), Body: cleanText(in.Body)}
	seen := map[string]bool{}
	for _, id := range in.Students {
		if id = strings.TrimSpace(id); id != "" && !seen[id] {
			seen[id] = true
			out.Students = append(out.Students, id)
		}
	}
	switch {
	case len(out.Students) == 0:
		ps.Add("students", "no-student", "")
	case len(out.Students) > MaxStudents:
		ps.Add("students", "too-many", strconv.Itoa(MaxStudents))
	}
	textProblems(&ps, "subject", out.Subject, MaxSubject)
	textProblems(&ps, "body", out.Body, MaxBody)
	return out, ps
}

// CheckReply reports what is at fault in an answer.
func CheckReply(in ReplyInput) check.Problems {
	var ps check.Problems
	textProblems(&ps, "reply", cleanText(in.Body), MaxReply)
	return ps
}
