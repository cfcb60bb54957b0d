package directory

import (
	"context"
	"errors"
	"slices"

	"cartable/internal/access"
	"cartable/internal/db"
	"cartable/internal/roles"
)

// The directory's reads for a viewer. Each asks the policy before it reads
// and answers a refusal (errors.Is(err, access.ErrDenied)) for what v may
// not see, whether it exists or not; the people a page lists are filtered
// with one question per page (v.Visible), never one per row.

// ViewPerson returns person id as v may see them: the card (read-name), and
// the record and contact details when the policy grants them.
func ViewPerson(ctx context.Context, v *access.Viewer, q db.Querier, id string) (PersonView, error) {
	res := access.Person(id)
	if err := v.Can(ctx, access.ReadName, res); err != nil {
		return PersonView{}, err
	}
	p, err := personByID(ctx, q, id)
	if err != nil {
		return PersonView{}, refusedIfMissing(err, access.ReadName, res)
	}
	view := PersonView{Card: cardOf(p)}
	record, err := v.May(ctx, access.ReadRecord, res)
	if err != nil {
		return PersonView{}, err
	}
	contact, err := v.May(ctx, access.ReadContact, res)
	if err != nil {
		return PersonView{}, err
	}
	if contact {
		view.Contact = contactOf(p)
	}
	if err := view.offerManage(ctx, v); err != nil {
		return PersonView{}, err
	}
	if record {
		view.Record = recordOf(p)
	}
	if p.Profile == roles.Student {
		// The class codes are on the card; the classes themselves in the
		// record.
		classes, err := classesOfStudent(ctx, q, id)
		if err != nil {
			return PersonView{}, err
		}
		for _, c := range classes {
			view.Classes = append(view.Classes, c.Code)
		}
		if view.Record != nil {
			view.Record.Classes = classes
		}
	}
	if view.Record != nil {
		if err := recordLists(ctx, v, q, p, view.Record); err != nil {
			return PersonView{}, err
		}
	}
	return view, nil
}

// ViewCard returns person id's directory card alone (read-name), without
// the class codes: the heading of a page about them.
func ViewCard(ctx context.Context, v *access.Viewer, q db.Querier, id string) (Card, error) {
	res := access.Person(id)
	if err := v.Can(ctx, access.ReadName, res); err != nil {
		return Card{}, err
	}
	p, err := personByID(ctx, q, id)
	if err != nil {
		return Card{}, refusedIfMissing(err, access.ReadName, res)
	}
	return cardOf(p), nil
}

// CardByLogin returns the card of the person with this login, when v may
// read their name: a login nobody has and one out of v's reach get the
// same refusal (a form that names someone by login, such as closing an
// account).
func CardByLogin(ctx context.Context, v *access.Viewer, q db.Querier, login string) (Card, error) {
	res := access.Resource{Kind: access.KindPerson} // never the login: a refusal may be audited
	p, _, err := personByLogin(ctx, q, login)
	if err != nil {
		return Card{}, refusedIfMissing(err, access.ReadName, res)
	}
	if err := v.Can(ctx, access.ReadName, access.Person(p.ID)); err != nil {
		return Card{}, access.Refuse(access.ReadName, res, "no such login within reach")
	}
	return cardOf(p), nil
}

// Memberships lists the establishments person id is attached to, part of
// their record (read-record).
func Memberships(ctx context.Context, v *access.Viewer, q db.Querier, id string) ([]string, error) {
	if err := v.Can(ctx, access.ReadRecord, access.Person(id)); err != nil {
		return nil, err
	}
	return memberships(ctx, q, id)
}

// FunctionsOf maps establishment ID to person id's staff functions there,
// part of their record (read-record).
func FunctionsOf(ctx context.Context, v *access.Viewer, q db.Querier, id string) (map[string][]string, error) {
	if err := v.Can(ctx, access.ReadRecord, access.Person(id)); err != nil {
		return nil, err
	}
	return functionsOf(ctx, q, id)
}

