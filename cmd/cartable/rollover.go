package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

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
	if dryRun {
		p, err = provisioning.PlanRollover(ctx, d, e.ID, year)
	} else {
		p, err = provisioning.Rollover(ctx, d, e.ID, year, "", time.Now())
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
