package news

import (
	"net/http"

	"cartable/internal/news"
	"cartable/internal/web/page"
)

type todoData struct {
	Tasks []news.Task
}

// todo: what awaits the viewer's action, most urgent first.
func (a *Area) todo(w http.ResponseWriter, r *http.Request) {
	tasks, err := a.news.Todo(r.Context(), page.Viewer(r), a.notes)
	if err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	a.pages.Render(w, r, http.StatusOK, "todo", "todo.title", todoData{Tasks: tasks})
}