// recordLists fills the lists of p's record: a student's groups and
// family, a relative's children, a teacher's teaching; each person listed
// only if v may see them.
func recordLists(ctx context.Context, v *access.Viewer, q db.Querier, p Person, rec *Record) error {
	var err error
	switch p.Profile {
	case roles.Student:
		if rec.Groups, err = groupsOfStudent(ctx, q, p.ID); err != nil {
			return err
		}
		kin, err := relativesOf(ctx, q, p.ID)
		if err != nil {
			return err
		}
		rec.Relatives, err = visibleKin(ctx, v, kin)
		return err
	case roles.Relative:
		kin, err := childrenOf(ctx, q, p.ID)
		if err != nil {
			return err
		}
		rec.Children, err = visibleKin(ctx, v, kin)
		return err
	case roles.Teacher:
		teaching, err := teachingOfTeacher(ctx, q, p.ID)
		rec.Teaching = teachingRowsOf(teaching)
		return err
	}
	return nil
}

// offerManage fills ManageAccount and NoManage: whether v may manage the
// person's account and, when they may not although they administer one of
// the person's establishments (a rank as high as theirs, an establishment
// beyond their reach), the rule's refusal that the person's page explains.
func (view *PersonView) offerManage(ctx context.Context, v *access.Viewer) error {
	err := v.Can(ctx, access.ManageAccount, access.Person(view.ID))
	switch {
	case err == nil:
		view.ManageAccount = true
	case errors.Is(err, access.ErrPrivilege):
		view.NoManage = access.ErrPrivilege
	case errors.Is(err, access.ErrElsewhere):
		view.NoManage = access.ErrElsewhere
	case !errors.Is(err, access.ErrDenied):
		return err
	}
	return nil
}

// ViewClass returns a class page (read-class): the head teachers and
// teachers v may see, and the roster when v may read it (read-roster).
func ViewClass(ctx context.Context, v *access.Viewer, q db.Querier, id string) (ClassView, error) {
	res := access.Class(id)
	if err := v.Can(ctx, access.ReadClass, res); err != nil {
		return ClassView{}, err
	}
	c, err := ClassByID(ctx, q, id)
	if err != nil {
		return ClassView{}, refusedIfMissing(err, access.ReadClass, res)
	}
	view := ClassView{Class: c}
	if view.Letters, err = v.May(ctx, access.ManageAccount, res); err != nil {
		return ClassView{}, err
	}
	heads, err := headTeachersOf(ctx, q, id)
	if err != nil {
		return ClassView{}, err
	}
	teaching, err := teachingOfClass(ctx, q, id)
	if err != nil {
		return ClassView{}, err
	}
	view.Heads, view.Teaching = cardsOf(heads), teachingRowsOf(teaching)
	ok, err := visible(ctx, v, cardIDs(view.Heads), teacherIDs(view.Teaching))
	if err != nil {
		return ClassView{}, err
	}
	view.Heads = keep(view.Heads, ok, func(c Card) string { return c.ID })
	view.Teaching = keep(view.Teaching, ok, func(t TeachingRow) string { return t.Teacher.ID })
	if view.Shown, err = v.May(ctx, access.ReadRoster, res); err != nil {
		return ClassView{}, err
	}
	if !view.Shown {
		return view, nil
	}
	roster, err := studentsOfClass(ctx, q, id)
	if err != nil {
		return ClassView{}, err
	}
	view.Roster = cardsOf(roster)
	return view, nil
}

