package home

import (
	"net/http"

	"cartable/internal/i18n"
	"cartable/internal/messaging"
	"cartable/internal/web/page"
)

// SetMessages gives the home page the count of unread conversations.
// Without it the block is left out.
func (a *Area) SetMessages(m *messaging.Service) { a.messages = m }

// unreadBlocks is, when some wait, the count of the viewer's unread
// conversations (one statement), leading the page and leading to the inbox.
func (a *Area) unreadBlocks(r *http.Request) ([]Block, error) {
	if a.messages == nil {
		return nil, nil
	}
	n, err := a.messages.Unread(r.Context(), page.Viewer(r))
	if err != nil || n == 0 {
		return nil, err
	}
	lang := page.Lang(r)
	b := Block{ID: "b-unread", Heading: i18n.T(lang, "home.unread"), Count: countOf(lang, "home.unread.count", n),
		Empty: i18n.T(lang, "home.unread.empty"), Link: "/messages", LinkText: i18n.T(lang, "home.unread.open"), Lead: true}
	return []Block{b}, nil
}
