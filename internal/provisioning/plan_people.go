package provisioning

import (
	"sort"
	"strconv"
	"strings"

	"cartable/internal/directory"
	"cartable/internal/ids"
	"cartable/internal/roles"
)

// The diff of the people: who is matched, created, changed, attached,
// linked, or leaves.

// people matches delivered people with the directory by join key and
// works out their fields.
func (pl *planner) people() error {
	d, st := pl.d, pl.st
	keys := make([]string, 0, len(d.People))
	seen := make(map[string]bool, len(d.People))
	need := func(k string) {
		if !seen[k] {
			seen[k] = true
			keys = append(keys, pl.prefix+k)
		}
	}
	for _, p := range d.People {
		need(p.Key)
		for _, c := range p.ex().Children {
			need(c)
		}
	}
	for _, l := range d.Links {
		need(l.Relative)
		need(l.Student)
	}
	for _, del := range d.Deletes {
		need(del.Key)
	}
	seen = nil
	st.keepFields = map[string]bool{}
	for _, p := range d.People {
		if p.Op == OpModify {
			st.keepFields[pl.prefix+p.Key] = true
		}
	}
	if err := st.loadByKeys(pl.ctx, pl.q, keys); err != nil {
		return err
	}
	if d.Complete {
		var covered []string
		for id := range pl.covered {
			covered = append(covered, id)
		}
		sort.Strings(covered)
		scope, err := scopeIDs(pl.ctx, pl.q, covered, pl.prefix)
		if err != nil {
			return err
		}
		if err := st.loadByIDs(pl.ctx, pl.q, scope); err != nil {
			return err
		}
	}
	if err := st.loadRelations(pl.ctx, pl.q); err != nil {
		return err
	}
	for _, p := range d.People {
		c := st.byKey[pl.prefix+p.Key]
		if c == nil && p.Op == OpModify {
			d.Report.warnf(p.Pos, "modify-unknown", p.Key)
			continue
		}
		w := &want{p: p, c: c}
		switch {
		case c == nil:
			w.id = ids.New()
		case p.Op == OpModify:
			// A modify changes some fields: start from the current ones.
			f := *c.f
			w.id, w.profile, w.f = c.id, c.profile, &f
		default:
			// An add states every field: the record is the new state.
			w.id, w.profile = c.id, c.profile
		}
		if p.has(setProfile) && p.Profile != "" {
			if c != nil && familyOf(c.profile) != familyOf(p.Profile) {
				d.Report.warnf(p.Pos, "profile-change", p.Key, c.profile, p.Profile)
			}
			w.profile = p.Profile
		}
		if w.profile == "" {
			w.profile = roles.Staff
		}
		if w.f != nil {
			nf := p.fields()
			for i, bit := range fieldBits {
				if p.has(bit) {
					w.f[i] = nf[i]
				}
			}
		}
		pl.wants = append(pl.wants, w)
		pl.wantBy[p.Key] = w
	}
	return nil
}

// idOf resolves a delivered join key to a person ID, delivered or known.
func (pl *planner) idOf(key string) string {
	if w := pl.wantBy[key]; w != nil {
		return w.id
	}
	if c := pl.st.byKey[pl.prefix+key]; c != nil && !c.purged {
		return c.id
	}
	return ""
}

func addUnique(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}

