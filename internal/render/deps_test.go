package render

import (
	"testing"

	"helm.sh/helm/v3/pkg/action"
	"helm.sh/helm/v3/pkg/chart"
)

// checkDependencies answers as Helm's action.CheckDependencies does, error
// text included.
func TestCheckDependenciesAsHelm(t *testing.T) {
	sub := func(name string) *chart.Chart {
		return &chart.Chart{Metadata: &chart.Metadata{Name: name, Version: "1.0.0"}}
	}
	withSubs := func(names ...string) *chart.Chart {
		ch := &chart.Chart{Metadata: &chart.Metadata{Name: "parent", Version: "1.0.0"}}
		for _, n := range names {
			ch.AddDependency(sub(n))
		}
		return ch
	}
	reqs := func(names ...string) []*chart.Dependency {
		var out []*chart.Dependency
		for _, n := range names {
			out = append(out, &chart.Dependency{Name: n, Version: "1.0.0"})
		}
		return out
	}
	cases := []struct {
		name string
		ch   *chart.Chart
		reqs []*chart.Dependency
		ok   bool
	}{
		{"none declared", withSubs(), nil, true},
		{"empty list", withSubs("a"), reqs(), true},
		{"all vendored", withSubs("a", "b"), reqs("a", "b"), true},
		{"extra subchart", withSubs("a", "b", "c"), reqs("b"), true},
		{"one missing", withSubs("a"), reqs("a", "b"), false},
		{"all missing, declared order", withSubs(), reqs("z", "a", "m"), false},
		{"missing twice", withSubs("a"), reqs("b", "a", "b"), false},
		{"by name not alias", withSubs("redis"), []*chart.Dependency{{Name: "redis", Alias: "cache"}, {Name: "cache"}}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, want := checkDependencies(c.ch, c.reqs), action.CheckDependencies(c.ch, c.reqs)
			if (got == nil) != c.ok {
				t.Fatalf("checkDependencies = %v, want ok=%v", got, c.ok)
			}
			if (want == nil) != c.ok {
				t.Fatalf("action.CheckDependencies = %v, want ok=%v", want, c.ok)
			}
			if got != nil && got.Error() != want.Error() {
				t.Fatalf("error %q, Helm says %q", got, want)
			}
		})
	}
}
