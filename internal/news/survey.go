package news

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"cartable/internal/check"
	"cartable/internal/timetable"
)

// Surveys share the news's audiences and rules (who may ask whom is
// PublishNews), are named or anonymous, and are open until their
// deadline. An anonymous survey's answers are stored with no link to the
// person: "has answered" is kept per person apart (survey_recipients), the
// response under a random id with no respondent and no instant (migration
// 0019; docs/news.md tells what that guarantees).

// Question kinds.
const (
	KindText     = "text"
	KindSingle   = "single"
	KindMultiple = "multiple"
)

// Limits of a survey.
const (
	MaxQuestions = 20
	MaxChoices   = 12
	MaxLabel     = 300
	MaxAnswer    = 2000
	// KeepAnswers is how long answers are kept after a survey closes
	// (the open ENT keeps them 12 months); PurgeSurveys erases them then.
	KeepAnswers = 365 * 24 * time.Hour
)

// NoticeSurvey is the kind of the notice of a survey published.
const NoticeSurvey = "survey"

// SurveyInput is the form of a survey. ClosesOn is the last day (Paris)
// answers are taken.
type SurveyInput struct {
	Establishment string
	Title         string
	Intro         string
	Targets       []string
	ClassStudents bool
	ClassFamilies bool
	Anonymous     bool
	ClosesOn      string
	Questions     []QuestionInput
	Publish       bool
}

// QuestionInput is one question of the form; a question with neither
// label nor choices is a blank row of the form, skipped.
type QuestionInput struct {
	Kind       string
	Label      string
	Required   bool
	MaxChoices int
	Choices    []string // single and multiple choice
}

// Survey is a survey with its questions.
type Survey struct {
	ID              string
	EstablishmentID string
	AuthorID        string
	AuthorName      string
	Title           string
	Intro           string
	Targets         []Target
	ClassStudents   bool
	ClassFamilies   bool
	Anonymous       bool
	ClosesAt        time.Time
	Draft           bool
	PublishedAt     time.Time
	Purged          bool
	Questions       []Question
}

// Open tells whether the survey takes answers at now.
func (s Survey) Open(now time.Time) bool {
	return !s.Draft && !s.Purged && now.Before(s.ClosesAt)
}

// Question is one question of a survey.
type Question struct {
	ID         string
	Kind       string
	Label      string
	Required   bool
	MaxChoices int
	Choices    []Choice
}

// Choice is one option of a choice question.
type Choice struct {
	ID    string
	Label string
}

// AnswerInput is a recipient's answers: the choices ticked and the texts
// typed, by question ID.
type AnswerInput struct {
	Choices map[string][]string
	Texts   map[string]string
}

// SurveyForm is a survey as one recipient sees it.
type SurveyForm struct {
	Survey
	Answered bool
	Open     bool
}

// Results is a survey as its author (and the head and deputy) see it.
type Results struct {
	Survey
	Asked     int
	Answered  int
	Questions []QuestionResult
	// RemindedToday: the one reminder of the day was sent.
	RemindedToday bool
	TakesAnswers  bool // open at the time it was read
}

// QuestionResult is the counts of a question, or its texts.
type QuestionResult struct {
	Question
	Answers int // responses that answer it
	Counts  []int
	Texts   []TextAnswer
}

// TextAnswer is one text answer; Name is the respondent's for a named
// survey, "" for an anonymous one.
type TextAnswer struct {
	Name string
	Text string
}

// SurveyView is one survey for one viewer: exactly one field is set.
type SurveyView struct {
	Results *Results
	Form    *SurveyForm
}

// SurveyItem is a line of a list.
type SurveyItem struct {
	Survey
	Asked    int
	Answered int  // the author's lists: how many answered
	Mine     bool // a recipient's lists: the viewer has answered
}

type checkedSurvey struct {
	SurveyInput
	targets   []Target
	closesAt  time.Time
	questions []Question
}

// CheckSurvey reports what is at fault in a survey's form as the form
// alone tells.
func CheckSurvey(in SurveyInput, now time.Time) check.Problems {
	_, ps := checkSurvey(in, now)
	return ps
}