// ViewGroup returns a group page (read-class) with its roster when v may
// read it (read-roster).
func ViewGroup(ctx context.Context, v *access.Viewer, q db.Querier, id string) (GroupView, error) {
	res := access.Group(id)
	if err := v.Can(ctx, access.ReadClass, res); err != nil {
		return GroupView{}, err
	}
	g, err := GroupByID(ctx, q, id)
	if err != nil {
		return GroupView{}, refusedIfMissing(err, access.ReadClass, res)
	}
	view := GroupView{Group: g}
	if view.Shown, err = v.May(ctx, access.ReadRoster, res); err != nil {
		return GroupView{}, err
	}
	if !view.Shown {
		return view, nil
	}
	roster, err := studentsOfGroup(ctx, q, id)
	if err != nil {
		return GroupView{}, err
	}
	view.Roster = cardsOf(roster)
	return view, nil
}

// ViewEstablishment returns the overview of an establishment
// (read-establishment), with its current year on day (YYYY-MM-DD).
func ViewEstablishment(ctx context.Context, v *access.Viewer, q db.Querier, id, day string) (EstablishmentView, error) {
	res := access.Establishment(id)
	if err := v.Can(ctx, access.ReadEstablishment, res); err != nil {
		return EstablishmentView{}, err
	}
	e, err := EstablishmentByID(ctx, q, id)
	if err != nil {
		return EstablishmentView{}, refusedIfMissing(err, access.ReadEstablishment, res)
	}
	view := EstablishmentView{Establishment: e}
	if view.Security, err = v.May(ctx, access.ManageSecurity, res); err != nil {
		return EstablishmentView{}, err
	}
	if view.Counts, err = countByProfile(ctx, q, id); err != nil {
		return EstablishmentView{}, err
	}
	if view.Classes, err = ClassesOfEstablishment(ctx, q, id); err != nil {
		return EstablishmentView{}, err
	}
	if view.Staff, err = staffOf(ctx, q, id); err != nil {
		return EstablishmentView{}, err
	}
	y, err := CurrentSchoolYear(ctx, q, id, day)
	if errors.Is(err, ErrNotFound) {
		return view, nil
	}
	if err != nil {
		return EstablishmentView{}, err
	}
	view.Year = &y
	if view.Periods, err = periods(ctx, q, y.ID); err != nil {
		return EstablishmentView{}, err
	}
	return view, nil
}

// ViewStudentSchool returns a student's school page (read-record on the
// student): classes, establishments and head teachers, teachers and
// family, each person only if v may read their card.
func ViewStudentSchool(ctx context.Context, v *access.Viewer, q db.Querier, studentID string) (StudentSchool, error) {
	return studentSchool(ctx, v, q, studentID, true)
}

// studentSchool reads a student's school page; full adds their teachers and
// family, which the home page leaves out (ViewSchooling).
func studentSchool(ctx context.Context, v *access.Viewer, q db.Querier, studentID string, full bool) (StudentSchool, error) {
	res := access.Person(studentID)
	if err := v.Can(ctx, access.ReadRecord, res); err != nil {
		return StudentSchool{}, err
	}
	p, err := memo(ctx, v, q, "person", personByID, studentID, clonePerson)
	if err != nil {
		return StudentSchool{}, refusedIfMissing(err, access.ReadRecord, res)
	}
	if p.Profile != roles.Student {
		return StudentSchool{}, access.Refuse(access.ReadRecord, res, "not a student")
	}
	view := StudentSchool{Student: cardOf(p)}
	if view.Schooling, err = memo(ctx, v, q, "schooling", schoolingOf, studentID, cloneSchooling); err != nil {
		return StudentSchool{}, err
	}
	if full {
		teaching, err := teachingOfStudent(ctx, q, studentID)
		if err != nil {
			return StudentSchool{}, err
		}
		relatives, err := relativesOf(ctx, q, studentID)
		if err != nil {
			return StudentSchool{}, err
		}
		view.Teaching, view.Relatives = teachingRowsOf(teaching), kinCardsOf(relatives)
	}
	var heads []string
	for _, sc := range view.Schooling {
		heads = append(heads, cardIDs(sc.HeadTeachers)...)
	}
	ok, err := visible(ctx, v, heads, teacherIDs(view.Teaching), kinIDs(view.Relatives))
	if err != nil {
		return StudentSchool{}, err
	}
	for i := range view.Schooling {
		view.Schooling[i].HeadTeachers = keep(view.Schooling[i].HeadTeachers, ok, func(c Card) string { return c.ID })
	}
	view.Teaching = keep(view.Teaching, ok, func(t TeachingRow) string { return t.Teacher.ID })
	view.Relatives = keep(view.Relatives, ok, func(k KinCard) string { return k.ID })
	return view, nil
}

