package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"cartable/internal/access"
	"cartable/internal/config"
	"cartable/internal/directory"
	"cartable/internal/timetable"
)

const importTimetableUsage = `Usage:
  cartable import timetable [flags] FILE|FOLDER...

Imports timetables (EDT_STS .xml or .csv, docs/formats/timetable.md), one
file per establishment, named after its UAI (0590001A.csv), or one file
with --establishment UAI. A folder stands for its .csv and .xml files.
Each file replaces the weekly lessons of its establishment's current school
year, in a transaction of its own; a file with a fault changes nothing
(unless --skip-faulty) and the command goes on with the next, then exits 1.
`

// runImportTimetable is "cartable import timetable …": what the
// timetable page's import does, for many establishments at once (a
// region's timetables, or the load tests').
func runImportTimetable(ctx context.Context, args []string) error {
	var establishment string
	var skip bool
	fs := flag.NewFlagSet("cartable import timetable", flag.ContinueOnError)
	fs.Usage = func() { fmt.Fprint(fs.Output(), importTimetableUsage+"\nFlags:\n"); fs.PrintDefaults() }
	c := config.Register(fs, config.Defaults{DataDir: "data"})
	fs.StringVar(&establishment, "establishment", "", "UAI of the establishment (default: each file's name)")
	fs.BoolVar(&skip, "skip-faulty", false, "import the correct lessons and list the others")
	paths, err := parseInterleaved(fs, args)
	if err != nil {
		return errUsage
	}
	if len(paths) == 0 {
		fmt.Fprint(os.Stderr, importTimetableUsage)
		return errUsage
	}
	if err := c.Finish(); err != nil {
		return err
	}
	var files []string
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return err
		}
		if !st.IsDir() {
			files = append(files, p)
			continue
		}
		for _, ext := range []string{"*.csv", "*.xml"} {
			m, _ := filepath.Glob(filepath.Join(p, ext))
			files = append(files, m...)
		}
	}
	slices.Sort(files)
	if establishment != "" && len(files) != 1 {
		return fmt.Errorf("--establishment names the establishment of one file (got %d)", len(files))
	}
	d, err := openDB(ctx, c, newLogger(c.LogLevel))
	if err != nil {
		return err
	}
	defer d.Close()
	sys := access.System("import")
	today := time.Now().In(timetable.Paris).Format(timetable.DateFormat)
	failed, lessons, analyzed := 0, 0, 0
	start := time.Now()
	for _, f := range files {
		if lessons > 2*analyzed {
			// Each file's foreign-key checks look lessons up by ID with
			// plans PostgreSQL made when the table was small (a sequential
			// scan): refreshed each time the lessons double, 300 files took
			// 0.3 s each instead of a time growing to 2 s (issue 14).
			if err := d.Analyze(ctx, "tt_slots", "tt_slot_teachers", "tt_slot_audiences"); err != nil {
				return err
			}
			analyzed = lessons
		}
		uai := establishment
		if uai == "" {
			uai = strings.TrimSuffix(filepath.Base(f), filepath.Ext(f))
		}
		fail := func(err error) { failed++; fmt.Fprintf(os.Stderr, "%s: %v\n", filepath.Base(f), err) }
		data, err := os.ReadFile(f)
		if err != nil {
			fail(err)
			continue
		}
		e, err := directory.EstablishmentByUAI(ctx, d, uai)
		if err != nil {
			fail(fmt.Errorf("no establishment with the UAI %q", uai))
			continue
		}
		y, err := timetable.CurrentYear(ctx, sys, d, e.ID, today)
		if errors.Is(err, timetable.ErrNoYear) {
			fail(errors.New("the establishment has no open school year"))
			continue
		} else if err != nil {
			return err
		}
		rep, err := timetable.Import(ctx, sys, d, filepath.Base(f), data, timetable.ImportOptions{EstablishmentID: e.ID, SchoolYearID: y.ID, SkipFaulty: skip})
		if err != nil && len(rep.Problems) == 0 {
			return err
		}
		for _, p := range rep.Problems[:min(len(rep.Problems), 20)] {
			fmt.Fprintf(os.Stderr, "%s: line %d, %s: %s %s\n", filepath.Base(f), p.Line, p.Field, p.Code, p.Value)
		}
		if !rep.Applied {
			fail(fmt.Errorf("nothing imported (faults: %d)", len(rep.Problems)))
			continue
		}
		lessons += rep.Lessons
		fmt.Printf("%s (%s): %d lessons, %d skipped, %d rooms created\n", uai, y.Label, rep.Lessons, rep.Skipped, rep.Rooms)
	}
	if lessons > 10000 {
		// A region's timetables are a bulk load: without fresh statistics
		// PostgreSQL plans the week view for the empty tables it saw
		// before (1.5 s a page for 250,000 people instead of 40 ms).
		if err := d.Analyze(ctx); err != nil {
			return err
		}
	}
	fmt.Printf("%d files, %d lessons imported in %v\n", len(files)-failed, lessons, time.Since(start).Round(time.Millisecond))
	if failed > 0 {
		return fmt.Errorf("%d of %d files not imported", failed, len(files))
	}
	return nil
}
