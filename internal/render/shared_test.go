package render

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

const childAppTemplate = `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: nested-child
  namespace: argocd
spec:
  project: default
  source:
    repoURL: https://github.com/acme/gitops-repo.git
    path: charts/svc-0017
  destination:
    server: https://kubernetes.default.svc
    namespace: nested
`

// The two sides of a diff share what they find in unchanged directories
// only: a chart changed in the work tree is scanned again (its new child
// Application is found on the head side only), an unchanged one is scanned
// once for both sides.
func TestSharedSides(t *testing.T) {
	cfg := seedRepos(t, 18, true)
	tmpl := filepath.Join(cfg.RepoDir, "charts", "svc-0016", "templates", "child-app.yaml")
	if err := os.WriteFile(tmpl, []byte(childAppTemplate), 0o644); err != nil {
		t.Fatal(err)
	}
	openBoth := func(changes Changes) (base, head *Workspace) {
		sh := NewShared()
		sh.SetChanges(changes)
		base = open(t, cfg, Options{Rev: "HEAD", ConfigsRev: "HEAD", Shared: sh})
		head = open(t, cfg, Options{Shared: sh})
		return base, head
	}
	base, head := openBoth(Changes{RepoGitops: {"charts/svc-0016/templates/child-app.yaml"}})
	if base.App("nested-child") != nil || head.App("nested-child") == nil {
		t.Fatalf("nested child: base %v, head %v; want only head", base.App("nested-child") != nil, head.App("nested-child") != nil)
	}
	scans := func(ws *Workspace, dir string) *chartScan {
		gr, err := ws.GitopsRepo()
		if err != nil {
			t.Fatal(err)
		}
		return ws.scanChart(gr, dir)
	}
	if scans(base, "charts/svc-0017") != scans(head, "charts/svc-0017") {
		t.Error("an unchanged chart was scanned twice")
	}
	if scans(base, "charts/svc-0016") == scans(head, "charts/svc-0016") {
		t.Error("a changed chart's scan was shared")
	}
	// Told that nothing changed, the head side takes the base side's
	// answers (which is why the changes must be right).
	base, head = openBoth(Changes{})
	if head.App("nested-child") != nil && base.App("nested-child") == nil {
		t.Error("nothing was shared")
	}
	// Without changes (they could not be worked out), nothing is shared.
	base, head = openBoth(nil)
	if base.App("nested-child") != nil || head.App("nested-child") == nil {
		t.Error("shared without changes")
	}
	res, err := head.Render(context.Background(), "nested-child")
	if err != nil || res[0].Err != nil || len(res[0].Objects) == 0 {
		t.Fatalf("render nested child: %v %v", err, res)
	}
}
