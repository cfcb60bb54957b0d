package check

import (
	"fmt"
	"testing"
)

func TestProblems(t *testing.T) {
	var ps Problems
	if ps.Err() != nil {
		t.Fatal("no problem must be no error")
	}
	ps.Add("title", "required", "")
	ps = append(ps, Problem{File: "edt.xml", Line: 12, Field: "room", Code: "unknown-room", Value: "B12"})
	if !ps.Has("title") || !ps.Has("room") || ps.Has("body") {
		t.Fatalf("Has: %v", ps)
	}
	if f := ps.Fields(); len(f) != 2 || !f["title"] || !f["room"] {
		t.Fatalf("Fields: %v", f)
	}
	want := `title: required; edt.xml: line 12: room: unknown-room "B12"`
	if got := ps.Error(); got != want {
		t.Fatalf("Error:\n got %s\nwant %s", got, want)
	}
	wrapped := fmt.Errorf("saving: %w", ps.Err())
	got, ok := As(wrapped)
	if !ok || len(got) != 2 || got[1].Line != 12 {
		t.Fatalf("As: %v %v", got, ok)
	}
	if _, ok := As(fmt.Errorf("other")); ok {
		t.Fatal("As found problems in an unrelated error")
	}
}
