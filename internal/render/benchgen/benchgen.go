// Package benchgen generates a gitops-repo + configs-repo pair in the seed's
// layout with N services (one chart, one multi-source Application and one
// configs directory each), for benchmarks and tests.
package benchgen

import (
	"embed"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
)

//go:embed all:chart
var chartFS embed.FS

// SeedServices are the seed's 15 apps: 8 services, 5 monitoring components, 2 tools.
var SeedServices = []Service{
	{"backend", "app"}, {"ingestion", "app"}, {"processor", "app"}, {"ai-service", "app"},
	{"admin-backend", "app"}, {"frontend", "app"}, {"admin-frontend", "app"}, {"kafka", "app"},
	{"prometheus", "monitoring"}, {"thanos", "monitoring"}, {"loki", "monitoring"}, {"alloy", "monitoring"}, {"grafana", "monitoring"},
	{"argo-rollouts", "tools"}, {"sealed-secrets", "tools"},
}

// Service is one generated app.
type Service struct{ Name, Project string }

// Services returns n services: the seed's 15 first, then svc-0016, ...
func Services(n int) []Service {
	out := make([]Service, 0, n)
	for i := 0; i < n; i++ {
		if i < len(SeedServices) {
			out = append(out, SeedServices[i])
			continue
		}
		out = append(out, Service{fmt.Sprintf("svc-%04d", i+1), "app"})
	}
	return out
}

const (
	// GitopsURL and ConfigsURL are the repository URLs the generated manifests use.
	GitopsURL  = "https://github.com/acme/gitops-repo.git"
	ConfigsURL = "https://github.com/acme/configs-repo.git"
)

// Config is the generated .gitopsctl.yaml.
const Config = `cluster: prod
gitopsRepo:  { url: ` + GitopsURL + ` }
configsRepo: { url: ` + ConfigsURL + `, path: ../configs-repo }
registry: ghcr.io/acme
capabilities:
  kubeVersion: v1.31.0
  apiVersions: [argoproj.io/v1alpha1, bitnami.com/v1alpha1, autoscaling/v2, monitoring.coreos.com/v1]
`

// RootApp is the generated root-app.yaml.
const RootApp = `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: root-app
  namespace: argocd
spec:
  project: default
  source:
    repoURL: ` + GitopsURL + `
    targetRevision: HEAD
    path: argo-apps
    directory:
      recurse: true
  destination:
    server: https://kubernetes.default.svc
    namespace: argocd
  syncPolicy:
    automated: { prune: true, selfHeal: true }
`

// Project returns an AppProject manifest.
func Project(name string) string {
	return `apiVersion: argoproj.io/v1alpha1
kind: AppProject
metadata:
  name: ` + name + `
  namespace: argocd
spec:
  description: ` + name + ` workloads
  sourceRepos:
    - ` + GitopsURL + `
    - ` + ConfigsURL + `
  destinations:
    - server: https://kubernetes.default.svc
      namespace: '*'
  clusterResourceWhitelist:
    - group: ''
      kind: Namespace
`
}

// Application returns the multi-source Application of a service.
func Application(s Service) string {
	return `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: ` + s.Name + `
  namespace: argocd
spec:
  project: ` + s.Project + `
  sources:
    - repoURL: ` + GitopsURL + `
      targetRevision: HEAD
      path: charts/` + s.Name + `
      helm:
        valueFiles:
          - values.yaml
          - $configs/` + s.Name + `/config.yaml
          - $configs/` + s.Name + `/secrets.yaml
    - repoURL: ` + ConfigsURL + `
      targetRevision: HEAD
      ref: configs
  destination:
    server: https://kubernetes.default.svc
    namespace: ` + s.Name + `
  syncPolicy:
    automated: { prune: true, selfHeal: true }
    syncOptions: [CreateNamespace=true]
`
}

// ConfigValues returns configs-repo/<svc>/config.yaml.
func ConfigValues(s Service) string {
	return `config:
  LOG_LEVEL: info
  SERVICE_NAME: ` + s.Name + `
  KAFKA_BROKERS: kafka.kafka.svc:9092
`
}

// SecretValues returns configs-repo/<svc>/secrets.yaml; every other
// service has sealed keys (the ciphertext is a placeholder).
func SecretValues(i int) string {
	if i%2 == 1 {
		return "sealedSecrets:\n  scope: strict\n  certFingerprint: \"\"\n  encryptedData: {}\n"
	}
	return `sealedSecrets:
  scope: strict
  certFingerprint: ""
  encryptedData:
    DB_PASSWORD: AgBy3i4OJSWK+PiTySYZZA9rO43cGDEq
    API_TOKEN: AgCx9f2kLmNoPqRsTuVwXyZ0123456789
`
}

// Options of Generate.
type Options struct {
	// Services is the number of services (default 15).
	Services int
	// Git makes both directories git repositories with one commit each.
	Git bool
}

// Generate writes dir/gitops-repo and dir/configs-repo.
func Generate(dir string, o Options) error {
	if o.Services <= 0 {
		o.Services = len(SeedServices)
	}
	g := filepath.Join(dir, "gitops-repo")
	c := filepath.Join(dir, "configs-repo")
	files := map[string]string{
		filepath.Join(g, ".gitopsctl.yaml"): Config,
		filepath.Join(g, "root-app.yaml"):   RootApp,
		filepath.Join(c, ".gitignore"):      "*.local.env\n*.local.state\n",
	}
	for _, p := range []string{"app", "monitoring", "tools"} {
		files[filepath.Join(g, "argo-apps", "projects", p+".yaml")] = Project(p)
	}
	for i, s := range Services(o.Services) {
		files[filepath.Join(g, "argo-apps", "clusters", "prod", s.Project, s.Name+".yaml")] = Application(s)
		files[filepath.Join(c, s.Name, "config.yaml")] = ConfigValues(s)
		files[filepath.Join(c, s.Name, "secrets.yaml")] = SecretValues(i)
		if err := WriteChart(filepath.Join(g, "charts", s.Name), s.Name); err != nil {
			return err
		}
	}
	for p, data := range files {
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			return err
		}
	}
	if o.Git {
		for _, d := range []string{g, c} {
			if err := Git(d, "init", "-q", "-b", "main"); err != nil {
				return err
			}
			if err := Git(d, "add", "-A"); err != nil {
				return err
			}
			if err := Git(d, "commit", "-q", "-m", "initial"); err != nil {
				return err
			}
		}
	}
	return nil
}

// WriteChart writes the service chart for name into dir.
func WriteChart(dir, name string) error {
	return fs.WalkDir(chartFS, "chart", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := chartFS.ReadFile(p)
		if err != nil {
			return err
		}
		rel := strings.TrimPrefix(p, "chart/")
		if rel == "Chart.yaml" || rel == "values.yaml" {
			data = []byte(strings.ReplaceAll(string(data), "SERVICE", name))
		}
		dst := filepath.Join(dir, filepath.FromSlash(path.Clean(rel)))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		return os.WriteFile(dst, data, 0o644)
	})
}

// Git runs git in dir with a fixed identity.
func Git(dir string, args ...string) error {
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(),
		"GIT_AUTHOR_NAME=gitopsctl", "GIT_AUTHOR_EMAIL=gitopsctl@example.com",
		"GIT_COMMITTER_NAME=gitopsctl", "GIT_COMMITTER_EMAIL=gitopsctl@example.com",
		"GIT_CONFIG_NOSYSTEM=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("git %s in %s: %w\n%s", strings.Join(args, " "), dir, err, out)
	}
	return nil
}
