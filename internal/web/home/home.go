package home

import (
	"context"
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
	p := &parts{}
	// What waits for everyone leads the page: notifications, unread
	// conversations, news to acknowledge.
	p.add(a.noticeBlocks) // notices.go
	p.add(a.unreadBlocks) // messages.go
	p.add(a.ackBlocks)    // news.go
	var err error
	switch v.Profile {
	case roles.Student:
		if data.Student, err = a.studentSchool(r, v.ID); err == nil {
			a.pupilParts(p, v.ID, data.Student) // pupil.go
		}
	case roles.Relative:
		err = a.relativeHome(r, &data, p)
	case roles.Teacher:
		if data.Teaching, data.Headed, err = directory.MyTeaching(ctx, v, a.db); err == nil {
			a.teacherParts(p) // teacher.go
			// a teacher who is also deputy or CPE: the day's changes the policy gives them
			p.add(func(r *http.Request) ([]Block, error) { return a.staffBlocks(r, nil) })
			p.add(a.schoolLifeBlocks)
		}
	case roles.Staff, roles.Admin:
		if v.Profile == roles.Staff {
			data.Teaching, data.Headed, err = directory.MyTeaching(ctx, v, a.db) // some staff also teach
		}
		if err == nil {
			data.Schools, err = directory.MySchools(ctx, v, a.db)
		}
		if err == nil && v.Profile == roles.Staff {
			schools := data.Schools
			p.add(func(r *http.Request) ([]Block, error) { return a.staffBlocks(r, schools) })
			p.add(a.awaitingBlocks) // notes.go
			p.add(a.schoolLifeBlocks)
		}
	}
	if err == nil {
		data.Blocks, err = a.build(r, p)
	}
	if err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	data.Rendered = render(page.Lang(r), page.CSRFToken(page.Current(r).Token), data.Blocks)
	a.pages.Render(w, r, http.StatusOK, "home", "home.title", data)
}

// parts are the home page's block builders. Each fills places of its own,
// so that they run together (db.Together: on PostgreSQL their reads share
// round trips) and the page keeps its order: the blocks that lead
// (something waits) first, in the order of their places, then the others.
type parts struct {
	places []*[]Block
	fns    []func(*http.Request) error
}

// place reserves the next place on the page.
func (p *parts) place() *[]Block {
	pl := new([]Block)
	p.places = append(p.places, pl)
	return pl
}

// add reserves the next place for what build returns.
func (p *parts) add(build func(*http.Request) ([]Block, error)) {
	pl := p.place()
	p.do(func(r *http.Request) (err error) {
		*pl, err = build(r)
		return err
	})
}

// do adds a builder filling places it reserved itself.
func (p *parts) do(fn func(*http.Request) error) { p.fns = append(p.fns, fn) }

// build runs the builders together and lays their blocks out.
func (a *Area) build(r *http.Request, p *parts) ([]Block, error) {
	fns := make([]func(context.Context) error, len(p.fns))
	for i, fn := range p.fns {
		fns[i] = func(ctx context.Context) error {
			if ctx == r.Context() {
				return fn(r)
			}
			return fn(r.WithContext(ctx))
		}
	}
	if err := a.db.Together(r.Context(), fns...); err != nil {
		return nil, err
	}
	var lead, rest []Block
	for _, pl := range p.places {
		for _, b := range *pl {
			if b.Lead {
				lead = append(lead, b)
			} else {
				rest = append(rest, b)
			}
		}
	}
	return append(lead, rest...), nil
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
func (a *Area) relativeHome(r *http.Request, data *homeData, p *parts) error {
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
	a.pupilParts(p, f.Chosen.ID, data.Student)
	return nil
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
