package page

import (
	"context"
	"net/http"

	"cartable/internal/access"
)

// Menu is what the layout's navigation offers beyond the entries every
// signed-in person has: only what opens for the viewer. The composer
// computes it with the domains (Kit.Menu), since neither the kit nor a
// template asks the policy anything.
type Menu struct {
	People       bool // the people search (directory.MaySearch)
	Provisioning bool // imports and accounts (provisioning.MayImport)
	SchoolLife   bool // the establishment's school life: the CPE's desk (attendance.MaySeeDesk)
	Discipline   bool // punishments, sanctions, incidents (discipline.MayOpen)
	Notes        bool // the carnet de liaison, for staff who follow an establishment (liaison.Follows)
	Results      bool // one's own or one's children's marks (grades.MenuOf)
	Gradebook    bool // a teacher's teachings, the direction's grading settings
	ReportCards  bool // report cards: families, head teachers, CPE, direction
	Messages     bool // messaging, news, surveys and the to-do list: everyone attached to an establishment (operators take no part)
}

// menu is the request's menu; a failure is logged and offers nothing more,
// so that the error page (rendered with the same layout) never fails in
// turn.
func (k *Kit) menu(r *http.Request, v *access.Viewer) Menu {
	if k.Menu == nil || v == nil {
		return Menu{}
	}
	m, err := k.Menu(r.Context(), v)
	if err != nil {
		if r.Context().Err() == nil {
			k.Log.Error("menu", "err", err.Error())
		}
		return Menu{}
	}
	return m
}

// MenuFunc computes a viewer's menu (see Kit.Menu).
type MenuFunc func(ctx context.Context, v *access.Viewer) (Menu, error)
