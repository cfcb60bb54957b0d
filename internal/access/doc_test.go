package access_test

import (
	"os"
	"strings"
	"testing"
)

// docsPage is docs/access.md, which must be the package documentation
// (doc.go) as Markdown.
const docsPage = "../../docs/access.md"

// packageDocMarkdown turns the package comment of doc.go into the Markdown
// of docs/access.md: headings one level down, preformatted blocks indented
// with spaces.
func packageDocMarkdown(t *testing.T) string {
	t.Helper()
	src, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	b.WriteString("# Access policy: who may see what\n\n")
	b.WriteString("_This page is the package documentation of `internal/access` (`go doc cartable/internal/access`); the code and its matrix tests are the reference._\n\n")
	for _, line := range strings.Split(string(src), "\n") {
		if strings.HasPrefix(line, "package ") {
			break
		}
		switch {
		case !strings.HasPrefix(line, "//"):
			t.Fatalf("doc.go: %q is not part of the package comment", line)
		case strings.HasPrefix(line, "//\t"):
			line = "    " + line[3:]
		case strings.HasPrefix(line, "// # "):
			line = "## " + line[5:]
		default:
			line = strings.TrimPrefix(strings.TrimPrefix(line, "//"), " ")
		}
		b.WriteString(strings.ReplaceAll(line, "\t", "    ") + "\n")
	}
	return b.String()
}

// TestDocsPageIsThePackageDoc keeps docs/access.md equal to doc.go. Run it
// with CARTABLE_UPDATE_DOCS=1 to rewrite the page after editing doc.go.
func TestDocsPageIsThePackageDoc(t *testing.T) {
	want := packageDocMarkdown(t)
	if os.Getenv("CARTABLE_UPDATE_DOCS") != "" {
		if err := os.WriteFile(docsPage, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(docsPage)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) == want {
		return
	}
	g, w := strings.Split(string(got), "\n"), strings.Split(want, "\n")
	for i := range max(len(g), len(w)) {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl {
			t.Fatalf("docs/access.md differs from doc.go at line %d:\n got  %q\n want %q\n(run CARTABLE_UPDATE_DOCS=1 go test ./internal/access -run TestDocsPageIsThePackageDoc)", i+1, gl, wl)
		}
	}
}
