package provisioning_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"cartable/internal/dbtest"
	"cartable/internal/provisioning"
)

// readErr reads a delivery made of the complete fixture with one file
// replaced (or added), and returns the single error expected.
func readErr(t *testing.T, name string, body []byte) *provisioning.ReadError {
	t.Helper()
	dir := copyDir(t, completeDir, nil)
	if err := os.WriteFile(filepath.Join(dir, name), body, 0o644); err != nil {
		t.Fatal(err)
	}
	files, err := provisioning.FilesFromPaths([]string{dir})
	if err != nil {
		t.Fatal(err)
	}
	_, err = provisioning.ReadAAF(files)
	re, ok := provisioning.AsReadError(err)
	if !ok {
		t.Fatalf("%s: want a read error, got %v", name, err)
	}
	return re
}

func wantIssue(t *testing.T, re *provisioning.ReadError, file string, line int, code, text string) {
	t.Helper()
	is := re.Issues[0]
	if is.File != file || (line > 0 && is.Line != line) || is.Code != code || !strings.Contains(is.Message("en"), text) {
		t.Errorf("got %s:%d %s %q; want %s:%d %s containing %q", is.File, is.Line, is.Code, is.Message("en"), file, line, code, text)
	}
	if fr := is.Message("fr"); fr == "" || strings.HasPrefix(fr, "provisioning.issue.") {
		t.Errorf("no French message for %s", code)
	}
}

const eleveFile = "TEST_Complet_20260901_Eleve_0000.xml"

