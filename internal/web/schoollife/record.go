package schoollife

import (
	"net/http"
	"strconv"

	"cartable/internal/attendance"
	"cartable/internal/i18n"
	"cartable/internal/web/page"
)

// The student's school-life record, as the reader may see it.

type recordData struct {
	attendance.StudentRecord
	Done string // what was just done: "saved", "deleted"
}

func (d recordData) PageTitle(lang string) string {
	return i18n.T(lang, "desk.record.title", d.Student.FirstName+" "+d.Student.LastName)
}

func (a *Area) record(w http.ResponseWriter, r *http.Request) {
	rec, err := a.att.Record(r.Context(), page.Viewer(r), r.PathValue("id"))
	if err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	done := r.URL.Query().Get("done")
	switch done {
	case "saved", "deleted", "exemption", "unexempted":
	default:
		done = ""
	}
	a.pages.Render(w, r, http.StatusOK, "record", "desk.record.heading", recordData{StudentRecord: rec, Done: done})
}

// The history of changes.

type historyData struct {
	attendance.HistoryView
	Base string // the page's address, for the pages before and after
}

func (d historyData) PageTitle(lang string) string {
	title := i18n.T(lang, "desk.history.title")
	if d.Student != nil {
		title = i18n.T(lang, "desk.history.studenttitle", d.Student.FirstName+" "+d.Student.LastName)
	}
	if d.Page > 0 {
		title += " · " + i18n.T(lang, "desk.history.page", d.Page+1)
	}
	return title
}

func pageNumber(r *http.Request) int {
	n, _ := strconv.Atoi(r.URL.Query().Get("page"))
	return n
}

func (a *Area) history(w http.ResponseWriter, r *http.Request) {
	h, err := a.att.History(r.Context(), page.Viewer(r), r.URL.Query().Get("est"), "", pageNumber(r))
	if err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	a.pages.Render(w, r, http.StatusOK, "history", "desk.history.title", historyData{HistoryView: h, Base: "/school-life/history"})
}

func (a *Area) studentHistory(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	h, err := a.att.History(r.Context(), page.Viewer(r), "", id, pageNumber(r))
	if err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	a.pages.Render(w, r, http.StatusOK, "history", "desk.history.title", historyData{HistoryView: h, Base: "/school-life/students/" + id + "/history"})
}
