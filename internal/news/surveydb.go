package news

import (
	"context"
	"database/sql"
	"errors"
	"sort"
	"time"

	"cartable/internal/access"
	"cartable/internal/db"
	"cartable/internal/ids"
	"cartable/internal/notify"
)

// ErrAnswered: the viewer has answered the survey already (one answer
// each, never changed: an anonymous answer cannot be found again).
var ErrAnswered = errors.New("news: survey answered already")

const surveyColumns = `s.id, s.establishment_id, s.author_id, p.first_name || ' ' || p.last_name, s.title, s.intro, s.audience,
	s.class_students, s.class_families, s.anonymous, s.closes_at, s.draft, s.published_at, s.purged`

const surveyFrom = ` FROM surveys s JOIN people p ON p.id = s.author_id`

func scanSurvey(sc db.Scanner, extra ...any) (Survey, error) {
	var s Survey
	var audience string
	var closes, published int64
	err := sc.Scan(append([]any{&s.ID, &s.EstablishmentID, &s.AuthorID, &s.AuthorName, &s.Title, &s.Intro, &audience,
		&s.ClassStudents, &s.ClassFamilies, &s.Anonymous, &closes, &s.Draft, &published, &s.Purged}, extra...)...)
	s.Targets, s.ClosesAt, s.PublishedAt = decodeTargets(audience), unix(closes), unix(published)
	return s, err
}

// surveyByID returns a survey with its questions and choices.
func surveyByID(ctx context.Context, q db.Querier, id string) (Survey, error) {
	s, err := scanSurvey(q.QueryRow(ctx, `SELECT `+surveyColumns+surveyFrom+` WHERE s.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return s, errNotFound
	}
	if err != nil {
		return s, err
	}
	rows, err := q.Query(ctx, `SELECT q.id, q.kind, q.label, q.required, q.max_choices, COALESCE(c.id, ''), COALESCE(c.label, '')
		FROM survey_questions q LEFT JOIN survey_choices c ON c.question_id = q.id
		WHERE q.survey_id = ? ORDER BY q.position, c.position`, id)
	if err != nil {
		return s, err
	}
	defer rows.Close()
	for rows.Next() {
		var qu Question
		var cid, clabel string
		if err := rows.Scan(&qu.ID, &qu.Kind, &qu.Label, &qu.Required, &qu.MaxChoices, &cid, &clabel); err != nil {
			return s, err
		}
		if n := len(s.Questions); n == 0 || s.Questions[n-1].ID != qu.ID {
			s.Questions = append(s.Questions, qu)
		}
		if cid != "" {
			last := &s.Questions[len(s.Questions)-1]
			last.Choices = append(last.Choices, Choice{ID: cid, Label: clabel})
		}
	}
	return s, rows.Err()
}

// CreateSurvey writes a survey by the viewer, kept as a draft or published
// at once; the rules and the answers to faults are a news's (Create).
func (s *Service) CreateSurvey(ctx context.Context, v *access.Viewer, in SurveyInput) (string, error) {
	now := s.now()
	c, ps := checkSurvey(in, now)
	if c.Establishment == "" {
		var err error
		if c.Establishment, err = s.establishmentOf(ctx, v, c.targets); err != nil {
			return "", err
		}
	}
	if c.Establishment == "" {
		if len(ps) > 0 {
			return "", ps
		}
		return "", access.Refuse(access.PublishNews, access.Establishment(""), "no establishment")
	}
	if err := s.mayPublish(ctx, v, s.DB, c.Establishment, c.targets); err != nil {
		return "", err
	}
	if len(ps) > 0 {
		return "", ps
	}
	id := ids.For(ctx)
	err := s.DB.Tx(ctx, func(tx *db.Tx) error {
		return createSurveyIn(ctx, v, tx, id, v.ID, c, now, func() string { return ids.For(ctx) })
	})
	if err != nil {
		return "", err
	}
	return id, nil
}

// CreateSurveyIn writes a survey in the caller's transaction, for the
// system's own work (the demo generator). A person is refused.
func CreateSurveyIn(ctx context.Context, v *access.Viewer, tx *db.Tx, id, author string, in SurveyInput, now time.Time, newID func() string) error {
	if !v.IsSystem() {
		return access.Refuse(access.PublishNews, access.Person(author), "written in a transaction by the system only")
	}
	c, ps := checkSurvey(in, now)
	if len(ps) > 0 {
		return ps
	}
	if err := (&Service{}).mayPublish(ctx, v, tx, c.Establishment, c.targets); err != nil {
		return err
	}
	return createSurveyIn(ctx, v, tx, id, author, c, now, newID)
}

func createSurveyIn(ctx context.Context, v *access.Viewer, q db.Querier, id, author string, c checkedSurvey, now time.Time, newID func() string) error {
	if _, err := q.Exec(ctx, `INSERT INTO surveys (id, establishment_id, author_id, title, intro, audience, class_students, class_families,
		anonymous, closes_at, draft, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, TRUE, ?)`,
		id, c.Establishment, author, c.Title, c.Intro, encodeTargets(c.targets), c.ClassStudents, c.ClassFamilies,
		c.Anonymous, c.closesAt.Unix(), now.Unix()); err != nil {
		return err
	}
	for i, qu := range c.questions {
		qid := newID()
		if _, err := q.Exec(ctx, `INSERT INTO survey_questions (id, survey_id, position, kind, label, required, max_choices)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, qid, id, i, qu.Kind, qu.Label, qu.Required, qu.MaxChoices); err != nil {
			return err
		}
		for j, ch := range qu.Choices {
			if _, err := q.Exec(ctx, `INSERT INTO survey_choices (id, question_id, position, label) VALUES (?, ?, ?, ?)`,
				newID(), qid, j, ch.Label); err != nil {
				return err
			}
		}
	}
	if !c.Publish {
		return nil
	}
	_, err := publishSurveyIn(ctx, v, q, id, now)
	return err
}

