package liaison

import (
	"context"
	"errors"
	"slices"
	"sort"

	"cartable/internal/access"
	"cartable/internal/directory"
	"cartable/internal/roles"
)

// maxList bounds the notes a list reads.
const maxList = 300

// audience is what a viewer is to a note.
type audience int

const (
	audNone     audience = iota
	audStaff             // its author, school life of its establishment
	audGuardian          // a legal guardian of its student
	audReader            // the student, a relative who is not a legal guardian
)

// audienceOf answers what v is to n (see the package comment).
func audienceOf(ctx context.Context, v *access.Viewer, n Note) (audience, error) {
	if v.IsSystem() {
		return audStaff, nil
	}
	if n.AuthorID == v.ID && slices.Contains(v.Establishments, n.EstablishmentID) {
		return audStaff, nil
	}
	if ok, err := v.May(ctx, access.ReadSchoolLife, access.Establishment(n.EstablishmentID)); err != nil || ok {
		return audStaff, err
	}
	switch {
	case v.Profile == roles.Relative:
		if ok, err := v.May(ctx, access.SignNote, access.Person(n.StudentID)); err != nil || ok {
			return audGuardian, err
		}
		if ok, err := v.May(ctx, access.ReadSchoolLife, access.Person(n.StudentID)); err != nil || ok {
			return audReader, err
		}
	case v.ID == n.StudentID:
		if ok, err := v.May(ctx, access.ReadSchoolLife, access.Person(v.ID)); err != nil || ok {
			return audReader, err
		}
	}
	return audNone, nil
}

// open loads a note and what the viewer is to it; an unknown note and one
// the viewer may not read are the same refusal.
func (s *Service) open(ctx context.Context, v *access.Viewer, id string) (Note, audience, error) {
	n, err := noteByID(ctx, s.DB, id)
	if errors.Is(err, errNotFound) {
		return n, audNone, access.Refuse(access.ReadSchoolLife, access.Person(""), "no such note")
	}
	if err != nil {
		return n, audNone, err
	}
	aud, err := audienceOf(ctx, v, n)
	if err == nil && aud == audNone {
		err = access.Refuse(access.ReadSchoolLife, access.Person(n.StudentID), "not a reader of the note")
	}
	return n, aud, err
}

// View reads one note as the viewer may see it (NoteView: one field set).
func (s *Service) View(ctx context.Context, v *access.Viewer, id string) (NoteView, error) {
	var out NoteView
	n, aud, err := s.open(ctx, v, id)
	if err != nil {
		return out, err
	}
	switch aud {
	case audReader:
		out.Reader = &n
	case audGuardian:
		g := GuardianNote{Note: n}
		sig, err := signaturesOf(ctx, s.DB, []string{n.ID})
		if err != nil {
			return out, err
		}
		if x, ok := sig[n.ID][v.ID]; ok {
			g.Signed, g.SignedAt = true, unix(x.at)
		}
		rs, err := repliesOf(ctx, s.DB, n.ID, v.ID)
		if err != nil {
			return out, err
		}
		for _, r := range rs {
			g.Thread = append(g.Thread, r.Reply)
		}
		out.Guardian = &g
	case audStaff:
		st, err := s.staffNote(ctx, n)
		if err != nil {
			return out, err
		}
		out.Staff = &st
	}
	return out, nil
}

// staffNote gathers every guardian's acknowledgement and thread.
func (s *Service) staffNote(ctx context.Context, n Note) (StaffNote, error) {
	st := StaffNote{Note: n}
	gs, err := guardiansOf(ctx, s.DB, []string{n.StudentID})
	if err != nil {
		return st, err
	}
	sig, err := signaturesOf(ctx, s.DB, []string{n.ID})
	if err != nil {
		return st, err
	}
	rs, err := repliesOf(ctx, s.DB, n.ID, "")
	if err != nil {
		return st, err
	}
	threads := map[string]*Thread{}
	thread := func(id, name string) {
		if threads[id] == nil {
			threads[id] = &Thread{GuardianID: id, GuardianName: name}
			st.Threads = append(st.Threads, Thread{GuardianID: id, GuardianName: name})
		}
	}
	current := map[string]bool{}
	for _, g := range gs[n.StudentID] {
		current[g.id] = true
		a := Acknowledgement{GuardianID: g.id, Name: g.name}
		if x, ok := sig[n.ID][g.id]; ok {
			a.Signed, a.SignedAt = true, unix(x.at)
		}
		st.Guardians = append(st.Guardians, a)
		thread(g.id, g.name)
	}
	var former []signature
	for id, x := range sig[n.ID] {
		if !current[id] {
			former = append(former, x)
		}
	}
	sort.Slice(former, func(i, j int) bool { return former[i].at < former[j].at })
	for _, x := range former {
		st.Guardians = append(st.Guardians, Acknowledgement{GuardianID: x.guardian, Name: x.name, Signed: true, SignedAt: unix(x.at), Former: true})
		thread(x.guardian, x.name)
	}
	for _, r := range rs {
		thread(r.guardian, r.guardianName)
	}
	for i := range st.Threads {
		for _, r := range rs {
			if r.guardian == st.Threads[i].GuardianID {
				st.Threads[i].Replies = append(st.Threads[i].Replies, r.Reply)
			}
		}
	}
	return st, nil
}

