package scaffold

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/txtar"

	"github.com/gitopsctl/gitopsctl/internal/testutil/golden"
)

// goldenTree compares files (paths relative to the dirs, prefixed with the
// label) with testdata/<name>.txtar, or rewrites it with -update
// (make golden).
func goldenTree(t *testing.T, name string, repos ...struct {
	label, dir string
	files      []string
}) {
	t.Helper()
	ar := &txtar.Archive{Comment: []byte("Golden tree: the files gitopsctl writes (make golden refreshes it).\n")}
	for _, r := range repos {
		for _, f := range r.files {
			b, err := os.ReadFile(filepath.Join(r.dir, filepath.FromSlash(f)))
			if err != nil {
				t.Fatal(err)
			}
			ar.Files = append(ar.Files, txtar.File{Name: r.label + "/" + f, Data: b})
		}
	}
	got := txtar.Format(ar)
	golden.CheckFunc(t, filepath.Join("testdata", name+".txtar"), got, txtarDiff)
}

// txtarDiff names the files that differ between two golden trees.
func txtarDiff(want, got []byte) string {
	var b strings.Builder
	wa, ga := txtar.Parse(want), txtar.Parse(got)
	if !bytes.Equal(wa.Comment, ga.Comment) {
		fmt.Fprintf(&b, "header comment differs:\n--- want\n%s--- got\n%s", wa.Comment, ga.Comment)
	}
	wm := map[string]string{}
	for _, f := range wa.Files {
		wm[f.Name] = string(f.Data)
	}
	for _, f := range ga.Files {
		w, ok := wm[f.Name]
		switch {
		case !ok:
			fmt.Fprintf(&b, "%s: new file\n", f.Name)
		case w != string(f.Data):
			fmt.Fprintf(&b, "%s differs:\n--- want\n%s\n--- got\n%s\n", f.Name, w, f.Data)
		}
		delete(wm, f.Name)
	}
	missing := make([]string, 0, len(wm))
	for n := range wm {
		missing = append(missing, n)
	}
	sort.Strings(missing)
	for _, n := range missing {
		fmt.Fprintf(&b, "%s: missing\n", n)
	}
	return b.String()
}

type repoFiles = struct {
	label, dir string
	files      []string
}

// listFiles lists every file under dir except .git, relative, slash-separated.
func listFiles(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == ".git" {
			return filepath.SkipDir
		}
		if !d.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestGoldenInit(t *testing.T) {
	p := initPair(t)
	goldenTree(t, "init",
		repoFiles{"gitops-repo", p.repo, listFiles(t, p.repo)},
		repoFiles{"configs-repo", p.configs, listFiles(t, p.configs)})
}

func TestGoldenInitPlatform(t *testing.T) {
	p := initPair(t, func(o *InitOptions) { o.Platform = true })
	var files []string
	for _, f := range listFiles(t, p.repo) {
		// Only what --platform adds.
		if strings.HasPrefix(f, "charts/") && f != "charts/.gitkeep" || strings.HasPrefix(f, "argo-apps/clusters/") && !strings.HasSuffix(f, ".gitkeep") {
			files = append(files, f)
		}
	}
	goldenTree(t, "init-platform", repoFiles{"gitops-repo", p.repo, files})
}

func TestGoldenNewServiceDefaults(t *testing.T) {
	p := initPair(t)
	res := p.newService(t, "backend")
	goldenTree(t, "new-service-backend",
		repoFiles{"gitops-repo", p.repo, res.Repo.Files},
		repoFiles{"configs-repo", p.configs, res.Configs.Files})
}

func TestGoldenNewServiceFlags(t *testing.T) {
	p := initPair(t)
	res := p.newService(t, "admin-frontend", func(o *ServiceOptions) {
		o.Project, o.Namespace = "tools", "admin"
		o.Port, o.ServicePort, o.NodePort = 3000, 8080, 30080
		o.Image, o.Tag = "registry.example.com/web/admin-frontend", "2.3.1"
		o.HPA, o.Replicas = false, 3
		o.HealthPath, o.SmokePath = "/", "/login"
		o.K6P95Ms, o.K6MaxErrorRate, o.K6VUs, o.K6Duration = 800, 0, 2, "45s"
		o.Env = []string{"TITLE=Admin: acme", "API_URL=http://admin-backend.admin-backend.svc:80", "RETRIES=3", "DEBUG=true"}
	})
	goldenTree(t, "new-service-flags",
		repoFiles{"gitops-repo", p.repo, res.Repo.Files},
		repoFiles{"configs-repo", p.configs, res.Configs.Files})
}

// The backend chart rendered as Argo CD renders it (values.yaml, then the
// configs-repo's config.yaml and secrets.yaml), in `helm template` form.
func TestGoldenRenderedBackend(t *testing.T) {
	p := initPair(t)
	p.newService(t, "backend", func(o *ServiceOptions) { o.Env = []string{"LOG_LEVEL=info"} })
	writeSecrets(t, p, "backend", "strict", map[string]string{"DB_PASSWORD": "AgBy3i4OJSWK+PiTySYZZA=="})
	r := renderService(t, p, "backend", "backend")
	var names []string
	for k := range r.raw {
		if !strings.HasPrefix(filepath.Base(k), "_") {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	var b bytes.Buffer
	for _, n := range names {
		if strings.TrimSpace(r.raw[n]) == "" {
			continue
		}
		b.WriteString("---\n# Source: " + n + "\n" + strings.TrimLeft(r.raw[n], "\n"))
		if !strings.HasSuffix(r.raw[n], "\n") {
			b.WriteString("\n")
		}
	}
	golden.Check(t, filepath.Join("testdata", "new-service-backend.rendered.yaml"), b.Bytes())
}
