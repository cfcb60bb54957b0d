package archcheck

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
)

const module = "cartable"

// pkg is one package of the module, read from source (tests excluded).
type pkg struct {
	path  string // import path
	dir   string
	files []*ast.File
	fset  *token.FileSet
}

func loadPackages(t *testing.T) map[string]*pkg {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	out := map[string]*pkg{}
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if n := d.Name(); n == "testdata" || n == "node_modules" || strings.HasPrefix(n, ".") && p != root {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, p, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, filepath.Dir(p))
		ip := module + "/" + filepath.ToSlash(rel)
		if out[ip] == nil {
			out[ip] = &pkg{path: ip, dir: filepath.Dir(p), fset: fset}
		}
		out[ip].files = append(out[ip].files, f)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// imports maps a file's import names to paths.
func imports(f *ast.File) map[string]string {
	out := map[string]string{}
	for _, s := range f.Imports {
		p, _ := strconv.Unquote(s.Path.Value)
		name := p[strings.LastIndex(p, "/")+1:]
		if s.Name != nil {
			name = s.Name.Name
		}
		out[name] = p
	}
	return out
}

// typeRefs lists the named types an expression mentions, as
// "importpath.Name", peeling pointers, slices, arrays, maps and channels.
func typeRefs(e ast.Expr, self string, imp map[string]string) []string {
	var out []string
	ast.Inspect(e, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.SelectorExpr:
			if id, ok := x.X.(*ast.Ident); ok {
				if p, ok := imp[id.Name]; ok {
					out = append(out, p+"."+x.Sel.Name)
				}
			}
			return false
		case *ast.Ident:
			out = append(out, self+"."+x.Name)
		case *ast.FuncType:
			return false // a func value does not carry data by itself
		}
		return true
	})
	return out
}

// personalFields are the columns that make a struct personal data.
var personalFields = map[string]bool{"FirstName": true, "LastName": true, "BirthDate": true,
	"Email": true, "Phone": true, "Address": true, "PostalCode": true}

// personalTypes returns every struct type of the module that holds
// personal data, directly or through its fields.
func personalTypes(pkgs map[string]*pkg) map[string]bool {
	refs := map[string][]string{}
	personal := map[string]bool{}
	for _, p := range pkgs {
		for _, f := range p.files {
			imp := imports(f)
			for _, d := range f.Decls {
				g, ok := d.(*ast.GenDecl)
				if !ok || g.Tok != token.TYPE {
					continue
				}
				for _, s := range g.Specs {
					ts := s.(*ast.TypeSpec)
					key := p.path + "." + ts.Name.Name
					st, ok := ts.Type.(*ast.StructType)
					if !ok {
						refs[key] = typeRefs(ts.Type, p.path, imp)
						continue
					}
					for _, fl := range st.Fields.List {
						for _, n := range fl.Names {
							if personalFields[n.Name] {
								personal[key] = true
							}
						}
						refs[key] = append(refs[key], typeRefs(fl.Type, p.path, imp)...)
					}
				}
			}
		}
	}
	for changed := true; changed; {
		changed = false
		for k, rs := range refs {
			if personal[k] {
				continue
			}
			for _, r := range rs {
				if personal[r] {
					personal[k], changed = true, true
					break
				}
			}
		}
	}
	return personal
}

const (
	dbPath     = module + "/internal/db"
	accessPath = module + "/internal/access"
)

func isDBHandle(e ast.Expr, imp map[string]string) bool {
	if s, ok := e.(*ast.StarExpr); ok {
		e = s.X
	}
	sel, ok := e.(*ast.SelectorExpr)
	if !ok {
		return false
	}
	id, ok := sel.X.(*ast.Ident)
	return ok && imp[id.Name] == dbPath && (sel.Sel.Name == "Querier" || sel.Sel.Name == "DB" || sel.Sel.Name == "Tx")
}

