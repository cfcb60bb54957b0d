package delivery

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"cartable/internal/access"
	"cartable/internal/db"
	"cartable/internal/i18n"
	"cartable/internal/jobs"
	"cartable/internal/mail"
)

// Job kinds of this package.
const (
	KindMailNotice  = "mail-notice" // one notice by e-mail, at once
	KindDigestPlan  = "digest-plan" // one digest round: enqueues a digest per recipient
	KindMailDigest  = "mail-digest" // one person's digest
	KindPushNotice  = "push-notice" // one notice to one device
	weeklyDigestDay = time.Friday   // the weekly digest's day
	dispatchBatch   = 500           // notices handed over per transaction
	digestFanout    = 1000          // digests enqueued per transaction
	maxDigestLines  = 200           // notices listed in one digest; the rest counted
	sweepDoneAfter  = 7 * 24 * time.Hour
)

// Deliverer hands the due notices to the channels and does the jobs that
// send them.
type Deliverer struct {
	DB      *db.DB
	Mail    mail.Sender // nil: no SMTP server configured, no e-mail at all
	BaseURL string      // links in messages: BaseURL + the notice's link
	// Text writes a notice in a language (page.NoticeText: the same words
	// as in the workspace; a domain may not import the web).
	Text func(lang, kind string, args map[string]string) string
	Push *Pusher // nil: no Web Push
	// Unsubscribe signs the unsubscribe links of e-mails; nil: none (the
	// footer still links to the settings page).
	Unsubscribe *Unsubscriber
	Now         func() time.Time
}

func (d *Deliverer) now() time.Time {
	if d.Now != nil {
		return d.Now()
	}
	return time.Now()
}

// Handlers are the job handlers of this package, by kind, as v (a system
// viewer).
func (d *Deliverer) Handlers(v *access.Viewer) map[string]jobs.Handler {
	return map[string]jobs.Handler{
		KindMailNotice: func(ctx context.Context, j *jobs.Job) error { return d.mailNotice(ctx, j) },
		KindDigestPlan: func(ctx context.Context, j *jobs.Job) error { return d.planDigests(ctx, v, j) },
		KindMailDigest: func(ctx context.Context, j *jobs.Job) error { return d.mailDigest(ctx, j) },
		KindPushNotice: func(ctx context.Context, j *jobs.Job) error { return d.pushNotice(ctx, j) },
	}
}

type noticeJob struct {
	Notice       string `json:"notice"`
	Subscription string `json:"subscription,omitempty"`
}

