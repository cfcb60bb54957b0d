package i18n

import (
	"sort"
	"testing"
)

// Every language must have exactly the keys of the French catalog: a
// missing English text would silently show French.
func TestCatalogsHaveSameKeys(t *testing.T) {
	fr := map[string]bool{}
	for _, k := range Keys("fr") {
		fr[k] = true
	}
	for _, lang := range Languages[1:] {
		other := map[string]bool{}
		for _, k := range Keys(lang) {
			other[k] = true
			if !fr[k] {
				t.Errorf("%s has key %q missing from fr", lang, k)
			}
		}
		var missing []string
		for k := range fr {
			if !other[k] {
				missing = append(missing, k)
			}
		}
		sort.Strings(missing)
		for _, k := range missing {
			t.Errorf("%s lacks key %q", lang, k)
		}
	}
}

func TestTranslate(t *testing.T) {
	if got := T("fr", "home.hello", "Léa"); got != "Bonjour Léa" {
		t.Errorf("fr hello = %q", got)
	}
	if got := T("en", "home.hello", "Léa"); got != "Hello Léa" {
		t.Errorf("en hello = %q", got)
	}
	if got := T("de", "nav.home"); got != "Accueil" {
		t.Errorf("unknown language should fall back to French, got %q", got)
	}
	if got := T("fr", "no.such.key"); got != "no.such.key" {
		t.Errorf("missing key should show itself, got %q", got)
	}
	if got := N("fr", "class.students", 0); got != "0 élève" {
		t.Errorf("fr plural of 0 = %q", got)
	}
	if got := N("en", "class.students", 0); got != "0 students" {
		t.Errorf("en plural of 0 = %q", got)
	}
	if got := N("fr", "class.students", 25); got != "25 élèves" {
		t.Errorf("fr plural of 25 = %q", got)
	}
}
