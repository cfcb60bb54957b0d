package access_test

import (
	"context"
	"testing"
	"time"

	"cartable/internal/access"
	"cartable/internal/dbtest"
)

// The access matrix of news: for each question, exactly the viewers listed
// are allowed; every other person of the fixture (students, relatives, the
// secretary, the documentalist, other teachers, the other establishment)
// is refused.
func TestNewsMatrix(t *testing.T) {
	ctx := context.Background()
	d := dbtest.Open(t)
	f := buildFixture(t, d)
	p := access.New(d)
	A, B := access.Establishment(f.ests["A"]), access.Establishment(f.ests["B"])
	const speak = "hA depA cA"
	cases := []struct {
		what    string
		a       access.Action
		r       access.Resource
		allowed string
	}{
		{"publish to establishment A", access.PublishNews, A, speak},
		{"publish to establishment B", access.PublishNews, B, "hB"},
		{"publish to class 6A", access.PublishNews, f.structs["6A"], "t1 " + speak},
		{"publish to class 6B", access.PublishNews, f.structs["6B"], "t3 " + speak},
		{"publish to group ESP", access.PublishNews, f.structs["ESP"], "t2 " + speak},
		{"publish to class 2B", access.PublishNews, f.structs["2B"], "t2 hB"},
		{"publish to an unknown class", access.PublishNews, access.Class("nope"), ""},
		{"publish to an unknown establishment", access.PublishNews, access.Establishment("nope"), ""},
		{"follow news of A", access.FollowNews, A, "hA depA"},
		{"follow news of B", access.FollowNews, B, "hB"},
		{"publish to a person", access.PublishNews, access.Person(f.people["s1"]), ""},
		{"follow news of a class", access.FollowNews, f.structs["6A"], ""},
	}
	viewers := map[string]*access.Viewer{}
	for _, login := range sortedKeys(f.people) {
		if login == "sOff" {
			continue
		}
		v, err := p.Viewer(ctx, f.people[login])
		if err != nil {
			t.Fatal(err)
		}
		viewers[login] = v
	}
	for _, c := range cases {
		want := set(c.allowed)
		for w := range want {
			if _, ok := viewers[w]; !ok {
				t.Fatalf("%s: unknown viewer %q", c.what, w)
			}
		}
		for _, login := range sortedKeys(viewers) {
			checkAnswer(t, p.Can(ctx, viewers[login], c.a, c.r), want[login], login+": "+c.what)
		}
	}
	if err := (&access.Viewer{}).Can(ctx, access.PublishNews, A); err == nil {
		t.Fatal("a forged viewer publishes")
	}
}

// read-file of a news item's attachment: its author; once published, the
// head and deputy; its recipients while it is shown to them. Withdrawn:
// the author, head and deputy only; a draft: the author only.
func TestNewsFileMatrix(t *testing.T) {
	ctx := context.Background()
	d := dbtest.Open(t)
	f := buildFixture(t, d)
	p := access.New(d)
	now := int64(1_800_000_000)
	p.SetClock(func() time.Time { return time.Unix(now, 0) })
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{`INSERT INTO files (id, establishment_id, owner_id, name, content_type, size, sha256, storage_key, created_at)
			VALUES ('f1', ?, ?, 'a.pdf', 'application/pdf', 1, '', 'k', 0)`, []any{f.ests["A"], f.people["t1"]}},
		{`INSERT INTO news (id, establishment_id, author_id, title, body, audience, visible_from, draft, published_at, created_at)
			VALUES ('n1', ?, ?, 'T', 'B', '', ?, FALSE, ?, 0)`, []any{f.ests["A"], f.people["t1"], now - 10, now - 10}},
		{`INSERT INTO news_attachments (news_id, file_id) VALUES ('n1', 'f1')`, nil},
		{`INSERT INTO news_recipients (news_id, person_id) VALUES ('n1', ?), ('n1', ?)`, []any{f.people["p2"], f.people["p6"]}},
	} {
		if _, err := d.Exec(ctx, q.sql, q.args...); err != nil {
			t.Fatal(err)
		}
	}
	matrix := func(what, allowed string) {
		t.Helper()
		want := set(allowed)
		for _, login := range sortedKeys(f.people) {
			if login == "sOff" {
				continue // an inactive account has no viewer
			}
			v, err := p.Viewer(ctx, f.people[login])
			if err != nil {
				t.Fatal(err)
			}
			checkAnswer(t, p.Can(ctx, v, access.ReadFile, access.File("f1")), want[login], login+": "+what)
		}
	}
	matrix("published", "t1 hA depA p2 p6")
	d.Exec(ctx, `UPDATE news SET visible_from = ? WHERE id = 'n1'`, now+100)
	matrix("not shown yet", "t1 hA depA")
	d.Exec(ctx, `UPDATE news SET visible_from = ?, visible_until = ? WHERE id = 'n1'`, now-100, now-1)
	matrix("shown no longer", "t1 hA depA")
	d.Exec(ctx, `UPDATE news SET visible_until = 0, withdrawn_at = ? WHERE id = 'n1'`, now-1)
	matrix("withdrawn", "t1 hA depA")
	d.Exec(ctx, `UPDATE news SET withdrawn_at = 0, draft = TRUE WHERE id = 'n1'`)
	matrix("a draft", "t1")
	if err := p.Can(ctx, &access.Viewer{}, access.ReadFile, access.File("f1")); err == nil {
		t.Fatal("a forged viewer reads")
	}
}
