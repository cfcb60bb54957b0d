package provisioning_test

import (
	"archive/zip"
	"bytes"
	"io"
	"runtime"
	"strings"
	"testing"

	"cartable/internal/provisioning"
)

// The readers hold a bounded amount of memory whatever a file expands to:
// no token longer than MaxToken, no archive beyond its limits. Memory is
// measured with runtime.MemStats.TotalAlloc (every byte allocated while
// reading, an upper bound of the heap's growth), not with a clock.

// run is a stream made of a head, n repetitions of a byte and a tail,
// produced as it is read (the test itself holds none of it).
type run struct {
	head, tail []byte
	b          byte
	n          int64
	off        int64
}

func newRun(head string, b byte, n int64, tail string) *run {
	return &run{head: []byte(head), tail: []byte(tail), b: b, n: n}
}

func (r *run) Read(p []byte) (int, error) {
	total := int64(len(r.head)) + r.n + int64(len(r.tail))
	if r.off >= total {
		return 0, io.EOF
	}
	k := 0
	for k < len(p) && r.off < total {
		switch {
		case r.off < int64(len(r.head)):
			p[k] = r.head[r.off]
		case r.off < int64(len(r.head))+r.n:
			p[k] = r.b
		default:
			p[k] = r.tail[r.off-int64(len(r.head))-r.n]
		}
		k++
		r.off++
	}
	return k, nil
}

func streamFile(name string, open func() io.Reader) provisioning.File {
	return provisioning.File{Name: name, Open: func() (io.ReadCloser, error) { return io.NopCloser(open()), nil }}
}

// allocated returns the bytes allocated while f runs.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

const hugeRun = 256 << 20 // what a 250 KB zip expands to

// aafHead opens a student record and one of its values: what follows is
// the value's text.
const aafHead = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ficAlimMENESR>\n<addRequest>\n" +
	"<operationalAttributes><attr name=\"categoriePersonne\"><value>Eleve</value></attr></operationalAttributes>\n" +
	"<identifier><id>X1</id></identifier>\n<attributes>\n<attr name=\"sn\"><value>"
const aafTail = "</value></attr>\n</attributes>\n</addRequest>\n</ficAlimMENESR>\n"

