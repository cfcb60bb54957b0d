package demo

import (
	"context"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"cartable/internal/access"
	"cartable/internal/check"
	"cartable/internal/classlog"
	"cartable/internal/db"
	"cartable/internal/files"
	"cartable/internal/ids"
	"cartable/internal/timetable"
)

// TimetableOptions seed the demo timetable.
type TimetableOptions struct {
	Seed int64 // default 1 when 0
	// Today (YYYY-MM-DD) places the demo's changes, class log and homework
	// around a day: the output is a pure function of Seed and Today. The
	// default is the first Monday of the school year.
	Today string
	// Files stores the documents of the demo's justifications; nil: the
	// justifications come without one.
	Files *files.Store
}

// GenerateTimetable gives the demo establishments (written by Generate in
// the same database) a weekly timetable with week A/B alternation, rooms,
// a few changes in the week of Today and the next (a teacher absent, a
// room change, a replacement, a test, an exceptional lesson), class log
// entries for the lessons of the two weeks before Today with homework due
// at the next lessons, and a few done-ticks. v writes for the instance
// (access.System("demo")): every write asks its own right.
func GenerateTimetable(ctx context.Context, v *access.Viewer, tx *db.Tx, o TimetableOptions) error {
	if err := v.Can(ctx, access.Provision, access.Instance()); err != nil {
		return err
	}
	if o.Seed == 0 {
		o.Seed = 1
	}
	var seed, idSeed [32]byte
	binary.LittleEndian.PutUint64(seed[:], uint64(o.Seed))
	copy(seed[8:], "cartable demo: timetable")
	binary.LittleEndian.PutUint64(idSeed[:], uint64(o.Seed))
	copy(idSeed[8:], "cartable demo: timetable ids")
	// One busy map for both schools: a teacher shared between them is
	// never in both at once.
	t := &ttGen{v: v, rng: rand.New(rand.NewChaCha8(seed)), idsrc: rand.NewChaCha8(idSeed), tx: tx, taken: busy{}}
	for _, uai := range []string{MainUAI, SecondUAI} {
		if err := t.establishment(ctx, uai, o.Today); err != nil {
			return fmt.Errorf("demo timetable %s: %w", uai, err)
		}
	}
	// School life: the rows the domains write for the demo (absences,
	// marks, justifications, notices) draw their ids from the seed too.
	sctx := ids.WithSource(ctx, t.idsrc)
	if o.Today != "" {
		if err := t.schoolLife(sctx, o.Seed, o.Today); err != nil { // absences.go
			return fmt.Errorf("demo school life: %w", err)
		}
	}
	if err := generateRegisters(sctx, v, tx, o.Seed, o.Today); err != nil { // registers.go
		return err
	}
	if err := justifications(sctx, tx, o.Today, o.Files, t.id); err != nil { // justifications.go
		return err
	}
	if err := generateDiscipline(sctx, v, tx, o.Seed, o.Today); err != nil { // discipline.go
		return err
	}
	if err := GenerateGrades(sctx, v, tx, o.Seed, o.Today); err != nil { // grades.go
		return err
	}
	if err := GenerateCompetences(sctx, v, tx, o.Seed, o.Today); err != nil { // competences.go
		return err
	}
	if err := GenerateReportCards(sctx, v, tx, o.Seed, o.Today); err != nil { // reportcards.go
		return err
	}
	if err := generateNotes(sctx, v, tx, o.Seed, o.Today); err != nil { // liaison.go
		return err
	}
	if err := GenerateMessages(sctx, v, tx, o.Seed, o.Today); err != nil { // messages.go
		return err
	}
	if err := GenerateNews(sctx, v, tx, o.Seed, o.Today); err != nil { // news.go
		return err
	}
	return learningNotices(sctx, v, tx, o.Today) // notices.go
}

type ttGen struct {
	v     *access.Viewer // the generator's: it writes for the instance
	rng   *rand.Rand
	idsrc *rand.ChaCha8
	tx    *db.Tx
	taken busy
}