// relations resolves each person's classes, groups, functions and
// teaching into rows of the directory.
func (pl *planner) relations() error {
	levels := map[*structRow]map[string]int{}
	gclasses := map[*structRow]map[string]bool{} // group → classes of its delivered members
	for _, w := range pl.wants {
		p := w.p
		for _, k := range p.Rattach {
			if e := pl.est(k, p, "ENTPersonStructRattach"); e != nil {
				w.ests = addUnique(w.ests, e.id)
			}
		}
		var myClasses []pair // class id, establishment — to link the groups
		for _, r := range p.Classes {
			e := pl.est(r.Est, p, "classes")
			if e == nil {
				continue
			}
			c, err := pl.class(e, r.Code, "")
			if err != nil {
				return err
			}
			pl.named(c, p.Pos)
			w.ests = addUnique(w.ests, e.id)
			if w.profile == roles.Student {
				w.enrol = append(w.enrol, pair{c.id, e.id})
				myClasses = append(myClasses, pair{c.id, e.id})
				if p.Level != "" {
					if levels[c] == nil {
						levels[c] = map[string]int{}
					}
					levels[c][p.Level]++
				}
			}
		}
		for _, r := range p.Groups {
			e := pl.est(r.Est, p, "groups")
			if e == nil {
				continue
			}
			g, err := pl.group(e, r.Code, "")
			if err != nil {
				return err
			}
			pl.named(g, p.Pos)
			w.ests = addUnique(w.ests, e.id)
			if w.profile == roles.Student {
				w.gm = append(w.gm, pair{g.id, e.id})
				for _, c := range myClasses {
					if c.b == e.id {
						if gclasses[g] == nil {
							gclasses[g] = map[string]bool{}
						}
						gclasses[g][c.a] = true
					}
				}
			}
		}
		for _, r := range p.ex().Functions {
			if e := pl.est(r.Est, p, "ENTPersonFonctions"); e != nil {
				w.ests = addUnique(w.ests, e.id)
				w.staff().fns = append(w.staff().fns, pair{e.id, r.Code})
			}
		}
		for _, t := range p.ex().Teaching {
			e := pl.guess(t.Est, t.Code, t.Group, p)
			if e == nil {
				continue
			}
			a := curAssign{est: e.id, subject: pl.subject(e, t.Subject)}
			if t.Group {
				g, err := pl.group(e, t.Code, "")
				if err != nil {
					return err
				}
				a.group = g.id
			} else {
				c, err := pl.class(e, t.Code, "")
				if err != nil {
					return err
				}
				a.class = c.id
			}
			w.ests = addUnique(w.ests, e.id)
			dup := false
			sr := w.staff()
			for _, x := range sr.assigns {
				dup = dup || (x.class == a.class && x.group == a.group && x.subject == a.subject)
			}
			if !dup {
				sr.assigns = append(sr.assigns, a)
			}
		}
		for _, r := range p.ex().Heads {
			e := pl.guess(r.Est, r.Code, false, p)
			if e == nil {
				continue
			}
			c, err := pl.class(e, r.Code, "")
			if err != nil {
				return err
			}
			w.ests = addUnique(w.ests, e.id)
			if sr := w.staff(); !containsPair(sr.heads, pair{c.id, e.id}) {
				sr.heads = append(sr.heads, pair{c.id, e.id})
			}
		}
	}
	// Classes and groups the structures declare themselves.
	for _, e := range pl.order {
		if e.delivered == nil {
			continue
		}
		for _, n := range e.delivered.Classes {
			c, err := pl.class(e, n.Code, n.Name)
			if err != nil {
				return err
			}
			// A class its people named first was given its code for a
			// name: the structure's label replaces it on this very run,
			// or the next run would rename it (one run must converge).
			if n.Name != "" && c.name != n.Name {
				c.name = n.Name
				if !c.isNew {
					pl.p.updClassName = append(pl.p.updClassName, pair{c.id, n.Name})
				}
			}
		}
		for _, n := range e.delivered.Groups {
			g, err := pl.group(e, n.Code, n.Name)
			if err != nil {
				return err
			}
			if n.Name != "" && g.name != n.Name {
				g.name = n.Name
				if !g.isNew {
					pl.p.updGroupName = append(pl.p.updGroupName, pair{g.id, n.Name})
				}
			}
			for _, code := range e.delivered.GroupClasses[n.Code] {
				c, err := pl.class(e, code, "")
				if err != nil {
					return err
				}
				if gclasses[g] == nil {
					gclasses[g] = map[string]bool{}
				}
				gclasses[g][c.id] = true
			}
		}
	}
	// A class's level: the MEF most of its delivered students follow.
	for c, count := range levels {
		best, n := "", 0
		for l, k := range count {
			if k > n || k == n && l < best {
				best, n = l, k
			}
		}
		if c.isNew {
			c.level = best
		} else if pl.d.Complete && best != "" && c.level != best {
			c.level = best
			pl.p.updLevel = append(pl.p.updLevel, pair{c.id, best})
		}
	}
	pl.groupClasses(gclasses)
	return nil
}

