package render

import (
	"slices"
	"testing"

	"github.com/gitopsctl/gitopsctl/internal/gitrepo"
)

// The questions a work-tree side asks again: those about a changed path,
// about what is below it and about its parent directories, in the same
// repository and without regard to case, and every question that
// followed a link; nothing else. They come back from the encoding as they
// went in.
func TestSeenRelated(t *testing.T) {
	seen := []discoSeen{
		{Repo: 0, Seen: gitrepo.Seen{Op: 'd', Path: ".", Answer: "#1"}},
		{Repo: 0, Seen: gitrepo.Seen{Op: 'd', Path: "charts", Answer: "#2"}},
		{Repo: 0, Seen: gitrepo.Seen{Op: 'd', Path: "charts/web", Answer: "#3"}},
		{Repo: 0, Seen: gitrepo.Seen{Op: 'f', Path: "charts/web/Chart.yaml", Answer: "@4"}},
		{Repo: 0, Seen: gitrepo.Seen{Op: 'f', Path: "charts/web-2/Chart.yaml", Answer: "@5"}},
		{Repo: 0, Seen: gitrepo.Seen{Op: 'f', Path: "charts/web/templates/a.yaml", Answer: "@6"}},
		{Repo: 0, Seen: gitrepo.Seen{Op: 'r', Path: "charts/Web/values.yaml", Answer: "=charts/Web/values.yaml"}},
		{Repo: 0, Seen: gitrepo.Seen{Op: 'f', Path: "charts/webx", Answer: "!missing"}},
		{Repo: 0, Seen: gitrepo.Seen{Op: 'r', Path: "links/x.yaml", Answer: "=charts/webx", Linked: true}},
		{Repo: 1, Seen: gitrepo.Seen{Op: 'r', Path: "web/config.yaml", Answer: "=web/config.yaml"}},
		{Repo: 1, Seen: gitrepo.Seen{Op: 'd', Path: ".", Answer: "#7"}},
		{Repo: 1, Seen: gitrepo.Seen{Op: 'd', Path: "Ünïcode/Dir", Answer: "#8"}},
	}
	var logs [2][]gitrepo.Seen
	for _, o := range seen {
		logs[o.Repo] = append(logs[o.Repo], o.Seen)
	}
	data := encodeSeen(logs)
	var all []discoSeen
	every := func(int) bool { return true }
	if err := eachSeen(data, every, func(int, bool, []byte) bool { return true }, func(o discoSeen) bool { all = append(all, o); return true }); err != nil {
		t.Fatal(err)
	}
	if len(all) != len(seen) {
		t.Fatalf("decoded %d questions, want %d", len(all), len(seen))
	}
	for _, o := range seen {
		if !slices.Contains(all, o) {
			t.Errorf("%+v: not decoded as encoded (decoded %+v)", o, all)
		}
	}
	for _, tc := range []struct {
		changed [2][]string
		want    []string
	}{
		{[2][]string{{"charts/web/values.yaml"}}, []string{"0 .", "0 charts", "0 charts/web", "0 charts/Web/values.yaml", "0 links/x.yaml"}},
		{[2][]string{{"charts/web/"}}, []string{"0 .", "0 charts", "0 charts/web", "0 charts/web/Chart.yaml", "0 charts/web/templates/a.yaml", "0 charts/Web/values.yaml", "0 links/x.yaml"}},
		{[2][]string{{"other.yaml"}}, []string{"0 .", "0 links/x.yaml"}},
		{[2][]string{nil, {"web/config.yaml"}}, []string{"1 .", "1 web/config.yaml", "0 links/x.yaml"}},
		{[2][]string{nil, {"ünÏcode/dir/a.yaml"}}, []string{"1 .", "1 Ünïcode/Dir", "0 links/x.yaml"}},
		{[2][]string{}, []string{"0 links/x.yaml"}},
	} {
		touched := [2]*touchedSet{newTouchedSet(tc.changed[0]), newTouchedSet(tc.changed[1])}
		var fold []byte
		var got []string
		err := eachSeen(data, func(b int) bool {
			return b == seenBlockLinked || !touched[b-seenBlockRepo].empty()
		}, func(repo int, linked bool, p []byte) bool {
			fold = foldPath(fold[:0], p)
			return linked || touched[repo].related(fold)
		}, func(o discoSeen) bool {
			got = append(got, string(rune('0'+o.Repo))+" "+o.Path)
			return true
		})
		if err != nil {
			t.Fatal(err)
		}
		slices.Sort(got)
		want := slices.Clone(tc.want)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("changed %q: asks %q, want %q", tc.changed, got, want)
		}
	}
	// A damaged encoding is an error, not a wrong answer.
	if err := eachSeen(data[:len(data)-3], every, func(int, bool, []byte) bool { return true }, func(discoSeen) bool { return true }); err == nil {
		t.Error("a truncated encoding decoded")
	}
}