func (t *ttGen) id() string { return ids.From(t.idsrc) }

// Daily positions: start minute; Wednesday has the morning only.
var (
	dayStarts = []int{8 * 60, 9 * 60, 10*60 + 5, 11*60 + 5, 13*60 + 30, 14*60 + 30, 15*60 + 35}
	weekDays  = []int{1, 2, 3, 4, 5}
)

const lessonMinutes = 55

func positions() [][2]int {
	var out [][2]int
	for _, d := range weekDays {
		for i, s := range dayStarts {
			if d == 3 && i >= 4 {
				continue
			}
			out = append(out, [2]int{d, s})
		}
	}
	return out
}

// A unit is one weekly hour, every week or in week A or B only.
type unit struct {
	subject  string // subject ID
	code     string // subject code
	teacher  string
	classes  []string // classes busy
	class    string   // audience class, or
	groups   []string // audience groups (taught together)
	subjects []string // subject of each group
	teachers []string
	mask     int // 3 every week, 1 week A, 2 week B
}

type busy map[string]map[[2]int]int // owner → position → weeks mask taken

func (b busy) free(owner string, p [2]int, mask int) bool { return b[owner][p]&mask == 0 }
func (b busy) take(owner string, p [2]int, mask int) {
	if b[owner] == nil {
		b[owner] = map[[2]int]int{}
	}
	b[owner][p] |= mask
}

func roomKind(code string) string {
	switch code {
	case "100100":
		return "gym"
	case "062900", "062300", "065300":
		return "lab"
	case "070800":
		return "techno"
	case "090100":
		return "art"
	case "081300":
		return "music"
	}
	return "class"
}

