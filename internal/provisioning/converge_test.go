package provisioning_test

import (
	"os"
	"strings"
	"testing"
	"time"

	"cartable/internal/db"
	"cartable/internal/dbtest"
	"cartable/internal/provisioning"
)

// One complete import converges: the same delivery imported a second time
// changes nothing — every count of a change is zero, no row of the
// directory moves, and the audit trail gains the import's own event only.
// The first import used to name a class (or group) its students mention
// before their structure declares it by its code, and apply the
// structure's label ("Classe 3A") only on the second run.
func TestFirstCompleteImportConverges(t *testing.T) {
	// The fixture, its structures declaring their classes and groups with
	// labels, as real deliveries do.
	labelled := copyDir(t, completeDir, func(name string, b []byte) []byte {
		if !strings.Contains(name, "EtabEducNat") {
			return b
		}
		s := string(b)
		decl := map[string][2]string{
			"1001": {`<value>6A$Classe 6A</value><value>6B$Classe 6B</value>`, `<value>6AB-ANG$Anglais 6e A-B</value>`},
			"1002": {`<value>2NDE1$Seconde 1</value>`, ``},
		}
		parts := strings.Split(s, "<addRequest>")
		for i, p := range parts {
			for key, v := range decl {
				if strings.Contains(p, `<attr name="ENTStructureJointure"><value>`+key+`</value>`) {
					p = strings.Replace(p, `<attr name="ENTStructureClasses"><value/></attr>`, "", 1)
					p = strings.Replace(p, `<attr name="ENTStructureGroupes"><value/></attr>`, "", 1)
					decl := `<attr name="ENTStructureClasses">` + v[0] + `</attr>`
					if v[1] != "" {
						decl += `<attr name="ENTStructureGroupes">` + v[1] + `</attr>`
					}
					p = strings.Replace(p, "</attributes>", decl+"</attributes>", 1)
				}
			}
			parts[i] = p
		}
		return []byte(strings.Join(parts, "<addRequest>"))
	})
	t.Run("fixture with labels", func(t *testing.T) {
		d := dbtest.Open(t)
		convergesOnce(t, d, func() *provisioning.Delivery { return read(t, provisioning.AAF, labelled) }, day0)
		for code, want := range map[string]string{"6A": "Classe 6A", "6B": "Classe 6B", "2NDE1": "Seconde 1"} {
			if got := column(t, d, `SELECT name FROM classes WHERE code = ?`, code); len(got) != 1 || got[0] != want {
				t.Errorf("class %s named %v after the first import, want %q", code, got, want)
			}
		}
		if got := column(t, d, `SELECT name FROM groups WHERE code = '6AB-ANG'`); len(got) != 1 || got[0] != "Anglais 6e A-B" {
			t.Errorf("group named %v after the first import", got)
		}
	})

	const samples = "../../../shared/samples/aaf/"
	if _, err := os.Stat(samples); err != nil {
		t.Skip("the shared samples are not here")
	}
	t.Run("sample 2020", func(t *testing.T) {
		d := dbtest.Open(t)
		convergesOnce(t, d, func() *provisioning.Delivery { return read(t, provisioning.AAF, samples+"2020") },
			time.Date(2020, 1, 1, 6, 0, 0, 0, time.UTC))
	})
	// The 2013 sample's structures declare no class: here each declares,
	// with a label, the classes and groups its students are in.
	t.Run("sample 2013 with labels", func(t *testing.T) {
		d := dbtest.Open(t)
		convergesOnce(t, d, func() *provisioning.Delivery {
			dl := read(t, provisioning.AAF, samples+"2013")
			classes, groups := map[string]map[string]bool{}, map[string]map[string]bool{}
			add := func(m map[string]map[string]bool, r provisioning.Ref) {
				if m[r.Est] == nil {
					m[r.Est] = map[string]bool{}
				}
				m[r.Est][r.Code] = true
			}
			for _, p := range dl.People {
				for _, r := range p.Classes {
					add(classes, r)
				}
				for _, r := range p.Groups {
					add(groups, r)
				}
			}
			for _, s := range dl.Structures {
				for code := range classes[s.Key] {
					s.Classes = append(s.Classes, provisioning.Named{Code: code, Name: "Classe " + code})
				}
				for code := range groups[s.Key] {
					s.Groups = append(s.Groups, provisioning.Named{Code: code, Name: "Groupe " + code})
				}
			}
			return dl
		}, time.Date(2013, 1, 17, 6, 0, 0, 0, time.UTC))
		if n := count(t, d, `SELECT COUNT(*) FROM classes WHERE name <> 'Classe ' || code`); n != 0 {
			t.Errorf("%d classes not named by their structure's label", n)
		}
	})
}

// convergesOnce imports a complete delivery (read afresh each time: an
// import consumes it) into d, then again, and checks that the second run
// changed nothing.
func convergesOnce(t *testing.T, d *db.DB, delivery func() *provisioning.Delivery, now time.Time) {
	t.Helper()
	first, err := provisioning.Import(ctx, system, d, delivery(), provisioning.Options{Now: at(now)})
	if err != nil {
		t.Fatal(err)
	}
	if first.Changes() == 0 {
		t.Fatal("the first import changed nothing")
	}
	// The history and the audit trail gain the second run's own lines;
	// every other table must stay as it is, row for row.
	history := []string{"import_runs", "import_run_establishments", "audit_events"}
	before := snapshotExcept(t, d, history...)
	last := count(t, d, `SELECT COALESCE(MAX(id), 0) FROM audit_events`)
	again, err := provisioning.Import(ctx, system, d, delivery(), provisioning.Options{Now: at(now.Add(time.Hour))})
	if err != nil {
		t.Fatal(err)
	}
	if n := again.Changes(); n != 0 {
		for kind, acts := range again.Counts {
			for act, n := range acts {
				if act != "unchanged" {
					t.Errorf("second import: %s %s %d", kind, act, n)
				}
			}
		}
	}
	if snapshotExcept(t, d, history...) != before {
		t.Error("the second import changed rows of the directory")
	}
	if got := column(t, d, `SELECT action FROM audit_events WHERE id > ?`, last); len(got) != 1 || got[0] != provisioning.AuditImport {
		t.Errorf("the second import audited %v, want its import event alone", got)
	}
}
