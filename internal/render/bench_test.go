package render

import (
	"context"
	"testing"
)

// benchRender opens and renders a generated repository of n services,
// as `gitopsctl render` does.
func benchRender(b *testing.B, n int) {
	cfg := seedRepos(b, n, false)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		ws, err := Open(context.Background(), Options{Config: cfg})
		if err != nil {
			b.Fatal(err)
		}
		rs, err := ws.Render(context.Background())
		if err != nil {
			b.Fatal(err)
		}
		for _, r := range rs {
			if r.Err != nil {
				b.Fatal(r.Err)
			}
		}
	}
	b.ReportMetric(float64(n), "apps/op")
}

func BenchmarkRenderSeed15(b *testing.B)  { benchRender(b, 15) }
func BenchmarkRenderApps200(b *testing.B) { benchRender(b, 200) }

// BenchmarkRenderRevSeed15 reads both repositories from the git object store.
func BenchmarkRenderRevSeed15(b *testing.B) {
	cfg := seedRepos(b, 15, true)
	b.ResetTimer()
	for b.Loop() {
		ws, err := Open(context.Background(), Options{Config: cfg, Rev: "HEAD", ConfigsRev: "HEAD"})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := ws.Render(context.Background()); err != nil {
			b.Fatal(err)
		}
	}
}
