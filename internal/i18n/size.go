package i18n

import (
	"fmt"
	"strings"
)

// Size writes a file's size for a reader: "840 o", "12 Ko", "1,5 Mo" in
// French, "840 B", "12 KB", "1.5 MB" in English. Units are the binary
// ones the upload limits are given in; kilobytes round up, so that a
// small file is never "0 Ko".
func Size(lang string, n int64) string {
	units := [3]string{"B", "KB", "MB"}
	if lang == "fr" {
		units = [3]string{"o", "Ko", "Mo"}
	}
	switch {
	case n < 1<<10:
		return fmt.Sprintf("%d %s", max(n, 0), units[0])
	case n < 1<<20:
		return fmt.Sprintf("%d %s", (n+1<<10-1)>>10, units[1])
	}
	s := fmt.Sprintf("%.1f", float64(n)/(1<<20))
	s = strings.TrimSuffix(s, ".0")
	if lang == "fr" {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s + " " + units[2]
}