func (t *ttGen) establishment(ctx context.Context, uai, today string) error {
	q := t.tx
	var est string
	if err := q.QueryRow(ctx, `SELECT id FROM establishments WHERE uai = ?`, uai).Scan(&est); err != nil {
		return err
	}
	var year timetable.SchoolYear
	if err := q.QueryRow(ctx, `SELECT id, starts_on, ends_on FROM school_years WHERE establishment_id = ? AND NOT closed ORDER BY starts_on LIMIT 1`, est).
		Scan(&year.ID, &year.StartsOn, &year.EndsOn); err != nil {
		return err
	}
	year.EstablishmentID = est
	if today == "" {
		d, _ := timetable.ParseDate(year.StartsOn)
		for timetable.Weekday(d) != 1 {
			d = d.AddDate(0, 0, 1)
		}
		today = d.Format(timetable.DateFormat)
	}
	cal, err := timetable.LoadCalendar(ctx, q, []string{year.ID})
	if err != nil {
		return err
	}
	wa, wb := timetable.WeeksAB(cal, year.StartsOn, year.EndsOn, false)
	altA := &timetable.Alternation{ID: t.id(), EstablishmentID: est, Code: "SA", Label: "Semaine A", Mondays: wa}
	altB := &timetable.Alternation{ID: t.id(), EstablishmentID: est, Code: "SB", Label: "Semaine B", Mondays: wb}
	for _, a := range []*timetable.Alternation{altA, altB} {
		if err := timetable.CreateAlternation(ctx, t.v, q, a); err != nil {
			return err
		}
	}

	// Rooms by kind.
	rooms := map[string][]string{}
	addRoom := func(kind, code, name string) error {
		r := &timetable.Room{ID: t.id(), EstablishmentID: est, Code: code, Name: name}
		rooms[kind] = append(rooms[kind], r.ID)
		return timetable.CreateRoom(ctx, t.v, q, r)
	}
	var nClasses int
	if err := q.QueryRow(ctx, `SELECT COUNT(*) FROM classes WHERE school_year_id = ?`, year.ID).Scan(&nClasses); err != nil {
		return err
	}
	for i := 0; i < nClasses+4; i++ {
		if err := addRoom("class", fmt.Sprintf("%d%02d", 1+i/12, 1+i%12), fmt.Sprintf("Salle %d%02d", 1+i/12, 1+i%12)); err != nil {
			return err
		}
	}
	for _, r := range [][3]string{{"gym", "GYM", "Gymnase"}, {"gym", "TER", "Terrain de sport"}, {"lab", "LAB1", "Laboratoire 1"},
		{"lab", "LAB2", "Laboratoire 2"}, {"lab", "LAB3", "Laboratoire 3"}, {"techno", "TEC", "Salle de technologie"},
		{"art", "ART", "Salle d'arts plastiques"}, {"music", "MUS", "Salle de musique"}} {
		if err := addRoom(r[0], r[1], r[2]); err != nil {
			return err
		}
	}

	// What is taught, from the directory: class courses with their hours,
	// groups with theirs.
	hours := map[string]map[string]float64{} // level → subject code → weekly hours
	for _, l := range collegeLevels {
		hours[l.code] = map[string]float64{}
		for _, c := range l.courses {
			hours[l.code][c.code] = c.hours
		}
	}
	hours["2nde"] = map[string]float64{"020700": 4, "061300": 4, "030201": 3, "040600": 3, "050700": 1.5, "062300": 3, "062900": 1.5, "100100": 2}
	hours["1re"] = map[string]float64{"020700": 4, "061300": 4, "030201": 2.5, "040600": 3, "065300": 2, "100100": 2}

	rows, err := q.Query(ctx, `SELECT a.teacher_id, a.subject_id, s.code, COALESCE(a.class_id, ''), COALESCE(c.level, ''),
		COALESCE(a.group_id, ''), COALESCE(g.code, '')
		FROM teaching_assignments a JOIN subjects s ON s.id = a.subject_id
		LEFT JOIN classes c ON c.id = a.class_id LEFT JOIN groups g ON g.id = a.group_id
		WHERE a.establishment_id = ? ORDER BY a.id`, est)
	if err != nil {
		return err
	}
	type assign struct{ teacher, subject, code, class, level, group, gcode string }
	var as []assign
	for rows.Next() {
		var a assign
		if err := rows.Scan(&a.teacher, &a.subject, &a.code, &a.class, &a.level, &a.group, &a.gcode); err != nil {
			rows.Close()
			return err
		}
		as = append(as, a)
	}
	rows.Close()
	groupClasses := map[string][]string{}
	rows, err = q.Query(ctx, `SELECT gc.group_id, gc.class_id FROM group_classes gc JOIN groups g ON g.id = gc.group_id
		WHERE g.establishment_id = ? ORDER BY gc.group_id, gc.class_id`, est)
	if err != nil {
		return err
	}
	for rows.Next() {
		var g, c string
		if err := rows.Scan(&g, &c); err != nil {
			rows.Close()
			return err
		}
		groupClasses[g] = append(groupClasses[g], c)
	}
	rows.Close()

	split := func(h float64) (full int, half bool) { return int(h), h-float64(int(h)) >= 0.5 }
	var units []unit
	// LV2 groups of one block are taught at the same time: ESP and ALL
	// groups sharing classes are merged into one "band" unit.
	type band struct {
		classes  []string
		groups   []string
		teachers []string
		subjects []string
		codes    []string
		hours    float64
	}
	var bands []*band
	for _, a := range as {
		if a.group == "" {
			continue
		}
		h := 2.5
		if strings.HasSuffix(a.gcode, "LAT") || strings.Contains(a.gcode, "LAT") {
			h = 2
			if strings.HasPrefix(a.gcode, "5") {
				h = 1
			}
		}
		cls := groupClasses[a.group]
		var into *band
		if !strings.Contains(a.gcode, "LAT") {
			for _, b := range bands {
				if b.hours == h && slices.ContainsFunc(cls, func(c string) bool { return slices.Contains(b.classes, c) }) &&
					!slices.Contains(b.teachers, a.teacher) {
					into = b
					break
				}
			}
		}
		if into == nil {
			into = &band{hours: h}
			bands = append(bands, into)
		}
		for _, c := range cls {
			if !slices.Contains(into.classes, c) {
				into.classes = append(into.classes, c)
			}
		}
		into.groups = append(into.groups, a.group)
		into.teachers = append(into.teachers, a.teacher)
		into.subjects = append(into.subjects, a.subject)
		into.codes = append(into.codes, a.code)
	}
	for _, b := range bands {
		full, half := split(b.hours)
		for m := 0; m < full; m++ {
			units = append(units, unit{subject: b.subjects[0], code: b.codes[0], classes: b.classes, groups: b.groups, subjects: b.subjects, teachers: b.teachers, mask: 3})
		}
		if half {
			units = append(units, unit{subject: b.subjects[0], code: b.codes[0], classes: b.classes, groups: b.groups, subjects: b.subjects, teachers: b.teachers, mask: 2})
		}
	}
	for _, a := range as {
		if a.class == "" {
			continue
		}
		full, half := split(hours[a.level][a.code])
		u := unit{subject: a.subject, code: a.code, classes: []string{a.class}, class: a.class, teachers: []string{a.teacher}}
		for m := 0; m < full; m++ {
			u.mask = 3
			units = append(units, u)
		}
		if half {
			u.mask = 1
			units = append(units, u)
		}
	}

	// Place the units: bands first (they need several classes free).
	pos := positions()
	taken := t.taken
	perDay := map[string]int{} // class|subject|day → count
	var slotIDs []string
	for _, u := range units {
		order := t.rng.Perm(len(pos))
		placed := false
		for pass := 0; pass < 2 && !placed; pass++ {
			for _, i := range order {
				p := pos[i]
				ok := true
				for _, c := range u.classes {
					if !taken.free("c:"+c, p, u.mask) || (pass == 0 && perDay[c+"|"+u.code+"|"+fmt.Sprint(p[0])] >= 1 && u.code != "100100") {
						ok = false
						break
					}
				}
				for _, tc := range u.teachers {
					if !ok || !taken.free("t:"+tc, p, u.mask) {
						ok = false
						break
					}
				}
				if !ok {
					continue
				}
				// One room per teacher of the unit.
				need := len(u.teachers)
				var rs []string
				for _, r := range rooms[roomKind(u.code)] {
					if len(rs) < need && taken.free("r:"+r, p, u.mask) {
						rs = append(rs, r)
					}
				}
				if len(rs) < need {
					for _, r := range rooms["class"] {
						if len(rs) < need && taken.free("r:"+r, p, u.mask) && !slices.Contains(rs, r) {
							rs = append(rs, r)
						}
					}
				}
				if len(rs) < need {
					continue
				}
				for _, c := range u.classes {
					taken.take("c:"+c, p, u.mask)
					perDay[c+"|"+u.code+"|"+fmt.Sprint(p[0])]++
				}
				for _, tc := range u.teachers {
					taken.take("t:"+tc, p, u.mask)
				}
				for _, r := range rs {
					taken.take("r:"+r, p, u.mask)
				}
				alt := ""
				switch u.mask {
				case 1:
					alt = altA.ID
				case 2:
					alt = altB.ID
				}
				if u.class != "" {
					id, err := timetable.Insert(ctx, t.v, q, timetable.NewSlot{ID: t.id(), EstablishmentID: est, SchoolYearID: year.ID,
						Weekday: p[0], StartMin: p[1], DurationMin: lessonMinutes, SubjectID: u.subject, RoomID: rs[0],
						AlternationID: alt, ValidFrom: year.StartsOn, ValidTo: year.EndsOn,
						TeacherIDs: u.teachers, ClassIDs: []string{u.class}})
					if err != nil {
						return err
					}
					slotIDs = append(slotIDs, id)
				} else {
					// One slot per group of the band, each with its teacher and room.
					for gi, g := range u.groups {
						subj := u.subject
						if gi < len(u.subjects) {
							subj = u.subjects[gi]
						}
						id, err := timetable.Insert(ctx, t.v, q, timetable.NewSlot{ID: t.id(), EstablishmentID: est, SchoolYearID: year.ID,
							Weekday: p[0], StartMin: p[1], DurationMin: lessonMinutes, SubjectID: subj, RoomID: rs[gi],
							AlternationID: alt, ValidFrom: year.StartsOn, ValidTo: year.EndsOn,
							TeacherIDs: []string{u.teachers[gi]}, GroupIDs: []string{g}})
						if err != nil {
							return err
						}
						slotIDs = append(slotIDs, id)
					}
				}
				placed = true
				break
			}
		}
	}
	return t.liveData(ctx, est, year, today, slotIDs)
}

