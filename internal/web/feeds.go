package web

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"net/http"
	"strings"
	"time"

	"cartable/internal/access"
	"cartable/internal/classlog"
	"cartable/internal/directory"
	"cartable/internal/i18n"
	"cartable/internal/ical"
	"cartable/internal/ids"
	"cartable/internal/richtext"
	"cartable/internal/timetable"
	"cartable/internal/web/page"
)

func (s *Server) feedRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /calendar", s.signedIn(s.calendarPage))
	mux.HandleFunc("POST /calendar/feeds", s.signedIn(s.createFeed))
	mux.HandleFunc("POST /calendar/feeds/{id}/revoke", s.signedIn(s.revokeFeed))
	// The feed itself is fetched by calendar applications without a
	// session: the unguessable token is the credential.
	mux.HandleFunc("GET /feeds/{token}", s.feed)
}

type feedRow struct {
	ID, Label          string
	CreatedAt, LastUse time.Time
	Revoked            bool
}

type calendarData struct {
	Feeds   []feedRow
	NewURL  string // shown once, right after creation
	Label   string
	Problem string
}

func hashToken(t string) string {
	sum := sha256.Sum256([]byte("cartable-feed:" + t))
	return hex.EncodeToString(sum[:])
}

func (s *Server) feedsOf(ctx context.Context, personID string) ([]feedRow, error) {
	rows, err := s.DB.Query(ctx, `SELECT id, label, created_at, COALESCE(last_used_at, 0), revoked_at IS NOT NULL
		FROM calendar_feeds WHERE person_id = ? ORDER BY created_at DESC, id`, personID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []feedRow
	for rows.Next() {
		var f feedRow
		var created, used int64
		if err := rows.Scan(&f.ID, &f.Label, &created, &used, &f.Revoked); err != nil {
			return nil, err
		}
		f.CreatedAt = time.Unix(created, 0)
		if used > 0 {
			f.LastUse = time.Unix(used, 0)
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

func (s *Server) calendarPage(w http.ResponseWriter, r *http.Request) {
	s.renderCalendar(w, r, http.StatusOK, calendarData{})
}

func (s *Server) renderCalendar(w http.ResponseWriter, r *http.Request, status int, d calendarData) {
	var err error
	if d.Feeds, err = s.feedsOf(r.Context(), currentOf(r).viewer.ID); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, status, "calendar", "cal.title", d)
}

const maxFeeds = 10

func (s *Server) createFeed(w http.ResponseWriter, r *http.Request) {
	cur := currentOf(r)
	label := strings.TrimSpace(r.PostFormValue("label"))
	if len(label) > 80 {
		s.renderCalendar(w, r, http.StatusUnprocessableEntity, calendarData{Label: label, Problem: i18n.T(langOf(r), "cal.toolong", 80)})
		return
	}
	var n int
	if err := s.DB.QueryRow(r.Context(), `SELECT COUNT(*) FROM calendar_feeds WHERE person_id = ? AND revoked_at IS NULL`, cur.viewer.ID).Scan(&n); err != nil {
		s.serverError(w, r, err)
		return
	}
	if n >= maxFeeds {
		s.renderCalendar(w, r, http.StatusUnprocessableEntity, calendarData{Label: label, Problem: i18n.T(langOf(r), "cal.toomany", maxFeeds)})
		return
	}
	var raw [32]byte
	if _, err := rand.Read(raw[:]); err != nil {
		s.serverError(w, r, err)
		return
	}
	token := base64.RawURLEncoding.EncodeToString(raw[:])
	if _, err := s.DB.Exec(r.Context(), `INSERT INTO calendar_feeds (id, person_id, token_hash, label, created_at) VALUES (?, ?, ?, ?, ?)`,
		ids.New(), cur.viewer.ID, hashToken(token), label, s.Now().Unix()); err != nil {
		s.serverError(w, r, err)
		return
	}
	base := s.BaseURL
	if base == "" {
		base = "http://" + r.Host
	}
	s.renderCalendar(w, r, http.StatusOK, calendarData{NewURL: base + "/feeds/" + token + ".ics"})
}

func (s *Server) revokeFeed(w http.ResponseWriter, r *http.Request) {
	res, err := s.DB.Exec(r.Context(), `UPDATE calendar_feeds SET revoked_at = ? WHERE id = ? AND person_id = ? AND revoked_at IS NULL`,
		s.Now().Unix(), r.PathValue("id"), currentOf(r).viewer.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if n, _ := res.RowsAffected(); n == 0 {
		s.renderError(w, r, http.StatusNotFound, "error.notfound")
		return
	}
	http.Redirect(w, r, "/calendar?revoked=1", http.StatusSeeOther)
}

// feed serves a private calendar: what its owner could see in the
// interface, asked of the access policy as that owner.
func (s *Server) feed(w http.ResponseWriter, r *http.Request) {
	token := strings.TrimSuffix(r.PathValue("token"), ".ics")
	ctx := r.Context()
	var id, person string
	var used int64
	var revoked bool
	err := s.DB.QueryRow(ctx, `SELECT id, person_id, COALESCE(last_used_at, 0), revoked_at IS NOT NULL FROM calendar_feeds WHERE token_hash = ?`,
		hashToken(token)).Scan(&id, &person, &used, &revoked)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && revoked) {
		http.Error(w, "unknown or revoked calendar feed", http.StatusNotFound)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	v, err := s.Policy.Viewer(ctx, person)
	if errors.Is(err, access.ErrInactive) {
		http.Error(w, "unknown or revoked calendar feed", http.StatusNotFound)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	now := s.Now()
	cal, err := s.buildFeed(ctx, v, now)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	var buf bytes.Buffer
	if err := cal.Write(&buf); err != nil {
		s.serverError(w, r, err)
		return
	}
	sum := sha256.Sum256(buf.Bytes())
	etag := `W/"` + hex.EncodeToString(sum[:12]) + `"`
	if now.Unix()-used > 3600 {
		s.DB.Exec(ctx, `UPDATE calendar_feeds SET last_used_at = ? WHERE id = ?`, now.Unix(), id)
	}
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

// feedTarget is one timetable in a feed, with its owner's first name for
// relatives with several children.
type feedTarget struct {
	target  timetable.Target
	prefix  string
	student string // student ID, for the homework due
	teacher string // teacher ID, for the homework they set
}

// buildFeed gathers the viewer's (or their children's) lessons of the
// current school year and their homework due dates.
func (s *Server) buildFeed(ctx context.Context, v *access.Viewer, now time.Time) (ical.Calendar, error) {
	lang := i18n.Default
	var targets []feedTarget
	switch v.Profile {
	case directory.Student:
		targets = append(targets, feedTarget{target: timetable.Target{Kind: timetable.TargetStudent, ID: v.ID}, student: v.ID})
	case directory.Relative:
		children, err := page.VisibleChildren(ctx, s.DB, v)
		if err != nil {
			return ical.Calendar{}, err
		}
		for _, c := range children {
			targets = append(targets, feedTarget{target: timetable.Target{Kind: timetable.TargetStudent, ID: c.ID},
				prefix: c.FirstName + " — ", student: c.ID})
		}
	default:
		t := feedTarget{target: timetable.Target{Kind: timetable.TargetTeacher, ID: v.ID}}
		if v.Profile == directory.Teacher {
			t.teacher = v.ID
		}
		targets = append(targets, t)
	}
	cal := ical.Calendar{Name: i18n.T(lang, "cal.feedname")}
	seen := map[string]bool{}
	today := now.In(timetable.Paris).Format(timetable.DateFormat)
	for _, t := range targets {
		if err := s.Policy.Can(ctx, v, access.ReadTimetable, access.Person(t.target.ID)); err != nil {
			if errors.Is(err, access.ErrDenied) {
				continue
			}
			return cal, err
		}
		from, to, err := s.yearRange(ctx, t.target.ID, today)
		if err != nil {
			return cal, err
		}
		if from == "" {
			continue
		}
		ls, err := timetable.Lessons(ctx, s.DB, t.target, from, to)
		if err != nil {
			return cal, err
		}
		for _, l := range ls {
			uid := l.Slot.ID + "-" + strings.ReplaceAll(l.Date, "-", "") + "@cartable"
			if seen[uid] {
				continue
			}
			seen[uid] = true
			e := ical.Event{UID: uid, Start: l.Start, End: l.End, Summary: t.prefix + l.Slot.SubjectName,
				Cancelled: l.Cancelled(), Modified: time.Unix(slotStamp(l), 0)}
			if l.Cancelled() {
				e.Summary = i18n.T(lang, "cal.cancelledprefix") + e.Summary
			}
			if l.Room != nil {
				e.Location = l.Room.Name
			}
			desc := []string{teacherNames(l.Teachers), l.Audience()}
			desc = append(desc, explain(lang, l)...)
			e.Description = strings.Join(desc, "\n")
			if l.Change != nil {
				e.Sequence = 1
			}
			cal.Events = append(cal.Events, e)
		}
		// The homework due, of entries the viewer reads.
		var hw []classlog.Homework
		switch {
		case t.student != "":
			hw, err = s.classLog.HomeworkOfStudent(ctx, v, t.student, from, to)
		case t.teacher != "":
			hw, err = s.classLog.HomeworkSetBy(ctx, v, from, to)
		default:
			continue
		}
		if err != nil {
			return cal, err
		}
		for _, h := range hw {
			uid := "hw-" + h.ID + "@cartable"
			if seen[uid] {
				continue
			}
			seen[uid] = true
			summary := t.prefix + i18n.T(lang, "cal.homework", h.SubjectName)
			if t.teacher != "" {
				// A teacher sets work for several classes: say which.
				summary = i18n.T(lang, "cal.homeworkset", h.SubjectName, h.Structure)
			}
			cal.Events = append(cal.Events, ical.Event{UID: uid, Date: h.DueDate, Transparency: true,
				Summary:     summary,
				Description: richtext.Text(h.Description), Categories: i18n.T(lang, "cal.category"),
				Modified: time.Unix(h.UpdatedAt, 0)})
		}
	}
	return cal, nil
}

// slotStamp is the last change of a lesson (its change or its slot), the
// DTSTAMP of its event: a feed fetched twice without change is identical,
// so its ETag holds.
func slotStamp(l timetable.Lesson) int64 {
	if l.Change != nil {
		return l.Change.ChangedAt
	}
	return l.Slot.UpdatedAt
}

// yearRange returns the first and last day of the current school year of
// the person's first establishment (with an open year).
func (s *Server) yearRange(ctx context.Context, personID, today string) (string, string, error) {
	ests, err := directory.Memberships(ctx, s.DB, personID)
	if err != nil {
		return "", "", err
	}
	from, to := "", ""
	for _, e := range ests {
		y, err := timetable.CurrentYear(ctx, s.DB, e, today)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return "", "", err
		}
		if from == "" || y.StartsOn < from {
			from = y.StartsOn
		}
		if y.EndsOn > to {
			to = y.EndsOn
		}
	}
	return from, to, nil
}
