package grades

import (
	"time"

	"cartable/internal/access"
	"cartable/internal/averages"
	"cartable/internal/db"
)

// Service is grades as the pages see it.
type Service struct {
	DB     *db.DB
	Policy *access.Policy
	Now    func() time.Time
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// Evaluation is one assessment of a class or group in a subject. Numbers
// are integer hundredths, as stored (Scale 2000 is "out of 20").
type Evaluation struct {
	ID            string
	Establishment string
	Structure     access.Resource // access.Class or access.Group
	Subject       string
	SubSubject    string // "" for none
	Period        string
	Title         string
	Description   string
	HeldOn        string // YYYY-MM-DD
	PublishOn     string // families see it from this day
	ScaleX100     int
	CoefX100      int
	To20          bool // brought back to /20
	Formative     bool // not counted in averages
	Bonus         bool
	Optional      bool
	Author        string
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// Teaching is the access resource the evaluation belongs to.
func (e Evaluation) Teaching() access.Resource { return access.Teaching(e.Structure, e.Subject) }

// Mark is a student's result in an evaluation: a value (hundredths, on the
// evaluation's scale) or a special code (averages.Special*), never both.
type Mark struct {
	Evaluation string
	Student    string
	ValueX100  int
	Special    string // "" when the mark is a value
	UpdatedAt  time.Time
	UpdatedBy  string
}

// Settings are an establishment's grading choices (gr_settings; the
// defaults when it has no row).
type Settings struct {
	Establishment   string
	RoundingX100    int    // 1, 10, 50 or 100: to the hundredth, tenth, half point or point
	RoundingMode    string // nearest, up, down
	OverallWeighted bool   // overall average weighted by subject coefficients
	YearMode        string // periods (mean of the period averages) or marks (all the year's marks)
	ShowMean        bool   // class statistics shown to families
	ShowMinMax      bool
	ShowMedian      bool
	LevelMode       string // mean or highest: a subject's competence level in a period
	LevelMarksX100  [4]int // levels 1..4 as marks /20
}

// DefaultSettings are those of an establishment that chose nothing.
func DefaultSettings(est string) Settings {
	return Settings{Establishment: est, RoundingX100: 1, RoundingMode: "nearest", OverallWeighted: true,
		YearMode: "periods", ShowMean: true, ShowMinMax: true, LevelMode: "mean",
		LevelMarksX100: [4]int{500, 1000, 1500, 2000}}
}

// Period is a directory period with its grading calendar.
type Period struct {
	ID            string
	Establishment string
	Year          string // school year ID
	YearLabel     string
	Kind          string // trimestre, semestre
	Number        int
	StartsOn      string
	EndsOn        string
	EntryDeadline string // "" : none; marks are locked after it
	ReopenedUntil string // the head reopened entry until this day
	CouncilOn     string
}

// Locked tells whether marks of the period can no longer be entered on
// day (YYYY-MM-DD): after the entry deadline, unless reopened until day
// or later.
func (p Period) Locked(day string) bool {
	if p.EntryDeadline == "" || day <= p.EntryDeadline {
		return false
	}
	return p.ReopenedUntil == "" || day > p.ReopenedUntil
}

// Engine is the settings as the averages engine takes them.
func (s Settings) Engine() averages.Settings {
	e := averages.Settings{
		Rounding: averages.Rounding{Step: float64(s.RoundingX100) / 100, Mode: averages.RoundMode(s.RoundingMode)},
		Year:     averages.YearMode(s.YearMode),
		Overall:  averages.OverallMean,
		Levels:   averages.LevelMode(s.LevelMode),
	}
	if s.OverallWeighted {
		e.Overall = averages.OverallWeighted
	}
	for i, m := range s.LevelMarksX100 {
		e.LevelTable[i] = float64(m) / 100
	}
	return e
}

// Engine is an evaluation as the averages engine takes it.
func (e Evaluation) Engine() averages.Evaluation {
	return averages.Evaluation{ID: e.ID, Title: e.Title, Date: e.HeldOn, Scale: float64(e.ScaleX100) / 100,
		Coefficient: float64(e.CoefX100) / 100, To20: e.To20, Formative: e.Formative, Bonus: e.Bonus,
		Optional: e.Optional, SubSubject: e.SubSubject}
}

// Engine is a mark as the averages engine takes it.
func (m Mark) Engine() averages.Mark {
	if m.Special != "" {
		return averages.Mark{Code: averages.Code(m.Special)}
	}
	return averages.Mark{Value: float64(m.ValueX100) / 100}
}
