package attendance

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"sort"
	"strconv"
	"time"

	"codeberg.org/go-pdf/fpdf"

	"cartable/internal/access"
	"cartable/internal/i18n"
)

// CountsCSV writes the figures of est's students for a period as CSV for
// spreadsheets: UTF-8 with a byte order mark (so that a spreadsheet reads
// the accents), fields separated by ";" (as French spreadsheets expect,
// the comma being their decimal separator), one line per student sorted
// by class and name. The viewer reads est's school life.
func (s *Service) CountsCSV(ctx context.Context, v *access.Viewer, est, periodID string) ([]byte, error) {
	m, err := s.PeriodCounts(ctx, v, est, periodID)
	if err != nil {
		return nil, err
	}
	studs := make([]string, 0, len(m))
	for id := range m {
		studs = append(studs, id)
	}
	names, err := studentNames(ctx, s.DB, studs)
	if err != nil {
		return nil, err
	}
	lines := make([]StudentName, 0, len(studs))
	for _, id := range studs {
		lines = append(lines, names[id])
	}
	sortNames(lines, func(n StudentName) StudentName { return n })
	sort.SliceStable(lines, func(i, j int) bool { return lines[i].Class < lines[j].Class })
	var b bytes.Buffer
	b.WriteString("\ufeff")
	w := csv.NewWriter(&b)
	w.Comma = ';'
	unit := ""
	for _, c := range m {
		unit = c.Unit
		break
	}
	head := []string{"Classe", "Nom", "Prénom", "Demi-journées justifiées", "Demi-journées non justifiées", "Retards", "Heures manquées"}
	if unit != "" && unit != "half-day" {
		head = append(head, "Unité", "Justifiées (unité)", "Non justifiées (unité)")
	}
	w.Write(head)
	for _, n := range lines {
		c := m[n.ID]
		row := []string{n.Class, n.LastName, n.FirstName, strconv.Itoa(c.JustifiedHalfDays), strconv.Itoa(c.UnjustifiedHalfDays),
			strconv.Itoa(c.Lateness), strconv.Itoa(c.MissedHours)}
		if unit != "" && unit != "half-day" {
			row = append(row, c.Unit, strconv.Itoa(c.Justified), strconv.Itoa(c.Unjustified))
		}
		w.Write(row)
	}
	w.Flush()
	return b.Bytes(), w.Error()
}

