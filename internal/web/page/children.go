package page

import (
	"net/http"

	"cartable/internal/access"
	"cartable/internal/directory"
)

// Family is the relative's child picker, written once for every page that
// shows one child at a time: the children the viewer may see, and the one
// the request chose.
type Family struct {
	Children []directory.KinCard
	Chosen   directory.KinCard // zero when there is no child to show
}

// Family reads the viewer's children (directory.MyChildren) and the one
// named by ?child= (the first by default). A ?child= that is not one of
// them is a refusal (*access.Denied): pass it to Fail, which audits it and
// answers 404.
func (k *Kit) Family(r *http.Request) (Family, error) {
	var f Family
	var err error
	if f.Children, err = directory.MyChildren(r.Context(), Viewer(r), k.DB); err != nil {
		return f, err
	}
	want := r.URL.Query().Get("child")
	if len(f.Children) == 0 {
		if want != "" {
			return f, access.Refuse(access.ReadName, access.Person(want), "not a child of the viewer")
		}
		return f, nil
	}
	if want == "" {
		f.Chosen = f.Children[0]
		return f, nil
	}
	for _, c := range f.Children {
		if c.ID == want {
			f.Chosen = c
			return f, nil
		}
	}
	return f, access.Refuse(access.ReadName, access.Person(want), "not a child of the viewer")
}
