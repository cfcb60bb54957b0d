package provisioning_test

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"testing"

	"cartable/internal/provisioning"
)

func memFile(name string, b []byte) provisioning.File {
	return provisioning.File{Name: name, Open: func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }}
}

// seeds adds every file of the fixture folders as a seed.
func seeds(f *testing.F, pattern string) {
	paths, _ := filepath.Glob(pattern)
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
}

// FuzzAAF feeds arbitrary bytes to the AAF reader as a student file and as
// an establishment file: it must never panic nor hang, and whatever it
// accepts must be well formed.
func FuzzAAF(f *testing.F) {
	seeds(f, "testdata/aaf/*/*.xml")
	f.Add([]byte(`<?xml version="1.0" encoding="ISO-8859-15"?><ficAlimMENESR><addRequest><operationalAttributes><attr name="categoriePersonne"><value>Eleve</value></attr></operationalAttributes><identifier><id>1</id></identifier><attributes><attr name="sn"><value>A</value></attr><attr name="givenName"><value>B</value></attr><attr name="ENTEleveClasses"><value>1$$</value><value>$</value></attr><attr name="ENTElevePersRelEleve"><value>$$$$$$$</value></attr></attributes></addRequest></ficAlimMENESR>`))
	f.Add([]byte(`<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;">]><ficAlimMENESR>&b;</ficAlimMENESR>`))
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, name := range []string{"F_Complet_20260901_Eleve_0000.xml", "F_Delta_20260901_EtabEducNat_0000.xml", "F_Delta_20260901_PersEducNat_0000.xml"} {
			d, err := provisioning.ReadAAF([]provisioning.File{memFile(name, b)})
			if err != nil {
				if _, ok := provisioning.AsReadError(err); !ok {
					t.Fatalf("an error without position: %v", err)
				}
				continue
			}
			for _, p := range d.People {
				if p.Key == "" || (p.Op == provisioning.OpAdd && (p.Last == "" || p.First == "")) {
					t.Fatalf("accepted a person without key or name: %+v", p)
				}
			}
			for _, s := range d.Structures {
				if s.Key == "" || (!s.Partial && s.UAI == "") {
					t.Fatalf("accepted a structure without key or UAI: %+v", s)
				}
			}
		}
	})
}

// FuzzCSV feeds arbitrary bytes to the spreadsheet reader.
func FuzzCSV(f *testing.F) {
	seeds(f, "testdata/csv/*.csv")
	f.Add([]byte("id;nom;prénom;profil;classe;groupes\n1;\"A\";B;élève;\"6A|6B\";;;\n"))
	f.Add([]byte("\xef\xbb\xbfid,nom,prenom,profil\n\"1\"\"\",\xe9,B,parent\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		d, err := provisioning.ReadCSV([]provisioning.File{memFile("f.csv", b)}, "0750001A", false)
		if err != nil {
			if _, ok := provisioning.AsReadError(err); !ok {
				t.Fatalf("an error without position: %v", err)
			}
			return
		}
		for _, p := range d.People {
			if p.Key == "" || p.Last == "" || p.First == "" || p.Profile == "" {
				t.Fatalf("accepted an incomplete row: %+v", p)
			}
		}
	})
}