// staffItems counts the acknowledgements and answers of notes.
func (s *Service) staffItems(ctx context.Context, notes []Note) ([]StaffItem, error) {
	if len(notes) == 0 {
		return nil, nil
	}
	ids := make([]string, len(notes))
	for i, n := range notes {
		ids[i] = n.ID
	}
	counts, err := countsOf(ctx, s.DB, ids)
	if err != nil {
		return nil, err
	}
	out := make([]StaffItem, len(notes))
	for i, n := range notes {
		c := counts[n.ID]
		out[i] = StaffItem{Note: n, Expected: c.expected, Signed: c.signed, Replies: c.replies}
	}
	return out, nil
}

// Written lists the notes the viewer wrote in the establishments they are
// still attached to, newest first.
func (s *Service) Written(ctx context.Context, v *access.Viewer) ([]StaffItem, error) {
	if v.IsSystem() || v.ID == "" {
		return nil, access.Refuse(access.WriteNote, access.Person(""), "a person's own notes")
	}
	ns, err := notesOfAuthor(ctx, s.DB, v.ID, maxList)
	if err != nil {
		return nil, err
	}
	ns = slices.DeleteFunc(ns, func(n Note) bool { return !slices.Contains(v.Establishments, n.EstablishmentID) })
	return s.staffItems(ctx, ns)
}

// Awaiting lists the viewer's notes that a legal guardian has still to
// sign, oldest first (at most limit), for the author's home page.
func (s *Service) Awaiting(ctx context.Context, v *access.Viewer, limit int) ([]StaffItem, error) {
	if v.IsSystem() || v.ID == "" {
		return nil, access.Refuse(access.WriteNote, access.Person(""), "a person's own notes")
	}
	ns, err := unsignedOfAuthor(ctx, s.DB, v.ID, limit)
	if err != nil {
		return nil, err
	}
	ns = slices.DeleteFunc(ns, func(n Note) bool { return !slices.Contains(v.Establishments, n.EstablishmentID) })
	return s.staffItems(ctx, ns)
}

// Unsigned lists, for school life (CPE, head, deputy), the notes of the
// establishments they follow that a legal guardian has still to sign,
// oldest first. follows is false (and the list empty) for anyone else.
func (s *Service) Unsigned(ctx context.Context, v *access.Viewer) (items []StaffItem, follows bool, err error) {
	var ns []Note
	ests := slices.Clone(v.Establishments)
	slices.Sort(ests)
	for _, e := range ests {
		ok, err := v.May(ctx, access.ReadSchoolLife, access.Establishment(e))
		if err != nil {
			return nil, false, err
		}
		if !ok {
			continue
		}
		follows = true
		more, err := unsignedOfEstablishment(ctx, s.DB, e, maxList)
		if err != nil {
			return nil, false, err
		}
		ns = append(ns, more...)
	}
	items, err = s.staffItems(ctx, ns)
	return items, follows, err
}

// Follows tells whether the viewer follows an establishment's notes
// (school life), for the menu.
func Follows(ctx context.Context, v *access.Viewer) (bool, error) {
	for _, e := range v.Establishments {
		if ok, err := v.May(ctx, access.ReadSchoolLife, access.Establishment(e)); err != nil || ok {
			return ok, err
		}
	}
	return false, nil
}

// OfStudent lists the notes about a student for the student themself or
// a relative: a legal guardian gets their acknowledgements, notes they
// have not signed first; the student and a relative who is not a legal
// guardian read the notes only. Anyone else is refused (the staff have
// their own lists).
func (s *Service) OfStudent(ctx context.Context, v *access.Viewer, student string) (ChildNotes, error) {
	var out ChildNotes
	guardian := false
	if v.Profile == roles.Relative {
		ok, err := v.May(ctx, access.SignNote, access.Person(student))
		if err != nil {
			return out, err
		}
		guardian = ok
	}
	if !guardian && (v.Profile == roles.Relative || v.ID == student) {
		if err := v.Can(ctx, access.ReadSchoolLife, access.Person(student)); err != nil {
			return out, err
		}
	} else if !guardian {
		return out, access.Refuse(access.ReadSchoolLife, access.Person(student), "the staff read their own lists")
	}
	ns, err := notesOfStudent(ctx, s.DB, student, maxList)
	if err != nil {
		return out, err
	}
	if !guardian {
		out.Reader = ns
		return out, nil
	}
	out.IsGuardian = true
	ids := make([]string, len(ns))
	for i, n := range ns {
		ids[i] = n.ID
	}
	sig, err := signaturesOf(ctx, s.DB, ids)
	if err != nil {
		return out, err
	}
	counts, err := replyCounts(ctx, s.DB, ids)
	if err != nil {
		return out, err
	}
	var signed []GuardianItem
	for _, n := range ns {
		it := GuardianItem{Note: n, Replies: counts[n.ID][v.ID]}
		if x, ok := sig[n.ID][v.ID]; ok {
			it.Signed, it.SignedAt = true, unix(x.at)
			signed = append(signed, it)
			continue
		}
		out.Guardian = append(out.Guardian, it)
	}
	out.Guardian = append(out.Guardian, signed...)
	return out, nil
}

