package demo

import (
	"context"
	"encoding/binary"
	"math"
	"math/rand/v2"
	"strconv"

	"cartable/internal/access"
	"cartable/internal/db"
	"cartable/internal/grades"
	"cartable/internal/ids"
	"cartable/internal/timetable"
)

// competenceItem is an item of the demo's catalogue: a subject (by its
// national code; "" for the whole establishment), a component, a label.
type competenceItem struct {
	subject   string
	component grades.Component
	label     string
}

// competenceCatalogue gives each collège subject a few items, as a
// teaching team would write them from the cycle 4 programmes.
var competenceCatalogue = []competenceItem{
	{"", grades.CompMethods, "Organiser son travail personnel"},
	{"", grades.CompCitizen, "Coopérer et respecter autrui"},
	{"020700", grades.CompFrench, "Lire et comprendre un texte"},
	{"020700", grades.CompFrench, "Écrire un texte cohérent"},
	{"020700", grades.CompFrench, "S'exprimer à l'oral"},
	{"020700", grades.CompWorld, "Situer une œuvre dans son contexte"},
	{"061300", grades.CompSciences, "Calculer"},
	{"061300", grades.CompSciences, "Raisonner"},
	{"061300", grades.CompSciences, "Modéliser"},
	{"061300", grades.CompSystems, "Résoudre un problème"},
	{"030201", grades.CompLanguages, "Comprendre à l'oral"},
	{"030201", grades.CompLanguages, "Comprendre à l'écrit"},
	{"030201", grades.CompLanguages, "S'exprimer à l'oral en continu"},
	{"030201", grades.CompLanguages, "Écrire"},
	{"030602", grades.CompLanguages, "Comprendre à l'oral"},
	{"030602", grades.CompLanguages, "S'exprimer à l'oral"},
	{"030102", grades.CompLanguages, "Comprendre à l'oral"},
	{"030102", grades.CompLanguages, "S'exprimer à l'oral"},
	{"042100", grades.CompWorld, "Se repérer dans le temps"},
	{"042100", grades.CompWorld, "Se repérer dans l'espace"},
	{"042100", grades.CompCitizen, "Comprendre les règles et le droit"},
	{"042100", grades.CompFrench, "Raconter, décrire, expliquer"},
	{"062900", grades.CompSystems, "Pratiquer des démarches scientifiques"},
	{"062900", grades.CompSystems, "Concevoir, réaliser une expérience"},
	{"062900", grades.CompSciences, "Communiquer avec un langage scientifique"},
	{"062300", grades.CompSystems, "Mener une démarche expérimentale"},
	{"062300", grades.CompSciences, "Utiliser les grandeurs et les unités"},
	{"070800", grades.CompSystems, "Concevoir un objet technique"},
	{"070800", grades.CompSciences, "Écrire un programme"},
	{"070800", grades.CompMethods, "Utiliser les outils numériques"},
	{"090100", grades.CompArts, "Expérimenter, produire, créer"},
	{"090100", grades.CompArts, "Analyser une œuvre"},
	{"081300", grades.CompArts, "Chanter et interpréter"},
	{"081300", grades.CompArts, "Écouter, comparer, commenter"},
	{"100100", grades.CompArts, "Produire une performance"},
	{"100100", grades.CompCitizen, "Respecter les règles, arbitrer"},
	{"100100", grades.CompMethods, "S'entraîner, apprendre"},
	{"020100", grades.CompFrench, "Lire et traduire"},
	{"020100", grades.CompWorld, "Connaître l'Antiquité"},
}

