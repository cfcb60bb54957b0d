package classlog

import (
	"context"

	"cartable/internal/access"
	"cartable/internal/timetable"
)

// AudienceLink is a lesson's class or group with the pages a viewer may
// open about it: its class log, else its directory page. The school-life
// office (CPE, secretary) sees a lesson but not its class log (the policy's
// read-classlog), so a lesson page links them to the class's page instead
// of a page that would be refused.
type AudienceLink struct {
	timetable.Audience
	Log  bool // the class log of the class or group (read-classlog)
	Page bool // its directory page (read-class), when the log is not open
}

// AudienceLinks tells, for each audience of a lesson, which page opens for
// v; neither leaves the name alone.
func (s *Service) AudienceLinks(ctx context.Context, v *access.Viewer, auds []timetable.Audience) ([]AudienceLink, error) {
	out := make([]AudienceLink, len(auds))
	for i, a := range auds {
		res := access.Class(a.ClassID)
		if a.GroupID != "" {
			res = access.Group(a.GroupID)
		}
		out[i].Audience = a
		var err error
		if out[i].Log, err = v.May(ctx, access.ReadClassLog, res); err != nil {
			return nil, err
		}
		if !out[i].Log {
			if out[i].Page, err = v.May(ctx, access.ReadClass, res); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}
