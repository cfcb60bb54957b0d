package results

import (
	"html"
	"html/template"
	"net/url"
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

// subjectSections writes the overview's sections, one per subject: the
// evaluations with the student's marks and the class statistics, the
// average, and the links to its explanation and simulation.
func subjectSections(L map[string]string, w who, r *grades.Results) template.HTML {
	lang := L["lang"]
	esc := html.EscapeString
	var b strings.Builder
	b.Grow(2048 * (len(r.Subjects) + 1))
	period := "period=" + url.QueryEscape(r.PeriodParam())
	head := `<thead><tr><th scope="col">` + esc(L["date"]) + `</th><th scope="col">` + esc(i18n.T(lang, "res.col.evaluation")) +
		`</th><th scope="col">` + esc(L["mark"]) + `</th><th scope="col">` + esc(L["coef"]) + `</th>`
	if r.Show.Mean {
		head += `<th scope="col">` + esc(L["mean"]) + `</th>`
	}
	if r.Show.MinMax {
		head += `<th scope="col">` + esc(L["min"]) + `</th><th scope="col">` + esc(L["max"]) + `</th>`
	}
	if r.Show.Median {
		head += `<th scope="col">` + esc(L["median"]) + `</th>`
	}
	head += "</tr></thead>"
	for i := range r.Subjects {
		sr := &r.Subjects[i]
		id := esc(sr.ID)
		subject := "/grades/subject/" + url.PathEscape(sr.ID) + "?" + esc(string(w.With(period)))
		b.WriteString(`<section class="card" aria-labelledby="s-` + id + `"><h2 id="s-` + id + `"><a href="` + subject + `">` +
			esc(sr.Name) + "</a></h2>\n")
		if len(sr.Teachers) > 0 {
			b.WriteString(`<p class="note">` + esc(strings.Join(sr.Teachers, ", ")) + "</p>\n")
		}
		b.WriteString(`<table class="stacked"><caption class="sr-only">` + esc(i18n.T(lang, "res.caption", sr.Name)) + "</caption>" + head + "\n<tbody>")
		b.WriteString(string(evalRows(L, sr)))
		b.WriteString(`</tbody><tfoot><tr class="average"><td></td><th scope="row">` + esc(L["average"]) + `</th><td data-label="` +
			esc(L["average"]) + `"><strong>` + esc(sr.Average.Format(lang)) + `</strong></td><td data-label="` + esc(L["coef"]) + `">` +
			averages.Number(lang, sr.Coefficient) + "</td>")
		statCells(&b, L, sr.Class)
		b.WriteString("</tr></tfoot></table>\n")
		b.WriteString(`<p><a href="/grades/explain?` + esc(string(w.With("subject="+url.QueryEscape(sr.ID)+"&"+period))) + `">` +
			esc(L["explain"]) + "</a>")
		if !r.Year {
			b.WriteString(` · <a href="` + subject + `#sim">` + esc(L["simulate"]) + "</a>")
		}
		b.WriteString("</p>\n</section>\n")
	}
	return template.HTML(b.String())
}
