package competences

import (
	"net/http"
	"net/url"

	"cartable/internal/grades"
	"cartable/internal/web/page"
)

type itemsData struct {
	grades.ItemsAdmin
	Saved    bool
	Edit     string // the item whose form is sent back ("new": the creation form)
	In       grades.ItemInput
	Problems problems
}

func itemInput(r *http.Request) grades.ItemInput {
	f := r.PostFormValue
	return grades.ItemInput{Teaching: f("teaching"), Establishment: f("establishment"), Subject: f("subject"),
		Component: f("component"), Label: f("label"), Archived: f("archived") != ""}
}

// items: the head's list of items (?establishment=, the first one by
// default).
func (a *Area) items(w http.ResponseWriter, r *http.Request) {
	a.showItems(w, r, http.StatusOK, r.URL.Query().Get("establishment"), itemsData{Saved: r.URL.Query().Get("saved") != ""})
}

func (a *Area) showItems(w http.ResponseWriter, r *http.Request, status int, est string, d itemsData) {
	v := page.Viewer(r)
	if est == "" && len(v.Establishments) > 0 {
		est = v.Establishments[0]
	}
	adm, err := a.svc.Items(r.Context(), v, est)
	if err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	d.ItemsAdmin = adm
	if d.Edit == "" {
		d.In = grades.ItemInput{Component: string(grades.CompFrench)}
	}
	a.pages.Render(w, r, status, "items", "cmp.items.title", d)
}

// createItem: the head's item (from the items page) or a teacher's (from
// their desk, naming the teaching).
func (a *Area) createItem(w http.ResponseWriter, r *http.Request) {
	in := itemInput(r)
	_, err := a.svc.CreateItem(r.Context(), page.Viewer(r), in)
	if err == nil {
		if in.Teaching != "" {
			http.Redirect(w, r, "/competences?saved=1", http.StatusSeeOther)
		} else {
			http.Redirect(w, r, "/competences/items?saved=1&establishment="+url.QueryEscape(in.Establishment), http.StatusSeeOther)
		}
		return
	}
	if stepUp(w, r, err, "/competences") {
		return
	}
	ps, ok := asProblems(r, err, nil)
	if !ok {
		a.kit.Fail(w, r, err)
		return
	}
	if in.Teaching != "" {
		a.showDesk(w, r, http.StatusUnprocessableEntity, deskData{Teaching: in.Teaching, In: in, Problems: ps})
		return
	}
	a.showItems(w, r, http.StatusUnprocessableEntity, in.Establishment, itemsData{Edit: "new", In: in, Problems: ps})
}

// editItem: the head relabels, moves or archives an item.
func (a *Area) editItem(w http.ResponseWriter, r *http.Request) {
	in := itemInput(r)
	id := r.PathValue("id")
	err := a.svc.EditItem(r.Context(), page.Viewer(r), id, in)
	if err == nil {
		http.Redirect(w, r, "/competences/items?saved=1&establishment="+url.QueryEscape(in.Establishment)+"#i-"+id, http.StatusSeeOther)
		return
	}
	ps, ok := asProblems(r, err, nil)
	if !ok {
		a.kit.Fail(w, r, err)
		return
	}
	a.showItems(w, r, http.StatusUnprocessableEntity, in.Establishment, itemsData{Edit: id, In: in, Problems: ps})
}

// deleteItem: the head removes an item no evaluation has assessed.
func (a *Area) deleteItem(w http.ResponseWriter, r *http.Request) {
	id, est := r.PathValue("id"), r.PostFormValue("establishment")
	err := a.svc.DeleteItem(r.Context(), page.Viewer(r), id)
	if err == nil {
		http.Redirect(w, r, "/competences/items?saved=1&establishment="+url.QueryEscape(est), http.StatusSeeOther)
		return
	}
	ps, ok := asProblems(r, err, nil)
	if !ok {
		a.kit.Fail(w, r, err)
		return
	}
	a.showItems(w, r, http.StatusUnprocessableEntity, est, itemsData{Problems: ps})
}
