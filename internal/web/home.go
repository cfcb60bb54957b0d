package web

import (
	"context"
	"errors"
	"net/http"
	"time"

	"cartable/internal/access"
	"cartable/internal/directory"
)

// studentView is what the home page and the relative's page show of a
// student: their school, classes, head teachers and teachers.
type studentView struct {
	Student   directory.Person
	Schooling []directory.Schooling
	Teaching  []directory.Teaching
	Relatives []directory.Kin
}

type homeData struct {
	Today    time.Time
	Student  *studentView           // a student's own page, or the selected child
	Children []directory.Kin        // a relative's children
	ChildID  string                 // the selected child
	Teaching []directory.Teaching   // a teacher's classes and groups
	Headed   []directory.Class      // classes a teacher heads
	Schools  []establishmentSummary // staff and admin
	Lessons  *nowNext               // "now and next" (timetable.go)
}

type establishmentSummary struct {
	Establishment directory.Establishment
	Functions     []string
	Counts        map[string]int
	Overview      bool // may open the establishment overview
}

func (s *Server) home(w http.ResponseWriter, r *http.Request) {
	cur := currentOf(r)
	ctx := r.Context()
	v := cur.viewer
	data := homeData{Today: s.Now()}
	var err error
	switch v.Profile {
	case directory.Student:
		data.Student, err = s.studentView(ctx, v, cur.me)
	case directory.Relative:
		err = s.relativeHome(r, v, &data)
	case directory.Teacher:
		err = s.teacherHome(ctx, v, &data)
	case directory.Staff, directory.Admin:
		if v.Profile == directory.Staff {
			err = s.teacherHome(ctx, v, &data) // some staff also teach
		}
		if err == nil {
			data.Schools, err = s.schools(ctx, v)
		}
	}
	if errors.Is(err, errNotAllowed) {
		s.renderError(w, r, http.StatusNotFound, "error.notfound")
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if data.Lessons, err = s.nowNext(r, &data); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "home", "home.title", data)
}

var errNotAllowed = errors.New("not allowed")

// studentView gathers a student's school page; each person shown passes
// through the access policy.
func (s *Server) studentView(ctx context.Context, v *access.Viewer, st directory.Person) (*studentView, error) {
	if err := s.Policy.Can(ctx, v, access.ReadRecord, access.Person(st.ID)); err != nil {
		if errors.Is(err, access.ErrDenied) {
			return nil, errNotAllowed
		}
		return nil, err
	}
	sv := &studentView{Student: st}
	var err error
	if sv.Schooling, err = directory.SchoolingOf(ctx, s.DB, st.ID); err != nil {
		return nil, err
	}
	var heads []string
	for _, sc := range sv.Schooling {
		heads = append(heads, personIDs(sc.HeadTeachers)...)
	}
	if sv.Teaching, err = directory.TeachingOfStudent(ctx, s.DB, st.ID); err != nil {
		return nil, err
	}
	if sv.Relatives, err = directory.RelativesOf(ctx, s.DB, st.ID); err != nil {
		return nil, err
	}
	ok, err := s.visible(ctx, v, heads, teacherIDs(sv.Teaching), kinIDs(sv.Relatives))
	if err != nil {
		return nil, err
	}
	for i := range sv.Schooling {
		sv.Schooling[i].HeadTeachers = keep(sv.Schooling[i].HeadTeachers, ok, personID)
	}
	sv.Teaching = keep(sv.Teaching, ok, teacherID)
	sv.Relatives = keep(sv.Relatives, ok, kinID)
	return sv, nil
}

func (s *Server) relativeHome(r *http.Request, v *access.Viewer, data *homeData) error {
	ctx := r.Context()
	var err error
	if data.Children, err = s.visibleChildren(r); err != nil || len(data.Children) == 0 {
		return err
	}
	child, ok := s.chosenChild(r)
	if !ok {
		return errNotAllowed
	}
	data.ChildID = child.ID
	data.Student, err = s.studentView(ctx, v, child.Person)
	return err
}

func (s *Server) teacherHome(ctx context.Context, v *access.Viewer, data *homeData) error {
	var err error
	if data.Teaching, err = directory.TeachingOfTeacher(ctx, s.DB, v.ID); err != nil {
		return err
	}
	data.Headed, err = directory.ClassesHeadedBy(ctx, s.DB, v.ID)
	return err
}

func (s *Server) schools(ctx context.Context, v *access.Viewer) ([]establishmentSummary, error) {
	ests, err := directory.EstablishmentsOf(ctx, s.DB, v.ID)
	if err != nil {
		return nil, err
	}
	var out []establishmentSummary
	for _, e := range ests {
		sum := establishmentSummary{Establishment: e, Functions: v.Functions[e.ID]}
		err := s.Policy.Can(ctx, v, access.ReadEstablishment, access.Establishment(e.ID))
		switch {
		case err == nil:
			sum.Overview = true
			if sum.Counts, err = directory.CountByProfile(ctx, s.DB, e.ID); err != nil {
				return nil, err
			}
		case !errors.Is(err, access.ErrDenied):
			return nil, err
		}
		out = append(out, sum)
	}
	return out, nil
}

// visible asks the policy once for every person of a page and returns
// the set of those the viewer may see by name.
func (s *Server) visible(ctx context.Context, v *access.Viewer, groups ...[]string) (map[string]bool, error) {
	var ids []string
	for _, g := range groups {
		ids = append(ids, g...)
	}
	if len(ids) == 0 {
		return nil, nil
	}
	return s.Policy.VisiblePeople(ctx, v, access.ReadName, ids)
}

func personIDs(ps []directory.Person) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.ID
	}
	return out
}

func kinIDs(ks []directory.Kin) []string {
	out := make([]string, len(ks))
	for i, k := range ks {
		out[i] = k.ID
	}
	return out
}

func teacherIDs(ts []directory.Teaching) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.Teacher.ID
	}
	return out
}

// keep returns the elements of xs whose person is in ok.
func keep[T any](xs []T, ok map[string]bool, id func(T) string) []T {
	var out []T
	for _, x := range xs {
		if ok[id(x)] {
			out = append(out, x)
		}
	}
	return out
}

func personID(p directory.Person) string    { return p.ID }
func kinID(k directory.Kin) string          { return k.ID }
func teacherID(t directory.Teaching) string { return t.Teacher.ID }