// liveData adds the changes, class log and homework around today.
func (t *ttGen) liveData(ctx context.Context, est string, year timetable.SchoolYear, today string, slotIDs []string) error {
	q := t.tx
	day, err := timetable.ParseDate(today)
	if err != nil {
		return fmt.Errorf("today %q: %v", today, err)
	}
	monday := timetable.Monday(day)
	now := timetable.At(day, 7*60+30)

	// The classes, in order.
	classes, err := db.Strings(ctx, q, `SELECT id FROM classes WHERE school_year_id = ? ORDER BY code`, year.ID)
	if err != nil || len(classes) == 0 {
		return err
	}
	teachers, err := db.Strings(ctx, q, `SELECT DISTINCT t.teacher_id FROM tt_slot_teachers t JOIN tt_slots s ON s.id = t.slot_id
		WHERE s.establishment_id = ? ORDER BY t.teacher_id`, est)
	if err != nil {
		return err
	}

	weekEnd := monday.AddDate(0, 0, 13).Format(timetable.DateFormat)
	from := monday.Format(timetable.DateFormat)
	// A teacher absent for a whole day, tomorrow or the next school day.
	if len(teachers) > 0 {
		absent := teachers[t.rng.IntN(len(teachers))]
		ls, err := timetable.Lessons(ctx, t.v, q, timetable.Target{Kind: timetable.TargetTeacher, ID: absent}, day.AddDate(0, 0, 1).Format(timetable.DateFormat), weekEnd)
		if err != nil {
			return err
		}
		first := ""
		for _, l := range ls {
			if l.Slot.EstablishmentID != est {
				continue // a teacher shared with the other school
			}
			if first == "" {
				first = l.Date
			}
			if l.Date != first {
				break
			}
			if err := timetable.SetChangeTx(ctx, t.v, q, timetable.ChangeInput{SlotID: l.Slot.ID, OnDate: l.Date, Cancelled: true,
				Reason: "teacher-absent"}, now); err != nil {
				return err
			}
		}
	}
	// For a few classes: a room change, a test planned and a replacement
	// this week or next.
	var replacements []string
	replacements = append(replacements, teachers...)
	for i, c := range classes {
		if i%3 != 0 {
			continue
		}
		ls, err := timetable.Lessons(ctx, t.v, q, timetable.Target{Kind: timetable.TargetClass, ID: c}, from, weekEnd)
		if err != nil {
			return err
		}
		var future []timetable.Lesson
		for _, l := range ls {
			if l.Date >= today && !l.Changed() && len(l.Slot.Audiences) == 1 {
				future = append(future, l)
			}
		}
		if len(future) < 3 {
			continue
		}
		pick := func() timetable.Lesson {
			k := t.rng.IntN(len(future))
			l := future[k]
			future = append(future[:k], future[k+1:]...)
			return l
		}
		l := pick()
		if err := timetable.SetChangeTx(ctx, t.v, q, timetable.ChangeInput{SlotID: l.Slot.ID, OnDate: l.Date, TestPlanned: true,
			Note: "Contrôle sur le chapitre en cours"}, now); err != nil {
			return err
		}
		l = pick()
		if rs, err := timetable.Rooms(ctx, t.v, q, est); err == nil && len(rs) > 0 {
			r := rs[t.rng.IntN(len(rs))]
			if l.Room == nil || l.Room.ID != r.ID {
				if err := timetable.SetChangeTx(ctx, t.v, q, timetable.ChangeInput{SlotID: l.Slot.ID, OnDate: l.Date, NewRoomID: r.ID}, now); err != nil {
					return err
				}
			}
		}
		l = pick()
		if len(replacements) > 1 && len(l.Slot.Teachers) == 1 {
			rep := replacements[t.rng.IntN(len(replacements))]
			if rep != l.Slot.Teachers[0].ID {
				err := timetable.SetChangeTx(ctx, t.v, q, timetable.ChangeInput{SlotID: l.Slot.ID, OnDate: l.Date, ReplacementID: rep}, now)
				if _, isProblem := err.(check.Problems); err != nil && !isProblem {
					return err
				}
			}
		}
	}

	// Class log: the lessons of the two weeks before today, one entry per
	// lesson occurrence (a group's lesson comes once for each class its
	// students are drawn from: it is written once), homework in a little
	// more than half of them, due at the next lesson of the same class or
	// group, never two of one subject due the same day to one audience.
	histFrom := monday.AddDate(0, 0, -14).Format(timetable.DateFormat)
	horizon := monday.AddDate(0, 0, 20).Format(timetable.DateFormat)
	titles := map[string][]string{
		"lesson":    {"Cours : introduction du chapitre", "Cours : suite du chapitre", "Cours et exemples", "Synthèse du chapitre"},
		"tutorial":  {"Exercices d'application", "Correction des exercices", "Travail en groupes"},
		"practical": {"Travaux pratiques", "Expérience et compte rendu"},
	}
	bodies := map[string][]string{
		"lesson": {"Notions nouvelles du chapitre, avec des exemples commentés.\n\nÀ retenir : la définition et les deux exemples du cours.",
			"Reprise de la séance précédente, puis suite du chapitre.\nLe plan du cours est noté dans le cahier."},
		"tutorial": {"Exercices d'application en classe ; correction au tableau.",
			"Travail en groupes sur les documents distribués, puis mise en commun."},
		"practical": {"Manipulation en binômes ; les mesures sont notées sur la fiche.\n\nLe compte rendu reprend le protocole et les résultats."},
	}
	cats := []string{"lesson", "lesson", "tutorial", "practical", "lesson", "tutorial"}
	written := map[string]bool{} // lesson occurrences written
	due := map[string]bool{}     // audience, subject and due day of homework given
	for ci, c := range classes {
		ls, err := timetable.Lessons(ctx, t.v, q, timetable.Target{Kind: timetable.TargetClass, ID: c}, histFrom, horizon)
		if err != nil {
			return err
		}
		for li, l := range ls {
			if l.Date >= today || l.Cancelled() || len(l.Slot.Audiences) != 1 || len(l.Slot.Teachers) == 0 || written[l.Key()] {
				continue
			}
			written[l.Key()] = true
			a := l.Slot.Audiences[0]
			cat := cats[(ci+li)%len(cats)]
			ts, bs := titles[cat], bodies[cat]
			in := classlog.EntryInput{EstablishmentID: est, AuthorID: l.Slot.Teachers[0].ID, SlotID: l.Slot.ID,
				LessonDate: l.Date, Audience: classlog.AudienceKey(a.ClassID, a.GroupID), SubjectID: l.Slot.SubjectID,
				Title: ts[t.rng.IntN(len(ts))], Category: cat, Body: bs[t.rng.IntN(len(bs))]}
			works := demoHomework[l.Slot.SubjectCode]
			if len(works) > 0 && t.rng.IntN(100) < 55 {
				// Due at the next lesson of that subject with the same class
				// or group (another group of the class is not it).
				for _, n := range ls {
					if n.Date <= l.Date || n.Cancelled() || n.Slot.SubjectID != l.Slot.SubjectID || len(n.Slot.Audiences) != 1 || n.Slot.Audiences[0] != a {
						continue
					}
					key := a.Key() + "|" + l.Slot.SubjectID + "|" + n.Date
					if !due[key] {
						due[key] = true
						w := works[t.rng.IntN(len(works))]
						in.Homework = []classlog.HomeworkInput{{DueDate: n.Date, DueSlotID: n.Slot.ID + "/" + n.Date,
							Description: w.description, Minutes: fmt.Sprint(w.minutes), HandIn: w.handin}}
					}
					break
				}
			}
			if _, err := classlog.SaveIn(ctx, t.v, q, in, now.Add(-time.Duration(len(ls)-li)*time.Minute)); err != nil {
				return fmt.Errorf("class log: %w", err)
			}
		}
	}
	return nil
}

