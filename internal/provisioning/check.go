package provisioning

import (
	"regexp"
	"slices"
	"strconv"
	"strings"

	"cartable/internal/check"
)

// The validators of the provisioning forms, shared by the pages and the
// future API: each returns the problems of a form (field, code) and
// changes nothing. The pages translate the codes.

// UploadForm is the upload form: a delivery's kind, the establishment it
// describes (required for a spreadsheet, which does not say), whether a
// spreadsheet is the whole truth, and how many files were sent.
type UploadForm struct {
	Source   string
	Target   string // establishment ID
	Complete bool
	Files    int
}

// CheckUpload reports what is at fault in an upload form: an unknown
// source ("source", "unknown"), a spreadsheet without its establishment
// ("establishment", "required"), no file ("files", "required"). The
// problems come in that order.
func CheckUpload(f UploadForm) check.Problems {
	var ps check.Problems
	if !slices.Contains(Sources, f.Source) {
		ps.Add("source", "unknown", f.Source)
	}
	if f.Source == CSV && f.Target == "" {
		ps.Add("establishment", "required", "")
	}
	if f.Files == 0 {
		ps.Add("files", "required", "")
	}
	return ps
}

// CheckDelivery reports a delivery read from an upload that is not what
// the form announced: an establishment's own export (SIECLE, STS) of
// another establishment than the one chosen, whose UAI is uai ("files",
// "mismatch"). A feed (AAF) names its establishments itself, and a
// spreadsheet is read as the chosen one's.
func CheckDelivery(dl *Delivery, uai string) check.Problems {
	var ps check.Problems
	if dl.Source != AAF && dl.Source != CSV && uai != "" && len(dl.Structures) > 0 && dl.Structures[0].UAI != uai {
		ps.Add("files", "mismatch", dl.Structures[0].UAI)
	}
	return ps
}

var yearLabel = regexp.MustCompile(`^(\d{4})-(\d{4})$`)

// CheckRollover reports what is at fault in the year a rollover opens:
// it must read YYYY-YYYY, two consecutive years ("year", "label"). The
// rollover adds what only the directory tells: a year that exists already
// ("exists"), or one that starts before an open year ("order").
func CheckRollover(year string) check.Problems {
	_, _, ps := checkRollover(year)
	return ps
}

func checkRollover(year string) (y1, y2 int, ps check.Problems) {
	m := yearLabel.FindStringSubmatch(year)
	if m != nil {
		y1, _ = strconv.Atoi(m[1])
		y2, _ = strconv.Atoi(m[2])
	}
	if m == nil || y2 != y1+1 {
		return 0, 0, yearProblem("label", year)
	}
	return y1, y2, nil
}

func yearProblem(code, year string) check.Problems {
	return check.Problems{{Field: "year", Code: code, Value: year}}
}

// MaxLogin bounds a login typed in a form.
const MaxLogin = 128

// CloseForm is the closing form of an establishment's accounts page: the
// login of the account to close from there.
type CloseForm struct {
	Establishment string
	Login         string
}

// CheckClose reports what is at fault in a closing form: no login, or
// one longer than any ("login", "required" or "toolong").
func CheckClose(f CloseForm) check.Problems {
	var ps check.Problems
	switch login := strings.TrimSpace(f.Login); {
	case login == "":
		ps.Add("login", "required", "")
	case len(login) > MaxLogin:
		ps.Add("login", "toolong", "")
	}
	return ps
}

// ConfirmForm is the confirmation of a pending upload: the summary it
// confirms, and whether the classes and groups it would create were
// acknowledged (the review's "create" checkbox).
type ConfirmForm struct {
	Summary *Summary
	Create  bool
}

// CheckConfirm reports a confirmation that does not acknowledge the
// classes or groups a spreadsheet would create ("create", "required",
// their codes): one typing error in a class column creates a class, so
// nothing is applied until they are named and accepted.
func CheckConfirm(f ConfirmForm) check.Problems {
	var ps check.Problems
	if f.Summary != nil && len(f.Summary.NewStructures) > 0 && !f.Create {
		codes := make([]string, len(f.Summary.NewStructures))
		for i, n := range f.Summary.NewStructures {
			codes[i] = n.Code
		}
		ps.Add("create", "required", strings.Join(codes, " "))
	}
	return ps
}
