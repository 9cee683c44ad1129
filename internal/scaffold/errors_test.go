package scaffold

import (
	"github.com/gitopsctl/gitopsctl/internal/layout"

	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Every bad input gets a clear error and leaves both repositories exactly
// as they were.
func TestNewServiceBadInputsWriteNothing(t *testing.T) {
	cases := []struct {
		name string
		mod  func(p pair, o *ServiceOptions)
		want string
	}{
		{"upper-case name", func(_ pair, o *ServiceOptions) { o.Name = "Backend" }, `invalid service name "Backend"`},
		{"name starting with a digit", func(_ pair, o *ServiceOptions) { o.Name = "1api" }, `invalid service name "1api"`},
		{"underscore", func(_ pair, o *ServiceOptions) { o.Name = "my_svc" }, `invalid service name "my_svc"`},
		{"too long", func(_ pair, o *ServiceOptions) { o.Name = strings.Repeat("a", 54) }, "at most 53 characters"},
		{"empty name", func(_ pair, o *ServiceOptions) { o.Name = "" }, "a service NAME is required"},
		{"existing service", func(_ pair, o *ServiceOptions) { o.Name = "existing" }, `service "existing" already exists`},
		{"existing in another project", func(_ pair, o *ServiceOptions) { o.Name, o.Project, o.Force = "existing", "tools", true }, `already exists in project app`},
		{"existing platform chart", func(_ pair, o *ServiceOptions) { o.Name = "kafka" }, `an Application "kafka" already exists in project tools`},
		{"existing configs dir only", func(p pair, o *ServiceOptions) { o.Name = "orphan" }, `already exists in the configs-repo`},
		{"unknown project", func(_ pair, o *ServiceOptions) { o.Project = "web" }, `unknown project "web"`},
		{"project not allowing the repo", func(_ pair, o *ServiceOptions) { o.RepoURL = "https://github.com/other/repo.git" }, "does not allow source repo https://github.com/other/repo.git"},
		{"port 0", func(_ pair, o *ServiceOptions) { o.Port = 0 }, "--port 0 is out of range"},
		{"port 70000", func(_ pair, o *ServiceOptions) { o.Port = 70000 }, "--port 70000 is out of range"},
		{"service port", func(_ pair, o *ServiceOptions) { o.ServicePort = -1 }, "--service-port -1 is out of range"},
		{"node port", func(_ pair, o *ServiceOptions) { o.NodePort = 8080 }, "--node-port 8080 is out of the NodePort range"},
		{"hpa max below min", func(_ pair, o *ServiceOptions) { o.HPAMin, o.HPAMax = 5, 2 }, "--hpa-max 2 is below --hpa-min 5"},
		{"cpu target", func(_ pair, o *ServiceOptions) { o.CPUTarget = 0 }, "--cpu-target 0%"},
		{"image with tag", func(_ pair, o *ServiceOptions) { o.Image = "ghcr.io/acme/x:1.0" }, "carries a tag"},
		{"bad tag", func(_ pair, o *ServiceOptions) { o.Tag = "-x" }, `invalid --tag "-x"`},
		{"health path", func(_ pair, o *ServiceOptions) { o.HealthPath = "healthz" }, `--health-path "healthz"`},
		{"smoke path", func(_ pair, o *ServiceOptions) { o.SmokePath = "" }, `--smoke-path ""`},
		{"error rate", func(_ pair, o *ServiceOptions) { o.K6MaxErrorRate = 1.5 }, "--k6-max-error-rate 1.5"},
		{"k6 duration", func(_ pair, o *ServiceOptions) { o.K6Duration = "soon" }, `--k6-duration "soon"`},
		{"bad env", func(_ pair, o *ServiceOptions) { o.Env = []string{"1X=y"} }, `--env "1X=y"`},
		{"env twice", func(_ pair, o *ServiceOptions) { o.Env = []string{"A=1", "A=2"} }, "--env A given twice"},
		{"project escaping the repo", func(_ pair, o *ServiceOptions) { o.Project = "../../x" }, `invalid --project "../../x"`},
		{"cluster escaping the repo", func(_ pair, o *ServiceOptions) { o.Cluster = "../prod" }, `invalid cluster "../prod"`},
		{"bad namespace", func(_ pair, o *ServiceOptions) { o.Namespace = "Web" }, `invalid --namespace "Web"`},
		{"missing configs-repo", func(p pair, o *ServiceOptions) { o.ConfigsDir = filepath.Join(p.root, "nope") }, "configs-repo " + "%ROOT%/nope does not exist"},
		{"missing gitops-repo", func(p pair, o *ServiceOptions) { o.RepoDir = filepath.Join(p.root, "nope") }, "gitops-repo %ROOT%/nope is not a directory"},
		{"no registry, no image", func(_ pair, o *ServiceOptions) { o.Registry = "" }, "no --image given"},
		{"env with kept config", func(_ pair, o *ServiceOptions) { o.Name, o.Force, o.Env = "existing", true, []string{"A=1"} }, "--env cannot change the existing"},
	}
	// One pair for all cases: none of them may change it.
	p := initPair(t, func(o *InitOptions) { o.Platform = true })
	p.newService(t, "existing")
	if err := os.Mkdir(filepath.Join(p.configs, "orphan"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := snapshot(t, p.root)
			o := p.serviceOpts("fresh")
			tc.mod(p, &o)
			_, err := NewService(context.Background(), o)
			want := strings.ReplaceAll(tc.want, "%ROOT%", p.root)
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Fatalf("err = %v, want it to contain %q", err, want)
			}
			sameSnapshot(t, before, snapshot(t, p.root))
		})
	}
}