// PublishSurvey publishes a draft survey of the viewer's (asked of the
// policy again), its audience resolved into its recipients, each told.
func (s *Service) PublishSurvey(ctx context.Context, v *access.Viewer, id string) (int, error) {
	sv, err := surveyByID(ctx, s.DB, id)
	if errors.Is(err, errNotFound) || (err == nil && (sv.AuthorID != v.ID || !sv.Draft)) {
		return 0, access.Refuse(access.PublishNews, access.Person(""), "not a draft survey of the viewer's")
	}
	if err != nil {
		return 0, err
	}
	if err := s.mayPublish(ctx, v, s.DB, sv.EstablishmentID, sv.Targets); err != nil {
		return 0, err
	}
	var k int
	err = s.DB.Tx(ctx, func(tx *db.Tx) error {
		k, err = publishSurveyIn(ctx, v, tx, id, s.now())
		return err
	})
	return k, err
}

func publishSurveyIn(ctx context.Context, v *access.Viewer, q db.Querier, id string, now time.Time) (int, error) {
	res, err := q.Exec(ctx, `UPDATE surveys SET draft = FALSE, published_at = ? WHERE id = ? AND draft`, now.Unix(), id)
	if err != nil {
		return 0, err
	}
	if k, err := res.RowsAffected(); err != nil || k != 1 {
		return 0, err
	}
	sv, err := scanSurvey(q.QueryRow(ctx, `SELECT `+surveyColumns+surveyFrom+` WHERE s.id = ?`, id))
	if err != nil {
		return 0, err
	}
	people, err := resolve(ctx, q, sv.EstablishmentID, sv.Targets, sv.ClassStudents, sv.ClassFamilies)
	if err != nil {
		return 0, err
	}
	for _, p := range people {
		if _, err := q.Exec(ctx, `INSERT INTO survey_recipients (survey_id, person_id) VALUES (?, ?)`, id, p); err != nil {
			return 0, err
		}
		if _, err := notify.Queue(ctx, v, q, notify.Notice{Establishment: sv.EstablishmentID, Recipient: p, Kind: NoticeSurvey,
			Key: NoticeSurvey + "/" + id, Link: "/surveys/" + id, Args: map[string]string{"title": sv.Title}}); err != nil {
			return 0, err
		}
	}
	return len(people), nil
}

// Answer records the viewer's answers to a survey they were asked, once,
// while it is open: "has answered" is set on the viewer's row and the
// response is written under a random id, in one transaction; for an
// anonymous survey the response names nobody. A second answer is
// ErrAnswered; faults come back as check.Problems, nothing written;
// anyone else, a closed survey, an unknown id: a refusal.
func (s *Service) Answer(ctx context.Context, v *access.Viewer, id string, in AnswerInput) error {
	now := s.now()
	sv, answered, err := s.asked(ctx, v, id)
	if err != nil {
		return err
	}
	if !sv.Open(now) {
		return access.Refuse(actRead, access.Person(""), "survey closed")
	}
	if answered {
		return ErrAnswered
	}
	if ps := checkAnswers(sv, in); len(ps) > 0 {
		return ps
	}
	return s.DB.Tx(ctx, func(tx *db.Tx) error {
		return answerIn(ctx, tx, sv, v.ID, in, ids.New)
	})
}

