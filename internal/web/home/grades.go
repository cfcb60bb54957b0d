package home

import (
	"net/http"
	"net/url"
	"time"

	"cartable/internal/averages"
	"cartable/internal/grades"
	"cartable/internal/i18n"
	"cartable/internal/web/page"
)

// maxMarks bounds the latest marks the home page lists.
const maxMarks = 5

// latestMarks is the block of a student's latest published marks (one
// query, and the policy's): each leads to its subject's page.
func (a *Area) latestMarks(r *http.Request, studentID string) ([]Block, error) {
	if a.Grades == nil {
		return nil, nil
	}
	marks, err := a.Grades.LatestMarks(r.Context(), page.Viewer(r), studentID, maxMarks)
	if err != nil {
		return nil, err
	}
	lang, q := page.Lang(r), childQuery(r, studentID)
	link := "/grades"
	if q != "" {
		link += "?" + q
	}
	b := Block{ID: "b-marks", Heading: i18n.T(lang, "res.home"), Empty: i18n.T(lang, "res.home.none"), Link: link,
		LinkText: i18n.T(lang, "res.home.all")}
	for _, m := range marks {
		href := "/grades/subject/" + url.PathEscape(m.Subject) + "?period=" + url.QueryEscape(m.Period)
		if q != "" {
			href += "&" + q
		}
		mark := grades.MarkText(lang, true, m.Value, m.Code)
		if m.Code == "" {
			mark += "/" + averages.Number(lang, m.Scale)
		}
		b.Items = append(b.Items, Item{Href: href + "#ev-" + url.PathEscape(m.Evaluation), Label: m.SubjectName + " : " + mark,
			When: day(lang, m.HeldOn), Detail: m.Title})
	}
	return []Block{b}, nil
}

// day writes a stored day (2026-12-07) as the reader's language does.
func day(lang, s string) string {
	t, err := time.ParseInLocation("2006-01-02", s, i18n.Zone)
	if err != nil {
		return s
	}
	return i18n.Date(lang, t)
}
