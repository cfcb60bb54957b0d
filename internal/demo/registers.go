package demo

import (
	"context"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"

	"cartable/internal/access"
	"cartable/internal/attendance"
	"cartable/internal/db"
	"cartable/internal/timetable"
)

// demoRemarks are what the demo's teachers note on a student.
var demoRemarks = []string{"Bavardages répétés", "Très bonne participation", "Travail non fait", "Exclu du cours dix minutes, revenu calme",
	"Oubli du carnet", "A aidé un camarade"}

// registerDays is how many school days before today the demo's registers
// cover: enough for every screen to show something, few enough that the
// generator (which every test of the web runs) stays quick.
const registerDays = 3

// generateRegisters takes the registers of the main school's past
// lessons, on the last registerDays school days before today: every
// lesson's roll call but a few forgotten (left to do), with some students absent, late,
// leaving early, without their material or with a remark; the absences
// follow from the marks as they do in the workspace. Deterministic from
// the seed and today; no alert is queued (the past tells nobody
// anything). Other demo files add absences recorded by school life,
// justifications, sanctions and notes.
func generateRegisters(ctx context.Context, v *access.Viewer, tx *db.Tx, seed int64, today string) error {
	var s [32]byte
	binary.LittleEndian.PutUint64(s[:], uint64(seed))
	copy(s[8:], "cartable demo: registers")
	rng := rand.New(rand.NewChaCha8(s))
	if today == "" {
		return nil // the first Monday of the year: no past to record
	}
	day, err := timetable.ParseDate(today)
	if err != nil {
		return fmt.Errorf("today %q: %v", today, err)
	}
	from := day.AddDate(0, 0, -10).Format(timetable.DateFormat)
	to := day.AddDate(0, 0, -1).Format(timetable.DateFormat)
	ests, err := db.Strings(ctx, tx, `SELECT id FROM establishments WHERE uai = ?`, MainUAI)
	if err != nil {
		return err
	}
	for _, est := range ests {
		ls, err := timetable.EstablishmentLessons(ctx, v, tx, est, from, to)
		if err != nil {
			return err
		}
		days := map[string]bool{}
		for i := len(ls) - 1; i >= 0 && len(days) < registerDays; i-- {
			days[ls[i].Start.In(timetable.Paris).Format(timetable.DateFormat)] = true
		}
		for _, l := range ls {
			d := l.Start.In(timetable.Paris).Format(timetable.DateFormat)
			if l.Cancelled() || d > to || !days[d] {
				continue
			}
			if rng.IntN(100) < 4 {
				continue // forgotten: to do
			}
			at := l.Start.Add(time.Duration(rng.Int64N(int64(l.End.Sub(l.Start) / 2))))
			err := attendance.SaveRegisterIn(ctx, v, tx, l.Slot.ID, l.Date, at, false, func(reg attendance.Register) attendance.RegisterInput {
				in := attendance.RegisterInput{Done: rng.IntN(100) < 95}
				dur := int(l.End.Sub(l.Start).Minutes())
				for _, r := range reg.Rows {
					if r.Away != "" {
						continue
					}
					m := attendance.MarkInput{Student: r.ID, Absent: r.Absent}
					if m.Absent { // already away for the day (school life's absence): nothing else to mark
						in.Rows = append(in.Rows, m)
						continue
					}
					switch x := rng.IntN(1000); {
					case x < 35:
						m.Absent = true
					case x < 55:
						m.LateChosen, m.Late = true, strconv.Itoa(1+rng.IntN(min(20, dur-1)))
					case x < 60 && dur > 30:
						left := l.Start.In(timetable.Paris).Add(l.End.Sub(l.Start) - 15*time.Minute)
						m.LeftAt = timetable.HHMM(left.Hour()*60 + left.Minute())
					}
					if rng.IntN(1000) < 25 {
						m.Material = true
					}
					if rng.IntN(1000) < 12 {
						m.Remark = demoRemarks[rng.IntN(len(demoRemarks))]
					}
					in.Rows = append(in.Rows, m)
				}
				return in
			})
			if err != nil {
				return fmt.Errorf("register %s: %w", l.Key(), err)
			}
		}
	}
	return nil
}
