package discipline

import (
	"bytes"
	"encoding/csv"
	"net/http"
	"strings"

	"cartable/internal/i18n"
	"cartable/internal/web/page"
)

// cell keeps a spreadsheet from reading a cell as a formula.
func cell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// export: the establishment's punishments and sanctions as CSV (school
// life), ?est=.
func (a *Area) export(w http.ResponseWriter, r *http.Request) {
	v := page.Viewer(r)
	est := r.URL.Query().Get("est")
	lines, err := a.svc.Export(r.Context(), v, est)
	if err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	lang := page.Lang(r)
	var buf bytes.Buffer
	cw := csv.NewWriter(&buf)
	head := []string{"what", "last_name", "first_name", "class", "kind", "day", "reason", "details", "by", "state", "removal"}
	for i, h := range head {
		head[i] = i18n.T(lang, "dis.csv."+h)
	}
	cw.Write(head)
	for _, l := range lines {
		kind := i18n.T(lang, "dis.kind."+l.Kind)
		if l.What == "sanction" {
			kind = i18n.T(lang, "dis.sanction.kind."+l.Kind)
		}
		row := []string{i18n.T(lang, "dis.subject."+l.What), l.Student.LastName, l.Student.FirstName, l.Student.Class, kind, l.Day,
			l.Reason, l.Details, l.By, l.State, l.Removal}
		for i := range row {
			row[i] = cell(row[i])
		}
		cw.Write(row)
	}
	cw.Flush()
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="punitions-sanctions.csv"`)
	w.Header().Set("Cache-Control", "no-store")
	w.Write(buf.Bytes())
}
