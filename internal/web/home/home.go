package home

import (
	"html/template"
	"net/http"
	"time"

	"cartable/internal/directory"
	"cartable/internal/i18n"
	"cartable/internal/roles"
	"cartable/internal/web/page"
)

type homeData struct {
	Today    time.Time
	Blocks   []Block                  // "what do I need today?" (blocks.go)
	Rendered template.HTML            // the blocks' HTML
	Saved    string                   // "done" after a tick
	Student  *directory.StudentSchool // a student's own page, or the selected child's
	Children []directory.KinCard      // a relative's children
	ChildID  string                   // the selected child
	Child    string                   // their first name, for the title
	Teaching []directory.TeachingRow  // a teacher's classes and groups
	Headed   []directory.Class        // classes a teacher heads
	Schools  []directory.School       // staff and admin
}

// PageTitle names the day, and the child a relative looks at: two
// children's pages are two pages.
func (d homeData) PageTitle(lang string) string {
	day := i18n.DayName(lang, d.Today)
	if d.Child != "" {
		return i18n.T(lang, "home.title.child", d.Child, day)
	}
	return i18n.T(lang, "home.title.day", day)
}

func (a *Area) home(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	v := page.Viewer(r)
	data := homeData{Today: a.kit.Now(), Saved: r.URL.Query().Get("saved")}
	var err error
	switch v.Profile {
	case roles.Student:
		if data.Student, err = a.studentSchool(r, v.ID); err == nil {
			data.Blocks, err = a.pupilBlocks(r, v.ID, data.Student)
		}
		if err == nil { // what their parents still have to justify
			var tj []Block
			tj, err = a.toJustifyBlock(r, v.ID)
			data.Blocks = append(data.Blocks, tj...)
		}
		if err == nil {
			data.Blocks, err = a.withLatestMarks(r, v.ID, "", data.Blocks) // grades.go
		}
	case roles.Relative:
		err = a.relativeHome(r, &data)
	case roles.Teacher:
		if data.Teaching, data.Headed, err = directory.MyTeaching(ctx, v, a.db); err == nil {
			data.Blocks, err = a.teacherBlocks(r)
		}
		if err == nil { // a teacher who is also deputy or CPE: the day's changes the policy gives them
			var staff []Block
			staff, err = a.staffBlocks(r, nil)
			data.Blocks = append(data.Blocks, staff...)
		}
		if err == nil {
			var life []Block
			life, err = a.schoolLifeBlocks(r)
			data.Blocks = append(data.Blocks, life...)
		}
	case roles.Staff, roles.Admin:
		if v.Profile == roles.Staff {
			data.Teaching, data.Headed, err = directory.MyTeaching(ctx, v, a.db) // some staff also teach
		}
		if err == nil {
			data.Schools, err = directory.MySchools(ctx, v, a.db)
		}
		if err == nil && v.Profile == roles.Staff {
			data.Blocks, err = a.staffBlocks(r, data.Schools)
		}
		if err == nil && v.Profile == roles.Staff {
			data.Blocks, err = a.withAwaiting(r, data.Blocks) // notes.go
		}
		if err == nil && v.Profile == roles.Staff {
			var life []Block
			life, err = a.schoolLifeBlocks(r)
			data.Blocks = append(data.Blocks, life...)
		}
	}
	if err == nil {
		data.Blocks, err = a.withNews(r, data.Blocks) // news.go
		if err == nil {
			data.Blocks, err = a.withMessages(r, data.Blocks) // messages.go
		}
	}
	if err == nil {
		var nb *Block
		if nb, err = a.noticesBlock(r); nb != nil {
			data.Blocks = append([]Block{*nb}, data.Blocks...)
		}
	}
	if err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	data.Rendered = render(page.Lang(r), page.CSRFToken(page.Current(r).Token), data.Blocks)
	a.pages.Render(w, r, http.StatusOK, "home", "home.title", data)
}

// studentSchool is the school page of a student: the viewer themself or
// a relative's chosen child.
func (a *Area) studentSchool(r *http.Request, studentID string) (*directory.StudentSchool, error) {
	sc, err := directory.ViewSchooling(r.Context(), page.Viewer(r), a.db, studentID)
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
	if len(f.Children) > 1 {
		data.Child = f.Chosen.FirstName
	}
	if data.Student, err = a.studentSchool(r, f.Chosen.ID); err != nil {
		return err
	}
	if data.Blocks, err = a.pupilBlocks(r, f.Chosen.ID, data.Student); err != nil {
		return err
	}
	tj, err := a.toJustifyBlock(r, f.Chosen.ID)
	data.Blocks = append(data.Blocks, tj...)
	if err != nil {
		return err
	}
	data.Blocks, err = a.withLatestMarks(r, f.Chosen.ID, f.Chosen.ID, data.Blocks) // grades.go
	return err
}

// done ticks or unticks a homework from the home page (the student only:
// the class log refuses anyone else), then shows the home page again.
func (a *Area) done(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if err := a.log.SetDone(r.Context(), page.Viewer(r), id, r.PostFormValue("done") == "1"); err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/?saved=done#hw-"+id, http.StatusSeeOther)
}
