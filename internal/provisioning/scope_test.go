package provisioning_test

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"cartable/internal/access"
	"cartable/internal/db"
	"cartable/internal/dbtest"
	"cartable/internal/provisioning"
	"cartable/internal/roles"
)

// writeDelta writes one AAF delta file of a type holding the requests.
func writeDelta(t *testing.T, typ, requests string) string {
	t.Helper()
	dir := t.TempDir()
	body := `<?xml version="1.0" encoding="UTF-8"?>` + "\n<ficAlimMENESR>\n" + requests + "</ficAlimMENESR>\n"
	if err := os.WriteFile(filepath.Join(dir, "X_Delta_20261001_"+typ+"_0000.xml"), []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func modifyRequest(category, key, attr, value string) string {
	return `<modifyRequest><operationalAttributes><attr name="categoriePersonne"><value>` + category +
		`</value></attr></operationalAttributes><identifier><id>` + key + `</id></identifier><modifications>` +
		`<modification name="` + attr + `" operation="replace"><value>` + value + `</value></modification></modifications></modifyRequest>` + "\n"
}

// scopeOf returns the Scope of a delivery's changes, as Import's rule
// sees it.
func scopeOf(t *testing.T, d *db.DB, dir string) provisioning.Scope {
	t.Helper()
	sc, err := provisioning.ScopeOf(ctx, d, read(t, provisioning.AAF, dir), provisioning.Options{DryRun: true, Now: at(day0)})
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

func TestScopeReachesEveryEstablishmentOfAChangedPerson(t *testing.T) {
	d := dbtest.Open(t)
	importAAF(t, d, completeDir, provisioning.Options{})
	a, b := column(t, d, `SELECT id FROM establishments WHERE uai = '0750001A'`)[0], column(t, d, `SELECT id FROM establishments WHERE uai = '0750002B'`)[0]
	r1 := person(t, d, "R1")
	have := column(t, d, `SELECT establishment_id FROM memberships WHERE person_id = ?`, r1.ID)
	if !slices.Equal(have, []string{a}) {
		t.Fatalf("R1 attached to %v", have)
	}
	if _, err := d.Exec(ctx, `INSERT INTO memberships (person_id, establishment_id) VALUES (?, ?)`, r1.ID, b); err != nil {
		t.Fatal(err)
	}
	mobile := writeDelta(t, "PersRelEleve", modifyRequest("PersRelEleve", "R1", "mail", "x@example.org"))

	// A delta naming no establishment still concerns both of R1's.
	sc := scopeOf(t, d, mobile)
	want := []string{a, b}
	slices.Sort(want)
	if len(sc.Named) != 0 || sc.Creates || !slices.Equal(sc.Establishments, want) || sc.People != 1 || sc.Unattached || sc.Operators {
		t.Errorf("scope of a change of R1: %+v", sc)
	}

	// So the head of the first may not import it, previewed or applied:
	// refused inside the transaction, nothing written, and the refusal
	// names no establishment of R1's.
	head := viewer(t, d, "H1")
	before := snapshot(t, d)
	for _, dry := range []bool{true, false} {
		_, err := provisioning.Import(ctx, head, d, read(t, provisioning.AAF, mobile), provisioning.Options{DryRun: dry, Now: at(day0)})
		var refusal *provisioning.ImportRefusal
		if !errors.Is(err, access.ErrDenied) || !errors.As(err, &refusal) || !refusal.Others || len(refusal.UAIs) != 0 {
			t.Fatalf("the head's import (dry run %v): %v %+v", dry, err, refusal)
		}
	}
	if snapshot(t, d) != before {
		t.Fatal("a refused import changed the directory")
	}
	// The system (the command line) may.
	if _, err := provisioning.Import(ctx, system, d, read(t, provisioning.AAF, mobile), provisioning.Options{DryRun: true, Now: at(day0)}); err != nil {
		t.Fatalf("the command line's import: %v", err)
	}

	// An unchanged person concerns nobody.
	same := writeDelta(t, "PersRelEleve", modifyRequest("PersRelEleve", "R1", "mail", r1.Email))
	if sc := scopeOf(t, d, same); sc.People != 0 || len(sc.Establishments) != 0 {
		t.Errorf("scope of no change: %+v", sc)
	}

	// Someone attached nowhere, or an operator, is the instance's.
	if _, err := d.Exec(ctx, `DELETE FROM memberships WHERE person_id = ?`, r1.ID); err != nil {
		t.Fatal(err)
	}
	if sc := scopeOf(t, d, mobile); !sc.Unattached || len(sc.Establishments) != 0 {
		t.Errorf("scope of a change of someone attached nowhere: %+v", sc)
	}
	if _, err := d.Exec(ctx, `INSERT INTO memberships (person_id, establishment_id) VALUES (?, ?)`, r1.ID, a); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Exec(ctx, `UPDATE people SET profile = ? WHERE id = ?`, roles.Admin, r1.ID); err != nil {
		t.Fatal(err)
	}
	if sc := scopeOf(t, d, mobile); !sc.Operators || !slices.Equal(sc.Establishments, []string{a}) {
		t.Errorf("scope of a change of an operator: %+v", sc)
	}
}

// A relation changed within an establishment concerns that establishment
// only; the fixture's delta names the collège and changes people there.
func TestScopeOfTheFixtureDelta(t *testing.T) {
	d := dbtest.Open(t)
	importAAF(t, d, completeDir, provisioning.Options{})
	a := column(t, d, `SELECT id FROM establishments WHERE uai = '0750001A'`)[0]
	sc := scopeOf(t, d, deltaDir)
	if !slices.Contains(sc.Named, a) || sc.Creates || !slices.Contains(sc.Establishments, a) || sc.People == 0 || sc.Unattached {
		t.Errorf("scope of the fixture's delta: %+v", sc)
	}
}
