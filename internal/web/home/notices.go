package home

import (
	"net/http"

	"cartable/internal/i18n"
	"cartable/internal/notify"
	"cartable/internal/web/page"
)

// noticeBlocks is the viewer's unread notifications (a child marked
// absent, a note to sign…), first on the page when there are any; nothing
// when all are read.
func (a *Area) noticeBlocks(r *http.Request) ([]Block, error) {
	v := page.Viewer(r)
	n, err := notify.Unread(r.Context(), v, a.db)
	if err != nil || n == 0 {
		return nil, err
	}
	items, err := notify.Mine(r.Context(), v, a.db, maxItems)
	if err != nil {
		return nil, err
	}
	lang := page.Lang(r)
	b := Block{Lead: true, ID: "b-notices", Heading: i18n.T(lang, "notices.home"), Count: i18n.N(lang, "notices.home.count", n),
		Empty: i18n.T(lang, "notices.home.none"), Link: "/notifications", LinkText: i18n.T(lang, "notices.home.all")}
	for _, it := range items {
		if it.Read {
			continue
		}
		b.Items = append(b.Items, Item{Href: page.LocalPath(it.Link, "/notifications"), Label: page.NoticeText(lang, it.Kind, it.Args),
			When: i18n.DateTime(lang, it.CreatedAt)})
	}
	return []Block{b}, nil
}
