package home

import (
	"net/http"
	"net/url"

	"cartable/internal/i18n"
	"cartable/internal/liaison"
	"cartable/internal/roles"
	"cartable/internal/web/page"
)

// maxNotes bounds the notes a home block lists.
const maxNotes = 8

// SetNotes gives the home page the carnet de liaison: a legal guardian's
// notes to sign, an author's notes awaiting signature. Without it the
// blocks are left out.
func (a *Area) SetNotes(n *liaison.Service) { a.notes = n }

// toSignBlocks is, for a legal guardian, the block of the child's notes
// they have not signed, leading the page when there are some. Others (the
// student, a relative who is not a legal guardian) get no block.
func (a *Area) toSignBlocks(r *http.Request, studentID string) ([]Block, error) {
	if a.notes == nil {
		return nil, nil
	}
	lang := page.Lang(r)
	notes, guardian, err := a.notes.ToSign(r.Context(), page.Viewer(r), studentID, maxNotes+1)
	if err != nil || !guardian {
		return nil, err
	}
	list := "/notes?child=" + url.QueryEscape(studentID)
	b := Block{ID: "b-tosign", Heading: i18n.T(lang, "notes.home.tosign"), Count: countOf(lang, "notes.home.tosign.count", len(notes)),
		Empty: i18n.T(lang, "notes.home.tosign.none"), Link: list, LinkText: i18n.T(lang, "notes.home.all")}
	for _, n := range notes {
		b.Items = append(b.Items, Item{Href: "/notes/" + n.ID, Label: n.Subject, When: i18n.DateTime(lang, n.At), Detail: n.AuthorName,
			Text: short(n.Body, 160), State: "changed"})
	}
	b.limit(lang)
	b.Lead = len(notes) > 0
	return []Block{b}, nil
}

// awaitingBlocks is the block of the viewer's notes still awaiting a
// signature: always for a teacher, for other staff when there are some.
func (a *Area) awaitingBlocks(r *http.Request) ([]Block, error) {
	if a.notes == nil {
		return nil, nil
	}
	v, lang := page.Viewer(r), page.Lang(r)
	items, err := a.notes.Awaiting(r.Context(), v, maxNotes+1)
	if err != nil || (len(items) == 0 && v.Profile != roles.Teacher) {
		return nil, err
	}
	b := Block{ID: "b-awaiting", Heading: i18n.T(lang, "notes.home.awaiting"), Count: countOf(lang, "notes.home.awaiting.count", len(items)),
		Empty: i18n.T(lang, "notes.home.awaiting.none"), Link: "/notes", LinkText: i18n.T(lang, "notes.home.all")}
	for _, it := range items {
		b.Items = append(b.Items, Item{Href: "/notes/" + it.ID, Label: it.Subject, When: i18n.DateTime(lang, it.At), Detail: it.StudentName,
			Notes: []string{i18n.T(lang, "notes.home.signed", it.Signed, it.Expected)}})
	}
	b.limit(lang)
	return []Block{b}, nil
}