// named records where a spreadsheet names a class or group the import
// would create: a typing error there ("4e Z") silently makes a class, so
// the review names each one with its lines (NewStructures). Feeds and
// exports of the administration name real classes: not recorded.
func (pl *planner) named(r *structRow, at Pos) {
	if pl.d.Source == CSV && r.isNew {
		pl.namedAt[r] = append(pl.namedAt[r], at)
	}
}

// newStructures lists, for a spreadsheet, the classes and groups the
// import would create, by code, each with the lines that name it.
func (pl *planner) newStructures() []NewStructure {
	var out []NewStructure
	for _, e := range pl.order {
		for _, set := range []struct {
			kind string
			rows map[string]*structRow
		}{{"class", e.classes}, {"group", e.groups}} {
			codes := make([]string, 0, len(set.rows))
			for code, r := range set.rows {
				if r.isNew && len(pl.namedAt[r]) > 0 {
					codes = append(codes, code)
				}
			}
			sort.Strings(codes)
			for _, code := range codes {
				at := pl.namedAt[set.rows[code]]
				n := NewStructure{Kind: set.kind, Code: code, UAI: e.uai}
				for i, p := range at {
					if i == maxNamedLines {
						n.MoreLines = len(at) - i
						break
					}
					n.Lines = append(n.Lines, p.String())
				}
				out = append(out, n)
			}
		}
	}
	return out
}

// maxNamedLines bounds the lines a review shows for one new class.
const maxNamedLines = 10

func containsPair(ps []pair, p pair) bool {
	for _, x := range ps {
		if x == p {
			return true
		}
	}
	return false
}

// guess resolves the structure of a teaching line. Feeds (the 2013 sample
// among them) sometimes name a structure the delivery does not hold; when
// the same record lists that class or group code under exactly one known
// structure, the line is taken there, and the import says so.
func (pl *planner) guess(key, code string, group bool, p *Person) *estInfo {
	if e := pl.byKey[key]; e != nil {
		return e
	}
	refs := p.Classes
	if group {
		refs = p.Groups
	}
	var found *estInfo
	n := 0
	for _, r := range refs {
		if r.Code == code {
			if e := pl.byKey[r.Est]; e != nil && e != found {
				found = e
				n++
			}
		}
	}
	if n == 1 {
		pl.d.Report.warnf(p.Pos, "structure-guessed", key, code, found.uai, p.Key)
		return found
	}
	return pl.est(key, p, "teaching")
}

// groupClasses links groups to the classes their delivered members come
// from: replaced in a complete delivery, completed in a delta.
func (pl *planner) groupClasses(gclasses map[*structRow]map[string]bool) {
	for _, e := range pl.order {
		codes := make([]string, 0, len(e.groups))
		for code := range e.groups {
			codes = append(codes, code)
		}
		sort.Strings(codes)
		for _, code := range codes {
			g := e.groups[code]
			wantSet, ok := gclasses[g]
			if !ok {
				continue
			}
			have := e.gclasses[g.id]
			classes := make([]string, 0, len(wantSet))
			for c := range wantSet {
				classes = append(classes, c)
			}
			sort.Strings(classes)
			for _, c := range classes {
				if !have[c] {
					pl.p.addGC = append(pl.p.addGC, [2]string{g.id, c})
				}
			}
			if pl.d.Complete && e.covered {
				var gone []string
				for c := range have {
					if !wantSet[c] {
						gone = append(gone, c)
					}
				}
				sort.Strings(gone)
				for _, c := range gone {
					pl.p.delGC = append(pl.p.delGC, [2]string{g.id, c})
				}
			}
		}
	}
}

// inScope tells whether an existing relation in establishment e may be
// removed: a complete delivery rules its establishments only; a delta
// states the whole of what it names.
func (pl *planner) inScope(e string) bool { return !pl.d.Complete || pl.covered[e] }

