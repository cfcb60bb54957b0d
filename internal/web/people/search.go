package people

import (
	"net/http"
	"strings"

	"cartable/internal/check"
	"cartable/internal/directory"
	"cartable/internal/i18n"
	"cartable/internal/web/page"
)

// The people search of the school's staff: a plain GET form, whose answer
// lists the people found (each leading to their page), within what the
// directory lets the viewer see.

type searchData struct {
	Query    string
	Searched bool // a query was run: the results section shows
	People   []directory.Found
	More     bool // more than Limit found: refine
	Limit    int
	Problem  string // what is wrong with the query, in words
}

// PageTitle names the search: "Recherche « elodie »", or the directory.
func (d searchData) PageTitle(lang string) string {
	if strings.TrimSpace(d.Query) == "" || d.Problem != "" {
		return i18n.T(lang, "search.title")
	}
	return i18n.T(lang, "search.titlequery", d.Query)
}

func (a *Area) search(w http.ResponseWriter, r *http.Request) {
	query := r.URL.Query().Get("q")
	d := searchData{Query: query, Limit: directory.SearchLimit}
	res, err := directory.Search(r.Context(), page.Viewer(r), a.kit.DB, query)
	if ps, ok := check.As(err); ok && len(ps) > 0 {
		lang := page.Lang(r)
		d.Problem = i18n.N(lang, "search."+ps[0].Code, ps[0].N) // search.too-short, search.too-long
		a.pages.Render(w, r, http.StatusUnprocessableEntity, "search", "search.title", d)
		return
	}
	if err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	d.Searched = strings.TrimSpace(query) != ""
	d.People, d.More = res.People, res.More
	a.pages.Render(w, r, http.StatusOK, "search", "search.title", d)
}
