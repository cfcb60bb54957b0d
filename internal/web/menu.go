package web

import (
	"context"
	"errors"

	"cartable/internal/access"
	"cartable/internal/attendance"
	"cartable/internal/directory"
	"cartable/internal/discipline"
	"cartable/internal/grades"
	"cartable/internal/liaison"
	"cartable/internal/provisioning"
	"cartable/internal/roles"
	"cartable/internal/web/page"
)

// menuOf is the kit's Menu: the navigation offers an entry only to those
// whose page opens (the domains decide, as their pages do).
func menuOf(ctx context.Context, v *access.Viewer) (page.Menu, error) {
	var m page.Menu
	var err error
	if m.People, err = directory.MaySearch(ctx, v); err != nil {
		return m, err
	}
	if m.SchoolLife, err = attendance.MaySeeDesk(ctx, v); err != nil {
		return m, err
	}
	if m.Notes, err = liaison.Follows(ctx, v); err != nil {
		return m, err
	}
	switch err := provisioning.MayImport(ctx, v); {
	case err == nil:
		m.Provisioning = true
	case !errors.Is(err, access.ErrDenied):
		return m, err
	}
	if m.Discipline, err = discipline.MayOpen(ctx, v); err != nil {
		return m, err
	}
	g, err := grades.MenuOf(ctx, v)
	if err != nil {
		return m, err
	}
	m.Results, m.Gradebook, m.ReportCards = g.Results, g.Gradebook, g.ReportCards
	m.Messages = v.Profile != roles.Admin && len(v.Establishments) > 0 // the communication rules take no operator
	return m, nil
}