// demoWork is a homework the demo's teachers set.
type demoWork struct {
	description string
	minutes     int
	handin      string
}

// demoHomework is what the demo's teachers set, by subject (BCN code);
// a subject without any sets none (physical education).
var demoHomework = map[string][]demoWork{
	"020700": { // French
		{"Lire le chapitre 4 du roman et relever trois citations sur le héros.", 30, "none"},
		{"Rédiger le portrait d'un personnage, une quinzaine de lignes.", 45, "upload"},
		{"Apprendre la conjugaison du passé simple (verbes du premier groupe).", 20, "none"},
	},
	"061300": { // mathematics
		{"Exercices 12 et 14 page 87.", 30, "none"},
		{"Finir la fiche d'exercices sur les fractions.", 25, "paper"},
		{"Apprendre les propriétés du parallélogramme.", 15, "none"},
	},
	"030201": { // English
		{"Apprendre le vocabulaire de la page 45.", 15, "none"},
		{"Exercices 2 et 3 page 46 du cahier d'activités.", 20, "none"},
		{"Enregistrer une présentation d'une minute sur sa journée.", 25, "upload"},
	},
	"030602": { // Spanish
		{"Apprendre le vocabulaire de la séquence.", 15, "none"},
		{"Écrire cinq phrases au présent sur sa famille.", 20, "paper"},
	},
	"030102": { // German
		{"Apprendre le vocabulaire de la leçon 3.", 15, "none"},
		{"Exercice 4 page 28 du cahier.", 20, "none"},
	},
	"042100": { // history, geography, civics (collège)
		{"Apprendre la leçon et savoir placer les repères sur la frise.", 20, "none"},
		{"Compléter le croquis de la page 152.", 25, "paper"},
	},
	"040600": { // history and geography (lycée)
		{"Lire le dossier pages 60 à 63 et répondre aux questions 1 à 4.", 40, "none"},
		{"Préparer le plan détaillé de la composition.", 45, "upload"},
	},
	"062900": { // life and earth sciences
		{"Apprendre le schéma de la digestion.", 20, "none"},
		{"Finir le compte rendu de l'observation au microscope.", 30, "upload"},
	},
	"062300": { // physics and chemistry
		{"Rédiger le compte rendu de l'expérience.", 30, "upload"},
		{"Exercices 7 et 8 page 63.", 25, "none"},
	},
	"070800": { // technology
		{"Finir le croquis de l'objet étudié, avec la légende.", 20, "paper"},
	},
	"090100": { // visual arts
		{"Apporter trois images sur le thème du mouvement.", 15, "none"},
	},
	"081300": { // music
		{"Écouter l'extrait étudié en classe et noter les instruments entendus.", 15, "none"},
	},
	"020100": { // Latin
		{"Apprendre la première déclinaison.", 20, "none"},
		{"Traduire les trois premières phrases du texte page 34.", 30, "upload"},
	},
	"050700": { // economics and social sciences
		{"Lire le document 2 page 48 et répondre aux questions.", 30, "none"},
	},
	"065300": { // scientific education
		{"Relire l'activité et répondre à la question de synthèse.", 25, "none"},
	},
}
