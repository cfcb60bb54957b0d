package auth

import (
	"bufio"
	_ "embed"
	"math"
	"strings"
	"sync"
	"unicode"
)

//go:generate go run ./internal/gencommon -o common-passwords.txt

// The password rule follows the CNIL recommendation of 2022 on passwords
// (délibération n° 2022-100), case of a password used alone: the password
// must reach 80 bits of strength, computed as the CNIL does:
//
//	strength = length × log2(size of the alphabet used)
//
// where the alphabet counts 26 for lower-case letters, 26 for upper-case
// letters, 10 for digits and 37 for any other character (the CNIL's "list
// of at least 37 special characters"), each counted once if used, and the
// result is rounded to the nearest bit. So, for instance:
//
//   - 12 characters mixing the four kinds (12 × log2 99 ≈ 79.6 → 80): accepted;
//   - 14 characters of upper case, lower case and digits (≈ 83.4): accepted;
//   - 17 lower-case letters (≈ 79.9 → 80), or a passphrase such as
//     "le chat dort sur le canapé" (26 characters): accepted;
//   - "Bonjour2024" (11 characters): refused.
//
// On top of that a password is refused when it is one of the common
// passwords of the embedded list (after lower-casing, removing separators
// and trailing symbols, and undoing a@ e3 i1 o0 s$ substitutions), when it
// contains the login or the person's first or last name (4 letters or
// more), or when it is longer than MaxPasswordLen bytes (CheckPassword,
// in check.go). There is no forced periodic change and no rule of
// composition beyond the strength.
const MinPasswordBits = 80

// PasswordBits is the CNIL strength of pw, rounded to the nearest bit.
func PasswordBits(pw string) int {
	var lower, upper, digit, other bool
	n := 0
	for _, r := range pw {
		n++
		switch {
		case r >= 'a' && r <= 'z':
			lower = true
		case r >= 'A' && r <= 'Z':
			upper = true
		case r >= '0' && r <= '9':
			digit = true
		default:
			other = true
		}
	}
	alphabet := 0
	for _, k := range []struct {
		used bool
		size int
	}{{lower, 26}, {upper, 26}, {digit, 10}, {other, 37}} {
		if k.used {
			alphabet += k.size
		}
	}
	if alphabet == 0 {
		return 0
	}
	return int(math.Round(float64(n) * math.Log2(float64(alphabet))))
}

//go:embed common-passwords.txt
var commonFile string

var (
	commonOnce sync.Once
	common     map[string]struct{}
)

func commonSet() map[string]struct{} {
	commonOnce.Do(func() {
		common = make(map[string]struct{}, 60000)
		sc := bufio.NewScanner(strings.NewReader(commonFile))
		for sc.Scan() {
			if l := sc.Text(); l != "" && l[0] != '#' {
				common[l] = struct{}{}
			}
		}
	})
	return common
}

// CommonPasswordCount is the size of the embedded list.
func CommonPasswordCount() int { return len(commonSet()) }

var unleet = strings.NewReplacer("@", "a", "4", "a", "3", "e", "1", "i", "!", "i", "0", "o", "$", "s", "5", "s", "7", "t")

// IsCommonPassword reports whether pw is, up to case, separators, trailing
// symbols and common letter substitutions, in the embedded list.
func IsCommonPassword(pw string) bool {
	set := commonSet()
	low := fold(pw)
	bare := strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' || r == '_' || r == '.' {
			return -1
		}
		return r
	}, low)
	trimmed := strings.TrimRightFunc(bare, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	stem := strings.TrimRight(trimmed, "0123456789")
	if tail := trimmed[len(stem):]; len(tail) > 4 && !strings.HasPrefix("1234567890", tail) {
		stem = trimmed // a long run of digits that is not a year or "123456"
	}
	for _, c := range []string{low, bare, trimmed, unleet.Replace(trimmed), stem, unleet.Replace(stem)} {
		if _, ok := set[c]; ok {
			return true
		}
	}
	return false
}

// fold lower-cases and removes French accents, so that "Éloïse" and
// "eloise" compare equal.
func fold(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case 'à', 'â', 'ä', 'À', 'Â', 'Ä':
			return 'a'
		case 'é', 'è', 'ê', 'ë', 'É', 'È', 'Ê', 'Ë':
			return 'e'
		case 'î', 'ï', 'Î', 'Ï':
			return 'i'
		case 'ô', 'ö', 'Ô', 'Ö':
			return 'o'
		case 'ù', 'û', 'ü', 'Ù', 'Û', 'Ü':
			return 'u'
		case 'ç', 'Ç':
			return 'c'
		}
		return unicode.ToLower(r)
	}, s)
}
