// Package ical writes iCalendar (RFC 5545) feeds: a VCALENDAR in
// Europe/Paris with its VTIMEZONE, timed events (lessons) and all-day
// events (homework due dates), text escaped and lines folded at 75 octets.
package ical

import (
	"bufio"
	"io"
	"strings"
	"time"
)

// Event is one VEVENT.
type Event struct {
	UID          string    // stable across feeds and edits
	Start, End   time.Time // timed event (written in Europe/Paris)
	Date         string    // YYYY-MM-DD: an all-day event instead
	Summary      string
	Location     string
	Description  string
	Cancelled    bool      // STATUS:CANCELLED rather than CONFIRMED
	Modified     time.Time // DTSTAMP and LAST-MODIFIED
	Sequence     int
	Categories   string
	Transparency bool // TRANSP:TRANSPARENT (does not block time)
}

// Calendar is a feed.
type Calendar struct {
	Name   string
	Events []Event
}

// vtimezone is Europe/Paris since 1996 (EU rules: last Sunday of March at
// 02:00 to summer time, last Sunday of October at 03:00 back).
const vtimezone = "BEGIN:VTIMEZONE\r\n" +
	"TZID:Europe/Paris\r\n" +
	"X-LIC-LOCATION:Europe/Paris\r\n" +
	"BEGIN:DAYLIGHT\r\n" +
	"TZOFFSETFROM:+0100\r\n" +
	"TZOFFSETTO:+0200\r\n" +
	"TZNAME:CEST\r\n" +
	"DTSTART:19700329T020000\r\n" +
	"RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\n" +
	"END:DAYLIGHT\r\n" +
	"BEGIN:STANDARD\r\n" +
	"TZOFFSETFROM:+0200\r\n" +
	"TZOFFSETTO:+0100\r\n" +
	"TZNAME:CET\r\n" +
	"DTSTART:19701025T030000\r\n" +
	"RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\n" +
	"END:STANDARD\r\n" +
	"END:VTIMEZONE\r\n"

var paris = func() *time.Location {
	l, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		panic("ical: " + err.Error())
	}
	return l
}()

// Write writes the calendar.
func (c Calendar) Write(w io.Writer) error {
	bw := bufio.NewWriterSize(w, 32<<10)
	line := func(name, value string) { writeFolded(bw, name+":"+value) }
	bw.WriteString("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Cartable//Cartable ENT//FR\r\nCALSCALE:GREGORIAN\r\nMETHOD:PUBLISH\r\n")
	if c.Name != "" {
		line("X-WR-CALNAME", Escape(c.Name))
	}
	bw.WriteString("X-WR-TIMEZONE:Europe/Paris\r\n")
	bw.WriteString(vtimezone)
	for _, e := range c.Events {
		bw.WriteString("BEGIN:VEVENT\r\n")
		line("UID", Escape(e.UID))
		stamp := e.Modified.UTC().Format("20060102T150405Z")
		line("DTSTAMP", stamp)
		line("LAST-MODIFIED", stamp)
		if e.Date != "" {
			d := strings.ReplaceAll(e.Date, "-", "")
			line("DTSTART;VALUE=DATE", d)
			if t, err := time.Parse("2006-01-02", e.Date); err == nil {
				line("DTEND;VALUE=DATE", t.AddDate(0, 0, 1).Format("20060102"))
			}
		} else {
			line("DTSTART;TZID=Europe/Paris", e.Start.In(paris).Format("20060102T150405"))
			line("DTEND;TZID=Europe/Paris", e.End.In(paris).Format("20060102T150405"))
		}
		line("SUMMARY", Escape(e.Summary))
		if e.Location != "" {
			line("LOCATION", Escape(e.Location))
		}
		if e.Description != "" {
			line("DESCRIPTION", Escape(e.Description))
		}
		if e.Categories != "" {
			line("CATEGORIES", Escape(e.Categories))
		}
		if e.Cancelled {
			line("STATUS", "CANCELLED")
		} else {
			line("STATUS", "CONFIRMED")
		}
		if e.Transparency {
			line("TRANSP", "TRANSPARENT")
		}
		if e.Sequence > 0 {
			line("SEQUENCE", itoa(e.Sequence))
		}
		bw.WriteString("END:VEVENT\r\n")
	}
	bw.WriteString("END:VCALENDAR\r\n")
	return bw.Flush()
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}

// Escape escapes a TEXT value (RFC 5545 §3.3.11).
func Escape(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '\\':
			b.WriteString(`\\`)
		case ';':
			b.WriteString(`\;`)
		case ',':
			b.WriteString(`\,`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
		default:
			if r < ' ' && r != '\t' {
				continue // control characters are not allowed in TEXT
			}
			b.WriteRune(r)
		}
	}
	return b.String()
}

// writeFolded writes a content line, folded so that no line exceeds 75
// octets, never inside a UTF-8 sequence (RFC 5545 §3.1).
func writeFolded(w *bufio.Writer, s string) {
	const limit = 75
	first := true
	for len(s) > 0 {
		max := limit
		if !first {
			max = limit - 1 // the leading space counts
		}
		if len(s) <= max {
			if !first {
				w.WriteByte(' ')
			}
			w.WriteString(s)
			break
		}
		cut := max
		for cut > 0 && s[cut]&0xc0 == 0x80 {
			cut--
		}
		if !first {
			w.WriteByte(' ')
		}
		w.WriteString(s[:cut])
		w.WriteString("\r\n")
		s = s[cut:]
		first = false
	}
	w.WriteString("\r\n")
}
