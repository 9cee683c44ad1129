package render

import (
	"context"
	"fmt"
	"testing"

	"github.com/gitopsctl/gitopsctl/internal/charts/chartstest"
)

// benchRemote renders a repository of 20 apps with chart: sources from a
// Helm repository on the loopback interface: cold (an empty cache each
// time: index and archives downloaded, unpacked) or warm (a filled cache,
// offline).
func benchRemote(b *testing.B, warm bool) {
	const n = 20
	hr := chartstest.NewHelmRepo(b)
	files := map[string]string{}
	for i := range n {
		name := fmt.Sprintf("chart%02d", i)
		hr.Add(b, chartstest.SimpleChart(b, name, "1.0.0"))
		files["gitops/argo-apps/"+name+".yaml"] = app(name, "  project: default\n  source:\n    repoURL: "+hr.URL+"\n    chart: "+name+"\n    targetRevision: 1.0.0\n  destination: { server: https://kubernetes.default.svc, namespace: apps }\n")
	}
	cfg := setup(b, files)
	cacheDir := b.TempDir()
	render := func(dir string, offline bool) {
		ws, err := Open(context.Background(), Options{Config: cfg, Charts: testCache(b, dir, offline)})
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
	if warm {
		render(cacheDir, false)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if warm {
			render(cacheDir, true)
		} else {
			render(b.TempDir(), false)
		}
	}
	b.ReportMetric(n, "apps/op")
}

func BenchmarkRemoteChartsCold(b *testing.B) { benchRemote(b, false) }
func BenchmarkRemoteChartsWarm(b *testing.B) { benchRemote(b, true) }
