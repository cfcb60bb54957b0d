package directory

import (
	"context"
	"slices"

	"cartable/internal/access"
	"cartable/internal/db"
)

// memo reads through the viewer's cache of directory rows (Viewer.Memo,
// kept per directory version, so an edit on any replica is seen at the
// next request) when q is the database itself: a transaction may hold
// changes of its own that the cache must not see nor keep. The rows are
// raw (the caller filters them for v) and shared, so what comes out is a
// copy made by clone.
func memo[T any](ctx context.Context, v *access.Viewer, q db.Querier, key string, load func(context.Context, db.Querier, string) (T, error), arg string, clone func(T) T) (T, error) {
	if _, ok := q.(*db.DB); !ok || v == nil {
		return load(ctx, q, arg)
	}
	val, err := v.Memo(key+"/"+arg, func() (any, error) { return load(ctx, q, arg) })
	if err != nil {
		var zero T
		return zero, err
	}
	return clone(val.(T)), nil
}

func clonePerson(p Person) Person { return p }

func cloneKin(k []kinRow) []kinRow { return slices.Clone(k) }

func cloneSchooling(in []Schooling) []Schooling {
	out := slices.Clone(in)
	for i := range out {
		out[i].HeadTeachers = slices.Clone(out[i].HeadTeachers)
		for j := range out[i].HeadTeachers {
			out[i].HeadTeachers[j].Classes = slices.Clone(out[i].HeadTeachers[j].Classes)
		}
	}
	return out
}
