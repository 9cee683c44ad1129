package render

import (
	"slices"
	"sort"
	"testing"
)

// seenRelated finds the questions about a changed path, about what is
// below it and about its parent directories, in either repository, and
// without regard to case; nothing else.
func TestSeenRelated(t *testing.T) {
	seen := []discoSeen{
		{Repo: 0, Op: 'd', Path: "."},
		{Repo: 0, Op: 'd', Path: "charts"},
		{Repo: 0, Op: 'd', Path: "charts/web"},
		{Repo: 0, Op: 'f', Path: "charts/web/Chart.yaml"},
		{Repo: 0, Op: 'f', Path: "charts/web-2/Chart.yaml"},
		{Repo: 0, Op: 'f', Path: "charts/web/templates/a.yaml"},
		{Repo: 0, Op: 'r', Path: "charts/Web/values.yaml"},
		{Repo: 0, Op: 'f', Path: "charts/webx"},
		{Repo: 1, Op: 'r', Path: "web/config.yaml"},
		{Repo: 1, Op: 'd', Path: "."},
	}
	sort.Slice(seen, func(i, j int) bool { return seenLess(&seen[i], &seen[j]) })
	for _, tc := range []struct {
		repo int
		p    string
		want []string
	}{
		{0, "charts/web/values.yaml", []string{"0 .", "0 charts", "0 charts/web", "0 charts/Web/values.yaml"}},
		{0, "charts/web", []string{"0 .", "0 charts", "0 charts/web", "0 charts/web/Chart.yaml", "0 charts/web/templates/a.yaml", "0 charts/Web/values.yaml"}},
		{0, "other.yaml", []string{"0 ."}},
		{1, "web/config.yaml", []string{"1 .", "1 web/config.yaml"}},
	} {
		ask := map[int]bool{}
		seenRelated(seen, tc.repo, tc.p, ask)
		var got []string
		for i := range ask {
			got = append(got, string(rune('0'+seen[i].Repo))+" "+seen[i].Path)
		}
		slices.Sort(got)
		want := slices.Clone(tc.want)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("%d %s: asks %q, want %q", tc.repo, tc.p, got, want)
		}
	}
}
