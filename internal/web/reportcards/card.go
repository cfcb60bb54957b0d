package reportcards

import (
	"net/http"
	"strings"

	"cartable/internal/check"
	"cartable/internal/grades"
	"cartable/internal/web/page"
)

type cardData struct {
	grades.CardView
	Messages []string
	Reason   string
}

// PageTitle names the student and the period.
func (d cardData) PageTitle(lang string) string { return d.Card.Student + " · " + d.Card.Period }

// card: one card (GET /report-cards/{id}) or its frozen PDF ({id}.pdf).
func (a *Area) card(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	v := page.Viewer(r)
	if bare, ok := strings.CutSuffix(id, ".pdf"); ok {
		pdf, name, err := a.svc.CardPDF(r.Context(), v, bare)
		if err != nil {
			a.kit.Fail(w, r, err)
			return
		}
		file(w, "application/pdf", name, pdf)
		return
	}
	view, err := a.svc.Card(r.Context(), v, id)
	if err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	a.pages.Render(w, r, http.StatusOK, "card", "rc.card.title", cardData{CardView: view})
}

// correct publishes a new version of a card (the head).
func (a *Area) correct(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	v := page.Viewer(r)
	in := grades.CorrectInput{Reason: r.FormValue("reason"), PublishOn: r.FormValue("publish_on")}
	nid, err := a.svc.Correct(r.Context(), v, id, in)
	if err == nil {
		http.Redirect(w, r, "/report-cards/"+nid, http.StatusSeeOther)
		return
	}
	ps, ok := check.As(err)
	if !ok {
		a.kit.Fail(w, r, err)
		return
	}
	view, err := a.svc.Card(r.Context(), v, id)
	if err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	a.pages.Render(w, r, http.StatusUnprocessableEntity, "card", "rc.card.title",
		cardData{CardView: view, Messages: messages(page.Lang(r), ps), Reason: in.Reason})
}
