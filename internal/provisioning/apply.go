package provisioning

import (
	"context"
	"database/sql"
	"strings"

	"cartable/internal/db"
)

// batch inserts rows with multi-row INSERT statements: one round trip per
// few hundred rows instead of one per row, which is what makes an
// academy-sized delivery fit in its time budget on PostgreSQL. The
// statement for a full batch is prepared once.
type batch struct {
	ctx    context.Context
	tx     *db.Tx
	head   string // INSERT INTO t (a, b) VALUES
	tail   string // ON CONFLICT …
	ncols  int
	per    int
	args   []any
	full   *sql.Stmt
	rowSQL string
}

func newBatch(ctx context.Context, tx *db.Tx, table string, cols []string, tail string) *batch {
	per := 400
	if per*len(cols) > 30000 {
		per = 30000 / len(cols)
	}
	return &batch{ctx: ctx, tx: tx, head: "INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES ",
		tail: tail, ncols: len(cols), per: per, rowSQL: "(" + strings.Repeat("?, ", len(cols)-1) + "?)"}
}

func (b *batch) sql(rows int) string {
	var s strings.Builder
	s.WriteString(b.head)
	for i := 0; i < rows; i++ {
		if i > 0 {
			s.WriteString(", ")
		}
		s.WriteString(b.rowSQL)
	}
	if b.tail != "" {
		s.WriteString(" " + b.tail)
	}
	return s.String()
}

func (b *batch) add(vals ...any) error {
	b.args = append(b.args, vals...)
	if len(b.args) < b.per*b.ncols {
		return nil
	}
	if b.full == nil {
		st, err := b.tx.Prepare(b.ctx, b.sql(b.per))
		if err != nil {
			return err
		}
		b.full = st
	}
	_, err := b.full.ExecContext(b.ctx, b.args...)
	b.args = b.args[:0]
	return err
}

func (b *batch) flush() error {
	defer func() {
		if b.full != nil {
			b.full.Close()
			b.full = nil
		}
	}()
	if len(b.args) == 0 {
		return nil
	}
	_, err := b.tx.Exec(b.ctx, b.sql(len(b.args)/b.ncols), b.args...)
	b.args = b.args[:0]
	return err
}

// insertAll runs one batch over n rows.
func insertAll(ctx context.Context, tx *db.Tx, table string, cols []string, tail string, n int, row func(i int) []any) error {
	if n == 0 {
		return nil
	}
	b := newBatch(ctx, tx, table, cols, tail)
	for i := 0; i < n; i++ {
		if err := b.add(row(i)...); err != nil {
			return err
		}
	}
	return b.flush()
}

// execEach runs one prepared statement per row.
func execEach(ctx context.Context, tx *db.Tx, query string, n int, args func(i int) []any) error {
	if n == 0 {
		return nil
	}
	st, err := tx.Prepare(ctx, query)
	if err != nil {
		return err
	}
	defer st.Close()
	for i := 0; i < n; i++ {
		if _, err := st.ExecContext(ctx, args(i)...); err != nil {
			return err
		}
	}
	return nil
}