// GenerateCompetences gives the demo collège its competence items (the
// catalogue above) and levels on one in three of the first term's
// evaluations held by today (those the grades generator wrote; none when
// there are none): two or three items each, a level for every student of
// the class or group, drawn around a steady ability per student, with a
// few absences and exemptions. Everything goes through the grades
// package's checks, as a system viewer, deterministic from the seed.
func GenerateCompetences(ctx context.Context, v *access.Viewer, tx *db.Tx, seed int64, today string) error {
	if err := v.Can(ctx, access.Provision, access.Instance()); err != nil {
		return err
	}
	var idSeed [32]byte
	binary.LittleEndian.PutUint64(idSeed[:], uint64(seed))
	copy(idSeed[8:], "cartable demo: competences ids")
	src := rand.NewChaCha8(idSeed)
	newID := func() string { return ids.From(src) }
	rng := rand.New(rand.NewPCG(uint64(seed), 0x636f6d70))

	var est, year, start string
	if err := tx.QueryRow(ctx, `SELECT e.id, y.id, y.starts_on FROM establishments e JOIN school_years y ON y.establishment_id = e.id
		WHERE e.uai = ? AND NOT y.closed ORDER BY y.starts_on LIMIT 1`, MainUAI).Scan(&est, &year, &start); err != nil {
		return err
	}
	first, err := timetable.ParseDate(start)
	if err != nil {
		return err
	}
	subjects := map[string]string{} // national code → ID
	rows, err := db.All(ctx, tx, func(s db.Scanner) (r [2]string, err error) { err = s.Scan(&r[0], &r[1]); return },
		`SELECT code, id FROM subjects WHERE establishment_id = ?`, est)
	if err != nil {
		return err
	}
	for _, r := range rows {
		subjects[r[0]] = r[1]
	}
	// The items, written before the year starts.
	at := timetable.At(first.AddDate(0, 0, -2), 9*60)
	items := map[string][]string{} // subject ID ("" : the establishment's) → item IDs
	for _, c := range competenceCatalogue {
		in := grades.ItemInput{Establishment: est, Component: string(c.component), Label: c.label}
		if c.subject != "" {
			id, ok := subjects[c.subject]
			if !ok {
				continue
			}
			in.Subject = id
		}
		id, err := grades.CreateItemIn(ctx, v, tx, at, newID, in)
		if err != nil {
			return err
		}
		items[in.Subject] = append(items[in.Subject], id)
	}

	var t1 string
	if err := tx.QueryRow(ctx, `SELECT id FROM periods WHERE school_year_id = ? AND number = 1`, year).Scan(&t1); err != nil {
		return err
	}
	evs, err := grades.EvaluationsOfPeriodIn(ctx, v, tx, est, t1)
	if err != nil {
		return err
	}
	ability := map[string]float64{} // student → their usual level, drawn once
	n := 0
	for _, e := range evs {
		subjectItems := items[e.Subject]
		if e.HeldOn > today || len(subjectItems) == 0 {
			continue
		}
		n++
		if n%3 != 1 {
			continue
		}
		// Two items of the subject, and one of the establishment's in one
		// evaluation out of three.
		perm := rng.Perm(len(subjectItems))
		chosen := []string{subjectItems[perm[0]]}
		if len(perm) > 1 {
			chosen = append(chosen, subjectItems[perm[1]])
		}
		if rng.IntN(3) == 0 && len(items[""]) > 0 {
			chosen = append(chosen, items[""][rng.IntN(len(items[""]))])
		}
		held, err := timetable.ParseDate(e.HeldOn)
		if err != nil {
			return err
		}
		when := timetable.At(held, 18*60)
		if err := grades.SetEvaluationItemsIn(ctx, v, tx, when, e.ID, chosen); err != nil {
			return err
		}
		students, err := grades.RosterIn(ctx, v, tx, e)
		if err != nil {
			return err
		}
		cells := map[string]map[string]string{}
		for _, s := range students {
			a, ok := ability[s.ID]
			if !ok {
				a = 1.6 + rng.Float64()*2.4
				ability[s.ID] = a
			}
			row := map[string]string{}
			for _, it := range chosen {
				switch r := rng.Float64(); {
				case r < 0.03:
					row[it] = grades.LevelAbsent
				case r < 0.04:
					row[it] = grades.LevelExempt
				default:
					l := math.Round(a + rng.NormFloat64()*0.7)
					row[it] = strconv.Itoa(int(min(4, max(1, l))))
				}
			}
			cells[s.ID] = row
		}
		if err := grades.SaveLevelsIn(ctx, v, tx, when, e.ID, cells); err != nil {
			return err
		}
	}
	return nil
}
