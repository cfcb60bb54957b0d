package provisioning_test

import (
	"strconv"
	"strings"
	"testing"

	"cartable/internal/dbtest"
	"cartable/internal/i18n"
	"cartable/internal/provisioning"
)

// Every count a summary holds reads as a phrase of the catalogs, in each
// language, that agrees with its number ("1 classe créée", "3 classes
// créées"): the pages never show "classes créés 1".
func TestEveryCountReadsAsAPhrase(t *testing.T) {
	d := dbtest.Open(t)
	sums := []*provisioning.Summary{importAAF(t, d, completeDir, provisioning.Options{})}
	sums = append(sums, importAAF(t, d, deltaDir, provisioning.Options{Now: at(day0.AddDate(0, 1, 0))}))
	sums = append(sums, importAAF(t, d, completeDir, provisioning.Options{Now: at(day0.AddDate(0, 2, 0)), AllowMassDeactivation: true}))
	seen := map[string]bool{}
	for _, s := range sums {
		for kind, acts := range s.Counts {
			for act := range acts {
				seen[kind+"."+act] = true
			}
		}
	}
	if len(seen) < 20 {
		t.Fatalf("only %d kinds of counts seen", len(seen))
	}
	for _, kind := range provisioning.Kinds {
		seen[kind] = true
	}
	for pair := range seen {
		for _, lang := range i18n.Languages {
			for _, n := range []int{0, 1, 2} {
				key := "prov.n." + pair
				if got := i18n.N(lang, key, n); strings.HasPrefix(got, key) || !strings.HasPrefix(got, strconv.Itoa(n)+" ") {
					t.Errorf("%s %s %d: %q", lang, key, n, got)
				}
			}
		}
	}
}

// The days an issue names are written like every date of the interface.
func TestIssueDatesInTheReadersLanguage(t *testing.T) {
	is := provisioning.Issue{Code: "aaf-mixed-dates", Args: []string{"20260902", "20260901"}}
	if got := is.Message("fr"); got != "fichier daté du 2 septembre 2026 dans une livraison du 1er septembre 2026" {
		t.Errorf("fr: %q", got)
	}
	if got := is.Message("en"); !strings.Contains(got, "1 September 2026") {
		t.Errorf("en: %q", got)
	}
}
