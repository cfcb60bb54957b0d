// Command aafgen writes a synthetic AAF delivery (see internal/provisioning/synth):
//
//	go run ./cmd/aafgen -people 200000 -out /tmp/academy
//	go run ./cmd/aafgen -people 200000 -delta 1000 -out /tmp/delta
//	go run ./cmd/aafgen -people 250000 -establishments 300 -out /tmp/region -timetables /tmp/region-tt
//
// The same options always write the same files. A delta refers to the
// people of the complete delivery of the same -people and -seed.
package main

import (
	"flag"
	"fmt"
	"os"

	"cartable/internal/provisioning/synth"
)

func main() {
	var o synth.Options
	var out, date string
	var delta int
	flag.IntVar(&o.People, "people", 2000, "about how many people (students, relatives, staff)")
	flag.IntVar(&o.Establishments, "establishments", 0, "establishments (default: one per 2,000 people)")
	flag.Uint64Var(&o.Seed, "seed", 1, "seed of the generator")
	flag.IntVar(&delta, "delta", 0, "write a delta of this many changes instead of a complete delivery")
	flag.StringVar(&date, "date", "", "delivery date YYYYMMDD (default 20260901, or 20261001 for a delta)")
	flag.StringVar(&out, "out", "", "folder to write into (required)")
	timetables := flag.String("timetables", "", "also write each establishment's weekly timetable, UAI.csv, into this folder (for `cartable import timetable`)")
	flag.Parse()
	if out == "" {
		fmt.Fprintln(os.Stderr, "aafgen: -out FOLDER is required")
		os.Exit(2)
	}
	var c synth.Counts
	var err error
	if delta > 0 {
		if date == "" {
			date = "20261001"
		}
		c, err = synth.Delta(out, o, delta, date)
	} else {
		o.Date = date
		c, err = synth.Complete(out, o)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "aafgen:", err)
		os.Exit(1)
	}
	if *timetables != "" && delta == 0 {
		tc, err := synth.Timetables(*timetables, o)
		if err != nil {
			fmt.Fprintln(os.Stderr, "aafgen:", err)
			os.Exit(1)
		}
		fmt.Printf("%d timetables, %d weekly lessons written to %s (%d teachings short of hours)\n", tc.Files, tc.Lessons, *timetables, tc.Short)
	}
	if delta > 0 {
		fmt.Printf("delta of %d changes written to %s\n", c.Changes, out)
		return
	}
	fmt.Printf("%d establishments, %d students, %d relatives, %d staff, %d classes written to %s\n",
		c.Establishments, c.Students, c.Relatives, c.Staff, c.Classes, out)
}