// A failure halfway through moving files into place undoes every move,
// across both repositories, and removes the directories it created.
func TestNewServiceRollsBackHalfwayFailure(t *testing.T) {
	p := initPair(t)
	before := snapshot(t, p.root)
	for _, at := range []int{0, 1, 2, 9, 15} { // 16 files: 2 in the configs-repo, 14 in the gitops-repo
		testHookMove = func(n int) error {
			if n == at {
				return errors.New("disk on fire")
			}
			return nil
		}
		_, err := NewService(context.Background(), p.serviceOpts("backend"))
		testHookMove = nil
		if err == nil || !strings.Contains(err.Error(), "disk on fire") {
			t.Fatalf("at %d: err = %v", at, err)
		}
		sameSnapshot(t, before, snapshot(t, p.root))
	}
}

// --force regenerates the chart and Application, keeps the configs-repo
// values, and a failure restores the previous files.
func TestNewServiceForce(t *testing.T) {
	p := initPair(t)
	p.newService(t, "backend", func(o *ServiceOptions) { o.Env = []string{"LOG_LEVEL=debug"} })
	values := filepath.Join(p.repo, "charts", "backend", "values.yaml")
	if err := os.WriteFile(values, []byte("edited: true\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, p.root)

	testHookMove = func(n int) error {
		if n == 10 {
			return errors.New("interrupted")
		}
		return nil
	}
	_, err := NewService(context.Background(), func() ServiceOptions { o := p.serviceOpts("backend"); o.Force = true; return o }())
	testHookMove = nil
	if err == nil {
		t.Fatal("no error")
	}
	sameSnapshot(t, before, snapshot(t, p.root))

	o := p.serviceOpts("backend")
	o.Force, o.ResetValues, o.Port = true, true, 9090
	res, err := NewService(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(res.Kept, ",") != "backend/config.yaml,backend/secrets.yaml" || len(res.Configs.Files) != 0 {
		t.Errorf("kept %v, wrote %v", res.Kept, res.Configs.Files)
	}
	b, _ := os.ReadFile(values)
	if !strings.Contains(string(b), "containerPort: 9090") {
		t.Errorf("values.yaml not regenerated:\n%s", b)
	}
	b, _ = os.ReadFile(filepath.Join(p.configs, "backend", "config.yaml"))
	if !strings.Contains(string(b), "LOG_LEVEL: debug") {
		t.Errorf("config.yaml not kept:\n%s", b)
	}
}

func TestInitBadInputsWriteNothing(t *testing.T) {
	cases := []struct {
		name string
		mod  func(root string, o *InitOptions)
		want string
	}{
		{"non-empty gitops-repo", func(root string, o *InitOptions) {
			os.MkdirAll(filepath.Join(root, "gitops-repo"), 0o755)
			os.WriteFile(filepath.Join(root, "gitops-repo", "README.md"), []byte("hi"), 0o644)
		}, "gitops-repo %ROOT%/gitops-repo: directory is not empty (it holds README.md) (use --force"},
		{"non-empty configs-repo", func(root string, o *InitOptions) {
			os.MkdirAll(filepath.Join(root, "configs-repo", "backend"), 0o755)
		}, "configs-repo %ROOT%/configs-repo: directory is not empty"},
		{"no URL to derive", func(_ string, o *InitOptions) { o.Registry = "registry.example.com/acme" }, "--repo-url is required"},
		{"bad URL", func(_ string, o *InitOptions) { o.RepoURL = "gitops-repo" }, `--repo-url: "gitops-repo" is not a git URL`},
		{"same URLs", func(_ string, o *InitOptions) { o.RepoURL, o.ConfigsURL = testRepoURL, testRepoURL }, "must differ"},
		{"bad cluster", func(_ string, o *InitOptions) { o.Cluster = "Prod" }, `--cluster "Prod"`},
		{"configs inside repo", func(root string, o *InitOptions) { o.ConfigsDir = filepath.Join(root, "gitops-repo", "configs") }, "neither inside the other"},
		{"same dir", func(root string, o *InitOptions) { o.ConfigsDir = filepath.Join(root, "gitops-repo") }, "neither inside the other"},
		{"bad registry", func(_ string, o *InitOptions) { o.Registry = "GHCR.io/Acme" }, "--registry"},
		{"git without identity", func(_ string, o *InitOptions) { o.Git = true }, "no git identity"},
	}
	t.Setenv("HOME", t.TempDir())
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			o := InitOptions{RepoDir: filepath.Join(root, "gitops-repo"), Registry: "ghcr.io/acme", Now: testNow, Getenv: func(string) string { return "" }}
			tc.mod(root, &o)
			before := snapshot(t, root)
			_, err := Init(context.Background(), o)
			want := strings.ReplaceAll(tc.want, "%ROOT%", root)
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Fatalf("err = %v, want it to contain %q", err, want)
			}
			sameSnapshot(t, before, snapshot(t, root))
		})
	}
}

