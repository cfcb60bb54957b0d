package results

import (
	"html"
	"html/template"
	"strings"
	"time"

	"cartable/internal/averages"
	"cartable/internal/grades"
	"cartable/internal/i18n"
)

// The rows of the evaluations' tables are written here rather than by the
// template: a page holds a row per evaluation and a cell per statistic,
// and the template's reflective calls were most of a page's time.

// statCells writes a statistics' cells, those the reader sees.
func statCells(b *strings.Builder, L map[string]string, s grades.Stats) {
	lang := L["lang"]
	cell := func(key string, x float64) {
		b.WriteString(`<td data-label="`)
		b.WriteString(html.EscapeString(L[key]))
		b.WriteString(`">`)
		if s.Count == 0 {
			b.WriteString("—")
		} else {
			b.WriteString(averages.Number(lang, x))
		}
		b.WriteString("</td>")
	}
	if s.ShowMean {
		cell("mean", s.Mean)
	}
	if s.ShowMinMax {
		cell("min", s.Min)
		cell("max", s.Max)
	}
	if s.ShowMedian {
		cell("median", s.Median)
	}
}

// evalRows writes a subject's evaluations, one row each; a hypothetical
// one (the what-if) is flagged in words, not by its style alone.
func evalRows(L map[string]string, sr *grades.SubjectResults) template.HTML {
	lang := L["lang"]
	var b strings.Builder
	b.Grow(512 * len(sr.Evaluations))
	esc := html.EscapeString
	for _, e := range sr.Evaluations {
		b.WriteString(`<tr id="ev-` + esc(e.ID) + `"`)
		if e.Hypothetical {
			b.WriteString(` class="hypothetical"`)
		}
		b.WriteString(`><td data-label="` + esc(L["date"]) + `">`)
		if e.HeldOn == "" {
			b.WriteString("—")
		} else {
			b.WriteString(esc(day(lang, e.HeldOn)))
		}
		b.WriteString(`</td><th scope="row">`)
		title := e.Title
		if title == "" && e.Hypothetical {
			title = L["added"]
		}
		b.WriteString(esc(title))
		if e.Hypothetical {
			b.WriteString(` <strong class="tag">` + esc(L["simulated"]) + `</strong>`)
		}
		note := func(s string) { b.WriteString(` <span class="note">(` + esc(s) + `)</span>`) }
		if e.SubSubject != "" {
			note(e.SubSubject)
		}
		if e.Formative {
			note(L["formative"])
		}
		if e.Bonus {
			note(L["bonus"])
		}
		if e.Optional {
			note(L["optional"])
		}
		if !e.Published {
			note(i18n.T(lang, "res.unpublished", day(lang, e.PublishOn)))
		}
		b.WriteString(`</th><td data-label="` + esc(L["mark"]) + `"><strong>`)
		if e.Marked {
			b.WriteString(esc(grades.MarkText(lang, true, e.Value, e.Code)))
			b.WriteString("</strong>")
			if e.Code == "" {
				b.WriteString("/" + averages.Number(lang, e.Scale))
			}
		} else {
			b.WriteString("—</strong>")
		}
		b.WriteString(`</td><td data-label="` + esc(L["coef"]) + `">` + averages.Number(lang, e.Coefficient) + `</td>`)
		statCells(&b, L, e.Class)
		b.WriteString("</tr>\n")
	}
	return template.HTML(b.String())
}

// stats writes a statistics' cells for the template.
func stats(L map[string]string, s grades.Stats) template.HTML {
	var b strings.Builder
	statCells(&b, L, s)
	return template.HTML(b.String())
}

// day writes a stored day short, as the reader's language does.
func day(lang, s string) string {
	t, err := parseDay(s)
	if err != nil {
		return s
	}
	return i18n.ShortDate(lang, t)
}

func parseDay(s string) (time.Time, error) { return time.ParseInLocation("2006-01-02", s, i18n.Zone) }