// Dispatch hands the notices whose time has come to their channels: for
// each recipient and channel whose mode for the notice's category is
// immediate, a job (delayed past their quiet hours); digests pick the
// notices up later by date. The notice is marked sent in the same
// transaction as its jobs, so that it is handed over once, whichever
// replica runs first. It returns how many notices were handed over.
func (d *Deliverer) Dispatch(ctx context.Context, v *access.Viewer) (int, error) {
	if !v.IsSystem() {
		return 0, access.Refuse("deliver-notices", access.Resource{Kind: "outbox"}, "the outbox is delivered by the instance")
	}
	total := 0
	for {
		n := 0
		now := d.now()
		err := d.DB.Tx(ctx, func(tx *db.Tx) error {
			lock := ""
			if tx.Dialect() == db.Postgres {
				lock = " FOR UPDATE SKIP LOCKED"
			}
			type due struct{ id, recipient, kind string }
			ns, err := db.All(ctx, tx, func(s db.Scanner) (due, error) {
				var x due
				return x, s.Scan(&x.id, &x.recipient, &x.kind)
			}, `SELECT id, recipient_id, kind FROM notifications WHERE sent_at IS NULL AND not_before <= ?
				ORDER BY not_before, id LIMIT ?`+lock, now.Unix(), dispatchBatch)
			if err != nil {
				return err
			}
			settings := map[string]*Settings{}
			for _, x := range ns {
				s := settings[x.recipient]
				if s == nil {
					if s, err = load(ctx, tx, x.recipient); err != nil {
						return err
					}
					settings[x.recipient] = s
				}
				c := CategoryOf(x.kind)
				at := s.after(now)
				if s.Mode(c, Email) == Immediate && d.Mail != nil {
					if _, err := jobs.Enqueue(ctx, v, tx, KindMailNotice, noticeJob{Notice: x.id}, jobs.Options{RunAt: at, Key: "mail-notice/" + x.id}); err != nil {
						return err
					}
				}
				if s.Mode(c, Push) == Immediate && s.PushRegistered > 0 && d.Push != nil {
					subs, err := db.Strings(ctx, tx, `SELECT id FROM push_subscriptions WHERE person_id = ? ORDER BY id`, x.recipient)
					if err != nil {
						return err
					}
					for _, sub := range subs {
						if _, err := jobs.Enqueue(ctx, v, tx, KindPushNotice, noticeJob{Notice: x.id, Subscription: sub},
							jobs.Options{RunAt: at, Key: "push-notice/" + x.id + "/" + sub}); err != nil {
							return err
						}
					}
				}
				if _, err := tx.Exec(ctx, `UPDATE notifications SET sent_at = ? WHERE id = ?`, now.Unix(), x.id); err != nil {
					return err
				}
			}
			n = len(ns)
			return nil
		})
		total += n
		if err != nil || n < dispatchBatch {
			return total, err
		}
	}
}

// after is the first moment from t outside the person's quiet hours.
func (s *Settings) after(t time.Time) time.Time {
	local := t.In(i18n.Zone)
	minute := local.Hour()*60 + local.Minute()
	if !s.quiet(minute) {
		return t
	}
	end := time.Date(local.Year(), local.Month(), local.Day(), s.QuietTo/60, s.QuietTo%60, 0, 0, i18n.Zone)
	if !end.After(local) {
		end = end.AddDate(0, 0, 1)
	}
	return end
}

// notice is what a message says of one notice.
type notice struct {
	recipient, kind, link string
	args                  map[string]string
	notBefore             int64
	read                  bool
}

func readNotice(ctx context.Context, q db.Querier, id string) (*notice, error) {
	var n notice
	var args string
	var read sql.NullInt64
	err := q.QueryRow(ctx, `SELECT recipient_id, kind, args, link, not_before, read_at FROM notifications WHERE id = ?`, id).
		Scan(&n.recipient, &n.kind, &args, &n.link, &n.notBefore, &read)
	if err != nil {
		return nil, err
	}
	n.read = read.Valid
	return &n, json.Unmarshal([]byte(args), &n.args)
}