// links works out the family links.
func (pl *planner) links() error {
	d, st := pl.d, pl.st
	type wl struct {
		rel string
		l   Link
	}
	byStudent := map[string][]wl{}
	var owners []string
	for _, l := range d.Links {
		if _, ok := byStudent[l.Student]; !ok {
			owners = append(owners, l.Student)
		}
		rid := pl.idOf(l.Relative)
		if rid == "" {
			d.Report.warnf(l.Pos, "dangling-relative", l.Student, l.Relative)
			byStudent[l.Student] = append(byStudent[l.Student], wl{l: l})
			continue
		}
		byStudent[l.Student] = append(byStudent[l.Student], wl{rid, l})
	}
	for k := range d.LinkOwners {
		if _, ok := byStudent[k]; !ok {
			owners = append(owners, k)
		}
	}
	sort.Strings(owners)
	linked := map[string]bool{} // relatives with a link after the import
	for _, key := range owners {
		sid := pl.idOf(key)
		if sid == "" {
			var l Link
			if xs := byStudent[key]; len(xs) > 0 {
				l = xs[0].l
			}
			d.Report.warnf(l.Pos, "dangling-student", l.Relative, key)
			continue
		}
		wantRel := map[string]bool{}
		for _, x := range byStudent[key] {
			if x.rel == "" || wantRel[x.rel] {
				continue
			}
			wantRel[x.rel] = true
			linked[x.rel] = true
			fl := directory.FamilyLink{StudentID: sid, RelativeID: x.rel, Relationship: x.l.Relationship,
				LegalGuardian: x.l.LegalGuardian, Financial: x.l.Financial, Contact: x.l.Contact, LivesWith: x.l.LivesWith}
			if cl, ok := st.links[pair{sid, x.rel}]; ok {
				fl.ReceivesMail = cl.receivesM
				if cl.relationship != fl.Relationship || cl.legal != fl.LegalGuardian || cl.financial != fl.Financial ||
					cl.contact != fl.Contact || cl.lives != fl.LivesWith {
					pl.p.updLinks = append(pl.p.updLinks, fl)
				} else {
					pl.sum.count("family_link", "unchanged", 1)
				}
				continue
			}
			pl.p.addLinks = append(pl.p.addLinks, fl)
		}
		if d.LinkOwners[key] {
			for _, rel := range st.linksOf[sid] {
				if !wantRel[rel] {
					pl.p.delLinks = append(pl.p.delLinks, [2]string{sid, rel})
				}
			}
		}
	}
	// Links stated from the relative's side only add what is missing.
	added := map[pair]bool{}
	for _, l := range pl.p.addLinks {
		added[pair{l.StudentID, l.RelativeID}] = true
	}
	for _, w := range pl.wants {
		if w.profile != roles.Relative {
			continue
		}
		for _, child := range w.p.ex().Children {
			sid := pl.idOf(child)
			if sid == "" {
				d.Report.warnf(w.p.Pos, "dangling-student", w.p.Key, child)
				continue
			}
			linked[w.id] = true
			k := pair{sid, w.id}
			if _, ok := st.links[k]; ok || added[k] {
				continue
			}
			added[k] = true
			pl.p.addLinks = append(pl.p.addLinks, directory.FamilyLink{StudentID: sid, RelativeID: w.id, Relationship: "autre"})
		}
	}
	removed := map[pair]bool{}
	for _, k := range pl.p.delLinks {
		removed[pair{k[0], k[1]}] = true
	}
	for k := range st.links {
		if !removed[k] {
			linked[k.b] = true
		}
	}
	for _, w := range pl.wants {
		if w.profile == roles.Relative && !linked[w.id] {
			d.Report.warnf(w.p.Pos, "relative-unlinked", w.p.Key)
		}
	}
	return nil
}

