package classlog

import (
	"net/http"

	"cartable/internal/check"
	"cartable/internal/timetable"
	"cartable/internal/web/page"
)

// copyEntry copies an entry to another class or group its author teaches.
func (a *Area) copyEntry(w http.ResponseWriter, r *http.Request) {
	c, err := a.log.Copy(r.Context(), page.Viewer(r), r.PathValue("id"), r.PostFormValue("target"), r.PostFormValue("date"))
	if ps, ok := check.As(err); ok {
		// A class or group the author teaches, but where the copy cannot go.
		msg := "log.copy.same"
		switch ps[0].Code {
		case "other-establishment":
			msg = "log.copy.otherest"
		case "not-taught":
			msg = "log.copy.subject"
		case "required":
			msg = "log.copy.notarget"
		case "bad-date":
			msg = "log.copy.baddate"
		}
		a.kit.Error(w, r, http.StatusUnprocessableEntity, msg)
		return
	}
	if err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, logOf(c.ClassID, c.GroupID)+"?saved=copy", http.StatusSeeOther)
}

// deleteEntry deletes an entry; the work students handed in for it goes
// only when the teacher confirms it.
func (a *Area) deleteEntry(w http.ResponseWriter, r *http.Request) {
	e, err := a.log.Delete(r.Context(), page.Viewer(r), r.PathValue("id"), r.PostFormValue("discard_handins") == "1")
	if _, ok := check.As(err); ok {
		a.kit.Error(w, r, http.StatusConflict, "log.delete.has-handins")
		return
	}
	if err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	back := "/timetable"
	if e.SlotID != "" {
		back = "/lessons/" + e.SlotID + "/" + e.LessonDate
	}
	http.Redirect(w, r, back+"?saved=deleted", http.StatusSeeOther)
}

// removeAttachment takes one attachment off an entry, from any page that
// lists the entry (copies have no lesson form).
func (a *Area) removeAttachment(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	e, err := a.log.Detach(r.Context(), page.Viewer(r), id, r.PathValue("file"))
	if err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	back := logOf(e.ClassID, e.GroupID) + "?saved=att-removed"
	if to, err := timetable.ParseDate(r.PostFormValue("to")); err == nil {
		back += "&to=" + to.Format(timetable.DateFormat)
	}
	http.Redirect(w, r, back+"#e-"+id, http.StatusSeeOther)
}
