// Package i18n holds the interface's message catalogs: French (the
// default) and English. Each language is a folder of flat JSON files, one
// per area of the product (fr/base.json, fr/timetable.json…), merged at
// start; a key defined twice is a programming error and stops the binary.
// A key missing from English falls back to French, and a key missing
// everywhere shows itself, so a gap is visible and never fatal.
package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
)

// Default is the language used when nothing else is asked for.
const Default = "fr"

// Languages lists the supported languages, default first.
var Languages = []string{"fr", "en"}

//go:embed fr/*.json en/*.json
var files embed.FS

var catalogs = map[string]map[string]string{}

func init() {
	for _, lang := range Languages {
		entries, err := files.ReadDir(lang)
		if err != nil {
			panic(err)
		}
		all := map[string]string{}
		for _, e := range entries {
			b, err := files.ReadFile(lang + "/" + e.Name())
			if err != nil {
				panic(err)
			}
			m := map[string]string{}
			if err := json.Unmarshal(b, &m); err != nil {
				panic(fmt.Sprintf("i18n: %s/%s: %v", lang, e.Name(), err))
			}
			for k, v := range m {
				if _, dup := all[k]; dup {
					panic(fmt.Sprintf("i18n: %s/%s: key %q is defined twice", lang, e.Name(), k))
				}
				all[k] = v
			}
		}
		catalogs[lang] = all
	}
}

// Supported reports whether lang is one of Languages.
func Supported(lang string) bool {
	_, ok := catalogs[lang]
	return ok
}

// T translates key into lang. Arguments fill %s/%d verbs in the message.
// For counts, a key "K" may have "K.one" and "K.other" forms: pass the
// count first and use N.
func T(lang, key string, args ...any) string {
	msg, ok := catalogs[lang][key]
	if !ok {
		if msg, ok = catalogs[Default][key]; !ok {
			return key
		}
	}
	if len(args) == 0 {
		return msg
	}
	return fmt.Sprintf(msg, args...)
}

// N translates a count with its plural form: French treats 0 and 1 as
// singular, English only 1.
func N(lang, key string, n int) string {
	return T(lang, key+"."+Form(lang, n), n)
}

// Form is the plural form of n in lang, "one" or "other" (CLDR's rule for
// integers), for a message that takes more than its count: T(lang,
// key+"."+Form(lang, n), args...).
func Form(lang string, n int) string {
	if n == 1 || (lang == "fr" && n == 0) {
		return "one"
	}
	return "other"
}

// Keys returns every key of a language's catalog (for the catalog test).
func Keys(lang string) []string {
	var out []string
	for k := range catalogs[lang] {
		out = append(out, k)
	}
	return out
}
