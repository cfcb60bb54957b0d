package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"cartable/internal/access"
	"cartable/internal/check"
	"cartable/internal/config"
	"cartable/internal/directory"
	"cartable/internal/provisioning"
)

// runRollover is "cartable rollover --establishment UAI --year 2027-2028".
func runRollover(ctx context.Context, args []string) error {
	var uai, year string
	var dryRun bool
	c, err := parse("rollover", args, config.Defaults{DataDir: "data"}, func(fs *flag.FlagSet) {
		fs.StringVar(&uai, "establishment", "", "UAI of the establishment (required)")
		fs.StringVar(&year, "year", "", "the school year to open, e.g. 2027-2028 (required)")
		fs.BoolVar(&dryRun, "dry-run", false, "show what would be closed and opened, change nothing")
	})
	if err != nil {
		return err
	}
	if uai == "" || year == "" {
		fmt.Fprintln(os.Stderr, "cartable rollover: --establishment UAI and --year YYYY-YYYY are required")
		return errUsage
	}
	d, err := openDB(ctx, c, newLogger(c.LogLevel))
	if err != nil {
		return err
	}
	defer d.Close()
	e, err := directory.EstablishmentByUAI(ctx, d, strings.ToUpper(uai))
	if errors.Is(err, directory.ErrNotFound) {
		return fmt.Errorf("no establishment with UAI %s", uai)
	}
	if err != nil {
		return err
	}
	var p *provisioning.RolloverPlan
	sys := access.System("rollover")
	if dryRun {
		p, err = provisioning.PlanRollover(ctx, sys, d, e.ID, year)
	} else {
		p, err = provisioning.Rollover(ctx, sys, d, e.ID, year, time.Now())
	}
	if ps, ok := check.As(err); ok {
		return errors.New(yearProblems[ps[0].Code])
	}
	if err != nil {
		return err
	}
	verb := "Closed"
	if dryRun {
		verb = "Would close"
	}
	for _, y := range p.Closing {
		fmt.Printf("%s %s (%s → %s) of %s %s\n", verb, y.Label, y.StartsOn, y.EndsOn, e.UAI, e.Name)
	}
	if len(p.Closing) == 0 {
		fmt.Printf("%s has no open school year to close.\n", e.UAI)
	}
	fmt.Printf("  kept read-only: %d classes, %d groups, %d enrolments, %d group memberships, %d teaching assignments, %d head teachers\n",
		p.Classes, p.Groups, p.Enrolments, p.GroupMembers, p.Assignments, p.HeadTeachers)
	if dryRun {
		fmt.Printf("Would open %s (%s → %s). Dry run: nothing changed.\n", p.NewYear.Label, p.NewYear.StartsOn, p.NewYear.EndsOn)
	} else {
		fmt.Printf("Opened %s (%s → %s). The next complete delivery fills it.\n", p.NewYear.Label, p.NewYear.StartsOn, p.NewYear.EndsOn)
	}
	return nil
}

// yearProblems say what is wrong with --year (provisioning.CheckRollover).
var yearProblems = map[string]string{
	"label":  "the year must read YYYY-YYYY, two consecutive years (e.g. 2027-2028)",
	"exists": "this school year already exists in the establishment",
	"order":  "an open school year starts after the new one: the rollover only moves forward",
}
