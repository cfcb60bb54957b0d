package grades

import (
	"context"
	"errors"

	"cartable/internal/access"
	"cartable/internal/roles"
)

// Menu is what the navigation offers a viewer of grades: the marks
// (a student's or a child's: /grades), the gradebook (a teacher's
// teachings, the direction's settings: /gradebook) and the report cards.
type Menu struct {
	Results, Gradebook, ReportCards bool
}

// MenuOf decides the entries from the viewer's facts alone (no query of
// its own beyond what the policy keeps per directory version), since the
// menu is drawn on every page.
func MenuOf(ctx context.Context, v *access.Viewer) (Menu, error) {
	var m Menu
	switch v.Profile {
	case roles.Student, roles.Relative:
		m.Results, m.ReportCards = true, true
		return m, nil
	case roles.Teacher:
		m.Gradebook = true
		heads, err := v.HeadsAClass(ctx)
		if err != nil {
			return m, err
		}
		m.ReportCards = heads
	}
	for _, e := range v.Establishments {
		err := v.Can(ctx, access.ManageGrades, access.Establishment(e))
		switch {
		case err == nil:
			m.Gradebook, m.ReportCards = true, true
		case !errors.Is(err, access.ErrDenied):
			return m, err
		}
		if fn := v.Functions[e]; !m.ReportCards {
			for _, f := range fn {
				if f == roles.CPE && (v.Profile == roles.Staff || v.Profile == roles.Teacher) {
					m.ReportCards = true // the CPE writes school life's appraisal
				}
			}
		}
	}
	return m, nil
}
