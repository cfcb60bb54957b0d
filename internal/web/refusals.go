package web

import (
	"errors"
	"net/http"

	"cartable/internal/access"
	"cartable/internal/web/page"
)

// The explained refusals of account administration and of the account
// lifecycle, for the flat pages that still ask the policy themselves (the
// person page, provisioning.go); the admin area gets them from the auth
// domain and answers with page.Kit.FailExplained.

// refusalKey is the catalog key explaining err, "" for the plain refusal.
func refusalKey(err error) string { return page.RefusalKey(err) }

// allowedAccount is allowed for the acts on a person's account: the
// refusals the policy explains (the person is known to the viewer) answer
// 403 with the reason; every other one looks like a missing page. Each
// refusal is audited.
func (s *Server) allowedAccount(w http.ResponseWriter, r *http.Request, a access.Action, res access.Resource) bool {
	err := s.Policy.Can(r.Context(), currentOf(r).viewer, a, res)
	if err == nil {
		return true
	}
	s.kit.FailExplained(w, r, err)
	return false
}

// mayManage tells whether the viewer may manage person id's account and,
// when they may not although they administer one of the person's
// establishments (a rank as high as theirs, another establishment), the
// catalog key saying why, for the person's page.
func (s *Server) mayManage(r *http.Request, id string) (bool, string, error) {
	err := s.Policy.Can(r.Context(), currentOf(r).viewer, access.ManageAccount, access.Person(id))
	switch {
	case err == nil:
		return true, "", nil
	case errors.Is(err, access.ErrPrivilege):
		return false, "admin.manage.privilege", nil
	case errors.Is(err, access.ErrElsewhere):
		return false, "admin.manage.elsewhere", nil
	case errors.Is(err, access.ErrDenied):
		return false, "", nil
	}
	return false, "", err
}