func TestClearErrors(t *testing.T) {
	head := "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ficAlimMENESR>\n"
	add := func(attrs string) string {
		return "<addRequest>\n<operationalAttributes><attr name=\"categoriePersonne\"><value>Eleve</value></attr></operationalAttributes>\n" +
			"<identifier><id>X1</id></identifier>\n<attributes>\n" + attrs + "</attributes>\n</addRequest>\n"
	}
	t.Run("malformed XML", func(t *testing.T) {
		re := readErr(t, eleveFile, []byte(head+add("<attr name=\"sn\"><value>A</value></attr>\n<attr name=\"givenName\"><value>B</valeur></attr>\n")+"</ficAlimMENESR>\n"))
		wantIssue(t, re, eleveFile, 8, "xml-syntax", "malformed XML")
	})
	t.Run("truncated", func(t *testing.T) {
		re := readErr(t, eleveFile, []byte(head+add("<attr name=\"sn\"><value>A</value></attr>\n")[:150]))
		wantIssue(t, re, eleveFile, 0, "xml-truncated", "truncated")
	})
	t.Run("unknown file type", func(t *testing.T) {
		re := readErr(t, "TEST_Complet_20260901_Cantine_0000.xml", []byte(head+"</ficAlimMENESR>\n"))
		wantIssue(t, re, "TEST_Complet_20260901_Cantine_0000.xml", 0, "aaf-file-type", "unknown AAF file type Cantine")
	})
	t.Run("not an AAF name", func(t *testing.T) {
		re := readErr(t, "eleves.xml", []byte(head+"</ficAlimMENESR>\n"))
		wantIssue(t, re, "eleves.xml", 0, "aaf-file-name", "not an AAF file name")
	})
	t.Run("mixed complete and delta", func(t *testing.T) {
		re := readErr(t, "TEST_Delta_20260901_Eleve_0009.xml", []byte(head+"</ficAlimMENESR>\n"))
		wantIssue(t, re, "TEST_Delta_20260901_Eleve_0009.xml", 0, "aaf-mixed-modes", "mixed")
	})
	t.Run("wrong encoding", func(t *testing.T) {
		// Latin-1 bytes in a file that declares UTF-8.
		body := head + add("<attr name=\"sn\"><value>L\xe9a</value></attr>\n<attr name=\"givenName\"><value>B</value></attr>\n") + "</ficAlimMENESR>\n"
		re := readErr(t, eleveFile, []byte(body))
		wantIssue(t, re, eleveFile, 7, "xml-not-utf8", "not UTF-8")
	})
	t.Run("unknown encoding", func(t *testing.T) {
		re := readErr(t, eleveFile, []byte("<?xml version=\"1.0\" encoding=\"KLINGON-1\"?>\n<ficAlimMENESR/>\n"))
		wantIssue(t, re, eleveFile, 1, "xml-encoding", "KLINGON-1")
	})
	t.Run("missing mandatory attribute", func(t *testing.T) {
		re := readErr(t, eleveFile, []byte(head+add("<attr name=\"ENTPersonJointure\"><value>X1</value></attr>\n<attr name=\"givenName\"><value>B</value></attr>\n")+"</ficAlimMENESR>\n"))
		wantIssue(t, re, eleveFile, 3, "missing-attribute", "mandatory attribute sn is missing")
	})
	t.Run("wrong category", func(t *testing.T) {
		body := strings.Replace(head+add("<attr name=\"sn\"><value>A</value></attr>\n"), "<value>Eleve</value>", "<value>PersEducNat</value>", 1) + "</ficAlimMENESR>\n"
		re := readErr(t, eleveFile, []byte(body))
		wantIssue(t, re, eleveFile, 3, "aaf-category", "category PersEducNat in a file of type Eleve")
	})
	t.Run("entities are refused", func(t *testing.T) {
		body := "<?xml version=\"1.0\"?>\n<!DOCTYPE ficAlimMENESR [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n<ficAlimMENESR>&x;</ficAlimMENESR>\n"
		re := readErr(t, eleveFile, []byte(body))
		wantIssue(t, re, eleveFile, 2, "xml-entity", "entities")
	})
	t.Run("undeclared entity", func(t *testing.T) {
		re := readErr(t, eleveFile, []byte(head+"<addRequest>&lol;</addRequest></ficAlimMENESR>\n"))
		wantIssue(t, re, eleveFile, 3, "xml-syntax", "entity")
	})
	t.Run("errors are all reported with their lines", func(t *testing.T) {
		bad := add("<attr name=\"ENTPersonJointure\"><value>X1</value></attr>\n")
		re := readErr(t, eleveFile, []byte(head+bad+strings.Replace(bad, "X1", "X2", -1)+"</ficAlimMENESR>\n"))
		if re.Count != 2 || re.Issues[0].Line != 3 || re.Issues[1].Line != 10 {
			t.Errorf("issues %+v", re.Issues)
		}
	})
	t.Run("a bad delivery changes nothing", func(t *testing.T) {
		d := dbtest.Open(t)
		importAAF(t, d, completeDir, provisioning.Options{})
		before := snapshot(t, d)
		dir := copyDir(t, completeDir, func(name string, b []byte) []byte {
			if strings.Contains(name, "PersRelEleve") {
				return b[:len(b)/2]
			}
			return b
		})
		files, _ := provisioning.FilesFromPaths([]string{dir})
		if _, err := provisioning.ReadAAF(files); err == nil {
			t.Fatal("a truncated file was read")
		}
		if snapshot(t, d) != before {
			t.Fatal("changed")
		}
	})
}

// A DOCTYPE naming a DTD on a remote host is read without any network
// access: the DTD is never fetched.
func TestDTDNeverFetched(t *testing.T) {
	dir := copyDir(t, completeDir, func(name string, b []byte) []byte {
		return []byte(strings.Replace(string(b), `SYSTEM "ficAlimMENESR.dtd"`, `SYSTEM "http://192.0.2.1/ficAlimMENESR.dtd"`, 1))
	})
	if dl := read(t, provisioning.AAF, dir); len(dl.People) != 14 {
		t.Errorf("%d people", len(dl.People))
	}
}

func TestDuplicateKey(t *testing.T) {
	dir := copyDir(t, completeDir, func(name string, b []byte) []byte {
		if strings.Contains(name, "Eleve_0000") {
			return []byte(strings.ReplaceAll(string(b), ">S2<", ">S1<"))
		}
		return b
	})
	files, _ := provisioning.FilesFromPaths([]string{dir})
	_, err := provisioning.ReadAAF(files)
	re, ok := provisioning.AsReadError(err)
	if !ok || re.Issues[0].Code != "duplicate-key" || !strings.Contains(re.Issues[0].Message("en"), "Eleve_0000.xml:4") {
		t.Fatalf("err = %v", err)
	}
}