// memberships attaches people to establishments: a relative follows their
// children. A complete delivery detaches from its establishments whoever it
// no longer attaches there; a delta only adds.
func (pl *planner) memberships() error {
	st := pl.st
	wantByID := make(map[string]*want, len(pl.wants))
	for _, w := range pl.wants {
		wantByID[w.id] = w
	}
	// The children of each relative after the import.
	children := map[string][]string{}
	removed := map[pair]bool{}
	for _, k := range pl.p.delLinks {
		removed[pair{k[0], k[1]}] = true
	}
	for k := range st.links {
		if !removed[k] {
			children[k.b] = append(children[k.b], k.a)
		}
	}
	for _, l := range pl.p.addLinks {
		children[l.RelativeID] = append(children[l.RelativeID], l.StudentID)
	}
	for _, w := range pl.wants {
		if w.profile != roles.Relative {
			continue
		}
		for _, sid := range children[w.id] {
			if cw := wantByID[sid]; cw != nil {
				for _, e := range cw.ests {
					w.ests = addUnique(w.ests, e)
				}
			} else if c := st.byID[sid]; c != nil && c.active {
				for _, e := range c.ests {
					w.ests = addUnique(w.ests, e)
				}
			}
		}
	}
	var coveredList []string
	for id := range pl.covered {
		coveredList = append(coveredList, id)
	}
	sort.Strings(coveredList)
	for _, w := range pl.wants {
		var have []string
		if w.c != nil {
			have = w.c.ests
		}
		for _, e := range w.ests {
			if !contains(have, e) {
				pl.p.addMember = append(pl.p.addMember, [2]string{w.id, e})
			}
		}
		if pl.d.Complete && w.p.Op == OpAdd {
			for _, e := range have {
				if pl.covered[e] && !contains(w.ests, e) {
					pl.p.delMember = append(pl.p.delMember, [2]string{w.id, e})
				}
			}
		}
		// Orphans: tied to the establishments the delivery covers.
		var orphans []string
		if w.c != nil {
			orphans = st.orphans[w.id]
		}
		if len(w.ests) == 0 && w.c != nil && len(w.c.ests) > 0 && !pl.d.Complete {
			continue // a delta that names no establishment leaves the attachments as they are
		}
		if len(w.ests) == 0 {
			for _, e := range coveredList {
				if !contains(orphans, e) {
					pl.p.addOrphan = append(pl.p.addOrphan, [2]string{w.id, e})
				}
			}
		} else {
			for _, e := range orphans {
				pl.p.delOrphan = append(pl.p.delOrphan, [2]string{w.id, e})
			}
		}
		pl.relationDiff(w)
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// relationDiff compares a person's classes, groups, functions, teaching and
// head-teacher roles with the directory, for what the record states.
func (pl *planner) relationDiff(w *want) {
	st, p := pl.st, w.p
	id := w.id
	sr := w.staffRel
	if sr == nil {
		sr = &staffRel{}
	}
	if w.profile == roles.Student && p.has(setClasses) {
		have := st.enrol[id]
		for _, x := range w.enrol {
			if !hasFirst(have, x.a) {
				pl.p.addEnrol = append(pl.p.addEnrol, [2]string{id, x.a})
			}
		}
		for _, x := range have {
			if pl.inScope(x.b) && !hasFirst(w.enrol, x.a) {
				pl.p.delEnrol = append(pl.p.delEnrol, [2]string{id, x.a})
			}
		}
	}
	if w.profile == roles.Student && p.has(setGroups) {
		have := st.gmember[id]
		for _, x := range w.gm {
			if !hasFirst(have, x.a) {
				pl.p.addGM = append(pl.p.addGM, [2]string{id, x.a})
			}
		}
		for _, x := range have {
			if pl.inScope(x.b) && !hasFirst(w.gm, x.a) {
				pl.p.delGM = append(pl.p.delGM, [2]string{id, x.a})
			}
		}
	}
	if p.has(setFunctions) && w.profile != roles.Student && w.profile != roles.Relative {
		have := st.functions[id]
		for _, x := range sr.fns {
			if !containsPair(have, x) {
				pl.p.addFn = append(pl.p.addFn, [3]string{id, x.a, x.b})
			}
		}
		for _, x := range have {
			if managedFunctions[x.b] && pl.inScope(x.a) && !containsPair(sr.fns, x) {
				pl.p.delFn = append(pl.p.delFn, [3]string{id, x.a, x.b})
			}
		}
	}
	if p.has(setTeachClasses) || p.has(setTeachGroups) {
		have := st.assigns[id]
		same := func(a, b curAssign) bool { return a.class == b.class && a.group == b.group && a.subject == b.subject }
		for _, a := range sr.assigns {
			if a.group == "" && !p.has(setTeachClasses) || a.group != "" && !p.has(setTeachGroups) {
				continue
			}
			found := false
			for _, h := range have {
				found = found || same(a, h)
			}
			if !found {
				pl.p.addAssign = append(pl.p.addAssign, directory.Assignment{ID: ids.New(), EstablishmentID: a.est,
					TeacherID: id, ClassID: a.class, GroupID: a.group, SubjectID: a.subject})
			}
		}
		for _, h := range have {
			if h.group == "" && !p.has(setTeachClasses) || h.group != "" && !p.has(setTeachGroups) || !pl.inScope(h.est) {
				continue
			}
			found := false
			for _, a := range sr.assigns {
				found = found || same(a, h)
			}
			if !found {
				pl.p.delAssign = append(pl.p.delAssign, h.id)
			}
		}
	}
	if p.has(setHeads) && w.profile != roles.Student && w.profile != roles.Relative {
		have := st.heads[id]
		for _, x := range sr.heads {
			if !hasFirst(have, x.a) {
				pl.p.addHeads = append(pl.p.addHeads, [2]string{x.a, id})
			}
		}
		for _, x := range have {
			if pl.inScope(x.b) && !hasFirst(sr.heads, x.a) {
				pl.p.delHeads = append(pl.p.delHeads, [2]string{x.a, id})
			}
		}
	}
}

func hasFirst(ps []pair, a string) bool {
	for _, x := range ps {
		if x.a == a {
			return true
		}
	}
	return false
}

// leavers works out who leaves: people absent from a complete delivery of
// their establishment, people a delta deletes. One attached elsewhere is
// only detached; anyone else is deactivated (memberships and links kept,
// so that a reactivation restores the account intact). It also runs the
// mass-deactivation guard.
func (pl *planner) leavers() error {
	d, st := pl.d, pl.st
	inDelivery := map[string]bool{}
	for _, w := range pl.wants {
		inDelivery[w.id] = true
		if w.c != nil && !w.c.active {
			pl.p.reactivate = append(pl.p.reactivate, w.id)
		}
	}
	active := map[string]int{}
	leaving := map[string]int{}
	if d.Complete {
		ids := make([]string, 0, len(st.byID))
		for id := range st.byID {
			ids = append(ids, id)
		}
		sort.Strings(ids)
		for _, id := range ids {
			c := st.byID[id]
			fam := familyOf(c.profile)
			if c.key == "" || !c.active || fam&d.Families == 0 || !strings.HasPrefix(c.key, pl.prefix) {
				continue
			}
			var in, out []string
			for _, e := range c.ests {
				if pl.covered[e] {
					in = append(in, e)
					active[e]++
				} else {
					out = append(out, e)
				}
			}
			if inDelivery[id] {
				continue
			}
			var orphanIn []string
			for _, e := range st.orphans[id] {
				if pl.covered[e] {
					orphanIn = append(orphanIn, e)
				}
			}
			if len(in) == 0 && len(orphanIn) == 0 {
				continue
			}
			for _, e := range in {
				leaving[e]++
			}
			if len(out) > 0 {
				for _, e := range in {
					pl.p.delMember = append(pl.p.delMember, [2]string{id, e})
				}
				for _, e := range orphanIn {
					pl.p.delOrphan = append(pl.p.delOrphan, [2]string{id, e})
				}
				pl.sum.count(c.profile, "detached", 1)
				continue
			}
			pl.p.deactivate = append(pl.p.deactivate, id)
			pl.sum.count(c.profile, "deactivated", 1)
		}
	}
	for _, del := range d.Deletes {
		c := st.byKey[pl.prefix+del.Key]
		if c == nil || c.purged {
			d.Report.warnf(del.Pos, "delete-unknown", del.Key)
			continue
		}
		if c.active && !contains(pl.p.deactivate, c.id) {
			pl.p.deactivate = append(pl.p.deactivate, c.id)
			pl.sum.count(c.profile, "deactivated", 1)
		}
	}
	max := pl.o.MaxDeactivation
	if max <= 0 {
		max = DefaultMaxDeactivation
	}
	for _, e := range pl.order {
		if !e.covered || leaving[e.id] == 0 {
			continue
		}
		g := GuardLine{EstablishmentID: e.id, UAI: e.uai, Active: active[e.id], Leaving: leaving[e.id]}
		g.Share = float64(g.Leaving) / float64(g.Active)
		g.Percent = int(100*g.Share + 0.5)
		g.Over = g.Share > max
		if g.Over && !pl.o.AllowMassDeactivation {
			pl.sum.Refused = "mass-deactivation"
		}
		pl.sum.Guard = append(pl.sum.Guard, g)
	}
	return nil
}

// assignLogins gives new people a login: the one the feed carries when it
// is free, else "prenom.nom" with a number from 2 on when taken.
func (pl *planner) assignLogins() error {
	var fresh []*want
	for _, w := range pl.wants {
		if w.c == nil {
			fresh = append(fresh, w)
		}
	}
	if len(fresh) == 0 {
		return nil
	}
	pl.logins = map[string]bool{}
	if len(fresh) > 200 {
		// Many new people: one read of every login is cheaper than a
		// lookup each.
		if err := eachRow(pl.ctx, pl.q, `SELECT login FROM people`, nil, func(r []string) { pl.logins[r[0]] = true }); err != nil {
			return err
		}
	} else {
		for _, w := range fresh {
			f := w.fields()
			for _, base := range []string{w.p.ex().Login, loginBase(f[fFirst], f[fLast])} {
				if base == "" {
					continue
				}
				// Every login starting with base, through the unique index.
				if err := eachRow(pl.ctx, pl.q, `SELECT login FROM people WHERE login >= ? AND login < ?`,
					[]any{base, base + "\U0010FFFF"}, func(r []string) { pl.logins[r[0]] = true }); err != nil {
					return err
				}
			}
		}
	}
	for _, w := range fresh {
		if l := w.p.ex().Login; l != "" && !pl.logins[l] && validLogin(l) {
			w.login = l
		} else {
			f := w.fields()
			base := loginBase(f[fFirst], f[fLast])
			l = base
			for n := max(pl.next[base], 2); pl.logins[l]; n++ {
				l = base + strconv.Itoa(n)
				pl.next[base] = n + 1
			}
			w.login = l
		}
		pl.logins[w.login] = true
		pl.p.newPeople = append(pl.p.newPeople, w)
	}
	return nil
}

func validLogin(l string) bool {
	if len(l) > 128 {
		return false
	}
	for _, r := range l {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '.' || r == '-' || r == '_' || r == '@') {
			return false
		}
	}
	return true
}

// structureRows lists the classes and groups to create, and reports the
// classes a complete delivery no longer names (kept: other services may
// hold their history; the rollover closes them).
func (pl *planner) structureRows() error {
	for _, e := range pl.order {
		codes := make([]string, 0, len(e.classes))
		for code := range e.classes {
			codes = append(codes, code)
		}
		sort.Strings(codes)
		for _, code := range codes {
			c := e.classes[code]
			if c.isNew {
				pl.p.newClass = append(pl.p.newClass, directory.Class{ID: c.id, EstablishmentID: e.id, SchoolYearID: e.year,
					Code: c.code, Name: c.name, Level: c.level})
			} else if !c.seen && e.covered {
				pl.d.Report.warnf(Pos{}, "class-not-delivered", c.code, e.uai)
			}
		}
		codes = codes[:0]
		for code := range e.groups {
			codes = append(codes, code)
		}
		sort.Strings(codes)
		for _, code := range codes {
			g := e.groups[code]
			if g.isNew {
				pl.p.newGroup = append(pl.p.newGroup, directory.Group{ID: g.id, EstablishmentID: e.id, SchoolYearID: e.year,
					Code: g.code, Name: g.name})
			} else if !g.seen && e.covered {
				pl.d.Report.warnf(Pos{}, "group-not-delivered", g.code, e.uai)
			}
		}
	}
	// People whose fields change.
	for _, w := range pl.wants {
		if f := w.fields(); w.c != nil && (w.c.sum != f.hash() || w.c.profile != w.profile) {
			pl.p.updPeople = append(pl.p.updPeople, w)
		}
	}
	return nil
}

// nomenclature keeps the subject and MEF labels for later deltas.
func (pl *planner) nomenclature() error {
	if len(pl.d.Subjects)+len(pl.d.MEFs) == 0 {
		return nil
	}
	have := map[[2]string]string{}
	if err := eachRow(pl.ctx, pl.q, `SELECT kind, code, label FROM provisioning_nomenclature`, nil, func(r []string) {
		have[[2]string{r[0], r[1]}] = r[2]
	}); err != nil {
		return err
	}
	for _, set := range []struct {
		kind string
		m    map[string]string
	}{{"subject", pl.d.Subjects}, {"mef", pl.d.MEFs}} {
		codes := make([]string, 0, len(set.m))
		for c := range set.m {
			codes = append(codes, c)
		}
		sort.Strings(codes)
		for _, c := range codes {
			if l, ok := have[[2]string{set.kind, c}]; !ok || l != set.m[c] {
				pl.p.nomenclature = append(pl.p.nomenclature, [3]string{set.kind, c, set.m[c]})
			}
		}
	}
	return nil
}

// counts fills the summary from the plan.
func (pl *planner) counts() {
	p, s := pl.p, pl.sum
	s.NewStructures = pl.newStructures()
	for _, e := range pl.order {
		s.Establishments = append(s.Establishments, EstablishmentSummary{ID: e.id, UAI: e.uai, Name: e.name, New: e.isNew, Covered: e.covered})
	}
	s.count("establishment", "created", len(p.newEsts))
	s.count("establishment", "updated", len(p.updEsts))
	s.count("school_year", "created", len(p.newYears))
	s.count("class", "created", len(p.newClass))
	s.count("class", "updated", len(p.updLevel)+len(p.updClassName))
	s.count("group", "updated", len(p.updGroupName))
	s.count("group", "created", len(p.newGroup))
	s.count("subject", "created", len(p.newSubj))
	upd := map[string]bool{}
	for _, w := range p.updPeople {
		upd[w.id] = true
	}
	react := map[string]bool{}
	for _, id := range p.reactivate {
		react[id] = true
	}
	for _, w := range pl.wants {
		switch {
		case w.c == nil:
			s.count(w.profile, "created", 1)
		case react[w.id]:
			s.count(w.profile, "reactivated", 1)
		case upd[w.id]:
			s.count(w.profile, "updated", 1)
		default:
			s.count(w.profile, "unchanged", 1)
		}
	}
	s.count("membership", "added", len(p.addMember))
	s.count("membership", "removed", len(p.delMember))
	s.count("enrolment", "added", len(p.addEnrol))
	s.count("enrolment", "removed", len(p.delEnrol))
	s.count("group_member", "added", len(p.addGM))
	s.count("group_member", "removed", len(p.delGM))
	s.count("group_class", "added", len(p.addGC))
	s.count("group_class", "removed", len(p.delGC))
	s.count("family_link", "added", len(p.addLinks))
	s.count("family_link", "updated", len(p.updLinks))
	s.count("family_link", "removed", len(p.delLinks))
	s.count("function", "added", len(p.addFn))
	s.count("function", "removed", len(p.delFn))
	s.count("assignment", "added", len(p.addAssign))
	s.count("assignment", "removed", len(p.delAssign))
	s.count("head_teacher", "added", len(p.addHeads))
	s.count("head_teacher", "removed", len(p.delHeads))
}
