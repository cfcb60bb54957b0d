package register

import (
	"errors"
	"net/http"
	"strings"

	"cartable/internal/attendance"
	"cartable/internal/check"
	"cartable/internal/i18n"
	"cartable/internal/timetable"
	"cartable/internal/web/page"
)

// line is a student's line of the form, as saved or as typed.
type line struct {
	attendance.Row
	Choice   string // present, absent, late
	Late     string
	LeftAt   string
	Remark   string
	Material bool
	Bad      bool
}

type registerData struct {
	Reg      attendance.Register
	Lines    []line
	Problems []string
	Saved    bool
}

// PageTitle names the register: subject, classes or groups, day.
func (d registerData) PageTitle(lang string) string {
	l := d.Reg.Lesson
	return i18n.T(lang, "reg.title.lesson", l.Slot.SubjectName, l.Audience(), i18n.DayName(lang, l.Start), l.Start.In(timetable.Paris).Format("15:04"))
}

// Extra tells whether a line has something beyond present/absent/late,
// to open its details.
func (l line) Extra() bool { return l.LeftAt != "" || l.Remark != "" || l.Material }

func linesOf(reg attendance.Register) []line {
	out := make([]line, len(reg.Rows))
	for i, r := range reg.Rows {
		ln := line{Row: r, Choice: "present", Remark: r.Remark, Material: r.Material}
		switch {
		case r.Absent:
			ln.Choice = "absent"
		case r.Late > 0:
			ln.Choice = "late"
			ln.Late = itoa(r.Late)
		}
		if r.LeftAt > 0 {
			ln.LeftAt = timetable.HHMM(r.LeftAt)
		}
		out[i] = ln
	}
	return out
}

func itoa(n int) string {
	if n == 0 {
		return ""
	}
	b := []byte{}
	for n > 0 {
		b = append([]byte{byte('0' + n%10)}, b...)
		n /= 10
	}
	return string(b)
}

func (a *Area) register(w http.ResponseWriter, r *http.Request) {
	reg, err := a.att.Register(r.Context(), page.Viewer(r), r.PathValue("slot"), r.PathValue("date"))
	if err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	a.pages.Render(w, r, http.StatusOK, "register", "reg.title", registerData{Reg: reg, Lines: linesOf(reg), Saved: r.URL.Query().Get("saved") == "1"})
}

// save records the form: one POST for the whole class, then back to the
// register (post/redirect/get); problems show the form again as typed.
func (a *Area) save(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		a.kit.Error(w, r, http.StatusBadRequest, "error.badrequest")
		return
	}
	in := attendance.RegisterInput{Done: r.PostFormValue("done") == "1"}
	for _, id := range r.PostForm["student"] {
		choice := r.PostFormValue("p:" + id)
		m := attendance.MarkInput{Student: id, Absent: choice == "absent", LeftAt: r.PostFormValue("left:" + id),
			Remark: r.PostFormValue("remark:" + id), Material: r.PostFormValue("material:"+id) == "1"}
		if choice == "late" {
			m.Late = r.PostFormValue("late:" + id)
			m.LateChosen = true
		}
		in.Rows = append(in.Rows, m)
	}
	slot, date := r.PathValue("slot"), r.PathValue("date")
	err := a.att.SaveRegister(r.Context(), page.Viewer(r), slot, date, in)
	var ps check.Problems
	if errors.As(err, &ps) {
		a.again(w, r, in, ps)
		return
	}
	if err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/registers/"+slot+"/"+date+"?saved=1", http.StatusSeeOther)
}

// again shows the form as typed with what is wrong, each problem naming
// its student.
func (a *Area) again(w http.ResponseWriter, r *http.Request, in attendance.RegisterInput, ps check.Problems) {
	reg, err := a.att.Register(r.Context(), page.Viewer(r), r.PathValue("slot"), r.PathValue("date"))
	if err != nil {
		a.kit.Fail(w, r, err)
		return
	}
	lang := page.Lang(r)
	typed := map[string]attendance.MarkInput{}
	for _, m := range in.Rows {
		typed[m.Student] = m
	}
	names := map[string]string{}
	d := registerData{Reg: reg}
	bad := ps.Fields()
	for _, row := range reg.Rows {
		names[row.ID] = row.Name()
		ln := line{Row: row, Choice: "present"}
		if m, ok := typed[row.ID]; ok {
			switch {
			case m.Absent:
				ln.Choice = "absent"
			case m.LateChosen:
				ln.Choice = "late"
			}
			ln.Late, ln.LeftAt, ln.Remark, ln.Material = m.Late, m.LeftAt, m.Remark, m.Material
		}
		for _, f := range []string{"late", "left", "remark", "absent"} {
			if bad[f+":"+row.ID] {
				ln.Bad = true
			}
		}
		d.Lines = append(d.Lines, ln)
	}
	for _, p := range ps {
		msg := page.ProblemMessages(lang, "reg", check.Problems{p})[0]
		if _, id, ok := strings.Cut(p.Field, ":"); ok {
			msg = i18n.T(lang, "reg.problem.of", names[id], msg)
		}
		d.Problems = append(d.Problems, msg)
	}
	a.pages.Render(w, r, http.StatusUnprocessableEntity, "register", "reg.title", d)
}
