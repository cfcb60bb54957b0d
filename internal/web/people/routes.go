// Package people is the area of the directory's pages: the people search,
// a person, a class, a group and an establishment's overview. Each page
// asks the directory for the view the signed-in viewer may see and renders
// it.
package people

import (
	"embed"
	"net/http"

	"cartable/internal/web/page"
)

//go:embed templates
var templates embed.FS

// Area serves the directory's pages.
type Area struct {
	kit   *page.Kit
	pages *page.Set
}

// New parses the area's templates.
func New(kit *page.Kit) (*Area, error) {
	pages, err := kit.Parse(templates, nil)
	if err != nil {
		return nil, err
	}
	return &Area{kit: kit, pages: pages}, nil
}

// Routes registers the area's pages.
func (a *Area) Routes(mux *http.ServeMux) {
	mux.HandleFunc("GET /people", a.kit.SignedIn(a.search))
	mux.HandleFunc("GET /people/{id}", a.kit.SignedIn(a.person))
	mux.HandleFunc("GET /classes/{id}", a.kit.SignedIn(a.class))
	mux.HandleFunc("GET /groups/{id}", a.kit.SignedIn(a.group))
	mux.HandleFunc("GET /establishments/{id}", a.kit.SignedIn(a.establishment))
}