// AnswerIn records person's answers in q for the system's own work (the
// demo), with newID drawing the response's id. A person is refused.
func AnswerIn(ctx context.Context, v *access.Viewer, q db.Querier, surveyID, person string, in AnswerInput, newID func() string) error {
	if !v.IsSystem() {
		return access.Refuse(actRead, access.Person(person), "the system's only")
	}
	sv, err := surveyByID(ctx, q, surveyID)
	if err != nil {
		return err
	}
	if ps := checkAnswers(sv, in); len(ps) > 0 {
		return ps
	}
	return answerIn(ctx, q, sv, person, in, newID)
}

func answerIn(ctx context.Context, q db.Querier, sv Survey, person string, in AnswerInput, newID func() string) error {
	res, err := q.Exec(ctx, `UPDATE survey_recipients SET answered = TRUE WHERE survey_id = ? AND person_id = ? AND NOT answered`, sv.ID, person)
	if err != nil {
		return err
	}
	if k, err := res.RowsAffected(); err != nil || k != 1 {
		if err == nil {
			err = ErrAnswered
		}
		return err
	}
	var respondent any // NULL: anonymous
	if !sv.Anonymous {
		respondent = person
	}
	rid := newID()
	if _, err := q.Exec(ctx, `INSERT INTO survey_responses (id, survey_id, respondent_id) VALUES (?, ?, ?)`, rid, sv.ID, respondent); err != nil {
		return err
	}
	for _, qu := range sv.Questions {
		if qu.Kind == KindText {
			if t := cleanText(in.Texts[qu.ID]); t != "" {
				if _, err := q.Exec(ctx, `INSERT INTO survey_answers (response_id, question_id, text) VALUES (?, ?, ?)`, rid, qu.ID, t); err != nil {
					return err
				}
			}
			continue
		}
		for _, c := range in.Choices[qu.ID] {
			if _, err := q.Exec(ctx, `INSERT INTO survey_answers (response_id, question_id, choice_id) VALUES (?, ?, ?)`, rid, qu.ID, c); err != nil {
				return err
			}
		}
	}
	return nil
}

// asked returns a published survey the viewer was asked, and whether they
// answered; a refusal otherwise.
func (s *Service) asked(ctx context.Context, v *access.Viewer, id string) (Survey, bool, error) {
	if v == nil || v.IsSystem() || v.ID == "" {
		return Survey{}, false, access.Refuse(actRead, access.Person(""), "surveys are answered by their recipients")
	}
	var answered bool
	err := s.DB.QueryRow(ctx, `SELECT r.answered FROM survey_recipients r JOIN surveys s ON s.id = r.survey_id
		WHERE r.survey_id = ? AND r.person_id = ? AND NOT s.draft`, id, v.ID).Scan(&answered)
	if errors.Is(err, sql.ErrNoRows) {
		return Survey{}, false, access.Refuse(actRead, access.Person(""), "not asked")
	}
	if err != nil {
		return Survey{}, false, err
	}
	sv, err := surveyByID(ctx, s.DB, id)
	return sv, answered, err
}

// followedSurvey returns a survey for its author or whoever follows the
// news of its establishment; a refusal otherwise.
func (s *Service) followedSurvey(ctx context.Context, v *access.Viewer, id string) (Survey, error) {
	sv, err := surveyByID(ctx, s.DB, id)
	if errors.Is(err, errNotFound) {
		return sv, access.Refuse(access.FollowNews, access.Person(""), "no such survey")
	}
	if err != nil {
		return sv, err
	}
	if v != nil && !v.IsSystem() && sv.AuthorID == v.ID {
		return sv, nil
	}
	if sv.Draft && !v.IsSystem() {
		return Survey{}, access.Refuse(access.FollowNews, access.Person(""), "a draft is its author's")
	}
	if err := v.Can(ctx, access.FollowNews, access.Establishment(sv.EstablishmentID)); err != nil {
		return Survey{}, err
	}
	return sv, nil
}

