package render

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gitopsctl/gitopsctl/internal/config"
	"github.com/gitopsctl/gitopsctl/internal/render/benchgen"
)

func heavyRepo(t testing.TB) *config.Loaded {
	t.Helper()
	dir := t.TempDir()
	if err := benchgen.GenerateHeavyRepo(dir); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(config.Options{RepoDir: filepath.Join(dir, "gitops-repo")})
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// TestHeavyCharts: the generated heavy charts render, every subchart and
// CRD included, each component's workload, and the tpl'd values resolved.
func TestHeavyCharts(t *testing.T) {
	if testing.Short() {
		t.Skip("renders 10 big charts")
	}
	cfg := heavyRepo(t)
	ws, err := Open(context.Background(), Options{Config: cfg})
	if err != nil {
		t.Fatal(err)
	}
	rs, err := ws.Render(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]benchgen.HeavyChart{}
	for _, c := range benchgen.HeavyCharts() {
		want[c.Name] = c
	}
	seen := 0
	for _, r := range rs {
		c, ok := want[r.App.Name]
		if !ok {
			continue
		}
		seen++
		if r.Err != nil {
			t.Fatalf("%s: %v", r.App.Name, r.Err)
		}
		kinds := map[string]int{}
		charts := map[string]bool{}
		for _, o := range r.Objects {
			kinds[o.Object.GetKind()]++
			if l := o.Object.GetLabels()["helm.sh/chart"]; l != "" {
				charts[l[:strings.LastIndex(l, "-")]] = true
			}
			if y, err := MarshalYAML(o.Object); err != nil {
				t.Fatal(err)
			} else if s := string(y); strings.Contains(s, "{{ .Release") || strings.Contains(s, "{{ include") {
				t.Errorf("%s: %s/%s: a value was not passed through tpl", r.App.Name, o.Object.GetKind(), o.Object.GetName())
			}
		}
		comps, crds := c.Components, c.CRDs
		for _, s := range c.Subcharts {
			comps += s.Components
			crds += s.CRDs
			if !charts[s.Name] {
				t.Errorf("%s: nothing rendered from subchart %s (charts seen: %v)", c.Name, s.Name, charts)
			}
		}
		if got := kinds["Deployment"] + kinds["StatefulSet"]; got != comps {
			t.Errorf("%s: %d workloads, want %d", c.Name, got, comps)
		}
		if kinds["CustomResourceDefinition"] != crds {
			t.Errorf("%s: %d CRDs, want %d", c.Name, kinds["CustomResourceDefinition"], crds)
		}
		if c.Rules > 0 && kinds["PrometheusRule"] == 0 {
			t.Errorf("%s: no PrometheusRule", c.Name)
		}
	}
	if seen != len(want) {
		t.Fatalf("rendered %d heavy apps, want %d", seen, len(want))
	}
}

// BenchmarkRenderHeavy renders the generated heavy charts as `gitopsctl
// render --no-cache` does, output printed.
func BenchmarkRenderHeavy(b *testing.B) { benchRenderAll(b, heavyRepo(b)) }

// TestRenderOrderBiggestFirst: apps start rendering biggest chart first
// (by the files discovery listed), ties in their given order.
func TestRenderOrderBiggestFirst(t *testing.T) {
	ws, err := Open(context.Background(), Options{Config: heavyRepo(t)})
	if err != nil {
		t.Fatal(err)
	}
	apps, err := ws.Lookup()
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]*App{}
	for _, a := range apps {
		byName[a.Name] = a
	}
	// Given smallest first, they start biggest first.
	in := []*App{byName["metrics-adapter"], byName["traces"], byName["metrics-server"], byName["metrics-stack"]}
	var got []string
	for _, i := range ws.renderOrder(in) {
		got = append(got, in[i].Name)
	}
	if want := "metrics-stack metrics-server traces metrics-adapter"; strings.Join(got, " ") != want {
		t.Fatalf("order %v, want %s", got, want)
	}
}
