package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"
	"text/tabwriter"

	"cartable/internal/access"
	"cartable/internal/config"
	"cartable/internal/provisioning"
)

const importUsage = `Usage:
  cartable import aaf    [flags] DELIVERY        a folder or a .zip of AAF files (complete or delta)
  cartable import siecle [flags] FILE...         SIECLE exports: students (BEE_ELEVES) and guardians (BEE_RESPONSABLES)
  cartable import sts    [flags] FILE...         an STS-web export (STS_EDT): staff and teaching services
  cartable import csv    [flags] --establishment UAI FILE...   a spreadsheet of people (; or , separated)
  cartable import timetable [flags] FILE|FOLDER...  timetables, a file per establishment named UAI.csv or UAI.xml

The import reads everything first, computes every change against the
directory, prints a summary, and applies it in one transaction (nothing is
applied when a file is wrong). Run it twice: the second run changes nothing.
`

// runImport is "cartable import SOURCE …".
func runImport(ctx context.Context, args []string) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		fmt.Fprint(os.Stderr, importUsage)
		return errUsage
	}
	source := args[0]
	if source == "timetable" {
		return runImportTimetable(ctx, args[1:])
	}
	known := false
	for _, s := range provisioning.Sources {
		known = known || s == source
	}
	if !known {
		fmt.Fprintf(os.Stderr, "cartable import: unknown source %q (aaf, siecle, sts, csv or timetable)\n\n%s", source, importUsage)
		return errUsage
	}
	var (
		dryRun, asJSON, allowMass, complete bool
		establishment                       string
		showProgress                        = isTerminal(os.Stderr)
	)
	fs := flag.NewFlagSet("cartable import "+source, flag.ContinueOnError)
	fs.Usage = func() { fmt.Fprint(fs.Output(), importUsage+"\nFlags:\n"); fs.PrintDefaults() }
	c := config.Register(fs, config.Defaults{DataDir: "data"})
	fs.BoolVar(&dryRun, "dry-run", false, "compute and print the changes, apply nothing")
	fs.BoolVar(&asJSON, "json", false, "print the summary as JSON (counts per kind and action)")
	fs.BoolVar(&showProgress, "progress", showProgress, "say on standard error what the import is doing (default when it is a terminal)")
	fs.BoolVar(&allowMass, "allow-mass-deactivation", false, "apply a complete delivery even if it deactivates more than --max-deactivation of an establishment")
	if source == provisioning.CSV {
		fs.StringVar(&establishment, "establishment", "", "UAI of the establishment the spreadsheet describes (required)")
		fs.BoolVar(&complete, "complete", false, "the spreadsheet is the whole truth for the profiles it holds: people of those profiles missing from it are deactivated")
	}
	paths, err := parseInterleaved(fs, args[1:])
	if err != nil {
		return errUsage
	}
	if len(paths) == 0 {
		fmt.Fprintf(os.Stderr, "cartable import %s: name the files to import\n", source)
		return errUsage
	}
	if source == provisioning.AAF && len(paths) != 1 {
		return fmt.Errorf("an AAF delivery is one folder or one .zip (got %d paths)", len(paths))
	}
	if source == provisioning.CSV && establishment == "" {
		return errors.New("--establishment UAI is required: a spreadsheet does not say which establishment it describes")
	}
	if err := c.Finish(); err != nil {
		return err
	}
	limitMemory()

	files, err := provisioning.FilesFromPaths(paths)
	if err != nil {
		return err
	}
	progress(!showProgress || asJSON, "reading %d files…", len(files))
	var dl *provisioning.Delivery
	switch source {
	case provisioning.AAF:
		dl, err = provisioning.ReadAAF(files)
	case provisioning.SIECLE:
		dl, err = provisioning.ReadSIECLE(files)
	case provisioning.STS:
		dl, err = provisioning.ReadSTS(files)
	case provisioning.CSV:
		dl, err = provisioning.ReadCSV(files, establishment, complete)
	}
	if err != nil {
		return readFailure(err, asJSON)
	}
	d, err := openDB(ctx, c, newLogger(c.LogLevel))
	if err != nil {
		return err
	}
	defer d.Close()
	if dryRun {
		progress(!showProgress || asJSON, "computing the changes…")
	} else {
		progress(!showProgress || asJSON, "computing and applying the changes in one transaction…")
	}
	sum, err := provisioning.Import(ctx, access.System("import"), d, dl, provisioning.Options{DryRun: dryRun, AllowMassDeactivation: allowMass,
		MaxDeactivation: float64(c.MaxDeactivation) / 100})
	if err != nil && sum == nil {
		return readFailure(err, asJSON)
	}
	if asJSON {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		if e := enc.Encode(sum); e != nil {
			return e
		}
	} else {
		printSummary(os.Stdout, sum)
	}
	if errors.Is(err, provisioning.ErrMassDeactivation) {
		return fmt.Errorf("%v; rerun with --allow-mass-deactivation if the departures are real", err)
	}
	if err != nil {
		return fmt.Errorf("nothing applied: %v", err)
	}
	return nil
}

