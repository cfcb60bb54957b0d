package directory

import "testing"

func TestFold(t *testing.T) {
	for in, want := range map[string]string{
		"Marie-Élodie d'Aubigné": "marie elodie d aubigne",
		"ŒUVRE Lætitia":          "oeuvre laetitia",
		"Straße":                 "strasse",
		"e\u0301lise":            "elise", // a combining accent written apart
		"ZOË  Noël":              "zoe noel",
		"alice.charles2":         "alice charles2",
		"4e B":                   "4e b",
		" -. ":                   "",
	} {
		if got := fold(in); got != want {
			t.Errorf("fold(%q) = %q, want %q", in, got, want)
		}
	}
	if got := spaced("Jean-Pierre"); got != " jean pierre" {
		t.Errorf("spaced: %q", got)
	}
}
