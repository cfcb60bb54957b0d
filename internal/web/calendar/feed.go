package calendar

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"strings"
	"time"

	"cartable/internal/feeds"
	"cartable/internal/i18n"
	"cartable/internal/ical"
	"cartable/internal/richtext"
	"cartable/internal/timetable"
	"cartable/internal/web/page"
)

// feed serves a private calendar: what its owner could see in the
// interface, gathered by the feeds domain as that owner.
func (a *Area) feed(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	now := a.kit.Now()
	v, err := a.feeds.Open(ctx, strings.TrimSuffix(r.PathValue("token"), ".ics"), now)
	if errors.Is(err, feeds.ErrUnknown) {
		http.Error(w, "unknown or revoked calendar feed", http.StatusNotFound)
		return
	}
	if err != nil {
		a.kit.ServerError(w, r, err)
		return
	}
	sources, err := a.feeds.Build(ctx, v, now)
	if err != nil {
		a.kit.ServerError(w, r, err)
		return
	}
	var buf bytes.Buffer
	if err := calendarOf(sources).Write(&buf); err != nil {
		a.kit.ServerError(w, r, err)
		return
	}
	sum := sha256.Sum256(buf.Bytes())
	etag := `W/"` + hex.EncodeToString(sum[:12]) + `"`
	h := w.Header()
	h.Set("ETag", etag)
	h.Set("Cache-Control", "private, max-age=300")
	if inm := r.Header.Get("If-None-Match"); inm != "" && etagMatch(inm, etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h.Set("Content-Type", "text/calendar; charset=utf-8")
	h.Set("Content-Disposition", `inline; filename="cartable.ics"`)
	w.Write(buf.Bytes())
}

// etagMatch compares weakly, as If-None-Match asks (RFC 9110 §13.1.2).
func etagMatch(header, etag string) bool {
	strip := func(s string) string { return strings.TrimPrefix(strings.TrimSpace(s), "W/") }
	for _, part := range strings.Split(header, ",") {
		if p := strings.TrimSpace(part); p == "*" || strip(p) == strip(etag) {
			return true
		}
	}
	return false
}

// calendarOf writes the feed's events, in French (a feed has no session
// to take a language from): each lesson with its changes in words, each
// homework on its due date.
func calendarOf(sources []feeds.Source) ical.Calendar {
	lang := i18n.Default
	cal := ical.Calendar{Name: i18n.T(lang, "cal.feedname")}
	seen := map[string]bool{}
	for _, src := range sources {
		prefix := ""
		if src.Child != "" {
			prefix = src.Child + " — "
		}
		for _, l := range src.Lessons {
			uid := l.Slot.ID + "-" + strings.ReplaceAll(l.Date, "-", "") + "@cartable"
			if seen[uid] {
				continue
			}
			seen[uid] = true
			e := ical.Event{UID: uid, Start: l.Start, End: l.End, Summary: prefix + l.Slot.SubjectName,
				Cancelled: l.Cancelled(), Modified: time.Unix(stamp(l), 0)}
			if l.Cancelled() {
				e.Summary = i18n.T(lang, "cal.cancelledprefix") + e.Summary
			}
			if l.Room != nil {
				e.Location = l.Room.Name
			}
			desc := []string{page.TeacherNames(l.Teachers), l.Audience()}
			desc = append(desc, page.Explain(lang, l)...)
			e.Description = strings.Join(desc, "\n")
			if l.Change != nil {
				e.Sequence = 1
			}
			cal.Events = append(cal.Events, e)
		}
		for _, h := range src.Homework {
			uid := "hw-" + h.ID + "@cartable"
			if seen[uid] {
				continue
			}
			seen[uid] = true
			summary := prefix + i18n.T(lang, "cal.homework", h.SubjectName)
			if src.SetBy {
				// A teacher sets work for several classes: say which.
				summary = i18n.T(lang, "cal.homeworkset", h.SubjectName, h.Structure)
			}
			cal.Events = append(cal.Events, ical.Event{UID: uid, Date: h.DueDate, Transparency: true,
				Summary:     summary,
				Description: richtext.Text(h.Description), Categories: i18n.T(lang, "cal.category"),
				Modified: time.Unix(h.UpdatedAt, 0)})
		}
	}
	return cal
}

// stamp is the last change of a lesson (its change or its slot), the
// DTSTAMP of its event: a feed fetched twice without change is identical,
// so its ETag holds.
func stamp(l timetable.Lesson) int64 {
	if l.Change != nil {
		return l.Change.ChangedAt
	}
	return l.Slot.UpdatedAt
}
