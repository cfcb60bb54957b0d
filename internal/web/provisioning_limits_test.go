package web_test

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"runtime"
	"strings"
	"testing"

	"cartable/internal/demo"
	"cartable/internal/directory"
)

// An upload cannot make the server hold what a small file expands to: the
// archive's limits refuse a zip bomb before decompressing it, and no token
// of a file may exceed 64 KiB. Memory is measured with
// runtime.MemStats.TotalAlloc over the whole request (client and server
// run in this process): every byte allocated, an upper bound of the
// heap's growth.

const bombHead = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ficAlimMENESR>\n<addRequest>\n" +
	"<operationalAttributes><attr name=\"categoriePersonne\"><value>Eleve</value></attr></operationalAttributes>\n" +
	"<identifier><id>X1</id></identifier>\n<attributes>\n<attr name=\"sn\"><value>"
const bombTail = "</value></attr>\n</attributes>\n</addRequest>\n</ficAlimMENESR>\n"

// textRun writes n bytes from next, in chunks, without holding them.
func textRun(w io.Writer, n int, next func() byte) {
	chunk := make([]byte, 64<<10)
	for n > 0 {
		k := min(n, len(chunk))
		for i := range chunk[:k] {
			chunk[i] = next()
		}
		w.Write(chunk[:k])
		n -= k
	}
}

// zipOfRun zips one AAF student file whose name is a text run of n bytes.
func zipOfRun(t *testing.T, name string, n int, next func() byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.Create(name)
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(w, bombHead)
	textRun(w, n, next)
	io.WriteString(w, bombTail)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func allocatedBy(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

func TestProvisioningZipBombRefused(t *testing.T) {
	e := newEnv(t, 60)
	ctx := context.Background()
	people := e.provCount(`SELECT COUNT(*) FROM people`)
	const file = "ATK_Complet_20260901_Eleve_0000.xml"
	bomb := zipOfRun(t, file, 300<<20, func() byte { return 'A' })
	rng := rand.New(rand.NewPCG(1, 2))
	letters := zipOfRun(t, file, 4<<20, func() byte { return byte('a' + rng.IntN(26)) })
	t.Logf("bomb: %d KiB expanding to 300 MiB; letters: %d KiB expanding to 4 MiB", len(bomb)>>10, len(letters)>>10)

	head := e.signIn(e.account(provHead).Login)
	admin := e.signIn(e.account(provOperator).Login)
	est, err := directory.EstablishmentByUAI(ctx, e.db, demo.MainUAI)
	if err != nil {
		t.Fatal(err)
	}
	var plain bytes.Buffer
	plain.WriteString(bombHead)
	textRun(&plain, 4<<20, func() byte { return 'A' })
	plain.WriteString(bombTail)
	var csv bytes.Buffer
	csv.WriteString("id;nom;prénom;profil\n1;")
	textRun(&csv, 4<<20, func() byte { return 'A' })
	csv.WriteString(";B;eleve\n")

	for _, c := range []struct {
		name   string
		b      *browser
		fields url.Values
		files  map[string][]byte
		want   []string
		bound  uint64
	}{
		{"zip bomb, operator", admin, url.Values{"source": {"aaf"}}, map[string][]byte{"livraison.zip": bomb},
			[]string{file, "bombe zip", "fois sa taille compressée"}, 16 << 20},
		{"zip bomb, head", head, url.Values{"source": {"aaf"}}, map[string][]byte{"livraison.zip": bomb},
			[]string{file, "bombe zip"}, 16 << 20},
		{"text run within the ratio", admin, url.Values{"source": {"aaf"}}, map[string][]byte{"livraison.zip": letters},
			[]string{file + ":7", "dépasse 64 Kio"}, 48 << 20},
		{"plain XML file", admin, url.Values{"source": {"aaf"}}, map[string][]byte{file: plain.Bytes()},
			[]string{file + ":7", "dépasse 64 Kio"}, 64 << 20},
		{"spreadsheet", head, url.Values{"source": {"csv"}, "establishment": {est.ID}}, map[string][]byte{"eleves.csv": csv.Bytes()},
			[]string{"eleves.csv:2", "une ligne ou un champ dépasse 64 Kio"}, 64 << 20},
	} {
		var r response
		n := allocatedBy(func() { r = c.b.provUpload(c.fields, c.files) })
		t.Logf("%s: %d, %d KiB allocated", c.name, r.status, n>>10)
		if r.status != http.StatusUnprocessableEntity {
			t.Errorf("%s: %d %.500s", c.name, r.status, r.body)
			continue
		}
		main := r.body[strings.Index(r.body, "<main"):]
		for _, w := range c.want {
			if !strings.Contains(main, w) {
				t.Errorf("%s: the page does not say %q: %.1500s", c.name, w, main)
			}
		}
		if n > c.bound {
			t.Errorf("%s: %d bytes allocated (bound %d)", c.name, n, c.bound)
		}
	}
	if n := e.provCount(`SELECT COUNT(*) FROM import_uploads`); n != 0 {
		t.Errorf("%d refused uploads stored", n)
	}
	if n := e.provCount(`SELECT COUNT(*) FROM people`); n != people {
		t.Errorf("%d people, %d before", n, people)
	}
}