// MyChildren lists the viewer's active children that the viewer may see,
// oldest first: the relative's child picker.
func MyChildren(ctx context.Context, v *access.Viewer, q db.Querier) ([]KinCard, error) {
	if v == nil || v.ID == "" {
		return nil, nil // a system viewer has no family
	}
	kin, err := memo(ctx, v, q, "children", childrenOf, v.ID, cloneKin)
	if err != nil {
		return nil, err
	}
	return visibleKin(ctx, v, kin)
}

// MyTeaching lists what the viewer teaches, in every establishment, and
// the classes of which they are head teacher (part of their own record).
func MyTeaching(ctx context.Context, v *access.Viewer, q db.Querier) ([]TeachingRow, []Class, error) {
	if v == nil || v.ID == "" {
		return nil, nil, nil
	}
	if err := v.Can(ctx, access.ReadRecord, access.Person(v.ID)); err != nil {
		return nil, nil, err
	}
	teaching, err := memo(ctx, v, q, "teaching", teachingOfTeacher, v.ID, slices.Clone[[]teachingLine])
	if err != nil {
		return nil, nil, err
	}
	headed, err := memo(ctx, v, q, "headed", classesHeadedBy, v.ID, slices.Clone[[]Class])
	if err != nil {
		return nil, nil, err
	}
	return teachingRowsOf(teaching), headed, nil
}

// MySchools lists the viewer's establishments by name, with the viewer's
// functions there and whether they may read the overview (the home page
// links to it; its head counts are the overview's, not read here: the
// home page is the busiest of all).
func MySchools(ctx context.Context, v *access.Viewer, q db.Querier) ([]School, error) {
	if v == nil || v.ID == "" {
		return nil, nil
	}
	ests, err := establishmentsOf(ctx, q, v.ID)
	if err != nil {
		return nil, err
	}
	out := make([]School, 0, len(ests))
	for _, e := range ests {
		s := School{Establishment: e, Functions: v.Functions[e.ID]}
		if s.Overview, err = v.May(ctx, access.ReadEstablishment, access.Establishment(e.ID)); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

// refusedIfMissing turns a row gone between the policy's answer and the
// read into the refusal the policy gives for a missing row.
func refusedIfMissing(err error, a access.Action, r access.Resource) error {
	if errors.Is(err, ErrNotFound) {
		return access.Refuse(a, r, "no such "+string(r.Kind))
	}
	return err
}

// visible asks the policy once for every person of a page and returns the
// set of those v may see by name.
func visible(ctx context.Context, v *access.Viewer, lists ...[]string) (map[string]bool, error) {
	var ids []string
	for _, l := range lists {
		ids = append(ids, l...)
	}
	if len(ids) == 0 {
		return nil, nil
	}
	return v.Visible(ctx, access.ReadName, ids)
}

// visibleKin is the cards of kin that v may see by name.
func visibleKin(ctx context.Context, v *access.Viewer, kin []kinRow) ([]KinCard, error) {
	cards := kinCardsOf(kin)
	ok, err := visible(ctx, v, kinIDs(cards))
	if err != nil {
		return nil, err
	}
	return keep(cards, ok, func(k KinCard) string { return k.ID }), nil
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

func cardIDs(cs []Card) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.ID
	}
	return out
}

func kinIDs(ks []KinCard) []string {
	out := make([]string, len(ks))
	for i, k := range ks {
		out[i] = k.ID
	}
	return out
}

func teacherIDs(ts []TeachingRow) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.Teacher.ID
	}
	return out
}
