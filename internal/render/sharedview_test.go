package render

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gitopsctl/gitopsctl/internal/render/benchgen"
)

func childApp(name, chart string) string {
	return strings.NewReplacer("nested-child", name, "charts/svc-0017", chart).Replace(childAppTemplate)
}

const plainConfigMap = `apiVersion: v1
kind: ConfigMap
metadata:
  name: plain
data:
  a: b
`

// A shared answer is worked out from the base side's view of the commit,
// whichever side asks first; an answer that may not be shared (a chart file linked from outside the chart) is worked out again
// from the asking side's own view; a file changed in the work tree at the
// same path keeps its directory from being shared.
func TestSharedFromCommitView(t *testing.T) {
	cfg := seedRepos(t, 19, true)
	g := cfg.RepoDir
	write := func(rel, data string) {
		t.Helper()
		p := filepath.Join(g, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	git := func(args ...string) {
		t.Helper()
		if err := benchgen.Git(g, args...); err != nil {
			t.Fatal(err)
		}
	}
	// Committed: svc-0017's chart holds a template linked to a file outside
	// it (a ConfigMap); svc-0018's chart renders an Application.
	write("shared/linked.yaml", plainConfigMap)
	if err := os.Symlink("../../../shared/linked.yaml", filepath.Join(g, "charts/svc-0017/templates/linked.yaml")); err != nil {
		t.Fatal(err)
	}
	write("charts/svc-0018/templates/child.yaml", childApp("child-18", "charts/svc-0019"))
	git("add", "-A")
	git("commit", "-q", "-m", "link and child")
	// The work tree: the linked file becomes an Application (the chart's
	// own directory is unchanged); svc-0016 gains one in a template it
	// already had (same path); svc-0018's goes (same path).
	write("shared/linked.yaml", childApp("child-17", "charts/svc-0019"))
	tmpl := "charts/svc-0016/templates/configmap.yaml"
	orig, err := os.ReadFile(filepath.Join(g, tmpl))
	if err != nil {
		t.Fatal(err)
	}
	write(tmpl, string(orig)+"\n---\n"+childApp("child-16", "charts/svc-0019"))
	write("charts/svc-0018/templates/child.yaml", plainConfigMap)
	changes := Changes{RepoGitops: {"charts/svc-0016/templates/configmap.yaml", "charts/svc-0018/templates/child.yaml", "shared/linked.yaml"}}

	// sides opens the base side, which reads a commit and so works out
	// its answers without waiting for the changes, then the head side; or
	// both at once, the changes known first (either side may then be the
	// first to ask about a directory).
	sides := func(changes Changes, together bool) (base, head *Workspace) {
		sh := NewShared()
		if !together {
			base = open(t, cfg, Options{Rev: "HEAD", ConfigsRev: "HEAD", Shared: sh})
			sh.SetChanges(changes)
			return base, open(t, cfg, Options{Shared: sh})
		}
		sh.SetChanges(changes)
		type opened struct {
			ws  *Workspace
			err error
		}
		ch := make(chan opened)
		for _, rev := range []string{"HEAD", ""} {
			go func() {
				ws, err := Open(context.Background(), Options{Config: cfg, Rev: rev, ConfigsRev: rev, Shared: sh, Charts: testCache(t, t.TempDir(), true)})
				ch <- opened{ws, err}
			}()
		}
		for range 2 {
			o := <-ch
			if o.err != nil {
				t.Fatal(o.err)
			}
			if o.ws.opts.Rev == "" {
				head = o.ws
			} else {
				base = o.ws
			}
		}
		return base, head
	}
	has := func(ws *Workspace, names ...string) string {
		var out []string
		for _, n := range names {
			if ws.App(n) != nil {
				out = append(out, n)
			}
		}
		return strings.Join(out, ",")
	}
	kids := []string{"child-16", "child-17", "child-18"}
	scans := func(ws *Workspace, dir string) *chartScan {
		gr, err := ws.GitopsRepo()
		if err != nil {
			t.Fatal(err)
		}
		return ws.scanChart(gr, dir)
	}
	for _, together := range []bool{false, true, true} {
		base, head := sides(changes, together)
		if got := has(head, kids...); got != "child-16,child-17" {
			t.Errorf("head side's children: %q, want child-16,child-17", got)
		}
		if got := has(base, kids...); got != "child-18" {
			t.Errorf("base side's children: %q, want child-18", got)
		}
		if scans(base, "charts/svc-0019") != scans(head, "charts/svc-0019") {
			t.Error("an unchanged chart was scanned twice")
		}
		if scans(base, "charts/svc-0017") == scans(head, "charts/svc-0017") {
			t.Error("a chart with a file linked from outside it was shared")
		}
		// Told that nothing changed, the head side takes the commit's
		// answers: svc-0016's chart does not render Applications there, so
		// it is not rendered while discovering (svc-0018's is, from the
		// work tree, where its Application is gone). The linked file is
		// never shared: child-17 stays. Only when the base side opened
		// first: opened together, the head side may ask about svc-0016
		// before the base side has offered its commit, and then reads its
		// own work tree (right, but not what this false "nothing changed"
		// shows).
		if together {
			continue
		}
		base, head = sides(Changes{}, together)
		if got := has(head, kids...); got != "child-17" {
			t.Errorf("head side's children with no changes: %q, want child-17", got)
		}
		if got := has(base, kids...); got != "child-18" {
			t.Errorf("base side's children with no changes: %q, want child-18", got)
		}
	}
}
