package liaison

import (
	"strings"
	"testing"
)

func TestCheckNote(t *testing.T) {
	for _, c := range []struct {
		name string
		in   NoteInput
		want []string // "field:code"
	}{
		{"fine", NoteInput{Students: []string{"a"}, Subject: "Oubli", Body: "Bonjour"}, nil},
		{"blank", NoteInput{Students: []string{" "}, Subject: " \t", Body: "\r\n"}, []string{"students:no-student", "subject:required", "body:required"}},
		{"long", NoteInput{Students: []string{"a"}, Subject: strings.Repeat("é", MaxSubject+1), Body: strings.Repeat("é", MaxBody+1)},
			[]string{"subject:too-long", "body:too-long"}},
		{"at the limits", NoteInput{Students: []string{"a"}, Subject: strings.Repeat("é", MaxSubject), Body: strings.Repeat("é", MaxBody)}, nil},
		{"control characters only", NoteInput{Students: []string{"a"}, Subject: "\x00\x07", Body: "ok"}, []string{"subject:required"}},
	} {
		var got []string
		for _, p := range CheckNote(c.in) {
			got = append(got, p.Field+":"+p.Code)
		}
		if strings.Join(got, ",") != strings.Join(c.want, ",") {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
	many := make([]string, MaxStudents+1)
	for i := range many {
		many[i] = strings.Repeat("x", i+1)
	}
	if ps := CheckNote(NoteInput{Students: many, Subject: "s", Body: "b"}); len(ps) != 1 || ps[0].Code != "too-many" {
		t.Errorf("too many students: %v", ps)
	}
	c, _ := checkNote(NoteInput{Students: []string{"a", "a", " b "}, Subject: "  Oubli   du\tcahier ", Body: "l1\r\nl2\n"})
	if strings.Join(c.Students, ",") != "a,b" || c.Subject != "Oubli du cahier" || c.Body != "l1\nl2" {
		t.Errorf("cleaned: %+v", c)
	}
	if ps := CheckReply(ReplyInput{Body: strings.Repeat("a", MaxReply+1)}); len(ps) != 1 || ps[0].Code != "too-long" {
		t.Errorf("long answer: %v", ps)
	}
}
