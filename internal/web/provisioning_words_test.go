package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"cartable/internal/demo"
	"cartable/internal/directory"
	"cartable/internal/i18n"
	"cartable/internal/roles"
)

// isoDate finds a date written the machine's way ("2026-09-01").
var isoDate = regexp.MustCompile(`\b\d{4}-\d{2}-\d{2}\b`)

// mainOf is the page's content, without the layout.
func mainOf(body string) string {
	if i := strings.Index(body, "<main"); i >= 0 {
		return body[i:]
	}
	return body
}

// The provisioning and administration pages write dates in French (never
// ISO, never UTC), counts by the plural rule, and each page's title names
// its content.
func TestProvisioningPagesDatesCountsAndTitles(t *testing.T) {
	e := newEnv(t, 60)
	ctx := context.Background()
	admin := e.signIn(e.account(provOperator).Login)
	r := admin.provUpload(url.Values{"source": {"aaf"}}, map[string][]byte{"d.zip": provZip(t, provFixtures+"/aaf/complete", nil)})
	r = admin.provPost(r.header.Get("Location")+"/confirm", nil)
	run := r.header.Get("Location")
	when := i18n.DateTime("fr", e.clock.Now())

	r = admin.get(run)
	for _, want := range []string{"<h1>Import du " + when + "</h1>", "<title>Import du " + when + " · Annuaire académique (AAF) · Cartable</title>",
		"complète (1er septembre 2026), 7 fichiers", "<li>4 élèves créés</li>"} {
		if !strings.Contains(r.body, want) {
			t.Errorf("the run page lacks %q", want)
		}
	}
	if strings.Contains(r.body, "UTC") || isoDate.MatchString(mainOf(r.body)) {
		t.Errorf("the run page shows UTC or ISO dates: %s", mainOf(r.body))
	}
	r = admin.get("/provisioning")
	if !strings.Contains(r.body, ">"+when+"</a>") || !strings.Contains(r.body, "(1er septembre 2026)") || isoDate.MatchString(mainOf(r.body)) {
		t.Errorf("the history's dates: %s", mainOf(r.body))
	}

	head := e.signIn(e.account(provHead).Login)
	est, _ := directory.EstablishmentByUAI(ctx, e.db, demo.MainUAI)
	y, err := directory.CurrentSchoolYear(ctx, e.db, est.ID, e.clock.Now().Format("2006-01-02"))
	if err != nil {
		t.Fatal(err)
	}
	first, _ := strconv.Atoi(y.Label[:4])
	r = head.get("/provisioning/establishments/" + est.ID + "/rollover?year=" + provItoa(first+1) + "-" + provItoa(first+2))
	closing := "clôt " + y.Label + " (du " + showISO(t, y.StartsOn) + " au " + showISO(t, y.EndsOn) + ")"
	if r.status != 200 || !strings.Contains(r.body, closing) || isoDate.MatchString(mainOf(r.body)) ||
		!strings.Contains(r.body, "<title>Changement d’année scolaire : Collège Jean Moulin · Cartable</title>") {
		t.Errorf("rollover page (want %q): %d %s", closing, r.status, mainOf(r.body))
	}
	r = head.get("/provisioning/establishments/" + est.ID + "/accounts")
	if !strings.Contains(r.body, "effacées 90 jours après") || !strings.Contains(r.body, "<title>Comptes fermés : Collège Jean Moulin · Cartable</title>") {
		t.Errorf("accounts page: %s", mainOf(r.body))
	}

	// The administration's pages name the account and the establishment.
	teacher := e.person(e.account(func(a demo.Account) bool { return a.Profile == roles.Teacher && a.Establishment == demo.MainUAI }).Login)
	if r := head.get("/admin/people/" + teacher.ID + "/account"); r.status != http.StatusOK ||
		!strings.Contains(r.body, "<title>Compte de "+teacher.DisplayName()+" · Cartable</title>") {
		t.Errorf("account page: %d", r.status)
	}
	if r := head.get("/admin/establishments/" + est.ID + "/security"); r.status != http.StatusOK ||
		!strings.Contains(r.body, "<title>Sécurité — Collège Jean Moulin · Cartable</title>") {
		t.Errorf("security page: %d", r.status)
	}

	// The counts of these pages follow the plural rule.
	for got, want := range map[string]string{
		i18n.N("fr", "prov.accounts.hidden", 1):                      "1 autre compte fermé de cet établissement ne vous est pas montré.",
		i18n.N("fr", "prov.accounts.hidden", 2):                      "2 autres comptes fermés de cet établissement ne vous sont pas montrés.",
		i18n.N("fr", "prov.issues.more", 1):                          "1 erreur en tout : corrigez-la, puis renvoyez les fichiers.",
		i18n.N("fr", "prov.review.files", 1):                         "1 fichier",
		i18n.N("fr", "prov.n.class.created", 1):                      "1 classe créée",
		i18n.N("fr", "prov.n.class.created", 3):                      "3 classes créées",
		i18n.N("fr", "prov.n.family_link.removed", 2):                "2 liens familiaux retirés",
		i18n.N("en", "prov.n.class.created", 1):                      "1 class created",
		i18n.T("fr", "prov.warnings.more."+i18n.Form("fr", 1), 1, 7): "1 exemple montré sur 7.",
		i18n.T("fr", "prov.warnings.more."+i18n.Form("fr", 5), 5, 7): "5 exemples montrés sur 7.",
	} {
		if got != want {
			t.Errorf("%q, want %q", got, want)
		}
	}
}

// showISO writes a stored day as the pages do.
func showISO(t *testing.T, day string) string {
	d, err := time.ParseInLocation("2006-01-02", day, i18n.Zone)
	if err != nil {
		t.Fatal(err)
	}
	return i18n.Date("fr", d)
}
