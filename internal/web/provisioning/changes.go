package provisioning

import "cartable/internal/provisioning"

// The summary of an import's changes as the review and run pages lay it
// out (templates/partial-provisioning.html).

// changeTable is a summary's counts laid out for a table: the actions some
// kind uses as columns, one row per kind.
type changeTable struct {
	Actions []string
	Rows    []changeRow
}

type changeRow struct {
	Kind  string
	Cells []int
}

func tableOf(sum *provisioning.Summary) changeTable {
	var t changeTable
	used := sum.UsedActions()
	for _, i := range used {
		t.Actions = append(t.Actions, provisioning.Actions[i])
	}
	for _, r := range sum.Rows() {
		row := changeRow{Kind: r.Kind}
		for _, i := range used {
			row.Cells = append(row.Cells, r.Counts[i])
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

// warningGroup is the warnings of one code: how many, and a few examples.
type warningGroup struct {
	Code     string
	Count    int
	Examples []issueLine
}

func warningGroups(lang string, rep provisioning.Report) []warningGroup {
	var out []warningGroup
	for _, code := range rep.WarningCodes() {
		g := warningGroup{Code: code, Count: rep.WarningCounts[code]}
		for _, is := range rep.Warnings {
			if is.Code == code && len(g.Examples) < 5 {
				g.Examples = append(g.Examples, issueLine{Where: is.Where(), Message: is.Message(lang)})
			}
		}
		out = append(out, g)
	}
	return out
}
