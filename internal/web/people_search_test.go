package web_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"cartable/internal/access"
	"cartable/internal/demo"
	"cartable/internal/directory"
)

var (
	navRe  = regexp.MustCompile(`(?s)<nav aria-label="[^"]*">(.*?)</nav>`)
	hrefRe = regexp.MustCompile(`href="([^"]+)"`)
)

// menu lists the links of the navigation of the home page.
func (b *browser) menu() []string {
	b.e.t.Helper()
	r := b.get("/")
	m := navRe.FindStringSubmatch(r.body)
	if r.status != 200 || m == nil {
		b.e.t.Fatalf("home: %d, no navigation", r.status)
	}
	var out []string
	for _, h := range hrefRe.FindAllStringSubmatch(m[1], -1) {
		out = append(out, html.UnescapeString(h[1]))
	}
	return out
}

// TestMenuOffersOnlyWhatOpens: every entry of every role's navigation
// opens (the CPE's "Annuaire" led to the provisioning pages, a 404 for
// them), the search to those who may search, the provisioning pages to
// those who may provision.
func TestMenuOffersOnlyWhatOpens(t *testing.T) {
	e := newEnv(t, 60)
	main := func(a demo.Account) bool { return a.Establishment == demo.MainUAI }
	roles := []struct {
		name         string
		pick         func(demo.Account) bool
		search, prov bool
	}{
		{"student", func(a demo.Account) bool { return a.Profile == "student" && main(a) }, false, false},
		{"relative", func(a demo.Account) bool { return a.Profile == "relative" && main(a) }, false, false},
		{"teacher", func(a demo.Account) bool { return a.Profile == "teacher" && len(a.Functions) == 0 && main(a) }, true, false},
		{"cpe", func(a demo.Account) bool { return has("cpe")(a) && main(a) }, true, false},
		{"documentalist", func(a demo.Account) bool { return has("documentalist")(a) && main(a) }, true, false},
		{"secretary", func(a demo.Account) bool { return has("secretary")(a) && main(a) }, true, true},
		{"head", func(a demo.Account) bool { return has("head")(a) && main(a) }, true, true},
		{"admin", func(a demo.Account) bool { return a.Profile == "admin" }, true, true},
	}
	for _, role := range roles {
		b := e.signIn(e.account(role.pick).Login)
		links := b.menu()
		if got := slices.Contains(links, "/people"); got != role.search {
			t.Errorf("%s: the search in the menu: %v, want %v (%v)", role.name, got, role.search, links)
		}
		if got := slices.Contains(links, "/provisioning"); got != role.prov {
			t.Errorf("%s: the provisioning pages in the menu: %v, want %v (%v)", role.name, got, role.prov, links)
		}
		for _, l := range links {
			if r := b.get(l); r.status != http.StatusOK {
				t.Errorf("%s: the menu's %s answers %d", role.name, l, r.status)
			}
		}
		// What the menu does not offer does not open either.
		if !role.search {
			if r := b.get("/people?q=ma"); r.status != http.StatusNotFound {
				t.Errorf("%s: /people answers %d, want 404", role.name, r.status)
			}
		}
	}
}

// found is the person links of a search page.
var (
	foundListRe = regexp.MustCompile(`(?s)<ul class="found">(.*?)</ul>`)
	foundRe     = regexp.MustCompile(`<li><a href="/people/([^"]+)">`)
)

func foundIDs(body string) []string {
	list := foundListRe.FindStringSubmatch(body)
	if list == nil {
		return nil
	}
	var out []string
	for _, m := range foundRe.FindAllStringSubmatch(list[1], -1) {
		out = append(out, m[1])
	}
	return out
}

