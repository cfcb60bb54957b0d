package web

import (
	"net/http"
	"time"

	"cartable/internal/directory"
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
	Lessons  *nowNext                 // "now and next" (timetable.go)
}

func (s *Server) home(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	v := currentOf(r).viewer
	data := homeData{Today: s.Now()}
	var err error
	switch v.Profile {
	case directory.Student:
		data.Student, err = s.studentSchool(r, v.ID)
	case directory.Relative:
		err = s.relativeHome(r, &data)
	case directory.Teacher:
		data.Teaching, data.Headed, err = directory.MyTeaching(ctx, v, s.DB)
	case directory.Staff, directory.Admin:
		if v.Profile == directory.Staff {
			data.Teaching, data.Headed, err = directory.MyTeaching(ctx, v, s.DB) // some staff also teach
		}
		if err == nil {
			data.Schools, err = directory.MySchools(ctx, v, s.DB)
		}
	}
	if err != nil {
		s.kit.Fail(w, r, err)
		return
	}
	if data.Lessons, err = s.nowNext(r, &data); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "home", "home.title", data)
}

// studentSchool is the school page of a student: the viewer themself or
// a relative's chosen child.
func (s *Server) studentSchool(r *http.Request, studentID string) (*directory.StudentSchool, error) {
	sc, err := directory.ViewStudentSchool(r.Context(), currentOf(r).viewer, s.DB, studentID)
	if err != nil {
		return nil, err
	}
	return &sc, nil
}

// relativeHome shows the chosen child (the first by default). A relative
// with no child to show gets the page saying so, whatever ?child= names.
func (s *Server) relativeHome(r *http.Request, data *homeData) error {
	f, err := s.kit.Family(r)
	if len(f.Children) == 0 && (err == nil || page.Refused(err)) {
		return nil
	}
	if err != nil {
		return err
	}
	data.Children, data.ChildID = f.Children, f.Chosen.ID
	data.Student, err = s.studentSchool(r, f.Chosen.ID)
	return err
}
