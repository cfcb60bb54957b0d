package home

import (
	"net/http"

	"cartable/internal/i18n"
	"cartable/internal/news"
	"cartable/internal/web/page"
)

// SetNews gives the home page the news to acknowledge. Without it the
// block is left out.
func (a *Area) SetNews(n *news.Service) { a.news = n }

// ackBlocks is, when some wait, the block of the news awaiting the
// viewer's acknowledgement (one statement), leading the page and leading
// to the to-do list.
func (a *Area) ackBlocks(r *http.Request) ([]Block, error) {
	if a.news == nil {
		return nil, nil
	}
	lang := page.Lang(r)
	items, err := a.news.ToAcknowledge(r.Context(), page.Viewer(r), maxItems+1)
	if err != nil || len(items) == 0 {
		return nil, err
	}
	b := Block{ID: "b-toack", Heading: i18n.T(lang, "news.home.toack"), Count: countOf(lang, "news.home.toack.count", len(items)),
		Link: "/todo", LinkText: i18n.T(lang, "news.home.todo"), Lead: true}
	for _, n := range items {
		it := Item{Href: "/news/" + n.ID, Label: n.Title, Detail: n.AuthorName, State: "changed"}
		if !n.AckDeadline.IsZero() {
			it.When = i18n.T(lang, "news.ackby", i18n.DateTime(lang, n.AckDeadline))
		}
		b.Items = append(b.Items, it)
	}
	b.limit(lang)
	return []Block{b}, nil
}
