package discipline

import (
	"net/http"
	"strings"

	"cartable/internal/directory"
	"cartable/internal/discipline"
	"cartable/internal/i18n"
	"cartable/internal/roles"
	"cartable/internal/web/page"
)

type recordData struct {
	discipline.Record
	Children []directory.KinCard // a relative's child picker
	Saved    string
	// The revocation form sent back with its problems.
	Revoke   string // the sanction's ID
	RevokeIn discipline.RevocationInput
	Problems problems
}

// PageTitle names whose record it is.
func (d recordData) PageTitle(lang string) string {
	parts := []string{i18n.T(lang, "dis.record.title"), d.Student.DisplayName()}
	if d.Problems.Messages != nil {
		parts = append(parts, i18n.T(lang, "dis.title.refused"))
	}
	return strings.Join(parts, " · ")
}

// record: a student's punishments and, for those who read them, sanctions.
func (a *Area) record(w http.ResponseWriter, r *http.Request) {
	d := recordData{}
	switch saved := r.URL.Query().Get("saved"); saved {
	case "punishment", "sanction", "revoked", "cancelled":
		d.Saved = saved // what the redirect after a change tells
	}
	a.showRecord(w, r, r.PathValue("id"), http.StatusOK, d)
}

func (a *Area) showRecord(w http.ResponseWriter, r *http.Request, id string, status int, d recordData) {
	v := page.Viewer(r)
	rec, err := a.svc.Record(r.Context(), v, id)
	if err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	d.Record = rec
	if v.Profile == roles.Relative {
		fam, err := a.kit.Family(r)
		if err != nil {
			a.kit.Fail(w, r, err)
			return
		}
		d.Children = fam.Children
	}
	a.pages.Render(w, r, status, "record", "dis.record.title", d)
}

// revoke: the head revokes a suspension (a later decision).
func (a *Area) revoke(w http.ResponseWriter, r *http.Request) {
	in := discipline.RevocationInput{RevokedOn: r.PostFormValue("revoked_on"), Reason: r.PostFormValue("revocation_reason")}
	id, student := r.PathValue("id"), r.PostFormValue("student")
	err := a.svc.Revoke(r.Context(), page.Viewer(r), id, in)
	if err == nil {
		http.Redirect(w, r, "/discipline/students/"+student+"?saved=revoked#s-"+id, http.StatusSeeOther)
		return
	}
	ps, ok := a.asProblems(r, err)
	if !ok {
		a.kit.Fail(w, r, err)
		return
	}
	a.showRecord(w, r, student, http.StatusUnprocessableEntity, recordData{Revoke: id, RevokeIn: in, Problems: ps})
}
