package render

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gitopsctl/gitopsctl/internal/config"
	"github.com/gitopsctl/gitopsctl/internal/render/benchgen"
	"github.com/gitopsctl/gitopsctl/internal/testutil/golden"
)

// goldenRepos copies testdata/golden/{gitops,configs} to a temp dir and adds
// the seed-shaped service chart as charts/backend.
func goldenRepos(t testing.TB) *config.Loaded {
	t.Helper()
	dir := t.TempDir()
	src := filepath.Join("testdata", "golden")
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if rel == "out" && d.IsDir() {
			return filepath.SkipDir
		}
		dst := filepath.Join(dir, rel)
		if d.IsDir() {
			return os.MkdirAll(dst, 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(dst, data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := benchgen.WriteChart(filepath.Join(dir, "gitops", "charts", "backend"), "backend"); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(config.Options{RepoDir: filepath.Join(dir, "gitops")})
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// TestGolden renders real-world-shaped charts (helpers, a vendored subchart
// dependency with a condition, CRDs in crds/, hooks, a List kind, NOTES.txt,
// capabilities checks) and the seed's service chart, and compares the
// printed stream with testdata/golden/out/<app>.yaml.
func TestGolden(t *testing.T) {
	cfg := goldenRepos(t)
	ws := open(t, cfg, Options{})
	rs, err := ws.Render(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 4 {
		t.Fatalf("%d apps rendered, want 4 (root-app, backend, webapp, widget-operator)", len(rs))
	}
	for _, r := range rs {
		t.Run(r.App.Name, func(t *testing.T) {
			if r.Err != nil {
				t.Fatal(r.Err)
			}
			var b bytes.Buffer
			if err := WriteYAML(&b, r.Objects, WriteOptions{}); err != nil {
				t.Fatal(err)
			}
			golden.Check(t, filepath.Join("testdata", "golden", "out", r.App.Name+".yaml"), b.Bytes())
		})
	}
}

func TestInputs(t *testing.T) {
	cfg := goldenRepos(t)
	ws := open(t, cfg, Options{})
	var got []string
	for _, in := range ws.Inputs(ws.App("webapp")) {
		repo := "gitops"
		if in.RepoDir == cfg.ConfigsDir {
			repo = "configs"
		}
		s := repo + ":" + in.Path
		if in.Glob {
			s += " (glob)"
		}
		got = append(got, s)
	}
	for _, want := range []string{
		"gitops:argo-apps/apps/webapp.yaml",
		"gitops:charts/webapp/** (glob)",
		"gitops:charts/webapp/.argocd-source.yaml",
		"gitops:charts/webapp/.argocd-source-webapp.yaml",
		"gitops:charts/webapp/Chart.yaml",
		"gitops:charts/webapp/values.yaml",
		"gitops:charts/webapp/templates/_helpers.tpl",
		"gitops:charts/webapp/charts/redis/templates/statefulset.yaml",
		"configs:webapp/values-prod.yaml",
	} {
		if !slices.Contains(got, want) {
			t.Errorf("inputs lack %s; got %v", want, got)
		}
	}
	for _, in := range ws.Inputs(ws.App("root-app")) {
		if in.Path == "argo-apps/apps/operator.yaml" {
			return
		}
	}
	t.Error("the root app's inputs must list the manifests it reads")
}

// A clean checkout renders the same from the working tree and from git
// objects; an uncommitted edit shows only in the working tree.
func TestRevisionMatchesWorktree(t *testing.T) {
	cfg := seedRepos(t, 15, true)
	stream := func(o Options) string {
		ws := open(t, cfg, o)
		rs, err := ws.Render(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		for _, r := range rs {
			if r.Err != nil {
				t.Fatal(r.Err)
			}
			if err := WriteYAML(&b, r.Objects, WriteOptions{}); err != nil {
				t.Fatal(err)
			}
		}
		return b.String()
	}
	wt := stream(Options{})
	if rev := stream(Options{Rev: "HEAD", ConfigsRev: "main"}); rev != wt {
		t.Fatalf("HEAD render differs from the clean working tree:\n%s", golden.FirstDiff([]byte(wt), []byte(rev)))
	}
	if err := os.WriteFile(filepath.Join(cfg.ConfigsDir, "backend", "config.yaml"), []byte("config: {LOG_LEVEL: trace}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stream(Options{}), "LOG_LEVEL: trace") || strings.Contains(stream(Options{ConfigsRev: "HEAD"}), "LOG_LEVEL: trace") {
		t.Fatal("the edit must show in the working tree only")
	}
}