func checkSurvey(in SurveyInput, now time.Time) (checkedSurvey, check.Problems) {
	// The audience is checked as a news's; title and body stand for the
	// survey's title and its questions.
	c, ps := checkInput(Input{Title: in.Title, Body: "-", Targets: in.Targets, ClassStudents: in.ClassStudents,
		ClassFamilies: in.ClassFamilies}, now)
	out := checkedSurvey{SurveyInput: in, targets: c.targets}
	out.Title, out.Intro = c.Title, cleanText(in.Intro)
	if utf8.RuneCountInString(out.Intro) > MaxBody {
		ps.Add("intro", "too-long", strconv.Itoa(MaxBody))
	}
	today := time.Date(now.In(timetable.Paris).Year(), now.In(timetable.Paris).Month(), now.In(timetable.Paris).Day(), 0, 0, 0, 0, timetable.Paris)
	switch d := day(&ps, "closes", in.ClosesOn); {
	case strings.TrimSpace(in.ClosesOn) == "":
		ps.Add("closes", "required", "")
	case d.IsZero():
	case d.Before(today):
		ps.Add("closes", "past", in.ClosesOn)
	default:
		out.closesAt = d.AddDate(0, 0, 1)
	}
	for i, q := range in.Questions {
		label := cleanText(q.Label)
		var choices []Choice
		for _, ch := range q.Choices {
			if l := cleanText(ch); l != "" {
				choices = append(choices, Choice{Label: l})
			}
		}
		if label == "" && len(choices) == 0 {
			continue // a blank row of the form
		}
		field := "q" + strconv.Itoa(i+1)
		if label == "" {
			ps.Add(field, "required", "")
		} else if utf8.RuneCountInString(label) > MaxLabel {
			ps.Add(field, "too-long", strconv.Itoa(MaxLabel))
		}
		for _, ch := range choices {
			if utf8.RuneCountInString(ch.Label) > MaxLabel {
				ps.Add(field, "too-long", strconv.Itoa(MaxLabel))
				break
			}
		}
		switch q.Kind {
		case KindText:
			choices = nil
		case KindSingle, KindMultiple:
			if len(choices) < 2 {
				ps.Add(field, "few-choices", "")
			} else if len(choices) > MaxChoices {
				ps.Add(field, "many-choices", strconv.Itoa(MaxChoices))
			}
		default:
			ps.Add(field, "bad-kind", "")
		}
		max := 0
		if q.Kind == KindMultiple {
			max = q.MaxChoices
			if max < 0 || (max > 0 && max > len(choices)) {
				ps.Add(field, "bad-max", strconv.Itoa(max))
			}
		}
		out.questions = append(out.questions, Question{Kind: q.Kind, Label: label, Required: q.Required, MaxChoices: max, Choices: choices})
	}
	switch {
	case len(out.questions) == 0:
		ps.Add("questions", "required", "")
	case len(out.questions) > MaxQuestions:
		ps.Add("questions", "too-many", strconv.Itoa(MaxQuestions))
	}
	return out, ps
}

// checkAnswers reports what is at fault in a recipient's answers.
func checkAnswers(s Survey, in AnswerInput) check.Problems {
	var ps check.Problems
	for i, q := range s.Questions {
		field := "q" + strconv.Itoa(i+1)
		switch q.Kind {
		case KindText:
			t := cleanText(in.Texts[q.ID])
			if t == "" && q.Required {
				ps.Add(field, "required", "")
			}
			if utf8.RuneCountInString(t) > MaxAnswer {
				ps.Add(field, "too-long", strconv.Itoa(MaxAnswer))
			}
		default:
			picked := in.Choices[q.ID]
			valid := map[string]bool{}
			for _, ch := range q.Choices {
				valid[ch.ID] = true
			}
			seen := map[string]bool{}
			for _, id := range picked {
				if !valid[id] || seen[id] {
					ps.Add(field, "bad-choice", "")
					break
				}
				seen[id] = true
			}
			switch {
			case len(picked) == 0 && q.Required:
				ps.Add(field, "required", "")
			case q.Kind == KindSingle && len(picked) > 1:
				ps.Add(field, "one-choice", "")
			case q.Kind == KindMultiple && q.MaxChoices > 0 && len(picked) > q.MaxChoices:
				ps.Add(field, "max-choices", strconv.Itoa(q.MaxChoices))
			}
		}
	}
	return ps
}

// Published is the input with Publish set, for a literal.
func (in Input) Published() Input {
	in.Publish = true
	return in
}