// RecordPDF writes a student's school-life record as a PDF, in French:
// the figures of each period of the year, the absences and lateness with
// their state and reason, the justifications and their outcome. The
// viewer reads the student's school life (confidential reasons as they
// may).
func (s *Service) RecordPDF(ctx context.Context, v *access.Viewer, student string) ([]byte, error) {
	r, err := s.FamilyRecord(ctx, v, student)
	if err != nil {
		return nil, err
	}
	names, err := studentNames(ctx, s.DB, []string{student})
	if err != nil {
		return nil, err
	}
	n := names[student]
	var periods []Period
	counts := map[string]Counts{}
	if r.Establishment != "" {
		if periods, err = periodsOf(ctx, s.DB, r.Establishment); err != nil {
			return nil, err
		}
		for _, p := range periods {
			if p.StartsOn < r.YearStart || p.EndsOn > r.YearEnd {
				continue
			}
			m, err := s.countsOf(ctx, s.DB, r.Establishment, p, []string{student})
			if err != nil {
				return nil, err
			}
			counts[p.ID] = m[student]
		}
	}
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetTitle("Relevé de vie scolaire", true)
	pdf.SetCreator("Cartable", true)
	pdf.SetMargins(18, 18, 18)
	pdf.SetAutoPageBreak(true, 18)
	tr := pdf.UnicodeTranslatorFromDescriptor("")
	pdf.AddPage()
	pdf.SetFont("Helvetica", "B", 16)
	pdf.MultiCell(0, 8, tr("Relevé de vie scolaire"), "", "L", false)
	pdf.SetFont("Helvetica", "", 11)
	who := n.Name()
	if n.Class != "" {
		who += " · " + n.Class
	}
	pdf.MultiCell(0, 6, tr(who), "", "L", false)
	pdf.MultiCell(0, 6, tr("Édité le "+i18n.Date("fr", s.now())), "", "L", false)
	pdf.Ln(4)
	section := func(title string) {
		pdf.Ln(2)
		pdf.SetFont("Helvetica", "B", 13)
		pdf.MultiCell(0, 7, tr(title), "", "L", false)
		pdf.SetFont("Helvetica", "", 10)
	}
	section("Décompte par période")
	if len(counts) == 0 {
		pdf.MultiCell(0, 5, tr("Aucune période."), "", "L", false)
	}
	for _, p := range periods {
		c, ok := counts[p.ID]
		if !ok {
			continue
		}
		pdf.MultiCell(0, 5, tr(fmt.Sprintf("%s %d (%s – %s) : %d demi-journée(s) justifiée(s), %d non justifiée(s), %d retard(s), %d heure(s) manquée(s)",
			frKind(p.Kind), p.Number, frDay(p.StartsOn), frDay(p.EndsOn), c.JustifiedHalfDays, c.UnjustifiedHalfDays, c.Lateness, c.MissedHours)), "", "L", false)
	}
	section("Absences et retards")
	if len(r.Items) == 0 {
		pdf.MultiCell(0, 5, tr("Aucune absence ni aucun retard."), "", "L", false)
	}
	for _, it := range r.Items {
		var line string
		if it.Kind == "late" {
			line = fmt.Sprintf("Retard le %s à %s (%d min)", frDay(it.StartDate), hm(it.StartMin), it.Minutes)
			if it.Subject != "" {
				line += ", " + it.Subject
			}
		} else {
			line = fmt.Sprintf("Absence du %s %s au %s %s", frDay(it.StartDate), hm(it.StartMin), frDay(it.EndDate), hm(it.EndMin))
		}
		line += " — " + frState(it.State)
		switch {
		case it.ReasonHidden:
			line += " — motif confidentiel"
		case it.Reason != "":
			line += " — " + it.Reason
		}
		pdf.MultiCell(0, 5, tr(line), "", "L", false)
	}
	section("Justificatifs")
	if len(r.Justifications) == 0 {
		pdf.MultiCell(0, 5, tr("Aucun justificatif."), "", "L", false)
	}
	for _, j := range r.Justifications {
		reason := j.Reason
		if j.ReasonHidden {
			reason = "motif confidentiel"
		}
		line := fmt.Sprintf("Du %s %s au %s %s — %s — %s (par %s)", frDay(j.StartDate), hm(j.StartMin), frDay(j.EndDate), hm(j.EndMin),
			reason, frJState(j.State), j.AuthorName)
		if j.Answer != "" {
			line += " — réponse : " + j.Answer
		}
		pdf.MultiCell(0, 5, tr(line), "", "L", false)
	}
	var b bytes.Buffer
	if err := pdf.Output(&b); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func frKind(k string) string {
	if k == "semestre" {
		return "Semestre"
	}
	return "Trimestre"
}

func frDay(d string) string {
	t, err := time.Parse("2006-01-02", d)
	if err != nil {
		return d
	}
	return t.Format("02/01/2006")
}

func hm(m int) string { return fmt.Sprintf("%02dh%02d", m/60, m%60) }

func frState(s string) string {
	switch s {
	case NoReason:
		return "sans motif"
	case ReasonGiven:
		return "motif donné"
	case Justified:
		return "justifiée"
	case NotAccepted:
		return "non recevable"
	}
	return s
}

func frJState(s string) string {
	switch s {
	case Pending:
		return "en attente"
	case Accepted:
		return "accepté"
	case Refused:
		return "refusé"
	}
	return s
}