// execList runs a statement whose last argument is a list of identifiers,
// a chunk at a time.
func execList(ctx context.Context, tx *db.Tx, query string, list []string, args ...any) error {
	return eachChunk(list, func(part []string) error {
		_, err := tx.Exec(ctx, query, append(args, db.ListArg(tx, part))...)
		return err
	})
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// apply writes a plan. Parents come before children (foreign keys); the
// caller's transaction makes it all or nothing.
func apply(ctx context.Context, tx *db.Tx, p *plan, prefix string, o Options) error {
	now := o.Now().Unix()
	hook := func(step string) error {
		if o.Hook != nil {
			return o.Hook(step, tx)
		}
		return nil
	}
	steps := []struct {
		name string
		run  func() error
	}{
		{"establishments", func() error {
			if err := insertAll(ctx, tx, "establishments", []string{"id", "uai", "name", "kind", "city", "created_at"}, "",
				len(p.newEsts), func(i int) []any {
					e := p.newEsts[i]
					return []any{e.id, e.uai, e.name, e.kind, e.city, now}
				}); err != nil {
				return err
			}
			if err := execEach(ctx, tx, `UPDATE establishments SET name = ?, kind = ?, city = ? WHERE id = ?`, len(p.updEsts),
				func(i int) []any { e := p.updEsts[i]; return []any{e.name, e.kind, e.city, e.id} }); err != nil {
				return err
			}
			return execEach(ctx, tx, `INSERT INTO provisioning_establishments (establishment_id, feed, external_id, structure_type, academy)
				VALUES (?, ?, ?, ?, ?) ON CONFLICT (establishment_id) DO UPDATE SET feed = excluded.feed,
				external_id = excluded.external_id, structure_type = excluded.structure_type, academy = excluded.academy`,
				len(p.provRows), func(i int) []any {
					e := p.provRows[i]
					return []any{e.id, e.feed, nullable(e.key), e.typeLabel, e.academy}
				})
		}},
		{"structures", func() error {
			if err := insertAll(ctx, tx, "school_years", []string{"id", "establishment_id", "label", "starts_on", "ends_on", "closed"}, "",
				len(p.newYears), func(i int) []any {
					y := p.newYears[i]
					return []any{y.ID, y.EstablishmentID, y.Label, y.StartsOn, y.EndsOn, false}
				}); err != nil {
				return err
			}
			if err := insertAll(ctx, tx, "subjects", []string{"id", "establishment_id", "code", "short_name", "name"}, "",
				len(p.newSubj), func(i int) []any {
					s := p.newSubj[i]
					return []any{s.ID, s.EstablishmentID, s.Code, s.ShortName, s.Name}
				}); err != nil {
				return err
			}
			if err := insertAll(ctx, tx, "classes", []string{"id", "establishment_id", "school_year_id", "code", "name", "level"}, "",
				len(p.newClass), func(i int) []any {
					c := p.newClass[i]
					return []any{c.ID, c.EstablishmentID, c.SchoolYearID, c.Code, c.Name, c.Level}
				}); err != nil {
				return err
			}
			if err := execEach(ctx, tx, `UPDATE classes SET level = ? WHERE id = ?`, len(p.updLevel),
				func(i int) []any { return []any{p.updLevel[i].b, p.updLevel[i].a} }); err != nil {
				return err
			}
			if err := execEach(ctx, tx, `UPDATE classes SET name = ? WHERE id = ?`, len(p.updClassName),
				func(i int) []any { return []any{p.updClassName[i].b, p.updClassName[i].a} }); err != nil {
				return err
			}
			if err := execEach(ctx, tx, `UPDATE groups SET name = ? WHERE id = ?`, len(p.updGroupName),
				func(i int) []any { return []any{p.updGroupName[i].b, p.updGroupName[i].a} }); err != nil {
				return err
			}
			return insertAll(ctx, tx, "groups", []string{"id", "establishment_id", "school_year_id", "code", "name"}, "",
				len(p.newGroup), func(i int) []any {
					g := p.newGroup[i]
					return []any{g.ID, g.EstablishmentID, g.SchoolYearID, g.Code, g.Name}
				})
		}},
		{"people", func() error {
			if err := insertAll(ctx, tx, "people", []string{"id", "external_id", "profile", "login", "password_hash", "title",
				"last_name", "first_name", "birth_date", "email", "phone", "address", "postal_code", "city", "active",
				"created_at", "updated_at"}, "", len(p.newPeople), func(i int) []any {
				w := p.newPeople[i]
				f := w.fields()
				// No password: the account is activated later (activation codes).
				return []any{w.id, prefix + w.p.Key, w.profile, w.login, "", f[fTitle], f[fLast], f[fFirst], f[fBirth],
					f[fEmail], f[fPhone], f[fAddress], f[fPostal], f[fCity], true, now, now}
			}); err != nil {
				return err
			}
			if err := execEach(ctx, tx, `UPDATE people SET profile = ?, title = ?, last_name = ?, first_name = ?, birth_date = ?,
				email = ?, phone = ?, address = ?, postal_code = ?, city = ?, updated_at = ? WHERE id = ?`, len(p.updPeople),
				func(i int) []any {
					w := p.updPeople[i]
					f := w.fields()
					return []any{w.profile, f[fTitle], f[fLast], f[fFirst], f[fBirth], f[fEmail], f[fPhone], f[fAddress],
						f[fPostal], f[fCity], now, w.id}
				}); err != nil {
				return err
			}
			if err := execList(ctx, tx, `UPDATE people SET active = TRUE, deactivated_at = NULL, updated_at = ? WHERE `+
				db.In(tx, "id"), p.reactivate, now); err != nil {
				return err
			}
			return deactivate(ctx, tx, p.deactivate, now)
		}},
		{"memberships", func() error {
			if err := execEach(ctx, tx, `DELETE FROM memberships WHERE person_id = ? AND establishment_id = ?`, len(p.delMember),
				func(i int) []any { return []any{p.delMember[i][0], p.delMember[i][1]} }); err != nil {
				return err
			}
			if err := insertAll(ctx, tx, "memberships", []string{"person_id", "establishment_id"}, "", len(p.addMember),
				func(i int) []any { return []any{p.addMember[i][0], p.addMember[i][1]} }); err != nil {
				return err
			}
			if err := execEach(ctx, tx, `DELETE FROM functions WHERE person_id = ? AND establishment_id = ? AND function = ?`, len(p.delFn),
				func(i int) []any { return []any{p.delFn[i][0], p.delFn[i][1], p.delFn[i][2]} }); err != nil {
				return err
			}
			if err := insertAll(ctx, tx, "functions", []string{"person_id", "establishment_id", "function"}, "", len(p.addFn),
				func(i int) []any { return []any{p.addFn[i][0], p.addFn[i][1], p.addFn[i][2]} }); err != nil {
				return err
			}
			if err := execEach(ctx, tx, `DELETE FROM provisioning_orphans WHERE person_id = ? AND establishment_id = ?`, len(p.delOrphan),
				func(i int) []any { return []any{p.delOrphan[i][0], p.delOrphan[i][1]} }); err != nil {
				return err
			}
			return insertAll(ctx, tx, "provisioning_orphans", []string{"person_id", "establishment_id"}, "", len(p.addOrphan),
				func(i int) []any { return []any{p.addOrphan[i][0], p.addOrphan[i][1]} })
		}},
		{"classes", func() error {
			pairs := []struct {
				del, ins string
				cols     []string
				rm, add  [][2]string
			}{
				{`DELETE FROM enrolments WHERE student_id = ? AND class_id = ?`, "enrolments", []string{"student_id", "class_id"}, p.delEnrol, p.addEnrol},
				{`DELETE FROM group_members WHERE student_id = ? AND group_id = ?`, "group_members", []string{"student_id", "group_id"}, p.delGM, p.addGM},
				{`DELETE FROM group_classes WHERE group_id = ? AND class_id = ?`, "group_classes", []string{"group_id", "class_id"}, p.delGC, p.addGC},
				{`DELETE FROM head_teachers WHERE class_id = ? AND teacher_id = ?`, "head_teachers", []string{"class_id", "teacher_id"}, p.delHeads, p.addHeads},
			}
			for _, x := range pairs {
				if err := execEach(ctx, tx, x.del, len(x.rm), func(i int) []any { return []any{x.rm[i][0], x.rm[i][1]} }); err != nil {
					return err
				}
				if err := insertAll(ctx, tx, x.ins, x.cols, "", len(x.add), func(i int) []any { return []any{x.add[i][0], x.add[i][1]} }); err != nil {
					return err
				}
			}
			return nil
		}},
		{"families", func() error {
			if err := execEach(ctx, tx, `DELETE FROM family_links WHERE student_id = ? AND relative_id = ?`, len(p.delLinks),
				func(i int) []any { return []any{p.delLinks[i][0], p.delLinks[i][1]} }); err != nil {
				return err
			}
			if err := execEach(ctx, tx, `UPDATE family_links SET relationship = ?, legal_guardian = ?, financial = ?, contact = ?,
				lives_with = ? WHERE student_id = ? AND relative_id = ?`, len(p.updLinks), func(i int) []any {
				l := p.updLinks[i]
				return []any{l.Relationship, l.LegalGuardian, l.Financial, l.Contact, l.LivesWith, l.StudentID, l.RelativeID}
			}); err != nil {
				return err
			}
			return insertAll(ctx, tx, "family_links", []string{"student_id", "relative_id", "relationship", "legal_guardian",
				"financial", "contact", "lives_with", "receives_mail"}, "", len(p.addLinks), func(i int) []any {
				l := p.addLinks[i]
				return []any{l.StudentID, l.RelativeID, l.Relationship, l.LegalGuardian, l.Financial, l.Contact, l.LivesWith, l.ReceivesMail}
			})
		}},
		{"teaching", func() error {
			if err := execList(ctx, tx, `DELETE FROM teaching_assignments WHERE `+db.In(tx, "id"), p.delAssign); err != nil {
				return err
			}
			return insertAll(ctx, tx, "teaching_assignments", []string{"id", "establishment_id", "teacher_id", "class_id",
				"group_id", "subject_id"}, "", len(p.addAssign), func(i int) []any {
				a := p.addAssign[i]
				return []any{a.ID, a.EstablishmentID, a.TeacherID, nullable(a.ClassID), nullable(a.GroupID), a.SubjectID}
			})
		}},
		{"nomenclature", func() error {
			return execEach(ctx, tx, `INSERT INTO provisioning_nomenclature (kind, code, label) VALUES (?, ?, ?)
				ON CONFLICT (kind, code) DO UPDATE SET label = excluded.label`, len(p.nomenclature),
				func(i int) []any { n := p.nomenclature[i]; return []any{n[0], n[1], n[2]} })
		}},
	}
	for _, s := range steps {
		if err := s.run(); err != nil {
			return stepError{s.name, err}
		}
		if err := hook(s.name); err != nil {
			return err
		}
	}
	if o.attachActor && o.actorID != "" && len(p.newEsts) > 0 {
		return insertAll(ctx, tx, "memberships", []string{"person_id", "establishment_id"}, "", len(p.newEsts),
			func(i int) []any { return []any{o.actorID, p.newEsts[i].id} })
	}
	return nil
}

// deactivate closes accounts at once: no sign-in (the session lookup
// requires an active account), no listing, and every session ended now.
// Memberships, links and classes stay, so that a reactivation within the
// purge delay restores the account as it was.
func deactivate(ctx context.Context, tx *db.Tx, ids []string, now int64) error {
	if err := execList(ctx, tx, `UPDATE people SET active = FALSE, deactivated_at = ?, updated_at = ? WHERE active AND `+
		db.In(tx, "id"), ids, now, now); err != nil {
		return err
	}
	return execList(ctx, tx, `DELETE FROM sessions WHERE `+db.In(tx, "person_id"), ids)
}

// stepError names the step of the apply that failed (the database's
// message may be technical; the step tells the operator where).
type stepError struct {
	step string
	err  error
}

func (e stepError) Error() string { return "writing " + e.step + ": " + e.err.Error() }
func (e stepError) Unwrap() error { return e.err }
