package home

import (
	"errors"
	"net/http"

	"cartable/internal/access"
	"cartable/internal/directory"
	"cartable/internal/i18n"
	"cartable/internal/timetable"
	"cartable/internal/web/page"
)

// maxHandIns bounds the homework the hand-ins block lists.
const maxHandIns = 5

// teacherParts are the blocks of a teacher's home page: today's lessons,
// the registers to take and the class log entries still to write for
// those begun, the work handed in since the last visit, the next day and
// the changes after, the notes awaiting a signature.
func (a *Area) teacherParts(p *parts) {
	today, handIns, coming := p.place(), p.place(), p.place()
	p.do(func(r *http.Request) (err error) {
		*today, *coming, err = a.teacherDays(r)
		return err
	})
	p.do(func(r *http.Request) (err error) {
		*handIns, err = a.handInBlocks(r)
		return err
	})
	p.add(a.awaitingBlocks) // notes.go
}

// teacherDays are today's lessons with the registers to take and the
// class log to write, then the next day and the changes after.
func (a *Area) teacherDays(r *http.Request) (today, coming []Block, err error) {
	ctx, v, lang, now := r.Context(), page.Viewer(r), page.Lang(r), a.kit.Now()
	ag, err := a.weeks.Agenda(ctx, v, a.db, timetable.Target{Kind: timetable.TargetTeacher, ID: v.ID}, now)
	if errors.Is(err, access.ErrDenied) {
		err = nil
	}
	if err != nil {
		return nil, nil, err
	}
	agenda := agendaBlocks(lang, ag, now, "")
	toWrite, err := a.log.ToWrite(ctx, v, ag.Today)
	if err != nil {
		return nil, nil, err
	}
	day := now.In(timetable.Paris).Format(timetable.DateFormat)
	write := Block{ID: "b-towrite", Heading: i18n.T(lang, "home.towrite"), Count: countOf(lang, "home.towrite.count", len(toWrite)),
		Items: lessonItems(lang, toWrite, now, day), Empty: i18n.T(lang, "home.towrite.none")}
	for i := range write.Items {
		write.Items[i].Href += "#form-h"
	}
	regs, err := a.registerBlock(r, ag.Today)
	if err != nil {
		return nil, nil, err
	}
	return append(append([]Block{agenda[0]}, regs...), write), agenda[1:], nil
}

// handInBlocks is the work handed in since the last visit.
func (a *Area) handInBlocks(r *http.Request) ([]Block, error) {
	ctx, v, lang, now := r.Context(), page.Viewer(r), page.Lang(r), a.kit.Now()
	visit, err := directory.HomeVisit(ctx, v, a.db, v.ID, now)
	if err != nil {
		return nil, err
	}
	handIns, more, err := a.log.HandInsSince(ctx, v, visit.Since, maxHandIns)
	if err != nil {
		return nil, err
	}
	hb := Block{ID: "b-handins", Heading: i18n.T(lang, "home.handins"), Empty: i18n.T(lang, "home.handins.none"),
		Link: "/homework", LinkText: i18n.T(lang, "home.handins.all")}
	if visit.First {
		hb.Heading, hb.Empty = i18n.T(lang, "home.handins.first"), i18n.T(lang, "home.handins.first.none")
	}
	total := 0
	for _, h := range handIns {
		total += h.Count
		d, _ := timetable.ParseDate(h.DueDate)
		hb.Items = append(hb.Items, Item{Href: "/homework/" + h.HomeworkID + "/hand-ins", Label: h.SubjectName + " · " + h.Structure,
			When: i18n.T(lang, "hw.due", i18n.DayName(lang, d)), Notes: []string{i18n.N(lang, "home.handins.count", h.Count)},
			Detail: i18n.T(lang, "home.handins.last", i18n.DateTime(lang, h.Last))})
	}
	hb.Count = countOf(lang, "home.handins.count", total)
	if more {
		hb.More = i18n.T(lang, "home.handins.more")
	}
	return []Block{hb}, nil
}
