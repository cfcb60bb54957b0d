package provisioning

import (
	"context"
	"errors"
	"sort"

	"cartable/internal/access"
	"cartable/internal/db"
	"cartable/internal/directory"
)

// What the pages and the command line call around the import itself: who
// may provision what, and who ran something. Every function asks the
// policy (access.Provision) for its viewer.

// personOf is the person who acts, "" for the system: the history's actor
// columns hold a person's ID ("" for the command line and the daily job);
// the audit trail names the system too (v.Actor()).
func personOf(v *access.Viewer) string {
	if v == nil || v.IsSystem() {
		return ""
	}
	return v.ID
}

// provisionable lists the establishments v is attached to and may
// provision.
func provisionable(ctx context.Context, v *access.Viewer) ([]string, error) {
	if v == nil {
		return nil, nil
	}
	var out []string
	for _, id := range v.Establishments {
		ok, err := v.May(ctx, access.Provision, access.Establishment(id))
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, id)
		}
	}
	return out, nil
}

// MayImport refuses a viewer who may provision nothing: neither the
// instance nor any establishment. The pages ask it before they read an
// upload's body; Import asks it first.
func MayImport(ctx context.Context, v *access.Viewer) error {
	if ok, err := v.May(ctx, access.Provision, access.Instance()); err != nil || ok {
		return err
	}
	ests, err := provisionable(ctx, v)
	if err != nil || len(ests) > 0 {
		return err
	}
	return access.Refuse(access.Provision, access.Instance(), "provisions no establishment")
}

// Establishments lists by name the establishments v may provision, and
// tells whether v may bring new ones in (the operator's right); a viewer
// who may do neither is refused.
func Establishments(ctx context.Context, v *access.Viewer, q db.Querier) ([]directory.Establishment, bool, error) {
	ids, err := provisionable(ctx, v)
	if err != nil {
		return nil, false, err
	}
	operator, err := v.May(ctx, access.Provision, access.Instance())
	if err != nil {
		return nil, false, err
	}
	if len(ids) == 0 && !operator {
		return nil, false, access.Refuse(access.Provision, access.Instance(), "provisions no establishment")
	}
	out := make([]directory.Establishment, 0, len(ids))
	for _, id := range ids {
		e, err := directory.EstablishmentByID(ctx, q, id)
		if err != nil {
			return nil, false, err
		}
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, operator, nil
}

// Establishment returns establishment id when v may provision it; any
// other, missing or not, is refused alike.
func Establishment(ctx context.Context, v *access.Viewer, q db.Querier, id string) (directory.Establishment, error) {
	if err := v.Can(ctx, access.Provision, access.Establishment(id)); err != nil {
		return directory.Establishment{}, err
	}
	return directory.EstablishmentByID(ctx, q, id)
}

// Actor is who ran something, as the viewer may know them.
type Actor struct {
	Name   string // their name, when the viewer may read it
	System bool   // the command line or the daily job
}

// actorOf names person id ("" for the system) for v.
func actorOf(ctx context.Context, v *access.Viewer, q db.Querier, id string) (Actor, error) {
	if id == "" {
		return Actor{System: true}, nil
	}
	c, err := directory.ViewCard(ctx, v, q, id)
	if errors.Is(err, access.ErrDenied) {
		return Actor{}, nil // out of reach, or erased since: another operator
	}
	if err != nil {
		return Actor{}, err
	}
	return Actor{Name: c.DisplayName()}, nil
}