func TestHugeTokensAreRefusedWithBoundedMemory(t *testing.T) {
	const bound = 8 << 20
	cases := []struct {
		name, file, code string
		line             int
		read             func(provisioning.File) error
		stream           func() io.Reader
	}{
		{"AAF text run", "T_Complet_20260901_Eleve_0000.xml", "xml-too-long", 7,
			func(f provisioning.File) error { _, err := provisioning.ReadAAF([]provisioning.File{f}); return err },
			func() io.Reader { return newRun(aafHead, 'A', hugeRun, aafTail) }},
		{"AAF attribute", "T_Complet_20260901_Eleve_0000.xml", "xml-too-long", 3,
			func(f provisioning.File) error { _, err := provisioning.ReadAAF([]provisioning.File{f}); return err },
			func() io.Reader {
				return newRun("<?xml version=\"1.0\"?>\n<ficAlimMENESR>\n<addRequest x=\"", 'A', hugeRun, "\"/></ficAlimMENESR>")
			}},
		{"AAF comment in Latin-9", "T_Complet_20260901_Eleve_0000.xml", "xml-too-long", 3,
			func(f provisioning.File) error { _, err := provisioning.ReadAAF([]provisioning.File{f}); return err },
			func() io.Reader {
				return newRun("<?xml version=\"1.0\" encoding=\"ISO-8859-15\"?>\n<ficAlimMENESR>\n<!--", 'A', hugeRun, "--></ficAlimMENESR>")
			}},
		{"AAF nesting", "T_Complet_20260901_Eleve_0000.xml", "xml-too-deep", 2,
			func(f provisioning.File) error { _, err := provisioning.ReadAAF([]provisioning.File{f}); return err },
			func() io.Reader {
				return io.MultiReader(strings.NewReader("<?xml version=\"1.0\"?>\n<ficAlimMENESR>"),
					&repeat{s: "<a>", n: hugeRun / 3})
			}},
		{"AAF values", "T_Complet_20260901_Eleve_0000.xml", "xml-too-many", 0,
			func(f provisioning.File) error { _, err := provisioning.ReadAAF([]provisioning.File{f}); return err },
			func() io.Reader {
				return io.MultiReader(strings.NewReader(strings.TrimSuffix(aafHead, "<value>")),
					&counted{format: "<value>%d</value>\n", n: 1 << 20})
			}},
		{"SIECLE text run", "ElevesSansAdresses.xml", "xml-too-long", 3,
			func(f provisioning.File) error { _, err := provisioning.ReadSIECLE([]provisioning.File{f}); return err },
			func() io.Reader {
				return newRun("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n<BEE_ELEVES><DONNEES><ELEVES>\n<ELEVE ELEVE_ID=\"1\"><NOM_DE_FAMILLE>", 'A', hugeRun,
					"</NOM_DE_FAMILLE></ELEVE></ELEVES></DONNEES></BEE_ELEVES>")
			}},
		{"STS text run", "sts_emp.xml", "xml-too-long", 3,
			func(f provisioning.File) error { _, err := provisioning.ReadSTS([]provisioning.File{f}); return err },
			func() io.Reader {
				return newRun("<?xml version=\"1.0\"?>\n<STS_EDT><DONNEES><INDIVIDUS>\n<INDIVIDU ID=\"1\"><NOM_USAGE>", 'A', hugeRun,
					"</NOM_USAGE></INDIVIDU></INDIVIDUS></DONNEES></STS_EDT>")
			}},
		{"CSV field", "eleves.csv", "csv-too-long", 2,
			func(f provisioning.File) error {
				_, err := provisioning.ReadCSV([]provisioning.File{f}, "0750001A", false)
				return err
			},
			func() io.Reader { return newRun("id;nom;prénom;profil\n1;", 'A', hugeRun, ";B;eleve\n") }},
		{"CSV quoted lines", "eleves.csv", "csv-too-long", 0,
			func(f provisioning.File) error {
				_, err := provisioning.ReadCSV([]provisioning.File{f}, "0750001A", false)
				return err
			},
			func() io.Reader { return newRun("id;nom;prénom;profil\n1;\"", '\n', hugeRun, "\";B;eleve\n") }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var err error
			n := allocated(func() { err = c.read(streamFile(c.file, c.stream)) })
			re, ok := provisioning.AsReadError(err)
			if !ok || len(re.Issues) == 0 {
				t.Fatalf("want a read error, got %v", err)
			}
			is := re.Issues[0]
			if is.Code != c.code || is.File != c.file || (c.line > 0 && is.Line != c.line) {
				t.Errorf("got %s: %s (%s), want %s:%d %s", is.Where(), is.Message("en"), is.Code, c.file, c.line, c.code)
			}
			if fr := is.Message("fr"); strings.HasPrefix(fr, "provisioning.issue.") {
				t.Errorf("no French message for %s", is.Code)
			}
			t.Logf("%s: %s — %d KiB allocated for a %d MiB stream", c.name, is.String(), n>>10, hugeRun>>20)
			if n > bound {
				t.Errorf("%d bytes allocated while refusing it (bound %d)", n, bound)
			}
		})
	}
}

// repeat is a string repeated n times, produced as it is read.
type repeat struct {
	s   string
	n   int
	off int
}

func (r *repeat) Read(p []byte) (int, error) {
	k := 0
	for k < len(p) && r.n > 0 {
		c := copy(p[k:], r.s[r.off:])
		k += c
		if r.off += c; r.off == len(r.s) {
			r.off = 0
			r.n--
		}
	}
	if k == 0 {
		return 0, io.EOF
	}
	return k, nil
}

// counted writes format with 0, 1, 2… n-1, produced as it is read.
type counted struct {
	format string
	n, i   int
	buf    []byte
}

