package access_test

import (
	"context"
	"testing"

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
