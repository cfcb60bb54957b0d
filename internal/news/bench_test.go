package news_test

import (
	"context"
	"testing"
	"time"

	"cartable/internal/access"
	"cartable/internal/db"
	"cartable/internal/dbtest"
	"cartable/internal/demo"
	"cartable/internal/news"
)

// BenchmarkFanOut publishes news to every family of the demo collège (660
// students, about 1,000 legal guardians): the audience resolved into its
// recipient rows and a notice queued for each, in one transaction. The
// issue's floor is 5 s per publication.
//
//	go test ./internal/news/ -run '^$' -bench FanOut -benchtime 5x
func BenchmarkFanOut(b *testing.B) {
	ctx := context.Background()
	d := dbtest.Open(b)
	if err := d.Tx(ctx, func(tx *db.Tx) error {
		_, err := demo.Generate(ctx, access.System("bench"), tx, demo.Options{Seed: 1, Students: 660})
		return err
	}); err != nil {
		b.Fatal(err)
	}
	var head string
	if err := d.QueryRow(ctx, `SELECT f.person_id FROM functions f JOIN establishments e ON e.id = f.establishment_id
		JOIN people p ON p.id = f.person_id WHERE e.uai = ? AND f.function = 'head' ORDER BY p.login LIMIT 1`, demo.MainUAI).Scan(&head); err != nil {
		b.Fatal(err)
	}
	v, err := access.New(d).Viewer(ctx, head)
	if err != nil {
		b.Fatal(err)
	}
	svc := &news.Service{DB: d, Now: time.Now}
	in := news.Input{Establishment: v.Establishments[0], Title: "Grève du 12", Body: "Les cours de l'après-midi n'auront pas lieu.",
		Targets: []string{"profile:relative"}, AckRequired: true, AckBy: time.Now().AddDate(0, 0, 7).Format("2006-01-02"), Publish: true}
	b.ResetTimer()
	var recipients int
	for i := 0; i < b.N; i++ {
		id, err := svc.Create(ctx, v, in)
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		if err := d.QueryRow(ctx, `SELECT COUNT(*) FROM news_recipients WHERE news_id = ?`, id).Scan(&recipients); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	b.ReportMetric(float64(recipients), "recipients")
}