// init into an empty directory that only holds .git is fine; a failure
// halfway leaves no trace of the two new directories.
func TestInitRollsBack(t *testing.T) {
	root := t.TempDir()
	before := snapshot(t, root)
	testHookMove = func(n int) error {
		if n == 7 {
			return errors.New("boom")
		}
		return nil
	}
	defer func() { testHookMove = nil }()
	_, err := Init(context.Background(), InitOptions{RepoDir: filepath.Join(root, "g"), Registry: "ghcr.io/acme", Platform: true})
	if err == nil || !strings.Contains(err.Error(), "boom") {
		t.Fatalf("err = %v", err)
	}
	sameSnapshot(t, before, snapshot(t, root))
}

func TestInitDerivesURLs(t *testing.T) {
	root := t.TempDir()
	res, err := Init(context.Background(), InitOptions{RepoDir: filepath.Join(root, "ops"), ConfigsDir: filepath.Join(root, "env", "values"), Registry: "ghcr.io/acme"})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(filepath.Join(res.Repo.Dir, ".gitopsctl.yaml"))
	for _, want := range []string{"url: https://github.com/acme/ops.git", "url: https://github.com/acme/values.git", "path: ../env/values"} {
		if !strings.Contains(string(b), want) {
			t.Errorf(".gitopsctl.yaml lacks %q:\n%s", want, b)
		}
	}
}

// init --force into existing directories keeps foreign files, keeps a
// README and adds the plaintext patterns to an existing .gitignore.
func TestInitForceMergesGitignore(t *testing.T) {
	root := t.TempDir()
	configs := filepath.Join(root, "configs-repo")
	if err := os.MkdirAll(configs, 0o755); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(configs, ".gitignore"), []byte("*.bak\n*.local.env"), 0o644)
	os.WriteFile(filepath.Join(configs, "README.md"), []byte("ours\n"), 0o644)
	if _, err := Init(context.Background(), InitOptions{RepoDir: filepath.Join(root, "gitops-repo"), Registry: "ghcr.io/acme", Force: true}); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(filepath.Join(configs, ".gitignore"))
	// The foreign lines stay first; every pattern init wants that was missing
	// follows, each once.
	want := "*.bak\n*.local.env\n" + strings.Replace(layout.ConfigsGitignore, "*.local.env\n", "", 1)
	if string(b) != want {
		t.Errorf(".gitignore = %q, want %q", b, want)
	}
	if b, _ := os.ReadFile(filepath.Join(configs, "README.md")); string(b) != "ours\n" {
		t.Errorf("README.md replaced: %q", b)
	}
}
