package web

import (
	"embed"
	"net/http"

	"cartable/internal/access"
	"cartable/internal/web/page"
)

//go:embed templates
var templateFiles embed.FS

// render executes a page into a buffer first, so that a template error
// becomes a clean 500 rather than half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name, title string, data any) {
	s.pages.Render(w, r, status, name, title, data)
}

func (s *Server) serverError(w http.ResponseWriter, r *http.Request, err error) {
	s.kit.ServerError(w, r, err)
}

func (s *Server) renderError(w http.ResponseWriter, r *http.Request, status int, key string) {
	s.kit.Error(w, r, status, key)
}

func (s *Server) notFound(w http.ResponseWriter, r *http.Request) { s.kit.NotFound(w, r) }

func (s *Server) allowed(w http.ResponseWriter, r *http.Request, a access.Action, res access.Resource) bool {
	return s.kit.Allowed(w, r, a, res)
}

func (s *Server) may(r *http.Request, a access.Action, res access.Resource) (bool, error) {
	return page.May(r, a, res)
}

func (s *Server) auditRefusal(r *http.Request, res access.Resource) { s.kit.AuditRefusal(r, res) }