// OpenSurvey returns a survey for the viewer: its results for its author
// (and the head and deputy), the form for a recipient. Anyone else: a
// refusal.
func (s *Service) OpenSurvey(ctx context.Context, v *access.Viewer, id string) (SurveyView, error) {
	if sv, err := s.followedSurvey(ctx, v, id); err == nil {
		r, err := s.results(ctx, sv)
		if err == nil {
			r.TakesAnswers = sv.Open(s.now())
			r.RemindedToday, err = surveyRemindedToday(ctx, s.DB, id, s.now())
		}
		return SurveyView{Results: &r}, err
	} else if !errors.Is(err, access.ErrDenied) {
		return SurveyView{}, err
	}
	sv, answered, err := s.asked(ctx, v, id)
	if err != nil {
		return SurveyView{}, err
	}
	return SurveyView{Form: &SurveyForm{Survey: sv, Answered: answered, Open: sv.Open(s.now())}}, nil
}

func (s *Service) results(ctx context.Context, sv Survey) (Results, error) {
	r := Results{Survey: sv}
	if err := s.DB.QueryRow(ctx, `SELECT COUNT(*), COALESCE(SUM(CASE WHEN answered THEN 1 ELSE 0 END), 0) FROM survey_recipients WHERE survey_id = ?`,
		sv.ID).Scan(&r.Asked, &r.Answered); err != nil {
		return r, err
	}
	index := map[string]int{}
	for _, q := range sv.Questions {
		qr := QuestionResult{Question: q, Counts: make([]int, len(q.Choices))}
		for j, c := range q.Choices {
			index[c.ID] = j
		}
		r.Questions = append(r.Questions, qr)
	}
	byQuestion := map[string]*QuestionResult{}
	for i := range r.Questions {
		byQuestion[r.Questions[i].ID] = &r.Questions[i]
	}
	// Counts of choices and of responses per question.
	rows, err := s.DB.Query(ctx, `SELECT a.question_id, a.choice_id, COUNT(*) FROM survey_answers a JOIN survey_responses x ON x.id = a.response_id
		WHERE x.survey_id = ? AND a.choice_id <> '' GROUP BY a.question_id, a.choice_id`, sv.ID)
	if err != nil {
		return r, err
	}
	for rows.Next() {
		var q, c string
		var n int
		if err := rows.Scan(&q, &c, &n); err != nil {
			rows.Close()
			return r, err
		}
		if qr := byQuestion[q]; qr != nil {
			if j, ok := index[c]; ok {
				qr.Counts[j] = n
			}
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return r, err
	}
	rows, err = s.DB.Query(ctx, `SELECT a.question_id, COUNT(DISTINCT a.response_id) FROM survey_answers a JOIN survey_responses x ON x.id = a.response_id
		WHERE x.survey_id = ? GROUP BY a.question_id`, sv.ID)
	if err != nil {
		return r, err
	}
	for rows.Next() {
		var q string
		var n int
		if err := rows.Scan(&q, &n); err != nil {
			rows.Close()
			return r, err
		}
		if qr := byQuestion[q]; qr != nil {
			qr.Answers = n
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return r, err
	}
	// Texts: with the respondent's name for a named survey, ordered by
	// the text itself for an anonymous one (never by anything of the
	// response).
	rows, err = s.DB.Query(ctx, `SELECT a.question_id, a.text, COALESCE(p.first_name || ' ' || p.last_name, '') FROM survey_answers a
		JOIN survey_responses x ON x.id = a.response_id LEFT JOIN people p ON p.id = x.respondent_id
		WHERE x.survey_id = ? AND a.choice_id = ''`, sv.ID)
	if err != nil {
		return r, err
	}
	for rows.Next() {
		var q string
		var t TextAnswer
		if err := rows.Scan(&q, &t.Text, &t.Name); err != nil {
			rows.Close()
			return r, err
		}
		if sv.Anonymous {
			t.Name = ""
		}
		if qr := byQuestion[q]; qr != nil {
			qr.Texts = append(qr.Texts, t)
		}
	}
	rows.Close()
	for i := range r.Questions {
		ts := r.Questions[i].Texts
		sort.Slice(ts, func(a, b int) bool {
			if ts[a].Name != ts[b].Name {
				return ts[a].Name < ts[b].Name
			}
			return ts[a].Text < ts[b].Text
		})
	}
	return r, rows.Err()
}

// SurveysAsked lists the published surveys the viewer was asked, open
// ones first (earliest deadline first), then the closed ones.
func (s *Service) SurveysAsked(ctx context.Context, v *access.Viewer, limit int) ([]SurveyItem, error) {
	return s.surveysAsked(ctx, v, "", limit)
}

// ToAnswer lists the open surveys the viewer has not answered, earliest
// deadline first (the to-do list).
func (s *Service) ToAnswer(ctx context.Context, v *access.Viewer, limit int) ([]SurveyItem, error) {
	return s.surveysAsked(ctx, v, ` AND NOT r.answered AND s.closes_at > ? AND NOT s.purged`, limit)
}

func (s *Service) surveysAsked(ctx context.Context, v *access.Viewer, cond string, limit int) ([]SurveyItem, error) {
	if v == nil || v.IsSystem() || v.ID == "" {
		return nil, access.Refuse(actRead, access.Person(""), "a person's surveys")
	}
	if limit <= 0 || limit > 200 {
		limit = 200
	}
	now := s.now().Unix()
	args := []any{v.ID}
	if cond != "" {
		args = append(args, now)
	}
	args = append(args, now, limit)
	rows, err := s.DB.Query(ctx, `SELECT `+surveyColumns+`, r.answered`+surveyFrom+`
		JOIN survey_recipients r ON r.survey_id = s.id WHERE r.person_id = ? AND NOT s.draft`+cond+`
		ORDER BY CASE WHEN s.closes_at > ? THEN 0 ELSE 1 END, s.closes_at, s.id LIMIT ?`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []SurveyItem
	for rows.Next() {
		var it SurveyItem
		if it.Survey, err = scanSurvey(rows, &it.Mine); err != nil {
			return nil, err
		}
		out = append(out, it)
	}
	return out, rows.Err()
}

// SurveysWritten lists the surveys the viewer wrote and, for the head and
// deputy, those of their establishments, newest first.
func (s *Service) SurveysWritten(ctx context.Context, v *access.Viewer, limit int) ([]SurveyItem, error) {
	if v == nil || v.IsSystem() || v.ID == "" {
		return nil, access.Refuse(access.FollowNews, access.Person(""), "a person's list")
	}
	if limit <= 0 || limit > 200 {
		limit = 200
	}
	var follows []string
	for _, e := range v.Establishments {
		ok, err := v.May(ctx, access.FollowNews, access.Establishment(e))
		if err != nil {
			return nil, err
		}
		if ok {
			follows = append(follows, e)
		}
	}
	rows, err := s.DB.Query(ctx, `SELECT `+surveyColumns+`,
		(SELECT COUNT(*) FROM survey_recipients r WHERE r.survey_id = s.id),
		(SELECT COUNT(*) FROM survey_recipients r WHERE r.survey_id = s.id AND r.answered)`+surveyFrom+`
		WHERE s.author_id = ? OR (NOT s.draft AND `+db.In(s.DB, "s.establishment_id")+`) ORDER BY s.created_at DESC, s.id LIMIT ?`,
		v.ID, db.ListArg(s.DB, follows), limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []SurveyItem
	for rows.Next() {
		var it SurveyItem
		if it.Survey, err = scanSurvey(rows, &it.Asked, &it.Answered); err != nil {
			return nil, err
		}
		out = append(out, it)
	}
	return out, rows.Err()
}

// PurgeSurveys erases the answers of the surveys closed more than keep
// ago (KeepAnswers when keep is 0), keeping the survey, its questions and
// who was asked; the system's work (cmd/cartable purge). It returns the
// surveys purged.
func PurgeSurveys(ctx context.Context, v *access.Viewer, q db.Querier, now time.Time, keep time.Duration) (int, error) {
	if !v.IsSystem() {
		return 0, access.Refuse(access.FollowNews, access.Instance(), "the purge is the instance's")
	}
	if keep <= 0 {
		keep = KeepAnswers
	}
	limit := now.Add(-keep).Unix()
	if _, err := q.Exec(ctx, `DELETE FROM survey_answers WHERE response_id IN (SELECT x.id FROM survey_responses x
		JOIN surveys s ON s.id = x.survey_id WHERE s.closes_at < ? AND NOT s.draft)`, limit); err != nil {
		return 0, err
	}
	if _, err := q.Exec(ctx, `DELETE FROM survey_responses WHERE survey_id IN (SELECT id FROM surveys WHERE closes_at < ? AND NOT draft)`, limit); err != nil {
		return 0, err
	}
	res, err := q.Exec(ctx, `UPDATE surveys SET purged = TRUE WHERE closes_at < ? AND NOT draft AND NOT purged`, limit)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// SurveyIn returns a survey with its questions, for the system's own work
// (the demo, which answers it). A person is refused: pages call
// OpenSurvey.
func SurveyIn(ctx context.Context, v *access.Viewer, q db.Querier, id string) (Survey, error) {
	if !v.IsSystem() {
		return Survey{}, access.Refuse(actRead, access.Person(""), "the system's only")
	}
	return surveyByID(ctx, q, id)
}
