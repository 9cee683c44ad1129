package diff

import (
	"context"
	"fmt"
	"testing"

	"github.com/gitopsctl/gitopsctl/internal/manifest"
	"github.com/gitopsctl/gitopsctl/internal/render"
)

// BenchmarkComputeOneOf1000: 1,000 apps, one value file changed; only that
// app is rendered and compared.
func BenchmarkComputeOneOf1000(b *testing.B) {
	t := &testing.T{}
	baseObjs := parseObjects(t, "x", "testdata/configs-value/base.yaml")
	headObjs := parseObjects(t, "x", "testdata/configs-value/head.yaml")
	mk := func(changedObjs []manifest.Object) *memSide {
		s := &memSide{objects: map[string][]manifest.Object{}, inputs: map[string][]render.RepoInput{}}
		for i := 0; i < 1000; i++ {
			n := fmt.Sprintf("svc-%04d", i)
			s.objects[n] = baseObjs
			if i == 500 {
				s.objects[n] = changedObjs
			}
			s.inputs[n] = []render.RepoInput{
				{Repo: render.RepoGitops, Path: "argo-apps/clusters/prod/app/" + n + ".yaml"},
				{Repo: render.RepoGitops, Path: "charts/" + n},
				{Repo: render.RepoConfigs, Path: n + "/config.yaml"},
				{Repo: render.RepoConfigs, Path: n + "/secrets.yaml"},
			}
		}
		return s
	}
	base, head := mk(baseObjs), mk(headObjs)
	changes := render.Changes{render.RepoConfigs: {"svc-0500/config.yaml"}, render.RepoGitops: {}}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		res, err := Compute(context.Background(), base, head, Options{Changes: changes})
		if err != nil || len(res.Apps) != 1 || len(res.Skipped) != 999 {
			b.Fatalf("%v %+v", err, res)
		}
	}
}