// ToSign lists the notes about a student that the viewer, a legal
// guardian, has not signed yet (newest first, at most limit), for the home
// page. guardian is false, and the list empty, for anyone else.
func (s *Service) ToSign(ctx context.Context, v *access.Viewer, student string, limit int) (notes []Note, guardian bool, err error) {
	if v.Profile != roles.Relative {
		return nil, false, nil
	}
	if guardian, err = v.May(ctx, access.SignNote, access.Person(student)); err != nil || !guardian {
		return nil, false, err
	}
	notes, err = unsignedBy(ctx, s.DB, student, v.ID, limit)
	return notes, true, err
}

// Compose is what the form of a new note offers the viewer.
type Compose struct {
	Structures []Structure // the classes and groups the viewer writes to
	Chosen     *Structure  // the one asked for
	Pupils     []Pupil     // its students the viewer writes to, or the one student asked for
}

// Compose prepares the form: the classes and groups the viewer may write
// to the students of (a teacher's, school life's classes), and the
// students of the one asked for (structure, "class:ID" or "group:ID"), or
// the one student asked for. A structure or a student out of the
// viewer's reach is a refusal, and so is the form for a student or a
// relative, who never write notes.
func (s *Service) Compose(ctx context.Context, v *access.Viewer, structure, student string) (Compose, error) {
	var out Compose
	var err error
	if v.Profile == roles.Student || v.Profile == roles.Relative {
		return out, access.Refuse(access.WriteNote, access.Person(student), "students and relatives write no notes")
	}
	if out.Structures, err = s.structures(ctx, v); err != nil {
		return out, err
	}
	switch {
	case student != "":
		if err := v.Can(ctx, access.WriteNote, access.Person(student)); err != nil {
			return out, err
		}
		out.Pupils, err = pupilsOf(ctx, s.DB, []string{student})
		return out, err
	case structure != "":
		for i := range out.Structures {
			if out.Structures[i].Key() == structure {
				out.Chosen = &out.Structures[i]
			}
		}
		if out.Chosen == nil {
			return out, access.Refuse(access.WriteNote, access.Class(structure), "not a class or group the viewer writes to")
		}
		roster, err := rosterOf(ctx, s.DB, *out.Chosen)
		if err != nil {
			return out, err
		}
		ids := make([]string, len(roster))
		for i, p := range roster {
			ids[i] = p.ID
		}
		ok, err := v.VisibleStudents(ctx, access.WriteNote, ids)
		if err != nil {
			return out, err
		}
		for _, p := range roster {
			if ok[p.ID] {
				out.Pupils = append(out.Pupils, p)
			}
		}
	}
	return out, nil
}

// structures lists the classes and groups the viewer teaches, and every
// class of the establishments where they run school life.
func (s *Service) structures(ctx context.Context, v *access.Viewer) ([]Structure, error) {
	var out []Structure
	seen := map[string]bool{}
	add := func(st Structure) {
		if !seen[st.Key()] {
			seen[st.Key()] = true
			out = append(out, st)
		}
	}
	if v.Profile == roles.Teacher || v.Profile == roles.Staff {
		rows, _, err := directory.MyTeaching(ctx, v, s.DB)
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			if r.ClassID != "" {
				add(Structure{Kind: "class", ID: r.ClassID, Name: r.Structure})
			} else {
				add(Structure{Kind: "group", ID: r.GroupID, Name: r.Structure})
			}
		}
	}
	ests := slices.Clone(v.Establishments)
	slices.Sort(ests)
	for _, e := range ests {
		ok, err := v.May(ctx, access.ReadSchoolLife, access.Establishment(e))
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		cs, err := directory.ClassesOfEstablishment(ctx, s.DB, e)
		if err != nil {
			return nil, err
		}
		for _, c := range cs {
			add(Structure{Kind: "class", ID: c.ID, Name: c.Name})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}