func isViewer(e ast.Expr, imp map[string]string) bool {
	s, ok := e.(*ast.StarExpr)
	if !ok {
		return false
	}
	sel, ok := s.X.(*ast.SelectorExpr)
	if !ok {
		return false
	}
	id, ok := sel.X.(*ast.Ident)
	return ok && imp[id.Name] == accessPath && sel.Sel.Name == "Viewer"
}

// notDomain are the packages the viewer rule does not apply to: the
// database itself, the policy (which loads viewers), the web (its own
// rules) and the tests' helpers.
func notDomain(path string) bool {
	rel := strings.TrimPrefix(path, module+"/")
	switch {
	case rel == "internal/db", rel == "internal/dbtest", rel == "internal/access",
		rel == "internal/web", strings.HasPrefix(rel, "internal/web/"), strings.HasPrefix(rel, "cmd/"):
		return true
	}
	return false
}

// dbStructs lists the struct types of a package that hold a database
// handle: their methods reach the database.
func dbStructs(p *pkg) map[string]bool {
	out := map[string]bool{}
	for _, f := range p.files {
		imp := imports(f)
		for _, d := range f.Decls {
			g, ok := d.(*ast.GenDecl)
			if !ok || g.Tok != token.TYPE {
				continue
			}
			for _, s := range g.Specs {
				ts := s.(*ast.TypeSpec)
				if st, ok := ts.Type.(*ast.StructType); ok {
					for _, fl := range st.Fields.List {
						if isDBHandle(fl.Type, imp) {
							out[ts.Name.Name] = true
						}
					}
				}
			}
		}
	}
	return out
}

func receiverName(fd *ast.FuncDecl) string {
	if fd.Recv == nil || len(fd.Recv.List) == 0 {
		return ""
	}
	e := fd.Recv.List[0].Type
	if s, ok := e.(*ast.StarExpr); ok {
		e = s.X
	}
	if ix, ok := e.(*ast.IndexExpr); ok {
		e = ix.X
	}
	if id, ok := e.(*ast.Ident); ok {
		return id.Name
	}
	return ""
}

// funcName is "package.Func" or "package.Type.Method", the key of the
// lists below.
func funcName(p *pkg, fd *ast.FuncDecl) string {
	short := strings.TrimPrefix(p.path, module+"/internal/")
	if r := receiverName(fd); r != "" {
		return short + "." + r + "." + fd.Name.Name
	}
	return short + "." + fd.Name.Name
}

// TestDomainFunctionsTakeTheViewer is the rule of access by construction:
// an exported function or method of a domain that reaches the database
// takes the viewer, unless it is listed in exempt with its reason.
func TestDomainFunctionsTakeTheViewer(t *testing.T) {
	pkgs := loadPackages(t)
	personal := personalTypes(pkgs)
	seen := map[string]bool{}
	var missing []string
	for _, p := range pkgs {
		if notDomain(p.path) {
			continue
		}
		holders := dbStructs(p)
		for _, f := range p.files {
			imp := imports(f)
			for _, d := range f.Decls {
				fd, ok := d.(*ast.FuncDecl)
				if !ok || !fd.Name.IsExported() {
					continue
				}
				recv := receiverName(fd)
				if recv != "" && !ast.IsExported(recv) {
					continue
				}
				reaches := holders[recv]
				viewer := false
				for _, fl := range fd.Type.Params.List {
					reaches = reaches || isDBHandle(fl.Type, imp)
					viewer = viewer || isViewer(fl.Type, imp)
				}
				if !reaches || viewer {
					continue
				}
				name := funcName(p, fd)
				seen[name] = true
				reason, ok := exempt[name]
				if !ok {
					missing = append(missing, name)
					continue
				}
				if strings.HasPrefix(reason, noPersonalData) && fd.Type.Results != nil {
					for _, r := range fd.Type.Results.List {
						for _, ref := range typeRefs(r.Type, p.path, imp) {
							if personal[ref] {
								t.Errorf("%s is exempt as touching no personal data but returns %s, which holds some", name, ref)
							}
						}
					}
				}
			}
		}
	}
	sort.Strings(missing)
	for _, m := range missing {
		t.Errorf("%s reaches the database but takes no *access.Viewer: take the viewer and ask the policy, or list it in exempt with the reason it may not", m)
	}
	for name := range exempt {
		if !seen[name] {
			t.Errorf("%s is exempt but no longer needs to be (or is gone): remove it from the list", name)
		}
	}
}