func TestPeopleSearch(t *testing.T) {
	e := newEnv(t, 120)
	ctx := context.Background()
	cpe := e.signIn(e.account(func(a demo.Account) bool { return has("cpe")(a) && a.Establishment == demo.MainUAI }).Login)

	// A student of the collège with an accent in the first name, found
	// without it, in capitals, by the CPE; the result leads to their page.
	var st directory.Person
	for _, a := range e.accounts {
		if a.Profile == "student" && a.Establishment == demo.MainUAI && len(a.Establishments) == 1 && strings.ContainsAny(a.Name, "éÉëï") {
			st = e.person(a.Login)
			break
		}
	}
	if st.ID == "" {
		t.Fatal("no student with an accented name in the demo")
	}
	plain := strings.NewReplacer("é", "e", "É", "E", "ë", "e", "ï", "i").Replace(st.FirstName)
	q := strings.ToUpper(plain) + " " + strings.ToLower(st.LastName)
	r := cpe.get("/people?q=" + url.QueryEscape(q))
	if r.status != 200 || !slices.Contains(foundIDs(r.body), st.ID) {
		t.Fatalf("the CPE searching %q: %d, found %v, want %s", q, r.status, foundIDs(r.body), st.ID)
	}
	if !strings.Contains(r.body, `value="`+html.EscapeString(q)+`"`) {
		t.Error("the query is not kept in the form")
	}
	if got := title(r); got != "Recherche « "+q+" » · Annuaire · Cartable" {
		t.Errorf("title %q", got)
	}
	if p := cpe.get("/people/" + st.ID); p.status != 200 || title(p) != "Fiche de "+st.FirstName+" "+st.LastName+" · Cartable" {
		t.Errorf("the person found: %d, title %q", p.status, title(p))
	}
	// By class: the CPE sees every class.
	code := e.record(st.ID).Classes[0].Code
	r = cpe.get("/people?q=" + url.QueryEscape(code))
	if !slices.Contains(foundIDs(r.body), st.ID) {
		t.Errorf("the CPE searching the class %s does not find %s", code, st.ID)
	}

	// Bad input: said, and kept.
	r = cpe.get("/people?q=%C3%A9")
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "Tapez au moins 2 lettres ou chiffres") ||
		!strings.Contains(r.body, `value="é"`) || !strings.Contains(r.body, `aria-invalid="true"`) {
		t.Errorf("a one-letter query: %d %.300s", r.status, r.body)
	}
	// Bounded: a common beginning asks to refine.
	r = cpe.get("/people?q=ma")
	if n := len(foundIDs(r.body)); n != directory.SearchLimit || !strings.Contains(r.body, "affinez la recherche") {
		t.Errorf("\"ma\": %d people listed, want %d and the advice to refine", n, directory.SearchLimit)
	}

	// A teacher finds only those they may see: not a student of a class
	// they teach nothing to.
	// Witnesses chosen by the policy itself: a student the teacher may see,
	// one they may not.
	var teacher demo.Account
	var mine, other directory.Person
	for _, ta := range e.accounts {
		if ta.Profile != "teacher" || len(ta.Functions) != 0 || ta.Establishment != demo.MainUAI || len(ta.Establishments) != 1 {
			continue
		}
		v, err := e.srv.Policy.Viewer(ctx, e.person(ta.Login).ID)
		if err != nil {
			t.Fatal(err)
		}
		mine, other = directory.Person{}, directory.Person{}
		for _, a := range e.accounts {
			if a.Profile != "student" || a.Establishment != demo.MainUAI || len(a.Establishments) != 1 {
				continue
			}
			p := e.person(a.Login)
			visible, err := v.May(ctx, access.ReadName, access.Person(p.ID))
			if err != nil {
				t.Fatal(err)
			}
			if visible && mine.ID == "" {
				mine = p
			}
			if !visible && other.ID == "" {
				other = p
			}
		}
		if mine.ID != "" && other.ID != "" {
			teacher = ta
			break
		}
	}
	if teacher.Login == "" {
		t.Fatal("no teacher with a student they teach and one they do not")
	}
	tb := e.signIn(teacher.Login)
	if r := tb.get("/people?q=" + url.QueryEscape(mine.FirstName+" "+mine.LastName)); !slices.Contains(foundIDs(r.body), mine.ID) {
		t.Errorf("the teacher does not find their student %s", mine.ID)
	}
	if r := tb.get("/people?q=" + url.QueryEscape(other.FirstName+" "+other.LastName)); slices.Contains(foundIDs(r.body), other.ID) {
		t.Errorf("the teacher finds %s, whom they do not teach", other.ID)
	}
	if r := tb.get("/people?q=" + url.QueryEscape(other.Login)); slices.Contains(foundIDs(r.body), other.ID) {
		t.Errorf("the teacher finds %s by login", other.ID)
	}

	// The head of the lycée finds none of the collège's pupils.
	head2 := e.signIn(e.account(func(a demo.Account) bool {
		return has("head")(a) && a.Establishment == demo.SecondUAI && !slices.Contains(a.Establishments, demo.MainUAI)
	}).Login)
	if r := head2.get("/people?q=" + url.QueryEscape(st.FirstName+" "+st.LastName)); r.status != 200 || slices.Contains(foundIDs(r.body), st.ID) {
		t.Errorf("the lycée's head searching a collège pupil: %d, found %v", r.status, foundIDs(r.body))
	}

	// Students and relatives have no search (a refusal, like a missing page).
	for _, who := range []func(demo.Account) bool{
		func(a demo.Account) bool { return a.Profile == "student" },
		func(a demo.Account) bool { return a.Profile == "relative" },
	} {
		b := e.signIn(e.account(who).Login)
		for _, p := range []string{"/people", "/people?q=" + url.QueryEscape(st.LastName)} {
			if r := b.get(p); r.status != http.StatusNotFound || strings.Contains(r.body, st.ID) {
				t.Errorf("%s: %d, want 404", p, r.status)
			}
		}
	}
}
