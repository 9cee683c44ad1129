package render

import (
	"context"
	"testing"
)

// An app rendered once in a workspace is not rendered again (check and
// seal's locator share one workspace), and a render error is not taken for
// an error of discovery.
func TestRenderAppsCaches(t *testing.T) {
	cfg := setup(t, withChart(map[string]string{
		"gitops/argo-apps/a.yaml": app("a", `  source:
    repoURL: `+gitopsURL+`
    path: charts/echo
  destination: {namespace: a}
`),
		"gitops/argo-apps/b.yaml": app("b", `  source:
    repoURL: `+gitopsURL+`
    path: charts/broken
  destination: {namespace: b}
`),
		"gitops/charts/broken/Chart.yaml":        "apiVersion: v2\nname: broken\nversion: 0.1.0\n",
		"gitops/charts/broken/templates/cm.yaml": "{{ fail \"boom\" }}\n",
	}, "gitops/charts/echo", echoChart))
	ws := open(t, cfg, Options{})
	ctx := context.Background()
	first, err := ws.Render(ctx, "a", "b")
	if err != nil {
		t.Fatal(err)
	}
	if first[0].Err != nil || len(first[0].Objects) == 0 || first[1].Err == nil {
		t.Fatalf("a: %v %d objects; b: %v", first[0].Err, len(first[0].Objects), first[1].Err)
	}
	again, _ := ws.Render(ctx, "a")
	if again[0].Objects[0].Object != first[0].Objects[0].Object {
		t.Fatal("a was rendered a second time")
	}
	if errs := ws.DiscoveryErrors(); len(errs) != 0 {
		t.Fatalf("render errors reported as discovery errors: %v", errs)
	}
}