func (c *counted) Read(p []byte) (int, error) {
	for len(c.buf) < len(p) && c.i < c.n {
		c.buf = append(c.buf, strings.ReplaceAll(c.format, "%d", itoa(c.i))...)
		c.i++
	}
	if len(c.buf) == 0 {
		return 0, io.EOF
	}
	k := copy(p, c.buf)
	c.buf = c.buf[k:]
	return k, nil
}

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	var b []byte
	for ; i > 0; i /= 10 {
		b = append([]byte{byte('0' + i%10)}, b...)
	}
	return string(b)
}

// bomb zips one AAF file whose value is n bytes of one letter: a zip of a
// few hundred kilobytes.
func bomb(t testing.TB, n int64) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.Create("T_Complet_20260901_Eleve_0000.xml")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(w, newRun(aafHead, 'A', n, aafTail)); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// rawZip writes entries whose declared sizes are given, with whatever
// compressed bytes: limits are checked on declarations, before anything
// is decompressed.
func rawZip(t testing.TB, entries ...*zip.FileHeader) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, h := range entries {
		w, err := zw.CreateRaw(h)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(make([]byte, h.CompressedSize64))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestZipBombsAreRefused(t *testing.T) {
	b := bomb(t, 100<<20)
	t.Logf("a zip of %d KiB holding a 100 MiB text run", len(b)>>10)
	wantZip := func(t *testing.T, err error, file, code string) {
		t.Helper()
		re, ok := provisioning.AsReadError(err)
		if !ok {
			t.Fatalf("want a read error, got %v", err)
		}
		if is := re.Issues[0]; is.File != file || is.Code != code {
			t.Errorf("got %s (%s), want %s %s", is.String(), is.Code, file, code)
		} else {
			t.Log(is.String(), " / ", is.Message("fr"))
		}
	}
	var err error
	n := allocated(func() { _, err = provisioning.FilesFromBytes(b) })
	wantZip(t, err, "T_Complet_20260901_Eleve_0000.xml", "zip-ratio")
	if n > 1<<20 {
		t.Errorf("%d bytes allocated refusing a zip bomb", n)
	}
	_, err = provisioning.FilesFromZip(bytes.NewReader(b), int64(len(b)))
	wantZip(t, err, "T_Complet_20260901_Eleve_0000.xml", "zip-ratio")

	// Beyond the ratio guard, reading streams: the text run is refused
	// after 64 KiB, the 100 MiB are never held.
	files, err := provisioning.FilesFromZipWithin(bytes.NewReader(b), int64(len(b)),
		provisioning.ZipLimits{Entries: 1, Entry: 1 << 30, Total: 1 << 30, Ratio: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	n = allocated(func() { _, err = provisioning.ReadAAF(files) })
	wantZip(t, err, "T_Complet_20260901_Eleve_0000.xml", "xml-too-long")
	t.Logf("reading the bomb: %d KiB allocated", n>>10)
	if n > 8<<20 {
		t.Errorf("%d bytes allocated reading a zip bomb", n)
	}

	// Sizes: one entry too large, or several beyond the total.
	big := rawZip(t, &zip.FileHeader{Name: "a.xml", Method: zip.Deflate, CompressedSize64: 4 << 20, UncompressedSize64: 200 << 20})
	_, err = provisioning.FilesFromBytes(big)
	wantZip(t, err, "a.xml", "zip-entry-size")
	many := rawZip(t,
		&zip.FileHeader{Name: "a.xml", Method: zip.Deflate, CompressedSize64: 2 << 20, UncompressedSize64: 100 << 20},
		&zip.FileHeader{Name: "b.xml", Method: zip.Deflate, CompressedSize64: 2 << 20, UncompressedSize64: 100 << 20})
	_, err = provisioning.FilesFromBytes(many)
	wantZip(t, err, "b.xml", "zip-total-size")
	var heads []*zip.FileHeader
	for i := 0; i < 1001; i++ {
		heads = append(heads, &zip.FileHeader{Name: "f" + itoa(i) + ".xml", Method: zip.Store})
	}
	_, err = provisioning.FilesFromBytes(rawZip(t, heads...))
	wantZip(t, err, "", "zip-entries")
	_, err = provisioning.FilesFromBytes([]byte("PK\x03\x04 not a zip"))
	wantZip(t, err, "", "zip-unreadable")

	// An entry longer than it declares stops the reading with a clear
	// message (archive/zip checks it; the reader says so).
	var liar bytes.Buffer
	zw := zip.NewWriter(&liar)
	var deflated bytes.Buffer
	{
		tmp := zip.NewWriter(&deflated)
		w, _ := tmp.Create("x")
		io.Copy(w, newRun(aafHead, 'A', 1000, aafTail))
		tmp.Close()
	}
	zr, _ := zip.NewReader(bytes.NewReader(deflated.Bytes()), int64(deflated.Len()))
	raw, _ := zr.File[0].OpenRaw()
	rawBytes, _ := io.ReadAll(raw)
	h := zr.File[0].FileHeader
	h.Name, h.UncompressedSize64 = "T_Complet_20260901_Eleve_0000.xml", 100
	w, _ := zw.CreateRaw(&h)
	w.Write(rawBytes)
	zw.Close()
	files, err = provisioning.FilesFromBytes(liar.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	_, err = provisioning.ReadAAF(files)
	wantZip(t, err, "T_Complet_20260901_Eleve_0000.xml", "file-damaged")
}

// A delivery uploaded in the web holds at most UploadRecords records,
// whatever their size: tiny records cost hundreds of bytes each once read.
func TestUploadRecordsAreBounded(t *testing.T) {
	rows := func(n int) provisioning.File {
		return streamFile("eleves.csv", func() io.Reader {
			return io.MultiReader(strings.NewReader("id;nom;prénom;profil\n"), &counted{format: "%d;A;B;eleve\n", n: n})
		})
	}
	dl, err := provisioning.ReadWithin(provisioning.CSV, []provisioning.File{rows(1000)}, "0750001A", false, provisioning.UploadRecords)
	if err != nil || len(dl.People) != 1000 {
		t.Fatalf("1000 rows: %v", err)
	}
	_, err = provisioning.ReadWithin(provisioning.CSV, []provisioning.File{rows(provisioning.UploadRecords + 10)}, "0750001A", false, provisioning.UploadRecords)
	re, ok := provisioning.AsReadError(err)
	if !ok || re.Count != 1 || re.Issues[0].Code != "too-many-records" || re.Issues[0].Where() != "eleves.csv:200002" {
		t.Fatalf("beyond the bound: %v", err)
	}
	t.Log(re.Issues[0].String())
	siecle := streamFile("ElevesSansAdresses.xml", func() io.Reader {
		return io.MultiReader(strings.NewReader(`<?xml version="1.0"?><BEE_ELEVES><PARAMETRES><UAJ>0750001A</UAJ></PARAMETRES><DONNEES><ELEVES>`+"\n"),
			&counted{format: "<ELEVE ELEVE_ID=\"%d\"><NOM>A</NOM><PRENOM>B</PRENOM></ELEVE>\n", n: 20},
			strings.NewReader("</ELEVES></DONNEES></BEE_ELEVES>"))
	})
	_, err = provisioning.ReadWithin(provisioning.SIECLE, []provisioning.File{siecle}, "", false, 10)
	if re, ok := provisioning.AsReadError(err); !ok || re.Issues[0].Code != "too-many-records" || re.Issues[0].Line != 12 {
		t.Fatalf("SIECLE beyond the bound: %v", err)
	}
	// The command line has no such bound.
	if dl, err := provisioning.ReadSIECLE([]provisioning.File{siecle}); err != nil || len(dl.People) != 20 {
		t.Fatalf("SIECLE without a bound: %v", err)
	}
}
