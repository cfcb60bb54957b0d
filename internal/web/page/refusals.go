package page

import (
	"errors"
	"net/http"

	"cartable/internal/access"
)

// refusalKeys are the refusals of account administration and of the
// account lifecycle that a page explains (access.ErrOwnAccount…).
var refusalKeys = []struct {
	err error
	key string
}{
	{access.ErrOwnAccount, "admin.refused.own"},
	{access.ErrPrivilege, "admin.refused.privilege"},
	{access.ErrElsewhere, "admin.refused.elsewhere"},
}

// RefusalKey is the catalog key explaining a refusal, "" for the plain
// refusal (and for anything else).
func RefusalKey(err error) string {
	for _, k := range refusalKeys {
		if errors.Is(err, k.err) {
			return k.key
		}
	}
	return ""
}

// FailExplained is Fail for the acts on a person's account: the refusals
// the policy explains (it does only when the person is known to the viewer)
// answer 403 with the reason; every other one looks like a missing page.
// Each refusal is audited.
func (k *Kit) FailExplained(w http.ResponseWriter, r *http.Request, err error) {
	key := RefusalKey(err)
	if key == "" {
		k.Fail(w, r, err)
		return
	}
	var d *access.Denied
	res := access.Resource{}
	if errors.As(err, &d) {
		res = d.Resource
	}
	k.AuditRefusal(r, res)
	k.Error(w, r, http.StatusForbidden, key)
}
