package ical

import (
	"bytes"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestEscapeAndFold(t *testing.T) {
	if got := Escape("a;b,c\\d\ne\rf\x01"); got != `a\;b\,c\\d\nef` {
		t.Errorf("Escape: %q", got)
	}
	long := strings.Repeat("é", 100) // 200 octets, two per rune
	var buf bytes.Buffer
	err := Calendar{Name: "Test", Events: []Event{{UID: "u1", Start: time.Date(2026, 11, 30, 7, 0, 0, 0, time.UTC),
		End: time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC), Summary: long, Cancelled: true}}}.Write(&buf)
	if err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	var unfolded strings.Builder
	for i, line := range strings.Split(strings.TrimSuffix(out, "\r\n"), "\r\n") {
		if len(line) > 75 || !utf8.ValidString(line) {
			t.Fatalf("line %d: %d octets, valid UTF-8 %v", i, len(line), utf8.ValidString(line))
		}
		if strings.HasPrefix(line, " ") {
			unfolded.WriteString(line[1:])
		} else {
			unfolded.WriteString("\n" + line)
		}
	}
	for _, want := range []string{"SUMMARY:" + long, "DTSTART;TZID=Europe/Paris:20261130T080000", "STATUS:CANCELLED", "TZID:Europe/Paris"} {
		if !strings.Contains(unfolded.String(), "\n"+want) {
			t.Errorf("missing %q", want)
		}
	}
}
