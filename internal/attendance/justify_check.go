package attendance

import (
	"path/filepath"
	"strconv"
	"strings"
	"unicode/utf8"

	"cartable/internal/check"
	"cartable/internal/timetable"
)

// JustificationInput is a family's justification as the form sends it.
type JustificationInput struct {
	StudentID string
	FromDate  string // YYYY-MM-DD
	FromTime  string // HH:MM; empty: the start of the day
	ToDate    string // empty: FromDate
	ToTime    string // HH:MM; empty: the end of the day
	ReasonID  string
	Body      string
	// Ahead declares an absence to come: it records the absence (source
	// "family") as well as its justification.
	Ahead bool
	// Absences and Lateness name what it covers; none: everything to
	// justify in the period.
	Absences, Lateness []string
}

// MaxBody bounds a justification's text and school life's answer.
const MaxBody = 2000

// MaxDocument bounds a justification's document (the file store's limit
// applies when smaller).
const MaxDocument = 5 << 20

// DocumentExtensions are the types of document a justification accepts.
var DocumentExtensions = []string{".pdf", ".jpg", ".jpeg", ".png"}

// parseHM reads HH:MM as a minute of the day; empty gives def.
func parseHM(s string, def int) (int, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return def, true
	}
	h, m, ok := strings.Cut(s, ":")
	if !ok || len(h) == 0 || len(h) > 2 || len(m) != 2 {
		return 0, false
	}
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if err1 != nil || err2 != nil || hh < 0 || hh > 23 || mm < 0 || mm > 59 {
		return 0, false
	}
	return hh*60 + mm, true
}

// justSpan is a justification's period once checked.
type justSpan struct {
	StartDate, EndDate string
	StartMin, EndMin   int
}

// CheckJustification checks a justification's form: dates and times,
// within the school year (yearStart to yearEnd), the end after the start,
// a reason among the active ones, the text's length; an absence declared
// ahead starts today or later; a document of an accepted type and size
// (docName, docSize; empty name for none).
func CheckJustification(in JustificationInput, reasons []Reason, yearStart, yearEnd, today, docName string, docSize int64) check.Problems {
	_, ps := checkJustification(in, reasons, yearStart, yearEnd, today, docName, docSize)
	return ps
}

func checkJustification(in JustificationInput, reasons []Reason, yearStart, yearEnd, today, docName string, docSize int64) (justSpan, check.Problems) {
	var ps check.Problems
	var sp justSpan
	date := func(field, v string) (string, bool) {
		v = strings.TrimSpace(v)
		if v == "" {
			ps.Add(field, "required", "")
			return "", false
		}
		t, err := timetable.ParseDate(v)
		if err != nil {
			ps.Add(field, "date", v)
			return "", false
		}
		d := t.Format(timetable.DateFormat)
		if d < yearStart || d > yearEnd {
			ps.Add(field, "outside-year", d)
			return "", false
		}
		return d, true
	}
	fromOK, toOK := false, false
	sp.StartDate, fromOK = date("from", in.FromDate)
	to := in.ToDate
	if strings.TrimSpace(to) == "" {
		to = in.FromDate
	}
	if strings.TrimSpace(in.FromDate) != "" || strings.TrimSpace(in.ToDate) != "" {
		if sp.EndDate, toOK = date("to", to); !toOK && strings.TrimSpace(in.ToDate) == "" {
			ps = ps[:len(ps)-1] // "to" defaulted to a bad "from": said once
		}
	}
	var ok bool
	if sp.StartMin, ok = parseHM(in.FromTime, 0); !ok {
		ps.Add("fromtime", "time", in.FromTime)
		fromOK = false
	}
	if sp.EndMin, ok = parseHM(in.ToTime, 1440); !ok {
		ps.Add("totime", "time", in.ToTime)
		toOK = false
	}
	if fromOK && toOK && (sp.EndDate < sp.StartDate || (sp.EndDate == sp.StartDate && sp.EndMin <= sp.StartMin)) {
		ps.Add("to", "before-start", sp.EndDate)
	}
	if fromOK && in.Ahead && sp.StartDate < today {
		ps.Add("from", "past", sp.StartDate)
	}
	found := false
	for _, r := range reasons {
		if r.ID == in.ReasonID && r.Active {
			found = true
		}
	}
	switch {
	case strings.TrimSpace(in.ReasonID) == "":
		ps.Add("reason", "required", "")
	case !found:
		ps.Add("reason", "unknown", "")
	}
	if n := utf8.RuneCountInString(in.Body); n > MaxBody {
		ps = append(ps, check.Problem{Field: "body", Code: "too-long", N: MaxBody})
	}
	if docName != "" {
		ext := strings.ToLower(filepath.Ext(docName))
		okExt := false
		for _, e := range DocumentExtensions {
			okExt = okExt || e == ext
		}
		switch {
		case !okExt:
			ps.Add("document", "type", docName)
		case docSize > MaxDocument:
			ps = append(ps, check.Problem{Field: "document", Code: "too-large", N: MaxDocument >> 20})
		case docSize == 0:
			ps.Add("document", "empty", docName)
		}
	}
	return sp, ps
}

// CheckReview checks school life's answer: required to refuse, bounded.
func CheckReview(accept bool, answer string) check.Problems {
	var ps check.Problems
	if !accept && strings.TrimSpace(answer) == "" {
		ps.Add("answer", "required", "")
	}
	if utf8.RuneCountInString(answer) > MaxBody {
		ps = append(ps, check.Problem{Field: "answer", Code: "too-long", N: MaxBody})
	}
	return ps
}