// address is where Cartable writes to a person, as auth does: the
// recovery e-mail chosen at activation, else the directory's; "" for an
// inactive account or none known.
func address(ctx context.Context, q db.Querier, person string) (string, error) {
	var dir, rec string
	var active bool
	err := q.QueryRow(ctx, `SELECT p.email, COALESCE(a.recovery_email, ''), p.active FROM people p
		LEFT JOIN account_settings a ON a.person_id = p.id WHERE p.id = ?`, person).Scan(&dir, &rec, &active)
	if errors.Is(err, sql.ErrNoRows) || !active {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	if rec != "" {
		return rec, nil
	}
	return dir, nil
}

func (d *Deliverer) text(lang string, n *notice) string {
	if d.Text == nil {
		return i18n.T(lang, "notice.other")
	}
	return d.Text(lang, n.kind, n.args)
}

// view starts a message to person in lang: title, footer links, and the
// unsubscribe link stopping what stop names.
func (d *Deliverer) view(lang, title string, stop Stop) *mailView {
	base := strings.TrimSuffix(d.BaseURL, "/")
	v := &mailView{Lang: lang, Title: title, Heading: title, Auto: i18n.T(lang, "delivery.mail.auto"),
		SettingsURL: base + "/notifications/settings", SettingsText: i18n.T(lang, "delivery.mail.settings")}
	if d.Unsubscribe != nil {
		v.StopURL = base + "/notifications/unsubscribe/" + d.Unsubscribe.Token(stop)
		if stop.Digest != "" {
			v.StopText = i18n.T(lang, "delivery.mail.stop.digest."+string(stop.Digest))
		} else {
			v.StopText = i18n.T(lang, "delivery.mail.stop.category", i18n.T(lang, "delivery.category."+string(stop.Category)))
		}
		v.StopLine = i18n.T(lang, "delivery.mail.stop.line", v.StopText, v.StopURL)
	}
	return v
}

// mailNotice sends one notice by e-mail. A notice read in the workspace
// meanwhile, a recipient who chose otherwise since, or one without an
// address is not written to: the job is done.
func (d *Deliverer) mailNotice(ctx context.Context, j *jobs.Job) error {
	var p noticeJob
	if err := j.Decode(&p); err != nil {
		return jobs.Permanent(err)
	}
	n, err := readNotice(ctx, d.DB, p.Notice)
	if errors.Is(err, sql.ErrNoRows) {
		return nil // erased since (the person left)
	}
	if err != nil {
		return err
	}
	if n.read {
		return nil
	}
	s, err := load(ctx, d.DB, n.recipient)
	if err != nil {
		return err
	}
	if s.Mode(CategoryOf(n.kind), Email) != Immediate {
		return nil
	}
	to, err := address(ctx, d.DB, n.recipient)
	if err != nil || to == "" {
		return err
	}
	if d.Mail == nil {
		return nil // no SMTP server configured: e-mail is off for the instance
	}
	v := d.view(s.Lang, i18n.T(s.Lang, "delivery.mail.subject.notice"), Stop{Person: n.recipient, Category: CategoryOf(n.kind)})
	v.Items = []mailItem{{Text: d.text(s.Lang, n), URL: strings.TrimSuffix(d.BaseURL, "/") + n.link}}
	m, err := v.message(to)
	if err != nil {
		return err
	}
	m.ID = messageID(j)
	return d.send(ctx, m)
}

// messageID is the same for every attempt of a job: an e-mail sent again
// because its replica died after the SMTP server took it and before the
// job was marked done (jobs are at least once) is recognisably the same
// message. It derives from the job, never from the recipient.
func messageID(j *jobs.Job) string {
	sum := sha256.Sum256([]byte(fmt.Sprintf("cartable-job/%s/%d", j.Kind, j.ID)))
	return hex.EncodeToString(sum[:12])
}

// send sends m; an error names no address (it is kept in the job).
func (d *Deliverer) send(ctx context.Context, m mail.Message) error {
	if err := d.Mail.Send(ctx, m); err != nil {
		return fmt.Errorf("e-mail not sent: %s", strings.ReplaceAll(err.Error(), m.To, "<recipient>"))
	}
	return nil
}

// digestRound is a digest round: the notices due in [From, To), for the
// people whose digest hour is Hour.
type digestRound struct {
	Period Mode   `json:"period"` // Daily or Weekly
	From   int64  `json:"from"`
	To     int64  `json:"to"`
	Hour   int    `json:"hour,omitempty"` // 0 in plans made before hours were chosen: 18
	Person string `json:"person,omitempty"`
}

func (r digestRound) hour() int {
	if r.Hour == 0 {
		return DefaultDigestHour
	}
	return r.Hour
}

// lastRounds is, for each hour a person may choose, the latest daily
// round ended by now at that hour and the latest weekly one (Friday).
func lastRounds(now time.Time) []digestRound {
	local := now.In(i18n.Zone)
	var rounds []digestRound
	for h := MinDigestHour; h <= MaxDigestHour; h++ {
		end := time.Date(local.Year(), local.Month(), local.Day(), h, 0, 0, 0, i18n.Zone)
		if end.After(local) {
			end = end.AddDate(0, 0, -1)
		}
		rounds = append(rounds, digestRound{Period: Daily, Hour: h, From: end.AddDate(0, 0, -1).Unix(), To: end.Unix()})
		wend := end
		for wend.Weekday() != weeklyDigestDay {
			wend = wend.AddDate(0, 0, -1)
		}
		rounds = append(rounds, digestRound{Period: Weekly, Hour: h, From: wend.AddDate(0, 0, -7).Unix(), To: wend.Unix()})
	}
	return rounds
}

// ScheduleDigests enqueues the latest daily and weekly digest rounds of
// every hour, once each whichever replica asks and however often (their
// key holds the round's end: a round missed while no server ran is still
// planned when one starts). Each round's job then enqueues one digest per
// recipient whose hour it is.
func (d *Deliverer) ScheduleDigests(ctx context.Context, v *access.Viewer) (int, error) {
	if !v.IsSystem() {
		return 0, access.Refuse("deliver-notices", access.Resource{Kind: "outbox"}, "digests are planned by the instance")
	}
	rounds := lastRounds(d.now())
	keys := make([]any, len(rounds))
	for i, r := range rounds {
		keys[i] = fmt.Sprintf("digest-plan/%s/%d", r.Period, r.To)
	}
	// One read finds the rounds planned already (nearly all, nearly
	// always): the loop runs every 30 s on every replica.
	planned, err := db.Strings(ctx, d.DB, `SELECT dedupe_key FROM jobs WHERE dedupe_key IN (?`+strings.Repeat(", ?", len(keys)-1)+`)`, keys...)
	if err != nil {
		return 0, err
	}
	done := map[string]bool{}
	for _, k := range planned {
		done[k] = true
	}
	n := 0
	for i, r := range rounds {
		key := keys[i].(string)
		if done[key] {
			continue
		}
		ok, err := jobs.Enqueue(ctx, v, d.DB, KindDigestPlan, r, jobs.Options{RunAt: d.now(), Key: key})
		if err != nil {
			return n, err
		}
		if ok {
			n++
		}
	}
	return n, nil
}

// planDigests enqueues one digest job per person with notices in the
// round; each decides, from the person's settings, what to send.
func (d *Deliverer) planDigests(ctx context.Context, v *access.Viewer, j *jobs.Job) error {
	var r digestRound
	if err := j.Decode(&r); err != nil {
		return jobs.Permanent(err)
	}
	// The window reaches one round further back: a person who moved their
	// hour gets what came since their last digest (mailDigest).
	people, err := db.Strings(ctx, d.DB, `SELECT DISTINCT n.recipient_id FROM notifications n
		LEFT JOIN delivery_settings s ON s.person_id = n.recipient_id
		WHERE n.not_before >= ? AND n.not_before < ? AND COALESCE(s.digest_hour, ?) = ? ORDER BY n.recipient_id`,
		r.From-(r.To-r.From), r.To, DefaultDigestHour, r.hour())
	if err != nil {
		return err
	}
	// Enqueued by batches; a plan retried after a crash enqueues only
	// what is missing (the keys).
	for len(people) > 0 {
		batch := people[:min(digestFanout, len(people))]
		people = people[len(batch):]
		err := d.DB.Tx(ctx, func(tx *db.Tx) error {
			for _, p := range batch {
				pr := r
				pr.Person = p
				if _, err := jobs.Enqueue(ctx, v, tx, KindMailDigest, pr,
					jobs.Options{RunAt: d.now(), Key: fmt.Sprintf("mail-digest/%s/%d/%s", r.Period, r.To, p)}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// mailDigest sends one person the notices of a round in the categories
// they receive in that digest, unread ones first in time order.
func (d *Deliverer) mailDigest(ctx context.Context, j *jobs.Job) error {
	var r digestRound
	if err := j.Decode(&r); err != nil || r.Person == "" {
		return jobs.Permanent(fmt.Errorf("digest payload: %v", err))
	}
	s, err := load(ctx, d.DB, r.Person)
	if err != nil {
		return err
	}
	wanted := false
	for _, c := range Categories {
		wanted = wanted || s.Mode(c, Email) == r.Period
	}
	if !wanted || s.DigestHour != r.hour() {
		return nil // changed their mind since the plan
	}
	from := r.From
	sent := s.dailySentTo
	if r.Period == Weekly {
		sent = s.weeklySentTo
	}
	// After a change of hour, start where the last digest ended (sent at
	// another hour): its notices are not sent twice, and those after it
	// not skipped, whichever way the hour moved.
	if sent > 0 && sent < r.To && sent >= r.From-(r.To-r.From) && time.Unix(sent, 0).In(i18n.Zone).Hour() != r.hour() {
		from = sent
	}
	rows, err := db.All(ctx, d.DB, func(sc db.Scanner) (notice, error) {
		var n notice
		var args string
		var read sql.NullInt64
		err := sc.Scan(&n.kind, &args, &n.link, &n.notBefore, &read)
		if err == nil {
			err = json.Unmarshal([]byte(args), &n.args)
		}
		n.read = read.Valid
		return n, err
	}, `SELECT kind, args, link, not_before, read_at FROM notifications WHERE recipient_id = ? AND not_before >= ? AND not_before < ?
		ORDER BY not_before, id`, r.Person, from, r.To)
	if err != nil {
		return err
	}
	var items []mailItem
	more := 0
	base := strings.TrimSuffix(d.BaseURL, "/")
	for i := range rows {
		n := &rows[i]
		if s.Mode(CategoryOf(n.kind), Email) != r.Period {
			continue
		}
		if len(items) >= maxDigestLines {
			more++
			continue
		}
		it := mailItem{Text: d.text(s.Lang, n), URL: base + n.link, Read: n.read}
		if n.read {
			it.ReadMark = i18n.T(s.Lang, "delivery.digest.read")
		}
		items = append(items, it)
	}
	if len(items) == 0 {
		return nil
	}
	to, err := address(ctx, d.DB, r.Person)
	if err != nil || to == "" {
		return err
	}
	if d.Mail == nil {
		return nil // no SMTP server configured: e-mail is off for the instance
	}
	v := d.view(s.Lang, i18n.T(s.Lang, "delivery.digest.subject."+string(r.Period)), Stop{Person: r.Person, Digest: r.Period})
	v.List, v.Items = true, items
	v.Intro = i18n.N(s.Lang, "delivery.digest.intro."+string(r.Period), len(items)+more)
	if more > 0 {
		v.More, v.MoreURL = i18n.N(s.Lang, "delivery.digest.more", more), base+"/notifications"
	}
	m, err := v.message(to)
	if err != nil {
		return err
	}
	m.ID = messageID(j)
	return d.send(ctx, m)
}

// lastDigestEnd is the end of the last round of period done for person
// (sent, or with nothing to send): where their next digest starts after
// a change of hour. Done jobs are kept a week, as long as a weekly round.
func lastDigestEnd(ctx context.Context, q db.Querier, person string, period Mode) (int64, error) {
	payloads, err := db.Strings(ctx, q, `SELECT payload FROM jobs WHERE kind = ? AND dedupe_key LIKE ? AND done_at IS NOT NULL
		ORDER BY id DESC LIMIT 1`, KindMailDigest, "mail-digest/"+string(period)+"/%/"+person)
	if err != nil || len(payloads) == 0 {
		return 0, err
	}
	var r digestRound
	if err := json.Unmarshal([]byte(payloads[0]), &r); err != nil {
		return 0, nil
	}
	return r.To, nil
}

// Sweep deletes the jobs done a week ago.
func (d *Deliverer) Sweep(ctx context.Context, v *access.Viewer) (int64, error) {
	return jobs.Sweep(ctx, v, d.DB, sweepDoneAfter)
}
