package attendancereport

import (
	"net/http"
	"sort"
	"strings"

	"cartable/internal/attendance"
	"cartable/internal/directory"
	"cartable/internal/i18n"
	"cartable/internal/timetable"
	"cartable/internal/web/page"
)

type countsData struct {
	Schools []directory.Establishment
	Est     directory.Establishment
	Periods []attendance.Period
	Period  attendance.Period
	Rows    []countRow
	Unit    string
}

type countRow struct {
	attendance.StudentName
	attendance.Counts
}

// PageTitle names the counts, the period and the establishment.
func (d countsData) PageTitle(lang string) string {
	parts := []string{i18n.T(lang, "rep.counts.title")}
	if d.Period.ID != "" {
		parts = append(parts, i18n.T(lang, "rep.period."+d.Period.Kind, d.Period.Number))
	}
	if len(d.Schools) > 1 {
		parts = append(parts, d.Est.Name)
	}
	return strings.Join(parts, " · ")
}

// period picks ?period= among ps, else the one holding today, else the
// first.
func period(ps []attendance.Period, want, today string) (attendance.Period, bool) {
	for _, p := range ps {
		if p.ID == want {
			return p, true
		}
	}
	if want != "" {
		return attendance.Period{}, false
	}
	for _, p := range ps {
		if p.StartsOn <= today && today <= p.EndsOn {
			return p, true
		}
	}
	if len(ps) > 0 {
		return ps[0], true
	}
	return attendance.Period{}, true
}

// counts shows the period's figures of every student.
func (a *Area) counts(w http.ResponseWriter, r *http.Request) {
	ctx, v := r.Context(), page.Viewer(r)
	var d countsData
	var err error
	if d.Schools, d.Est, err = a.school(r); err != nil {
		a.fail(w, r, err)
		return
	}
	if d.Periods, err = a.att.Periods(ctx, v, d.Est.ID); err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	var ok bool
	if d.Period, ok = period(d.Periods, r.URL.Query().Get("period"), a.kit.Now().In(timetable.Paris).Format(timetable.DateFormat)); !ok {
		a.kit.NotFound(w, r)
		return
	}
	if d.Period.ID != "" {
		m, names, err := a.att.PeriodCountsNamed(ctx, v, d.Est.ID, d.Period.ID)
		if err != nil {
			a.kit.Fail(w, r, err)
			return
		}
		for id, c := range m {
			d.Rows = append(d.Rows, countRow{names[id], c})
			d.Unit = c.Unit
		}
		sort.Slice(d.Rows, func(i, j int) bool {
			x, y := d.Rows[i], d.Rows[j]
			if x.Class != y.Class {
				return x.Class < y.Class
			}
			if x.LastName != y.LastName {
				return x.LastName < y.LastName
			}
			return x.ID < y.ID
		})
	}
	a.pages.Render(w, r, http.StatusOK, "counts", "rep.counts.title", d)
}

// csv downloads the period's figures.
func (a *Area) csv(w http.ResponseWriter, r *http.Request) {
	_, est, err := a.school(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	b, err := a.att.CountsCSV(r.Context(), page.Viewer(r), est.ID, r.URL.Query().Get("period"))
	if err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="decompte-absences.csv"`)
	w.Header().Set("Cache-Control", "no-store")
	w.Write(b)
}

// recordPDF downloads a student's school-life record.
func (a *Area) recordPDF(w http.ResponseWriter, r *http.Request) {
	b, err := a.att.RecordPDF(r.Context(), page.Viewer(r), r.PathValue("id"))
	if err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", `attachment; filename="releve-vie-scolaire.pdf"`)
	w.Header().Set("Cache-Control", "no-store")
	w.Write(b)
}
