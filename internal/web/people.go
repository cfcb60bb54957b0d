package web

import (
	"errors"
	"net/http"

	"cartable/internal/access"
	"cartable/internal/directory"
	"cartable/internal/web/page"
)

func (s *Server) allowed(w http.ResponseWriter, r *http.Request, a access.Action, res access.Resource) bool {
	return s.kit.Allowed(w, r, a, res)
}

func (s *Server) may(r *http.Request, a access.Action, res access.Resource) (bool, error) {
	return page.May(r, a, res)
}

func (s *Server) auditRefusal(r *http.Request, res access.Resource) { s.kit.AuditRefusal(r, res) }

type personData struct {
	Person    directory.Person
	Record    bool // birth date, classes, family shown
	Contact   bool // personal contact channels shown
	Classes   []directory.Class
	Relatives []directory.Kin
	Children  []directory.Kin
	Teaching  []directory.Teaching
	Manage    bool   // the viewer may manage the account (account.go)
	NoManage  string // why not, when the person is known to the viewer as an administrator (activation.go)
}

func (s *Server) person(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if !s.allowed(w, r, access.ReadName, access.Person(id)) {
		return
	}
	ctx := r.Context()
	v := currentOf(r).viewer
	p, err := directory.PersonByID(ctx, s.DB, id)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	d := personData{Person: p}
	if d.Record, err = s.may(r, access.ReadRecord, access.Person(id)); err != nil {
		s.serverError(w, r, err)
		return
	}
	if d.Contact, err = s.may(r, access.ReadContact, access.Person(id)); err != nil {
		s.serverError(w, r, err)
		return
	}
	if !d.Contact {
		p.Email, p.Phone, p.Address, p.PostalCode, p.City = "", "", "", "", ""
	}
	if !d.Record {
		p.BirthDate = ""
	}
	d.Person = p
	if d.Manage, d.NoManage, err = s.mayManage(r, id); err != nil {
		s.serverError(w, r, err)
		return
	}
	if d.Record {
		switch p.Profile {
		case directory.Student:
			if d.Classes, err = directory.ClassesOfStudent(ctx, s.DB, id); err == nil {
				var rel []directory.Kin
				var ok map[string]bool
				if rel, err = directory.RelativesOf(ctx, s.DB, id); err == nil {
					ok, err = s.visible(ctx, v, kinIDs(rel))
					d.Relatives = keep(rel, ok, kinID)
				}
			}
		case directory.Relative:
			var ch []directory.Kin
			var ok map[string]bool
			if ch, err = directory.ChildrenOf(ctx, s.DB, id); err == nil {
				ok, err = s.visible(ctx, v, kinIDs(ch))
				d.Children = keep(ch, ok, kinID)
			}
		case directory.Teacher:
			d.Teaching, err = directory.TeachingOfTeacher(ctx, s.DB, id)
		}
		if err != nil {
			s.serverError(w, r, err)
			return
		}
	}
	s.render(w, r, http.StatusOK, "person", "person.title", d)
}

type structureData struct {
	Class    *directory.Class
	Group    *directory.Group
	Heads    []directory.Person
	Teaching []directory.Teaching
	Roster   []directory.Person
	Shown    bool // roster may be shown
	Manage   bool // the viewer may print the class's activation letters (account.go)
}

func (s *Server) class(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if !s.allowed(w, r, access.ReadClass, access.Class(id)) {
		return
	}
	ctx := r.Context()
	v := currentOf(r).viewer
	c, err := directory.ClassByID(ctx, s.DB, id)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	d := structureData{Class: &c}
	err = func() error {
		var err error
		if d.Manage, err = s.may(r, access.ManageAccount, access.Class(id)); err != nil {
			return err
		}
		heads, err := directory.HeadTeachersOf(ctx, s.DB, id)
		if err != nil {
			return err
		}
		teaching, err := directory.TeachingOfClass(ctx, s.DB, id)
		if err != nil {
			return err
		}
		ok, err := s.visible(ctx, v, personIDs(heads), teacherIDs(teaching))
		if err != nil {
			return err
		}
		d.Heads = keep(heads, ok, personID)
		d.Teaching = keep(teaching, ok, teacherID)
		if d.Shown, err = s.may(r, access.ReadRoster, access.Class(id)); err != nil || !d.Shown {
			return err
		}
		d.Roster, err = directory.StudentsOfClass(ctx, s.DB, id)
		return err
	}()
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "structure", "class.title", d)
}

func (s *Server) group(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if !s.allowed(w, r, access.ReadClass, access.Group(id)) {
		return
	}
	ctx := r.Context()
	g, err := directory.GroupByID(ctx, s.DB, id)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	d := structureData{Group: &g}
	if d.Shown, err = s.may(r, access.ReadRoster, access.Group(id)); err == nil && d.Shown {
		d.Roster, err = directory.StudentsOfGroup(ctx, s.DB, id)
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "structure", "group.title", d)
}

type establishmentData struct {
	Establishment directory.Establishment
	Counts        map[string]int
	Classes       []directory.Class
	Staff         []directory.StaffMember
	Year          directory.SchoolYear
	Periods       []directory.Period
	Security      bool // the viewer may set the second-factor policy (account.go)
}

func (s *Server) establishment(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if !s.allowed(w, r, access.ReadEstablishment, access.Establishment(id)) {
		return
	}
	ctx := r.Context()
	var d establishmentData
	err := func() (err error) {
		if d.Establishment, err = directory.EstablishmentByID(ctx, s.DB, id); err != nil {
			return err
		}
		if d.Security, err = s.may(r, access.ManageSecurity, access.Establishment(id)); err != nil {
			return err
		}
		if d.Counts, err = directory.CountByProfile(ctx, s.DB, id); err != nil {
			return err
		}
		if d.Classes, err = directory.ClassesOfEstablishment(ctx, s.DB, id); err != nil {
			return err
		}
		if d.Staff, err = directory.StaffOf(ctx, s.DB, id); err != nil {
			return err
		}
		d.Year, err = directory.CurrentSchoolYear(ctx, s.DB, id, s.Now().Format("2006-01-02"))
		if errors.Is(err, directory.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		d.Periods, err = directory.Periods(ctx, s.DB, d.Year.ID)
		return err
	}()
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "establishment", "establishment.title", d)
}
