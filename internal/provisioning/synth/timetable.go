package synth

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
)

// A week of the synthetic collèges: four full days of seven 55-minute
// lessons and Wednesday morning (32 lessons), and LV2 groups at 16:30 or 17:30.
var (
	ttDays   = []int{1, 2, 4, 5, 3}
	ttStarts = []string{"08:00", "09:00", "10:00", "11:00", "13:30", "14:30", "15:30"}
)

// hoursPerTeaching is the weekly lessons of one class with one of its
// teachers: a class has two teachers in the synthetic delivery.
const hoursPerTeaching = 12

// TimetableCounts says what Timetables wrote.
type TimetableCounts struct {
	Files, Lessons, Short int // Short: teachings given fewer hours than asked (teacher full)
}

// Timetables writes, for each establishment of the complete delivery of
// the same options, the weekly timetable of its classes and groups as a
// CSV file named after its UAI (UAI.csv), in the format the timetable
// import reads (docs/formats/timetable.md): teachers by external ID,
// subjects by national code, every week. No teacher, class or group is in
// two places at once. The teaching is the delivery's: each class has
// lessons with the teachers the delivery gives it, in their subject.
func Timetables(dir string, o Options) (TimetableCounts, error) {
	o.normalise()
	var c TimetableCounts
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return c, err
	}
	m := newModel(o)
	type slot struct{ day, start int }
	var slots []slot
	for _, d := range ttDays {
		n := len(ttStarts)
		if d == 3 {
			n = 4
		}
		for s := range n {
			slots = append(slots, slot{d, s})
		}
	}
	staffN := 0
	for _, e := range m.ests {
		staff := max(6, e.students/12)
		teachers := staff - 4
		f, err := os.Create(filepath.Join(dir, uai(e.n)+".csv"))
		if err != nil {
			return c, err
		}
		w := bufio.NewWriter(f)
		fmt.Fprintln(w, "jour;début;durée;matière;enseignant;classe;groupe;salle;semaine")
		busyT := map[string]map[slot]bool{}
		busy := func(key string, s slot) bool { return busyT[key][s] }
		take := func(key string, s slot) {
			if busyT[key] == nil {
				busyT[key] = map[slot]bool{}
			}
			busyT[key][s] = true
		}
		type teaching struct{ teacher, subject string }
		byClass := make([][]teaching, len(e.classes))
		groupsOf := map[int][]string{}
		for k := 4; k < staff; k++ {
			key, subj := staffKey(staffN+k), subjects[(k-4)%len(subjects)][0]
			for ci := range e.classes {
				if ci%teachers == (k-4)%teachers || (ci+teachers/2)%teachers == (k-4)%teachers {
					byClass[ci] = append(byClass[ci], teaching{key, subj})
				}
			}
			if (k-4)%5 == 0 {
				for gi := 0; gi+1 < len(e.classes); gi += 2 {
					if (gi/2)%max(1, teachers/5) == ((k-4)/5)%max(1, teachers/5) {
						groupsOf[k] = append(groupsOf[k], e.classes[gi]+"G")
					}
				}
			}
		}
		for ci, class := range e.classes {
			for ti, t := range byClass[ci] {
				placed := 0
				// Spread over the week: each teaching starts at another slot.
				for i := range slots {
					if placed == hoursPerTeaching {
						break
					}
					s := slots[(i*5+ci*3+ti*7)%len(slots)]
					if busy(t.teacher, s) || busy("class/"+class, s) {
						continue
					}
					take(t.teacher, s)
					take("class/"+class, s)
					fmt.Fprintf(w, "%d;%s;55;%s;%s;%s;;;\n", s.day, ttStarts[s.start], t.subject, t.teacher, class)
					placed++
				}
				c.Lessons += placed
				if placed < hoursPerTeaching {
					c.Short++
				}
			}
		}
		// Groups (LV2): an hour a week after the classes' day, at 16:30
		// or 17:30; a group may have several teachers, each their hour.
		for k := 4; k < staff; k++ {
			teacher := staffKey(staffN + k)
			for _, g := range groupsOf[k] {
				placed := false
				for i := range 8 {
					s := slot{ttDays[i%4], 100 + i/4}
					if busy(teacher, s) || busy("group/"+g, s) {
						continue
					}
					take(teacher, s)
					take("group/"+g, s)
					fmt.Fprintf(w, "%d;%s;55;030602;%s;;%s;;\n", s.day, []string{"16:30", "17:30"}[i/4], teacher, g)
					c.Lessons++
					placed = true
					break
				}
				if !placed {
					c.Short++
				}
			}
		}
		staffN += staff
		if err := w.Flush(); err != nil {
			f.Close()
			return c, err
		}
		if err := f.Close(); err != nil {
			return c, err
		}
		c.Files++
	}
	return c, nil
}
