package home

import (
	"net/http"
	"time"

	"cartable/internal/directory"
	"cartable/internal/roles"
	"cartable/internal/web/page"
)

type homeData struct {
	Today    time.Time
	Student  *directory.StudentSchool // a student's own page, or the selected child's
	Children []directory.KinCard      // a relative's children
	ChildID  string                   // the selected child
	Teaching []directory.TeachingRow  // a teacher's classes and groups
	Headed   []directory.Class        // classes a teacher heads
	Schools  []directory.School       // staff and admin
	Lessons  *nowNext                 // "now and next" (nownext.go)
}

func (a *Area) home(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	v := page.Viewer(r)
	data := homeData{Today: a.kit.Now()}
	var err error
	switch v.Profile {
	case roles.Student:
		data.Student, err = a.studentSchool(r, v.ID)
	case roles.Relative:
		err = a.relativeHome(r, &data)
	case roles.Teacher:
		data.Teaching, data.Headed, err = directory.MyTeaching(ctx, v, a.db)
	case roles.Staff, roles.Admin:
		if v.Profile == roles.Staff {
			data.Teaching, data.Headed, err = directory.MyTeaching(ctx, v, a.db) // some staff also teach
		}
		if err == nil {
			data.Schools, err = directory.MySchools(ctx, v, a.db)
		}
	}
	if err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	if data.Lessons, err = a.nowNext(r, data.ChildID); err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	a.pages.Render(w, r, http.StatusOK, "home", "home.title", data)
}

// studentSchool is the school page of a student: the viewer themself or
// a relative's chosen child.
func (a *Area) studentSchool(r *http.Request, studentID string) (*directory.StudentSchool, error) {
	sc, err := directory.ViewStudentSchool(r.Context(), page.Viewer(r), a.db, studentID)
	if err != nil {
		return nil, err
	}
	return &sc, nil
}

// relativeHome shows the chosen child (the first by default). A relative
// with no child to show gets the page saying so, whatever ?child= names.
func (a *Area) relativeHome(r *http.Request, data *homeData) error {
	f, err := a.kit.Family(r)
	if len(f.Children) == 0 && (err == nil || page.Refused(err)) {
		return nil
	}
	if err != nil {
		return err
	}
	data.Children, data.ChildID = f.Children, f.Chosen.ID
	data.Student, err = a.studentSchool(r, f.Chosen.ID)
	return err
}
