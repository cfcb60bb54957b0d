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

// withMessages puts first, when some wait, the count of the viewer's
// unread conversations (one statement), leading to the inbox.
func (a *Area) withMessages(r *http.Request, blocks []Block) ([]Block, error) {
	if a.messages == nil {
		return blocks, nil
	}
	n, err := a.messages.Unread(r.Context(), page.Viewer(r))
	if err != nil || n == 0 {
		return blocks, err
	}
	lang := page.Lang(r)
	b := Block{ID: "b-unread", Heading: i18n.T(lang, "home.unread"), Count: countOf(lang, "home.unread.count", n),
		Empty: i18n.T(lang, "home.unread.empty"), Link: "/messages", LinkText: i18n.T(lang, "home.unread.open")}
	return append([]Block{b}, blocks...), nil
}
