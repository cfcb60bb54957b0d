package grades

// CSV exports: a student's marks and averages (the student, relatives and
// whoever reads the student's results), a teaching's table (its
// teachers). French files use ";" and decimal commas, as a French
// spreadsheet reads them; English ones "," and points.

import (
	"encoding/csv"
	"io"
	"strings"

	"cartable/internal/averages"
	"cartable/internal/i18n"
)

// csvCell keeps a spreadsheet from reading a cell as a formula.
func csvCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

func csvWriter(w io.Writer, lang string) *csv.Writer {
	cw := csv.NewWriter(w)
	if lang == "fr" {
		cw.Comma = ';'
	}
	return cw
}

func writeRow(cw *csv.Writer, row ...string) {
	for i := range row {
		row[i] = csvCell(row[i])
	}
	cw.Write(row)
}

// MarkText writes a mark: its value or its special code's name.
func MarkText(lang string, marked bool, value float64, code averages.Code) string {
	switch {
	case !marked:
		return ""
	case code != "":
		return averages.CodeName(lang, code)
	}
	return averages.Number(lang, value)
}

func statText(lang string, show bool, count int, x float64) string {
	if !show || count == 0 {
		return ""
	}
	return averages.Number(lang, x)
}

// WriteStudentCSV writes a student's results: one line per evaluation,
// then one per subject average, then the overall average.
func WriteStudentCSV(w io.Writer, lang string, r *Results) error {
	cw := csvWriter(w, lang)
	t := func(k string) string { return i18n.T(lang, "res.csv."+k) }
	writeRow(cw, t("subject"), t("evaluation"), t("date"), t("mark"), t("scale"), t("coef"), t("mean"), t("min"), t("max"), t("median"))
	for _, s := range r.Subjects {
		for _, e := range s.Evaluations {
			title := e.Title
			if e.Formative {
				title += " (" + i18n.T(lang, "res.formative") + ")"
			}
			c := e.Class
			writeRow(cw, s.Name, title, e.HeldOn, MarkText(lang, e.Marked, e.Value, e.Code), averages.Number(lang, e.Scale),
				averages.Number(lang, e.Coefficient), statText(lang, c.ShowMean, c.Count, c.Mean), statText(lang, c.ShowMinMax, c.Count, c.Min),
				statText(lang, c.ShowMinMax, c.Count, c.Max), statText(lang, c.ShowMedian, c.Count, c.Median))
		}
	}
	for _, s := range r.Subjects {
		c := s.Class
		writeRow(cw, s.Name, t("average"), "", s.Average.Format(lang), "20", averages.Number(lang, s.Coefficient),
			statText(lang, c.ShowMean, c.Count, c.Mean), statText(lang, c.ShowMinMax, c.Count, c.Min),
			statText(lang, c.ShowMinMax, c.Count, c.Max), statText(lang, c.ShowMedian, c.Count, c.Median))
	}
	writeRow(cw, t("overall"), t("average"), "", r.Overall.Format(lang), "20", "", "", "", "", "")
	cw.Flush()
	return cw.Error()
}

// WriteClassCSV writes a teaching's table: a line per student (name, a
// mark per evaluation, the average), then the class statistics.
func WriteClassCSV(w io.Writer, lang string, c *ClassResults) error {
	cw := csvWriter(w, lang)
	t := func(k string) string { return i18n.T(lang, "res.csv."+k) }
	head := []string{t("last_name"), t("first_name")}
	for _, e := range c.Evaluations {
		head = append(head, e.Title+" ("+e.HeldOn+", /"+averages.Number(lang, e.Scale)+", coef "+averages.Number(lang, e.Coefficient)+")")
	}
	head = append(head, t("average"))
	writeRow(cw, head...)
	for _, s := range c.Students {
		row := []string{s.LastName, s.FirstName}
		for _, m := range s.Marks {
			row = append(row, MarkText(lang, m.Marked, m.Value, m.Code))
		}
		writeRow(cw, append(row, s.Average.Format(lang))...)
	}
	for _, st := range []string{"mean", "min", "max", "median"} {
		row := []string{t(st), ""}
		pick := func(s Stats) string {
			x := map[string]float64{"mean": s.Mean, "min": s.Min, "max": s.Max, "median": s.Median}[st]
			return statText(lang, true, s.Count, x)
		}
		for _, e := range c.Evaluations {
			row = append(row, pick(e.Stats))
		}
		writeRow(cw, append(row, pick(c.Class))...)
	}
	cw.Flush()
	return cw.Error()
}
