package grades

// The report card as a PDF: A4, French, readable when printed in black and
// white (black text, bordered tables, a light grey only behind headings,
// nothing told by colour alone), one page per student (a second when the
// appraisals need it), and one document for a whole class.

import (
	"bytes"
	"strconv"
	"strings"
	"time"

	"codeberg.org/go-pdf/fpdf"

	"cartable/internal/i18n"
)

// frDay writes a YYYY-MM-DD day in French ("7 décembre 2026"), or the text
// as it is when it is not a day.
func frDay(s string) string {
	t, err := time.ParseInLocation("2006-01-02", s, i18n.Zone)
	if err != nil {
		return s
	}
	return i18n.Date("fr", t.Add(12*time.Hour))
}

// MentionLabel is a mention as a French card prints it ("" for none).
func MentionLabel(m string) string { return mentionFR[m] }

// RenderPDF writes cards as one PDF, one student after the other. at is
// the document's date (its metadata), so that the same cards and date
// give the same bytes.
func RenderPDF(cards []Card, at time.Time) ([]byte, error) {
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetCreationDate(at.UTC())
	pdf.SetModificationDate(at.UTC())
	pdf.SetCatalogSort(true)
	pdf.SetTitle("Bulletins scolaires", true)
	pdf.SetAuthor("Cartable", true)
	pdf.SetCreator("Cartable", true)
	pdf.SetMargins(12, 12, 12)
	pdf.SetAutoPageBreak(false, 14)
	pdf.SetDrawColor(0, 0, 0)
	pdf.SetTextColor(0, 0, 0)
	tr := pdf.UnicodeTranslatorFromDescriptor("")
	r := &cardPDF{pdf: pdf, tr: tr}
	pdf.SetFooterFunc(r.footer)
	for i := range cards {
		r.card = &cards[i]
		r.render()
	}
	if err := pdf.Error(); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

type cardPDF struct {
	pdf  *fpdf.Fpdf
	tr   func(string) string
	card *Card
}

const (
	pageW  = 186.0 // printable width
	left   = 12.0
	bottom = 280.0 // keep clear of the footer
	lineH  = 4.2
)

// columns of the subject table: subject and teachers, student, class
// mean, min, max, appraisal.
var cols = []float64{44, 17, 17, 13, 13, 82}

func (r *cardPDF) footer() {
	if r.card == nil {
		return
	}
	p := r.pdf
	p.SetY(-12)
	p.SetFont("Helvetica", "", 8)
	txt := "Bulletin de " + r.card.Student + " - " + r.card.Period + " " + r.card.Year
	if r.card.Version > 0 {
		txt += " - version " + strconv.Itoa(r.card.Version) + ", publiée le " + frDay(r.card.PublishOn)
	}
	p.CellFormat(0, 4, r.tr(txt), "", 0, "C", false, 0, "")
}

func (r *cardPDF) text(size float64, style string, h float64, s string) {
	r.pdf.SetFont("Helvetica", style, size)
	r.pdf.MultiCell(0, h, r.tr(s), "", "L", false)
}

// lines counts the lines s takes in a cell of width w at the current font.
func (r *cardPDF) lines(s string, w float64) int {
	if strings.TrimSpace(s) == "" {
		return 1
	}
	n := 0
	for _, para := range strings.Split(s, "\n") {
		n += max(1, len(r.pdf.SplitText(r.tr(para), w-2)))
	}
	return n
}

func (r *cardPDF) render() {
	p, c := r.pdf, r.card
	p.AddPage()
	// Header: establishment, year and period, then the student.
	p.SetFont("Helvetica", "B", 13)
	p.CellFormat(pageW*0.6, 6, r.tr(c.Establishment), "", 0, "L", false, 0, "")
	p.SetFont("Helvetica", "B", 12)
	p.CellFormat(pageW*0.4, 6, r.tr("Bulletin du "+strings.ToLower(c.Period[:1])+c.Period[1:]), "", 1, "R", false, 0, "")
	p.SetFont("Helvetica", "", 9)
	where := "UAI " + c.UAI
	if c.City != "" {
		where += " - " + c.City
	}
	p.CellFormat(pageW*0.6, 5, r.tr(where), "", 0, "L", false, 0, "")
	p.CellFormat(pageW*0.4, 5, r.tr("Année "+c.Year+", du "+frDay(c.StartsOn)+" au "+frDay(c.EndsOn)), "", 1, "R", false, 0, "")
	p.Ln(2)
	y := p.GetY()
	p.Rect(left, y, pageW, 15, "D")
	p.SetXY(left+2, y+1.5)
	p.SetFont("Helvetica", "B", 12)
	p.CellFormat(110, 6, r.tr(c.Student), "", 0, "L", false, 0, "")
	p.SetFont("Helvetica", "", 10)
	p.CellFormat(pageW-114, 6, r.tr("Classe : "+c.Class), "", 1, "R", false, 0, "")
	p.SetX(left + 2)
	born := ""
	if c.BirthDate != "" {
		born = "Né(e) le " + frDay(c.BirthDate)
	}
	p.CellFormat(90, 5, r.tr(born), "", 0, "L", false, 0, "")
	heads := "Professeur principal : " + strings.Join(c.HeadTeachers, ", ")
	if len(c.HeadTeachers) == 0 {
		heads = "Professeur principal : -"
	}
	p.CellFormat(pageW-94, 5, r.tr(heads), "", 1, "R", false, 0, "")
	p.SetY(y + 17)
	switch {
	case c.Version == 0:
		r.text(10, "B", 5, "DOCUMENT PROVISOIRE : bulletin non publié.")
	case c.Version > 1:
		note := "Version " + strconv.Itoa(c.Version) + ", remplace la version du " + c.Replaces + "."
		if c.Reason != "" {
			note += " Motif : " + c.Reason
		}
		r.text(10, "B", 5, note)
	}
	p.Ln(1)
	r.table()
	r.after()
}

func (r *cardPDF) tableHead() {
	p := r.pdf
	p.SetFont("Helvetica", "B", 8.5)
	p.SetFillColor(225, 225, 225)
	heads := []string{"Discipline", "Élève", "Moy. classe", "Min.", "Max.", "Appréciation"}
	for i, h := range heads {
		align := "C"
		if i == 0 || i == 5 {
			align = "L"
		}
		p.CellFormat(cols[i], 6, r.tr(h), "1", 0, align, true, 0, "")
	}
	p.Ln(-1)
}

// ensure starts a new page (with the table's head when in the table) when
// h more millimetres do not fit.
func (r *cardPDF) ensure(h float64, inTable bool) {
	if r.pdf.GetY()+h <= bottom {
		return
	}
	r.pdf.AddPage()
	r.text(9, "I", 5, r.card.Student+" - "+r.card.Period+" (suite)")
	if inTable {
		r.tableHead()
	}
}

func (r *cardPDF) table() {
	p, c := r.pdf, r.card
	r.tableHead()
	for _, s := range c.Subjects {
		p.SetFont("Helvetica", "", 8.5)
		teachers := strings.Join(s.Teachers, ", ")
		nl := r.lines(s.Name, cols[0])
		p.SetFont("Helvetica", "I", 7.5)
		tl := 0
		if teachers != "" {
			tl = r.lines(teachers, cols[0])
		}
		p.SetFont("Helvetica", "", 8.5)
		al := r.lines(s.Appraisal, cols[5])
		h := float64(max(nl+tl, al))*lineH + 2
		r.ensure(h, true)
		x, y := p.GetX(), p.GetY()
		xs := x
		for _, w := range cols {
			p.Rect(xs, y, w, h, "D")
			xs += w
		}
		p.SetXY(x, y+1)
		p.SetFont("Helvetica", "B", 8.5)
		p.MultiCell(cols[0], lineH, r.tr(s.Name), "", "L", false)
		if teachers != "" {
			p.SetX(x)
			p.SetFont("Helvetica", "I", 7.5)
			p.MultiCell(cols[0], lineH, r.tr(teachers), "", "L", false)
		}
		xs = x + cols[0]
		figures := []string{s.Student, s.Mean, s.Min, s.Max}
		for i, f := range figures {
			p.SetXY(xs, y+1)
			style := ""
			if i == 0 {
				style = "B"
			}
			p.SetFont("Helvetica", style, 9)
			if f == "" {
				f = "-"
			}
			p.CellFormat(cols[i+1], lineH, r.tr(f), "", 0, "C", false, 0, "")
			xs += cols[i+1]
		}
		p.SetXY(xs, y+1)
		p.SetFont("Helvetica", "", 8.5)
		p.MultiCell(cols[5], lineH, r.tr(s.Appraisal), "", "L", false)
		p.SetXY(x, y+h)
	}
	// The overall average.
	r.ensure(7, true)
	p.SetFont("Helvetica", "B", 9)
	p.SetFillColor(240, 240, 240)
	p.CellFormat(cols[0], 7, r.tr("Moyenne générale"), "1", 0, "L", true, 0, "")
	p.CellFormat(cols[1], 7, r.tr(c.Overall), "1", 0, "C", true, 0, "")
	mean := c.ClassOverall
	if mean == "" {
		mean = "-"
	}
	p.SetFont("Helvetica", "", 9)
	p.CellFormat(cols[2], 7, r.tr(mean), "1", 0, "C", true, 0, "")
	p.CellFormat(cols[3]+cols[4]+cols[5], 7, "", "1", 1, "L", true, 0, "")
	p.Ln(3)
}

// block writes a titled, framed block.
func (r *cardPDF) block(title, body string) {
	p := r.pdf
	p.SetFont("Helvetica", "", 9)
	if strings.TrimSpace(body) == "" {
		body = "-"
	}
	h := float64(r.lines(body, pageW))*lineH + 8
	r.ensure(h+2, false)
	y := p.GetY()
	p.Rect(left, y, pageW, h, "D")
	p.SetXY(left+1, y+1)
	p.SetFont("Helvetica", "B", 9)
	p.CellFormat(pageW-2, 5, r.tr(title), "", 1, "L", false, 0, "")
	p.SetX(left + 1)
	p.SetFont("Helvetica", "", 9)
	p.MultiCell(pageW-2, lineH, r.tr(body), "", "L", false)
	p.SetXY(left, y+h+2)
}

func (r *cardPDF) after() {
	c := r.card
	life := "Chiffres non disponibles."
	if c.Life.Available {
		life = "Demi-journées d'absence justifiées : " + strconv.Itoa(c.Life.Justified) +
			"   -   non justifiées : " + strconv.Itoa(c.Life.Unjustified) +
			"   -   retards : " + strconv.Itoa(c.Life.Lateness)
	}
	r.block("Vie scolaire", life)
	if c.Council.Life != "" {
		r.block("Appréciation du conseiller principal d'éducation", c.Council.Life)
	}
	r.block("Appréciation générale du professeur principal", c.Council.General)
	mention := MentionLabel(c.Council.Mention)
	if mention == "" {
		mention = "aucune"
	}
	orientation := c.Council.Orientation
	if orientation == "" {
		orientation = "-"
	}
	r.block("Conseil de classe", "Mention : "+mention+"\nAvis d'orientation : "+orientation)
}