// parseInterleaved accepts flags before, between and after the paths.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// limitMemory keeps the import within a resident budget (the garbage
// collector works harder near the limit) unless GOMEMLIMIT says otherwise.
func limitMemory() {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(340 << 20)
	}
}

func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

func progress(quiet bool, format string, args ...any) {
	if !quiet {
		fmt.Fprintf(os.Stderr, format+"\n", args...)
	}
}

// readFailure prints every error of a delivery with its file and line.
func readFailure(err error, asJSON bool) error {
	re, ok := provisioning.AsReadError(err)
	if !ok {
		return err
	}
	if asJSON {
		b, _ := json.MarshalIndent(struct {
			Errors     []provisioning.Issue `json:"errors"`
			ErrorCount int                  `json:"error_count"`
			Applied    bool                 `json:"applied"`
		}{re.Issues, re.Count, false}, "", "  ")
		fmt.Println(string(b))
	} else if re.Count > 1 {
		for _, is := range re.Issues {
			fmt.Fprintln(os.Stderr, "  "+is.String())
		}
		if re.Count > len(re.Issues) {
			fmt.Fprintf(os.Stderr, "  … and %d more\n", re.Count-len(re.Issues))
		}
		return fmt.Errorf("%d errors in the delivery; nothing applied", re.Count)
	}
	return fmt.Errorf("%v; nothing applied", err)
}

func printSummary(w io.Writer, s *provisioning.Summary) {
	newEsts := 0
	for _, e := range s.Establishments {
		if e.New {
			newEsts++
		}
	}
	date := ""
	if s.Date != "" {
		date = " of " + s.Date
	}
	fmt.Fprintf(w, "%s %s delivery%s: %d files, %d establishments (%d new)\n", strings.ToUpper(s.Source), s.Mode, date,
		len(s.Files), len(s.Establishments), newEsts)
	switch {
	case s.Applied:
		fmt.Fprintf(w, "Applied in one transaction (import run %s).\n", s.RunID)
	case s.DryRun:
		fmt.Fprintln(w, "Dry run: nothing applied.")
	default:
		fmt.Fprintln(w, "Nothing applied.")
	}
	rows := s.Rows()
	if len(rows) > 0 {
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		used := s.UsedActions()
		fmt.Fprint(tw, "\t")
		for _, i := range used {
			fmt.Fprint(tw, provisioning.Actions[i]+"\t")
		}
		fmt.Fprintln(tw)
		for _, r := range rows {
			fmt.Fprint(tw, r.Kind+"\t")
			for _, i := range used {
				if r.Counts[i] == 0 {
					fmt.Fprint(tw, "\t")
				} else {
					fmt.Fprintf(tw, "%d\t", r.Counts[i])
				}
			}
			fmt.Fprintln(tw)
		}
		tw.Flush()
	}
	for _, g := range s.Guard {
		mark := ""
		if g.Over {
			mark = "  ← over the limit"
		}
		fmt.Fprintf(w, "Leaving %s: %d of %d people (%.0f %%)%s\n", g.UAI, g.Leaving, g.Active, 100*g.Share, mark)
	}
	if n := s.Report.WarningTotal(); n > 0 {
		fmt.Fprintf(w, "Warnings: %d\n", n)
		for _, code := range s.Report.WarningCodes() {
			fmt.Fprintf(w, "  %6d  %s\n", s.Report.WarningCounts[code], code)
			shown := 0
			for _, is := range s.Report.Warnings {
				if is.Code == code && shown < 3 {
					fmt.Fprintf(w, "          %s\n", is.String())
					shown++
				}
			}
		}
	}
}
