package reportcards

import (
	"net/http"
	"strings"

	"cartable/internal/check"
	"cartable/internal/grades"
	"cartable/internal/web/page"
)

type councilData struct {
	grades.CouncilView
	// Shown are the entries stored when the page was drawn, carried by
	// the form so that a save keeps what someone else saved since.
	Shown     map[string]grades.CouncilRow
	Messages  []string
	Bad       map[string]bool
	Saved     bool
	PublishOn string
}

// PageTitle names the class and the period.
func (d councilData) PageTitle(lang string) string {
	return d.Class + " · " + d.Period
}

// council: the council's page (GET …/{period}) or the class's PDF
// (…/{period}.pdf).
func (a *Area) council(w http.ResponseWriter, r *http.Request) {
	class, period := r.PathValue("class"), r.PathValue("period")
	v := page.Viewer(r)
	if p, ok := strings.CutSuffix(period, ".pdf"); ok {
		pdf, _, err := a.svc.ClassPDF(r.Context(), v, class, p)
		if err != nil {
			a.kit.Fail(w, r, err)
			return
		}
		file(w, "application/pdf", "bulletins.pdf", pdf)
		return
	}
	view, err := a.svc.Council(r.Context(), v, class, period)
	if err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	a.pages.Render(w, r, http.StatusOK, "council", "rc.council.title",
		councilData{CouncilView: view, Shown: stored(view), Saved: r.URL.Query().Get("saved") == "1", PublishOn: r.URL.Query().Get("publish_on")})
}

// stored are the view's entries by student.
func stored(view grades.CouncilView) map[string]grades.CouncilRow {
	out := make(map[string]grades.CouncilRow, len(view.Students))
	for _, st := range view.Students {
		out[st.ID] = st.Entry
	}
	return out
}

// saveCouncil writes the form; on a fault the page comes back with what
// was typed and messages naming the rows.
func (a *Area) saveCouncil(w http.ResponseWriter, r *http.Request) {
	class, period := r.PathValue("class"), r.PathValue("period")
	v := page.Viewer(r)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	in := grades.CouncilInput{Council: r.PostForm.Get("council") == "1", Life: r.PostForm.Get("life") == "1", Shown: map[string]grades.CouncilRow{}}
	f := r.PostForm
	for _, id := range f["student"] {
		in.Rows = append(in.Rows, grades.CouncilRow{Student: id, General: f.Get("general/" + id),
			Life: f.Get("life/" + id), Mention: f.Get("mention/" + id), Orientation: f.Get("orientation/" + id)})
		// What the page showed: a save never undoes, unseen, what someone
		// else saved since it was drawn.
		if _, ok := f["was.general/"+id]; ok || f.Has("was.life/"+id) {
			in.Shown[id] = grades.CouncilRow{Student: id, General: f.Get("was.general/" + id), Life: f.Get("was.life/" + id),
				Mention: f.Get("was.mention/" + id), Orientation: f.Get("was.orientation/" + id)}
		}
	}
	err := a.svc.SaveCouncil(r.Context(), v, class, period, in)
	if err == nil {
		http.Redirect(w, r, "/report-cards/class/"+class+"/"+period+"?saved=1", http.StatusSeeOther)
		return
	}
	ps, ok := check.As(err)
	if !ok {
		a.kit.Fail(w, r, err)
		return
	}
	view, err := a.svc.Council(r.Context(), v, class, period)
	if err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	typed := map[string]grades.CouncilRow{}
	for _, row := range in.Rows {
		typed[row.Student] = row
	}
	now := stored(view)
	// What was typed comes back over the entries stored now, but for the
	// fields left as the page showed them (someone else's since stays).
	keep := func(dst *string, t, shownField string, seen bool) {
		if !seen || strings.TrimSpace(t) != strings.TrimSpace(shownField) {
			*dst = t
		}
	}
	for i, st := range view.Students {
		t, ok := typed[st.ID]
		if !ok {
			continue
		}
		sh, seen := in.Shown[st.ID]
		if in.Council {
			keep(&st.Entry.General, t.General, sh.General, seen)
			keep(&st.Entry.Mention, t.Mention, sh.Mention, seen)
			keep(&st.Entry.Orientation, t.Orientation, sh.Orientation, seen)
		}
		if in.Life {
			keep(&st.Entry.Life, t.Life, sh.Life, seen)
		}
		view.Students[i] = st
	}
	a.pages.Render(w, r, http.StatusUnprocessableEntity, "council", "rc.council.title",
		councilData{CouncilView: view, Shown: now, Messages: messages(page.Lang(r), ps), Bad: ps.Fields()})
}

// publish freezes the class's cards (the head).
func (a *Area) publish(w http.ResponseWriter, r *http.Request) {
	class, period := r.PathValue("class"), r.PathValue("period")
	v := page.Viewer(r)
	day := r.FormValue("publish_on")
	_, err := a.svc.Publish(r.Context(), v, class, period, grades.PublishInput{PublishOn: day})
	if err == nil {
		http.Redirect(w, r, "/report-cards/class/"+class+"/"+period, http.StatusSeeOther)
		return
	}
	ps, ok := check.As(err)
	if !ok {
		a.kit.Fail(w, r, err)
		return
	}
	view, err := a.svc.Council(r.Context(), v, class, period)
	if err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	a.pages.Render(w, r, http.StatusUnprocessableEntity, "council", "rc.council.title",
		councilData{CouncilView: view, Shown: stored(view), Messages: messages(page.Lang(r), ps), Bad: ps.Fields(), PublishOn: day})
}

// lsu: the national record's file of a class and period (…/{period}.xml),
// or the page listing what prevents it.
func (a *Area) lsu(w http.ResponseWriter, r *http.Request) {
	class := r.PathValue("class")
	period := strings.TrimSuffix(r.PathValue("period"), ".xml")
	v := page.Viewer(r)
	body, err := a.svc.LSU(r.Context(), v, class, period)
	if err == nil {
		file(w, "application/xml", "lsu.xml", body)
		return
	}
	ps, ok := check.As(err)
	if !ok {
		a.kit.Fail(w, r, err)
		return
	}
	view, err := a.svc.Council(r.Context(), v, class, period)
	if err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	a.pages.Render(w, r, http.StatusUnprocessableEntity, "council", "rc.council.title",
		councilData{CouncilView: view, Shown: stored(view), Messages: messages(page.Lang(r), ps), Bad: ps.Fields()})
}