var sqlText = regexp.MustCompile(`(?is)^\s*(SELECT\s.+\sFROM|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|WITH\s+\w+\s+AS)\b`)

// TestWebHoldsNoSQLNorPolicyBypass: the web areas parse, call a domain and
// render. They hold no SQL, ask the policy nothing themselves and never
// act as the system.
func TestWebHoldsNoSQLNorPolicyBypass(t *testing.T) {
	pkgs := loadPackages(t)
	for _, p := range pkgs {
		rel := strings.TrimPrefix(p.path, module+"/")
		if rel != "internal/web" && !strings.HasPrefix(rel, "internal/web/") {
			continue
		}
		for _, f := range p.files {
			imp := imports(f)
			file := filepath.Base(p.fset.File(f.Pos()).Name())
			where := rel + "/" + file
			for _, path := range imp {
				if path == "database/sql" {
					t.Errorf("%s imports database/sql: SQL belongs to the domain that owns the tables", where)
				}
			}
			ast.Inspect(f, func(n ast.Node) bool {
				switch x := n.(type) {
				case *ast.BasicLit:
					if x.Kind == token.STRING {
						s, _ := strconv.Unquote(x.Value)
						if sqlText.MatchString(s) {
							t.Errorf("%s:%d holds SQL: move it to the domain that owns the tables", where, p.fset.Position(x.Pos()).Line)
						}
					}
				case *ast.SelectorExpr:
					if id, ok := x.X.(*ast.Ident); ok && imp[id.Name] == accessPath && x.Sel.Name == "System" {
						t.Errorf("%s:%d builds a system viewer: a page acts for the signed-in person only", where, p.fset.Position(x.Pos()).Line)
					}
				case *ast.CallExpr:
					// The policy is asked by the domains: a page gets what it
					// may offer with the domain's view. (The kit loads the
					// viewer; Policy.Viewer is not a question.)
					if sel, ok := x.Fun.(*ast.SelectorExpr); ok && policyQuestions[sel.Sel.Name] {
						t.Errorf("%s:%d asks the policy (%s): ask the domain, which asks it", where, p.fset.Position(x.Pos()).Line, sel.Sel.Name)
					}
				}
				return true
			})
		}
	}
}

// policyQuestions are the methods that ask the access policy.
var policyQuestions = map[string]bool{"Can": true, "May": true, "Visible": true, "VisiblePeople": true, "VisibleEntries": true}

// TestDependenciesPointOneWay: nothing but the command imports the web.
func TestDependenciesPointOneWay(t *testing.T) {
	pkgs := loadPackages(t)
	for _, p := range pkgs {
		rel := strings.TrimPrefix(p.path, module+"/")
		if strings.HasPrefix(rel, "internal/web") || strings.HasPrefix(rel, "cmd/") {
			continue
		}
		for _, f := range p.files {
			for _, path := range imports(f) {
				if strings.HasPrefix(path, module+"/internal/web") {
					t.Errorf("%s imports %s: domains never depend on the web", rel, path)
				}
			}
		}
	}
}

// TestTemplatesFormatNoDates: a template shows a date only through the
// kit's helpers (date, shortdate, datetime, dayname, longdate, hm), which
// write it in the reader's language and in Europe/Paris. A .Format in a
// template is how "2026-12-06 16:07 UTC" reached a page.
func TestTemplatesFormatNoDates(t *testing.T) {
	root := filepath.Join("..", "web")
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".html") {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for i, line := range strings.Split(string(b), "\n") {
			if strings.Contains(line, ".Format ") || strings.Contains(line, "UTC") {
				t.Errorf("%s:%d formats a date itself: use the kit's date helpers", path, i+1)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
