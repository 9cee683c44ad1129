package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gitopsctl/gitopsctl/internal/charts/chartstest"
)

// A repository with a wrapper chart depending on a chart of a Helm
// repository, an app with a chart: source from that repository and one
// with a chart from an OCI registry renders with no prior setup, then again
// with the servers gone and --offline, identically; charts pull warms the
// cache and an empty cache offline names the fix.
func TestRemoteChartsOfflineEndToEnd(t *testing.T) {
	t.Setenv("HELM_REPOSITORY_CONFIG", filepath.Join(t.TempDir(), "repositories.yaml"))
	t.Setenv("HELM_REGISTRY_CONFIG", filepath.Join(t.TempDir(), "config.json"))
	hr := chartstest.NewHelmRepo(t)
	hr.Add(t, chartstest.SimpleChart(t, "podinfo", "1.0.0"))
	hr.Add(t, chartstest.SimpleChart(t, "podinfo", "1.2.0"))
	reg := chartstest.NewRegistry(t)
	reg.Push(t, "charts", chartstest.SimpleChart(t, "ociapp", "0.3.0"))

	root := t.TempDir()
	repo := filepath.Join(root, "gitops-repo")
	const gitops = "https://example.com/acme/gitops-repo.git"
	application := func(name, source string) string {
		return "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: " + name + "\n  namespace: argocd\nspec:\n  project: default\n  source:\n" + source +
			"  destination: {server: https://kubernetes.default.svc, namespace: apps}\n"
	}
	files := map[string]string{
		".gitopsctl.yaml":            "gitopsRepo: {url: " + gitops + "}\n",
		"root-app.yaml":              application("root-app", "    repoURL: "+gitops+"\n    path: apps\n"),
		"apps/wrapper.yaml":          application("wrapper", "    repoURL: "+gitops+"\n    path: charts/wrapper\n"),
		"apps/remote.yaml":           application("remote", "    repoURL: "+hr.URL+"\n    chart: podinfo\n    targetRevision: ~1.0\n"),
		"apps/oci.yaml":              application("oci", "    repoURL: oci://"+reg.Host+"/charts\n    chart: ociapp\n    targetRevision: 0.3.0\n"),
		"charts/wrapper/Chart.yaml":  "apiVersion: v2\nname: wrapper\nversion: 0.1.0\ndependencies:\n- name: podinfo\n  version: '>=1.0.0'\n  repository: " + hr.URL + "\n",
		"charts/wrapper/values.yaml": "podinfo:\n  greeting: wrapped\n",
	}
	for name, data := range files {
		p := filepath.Join(repo, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.MkdirAll(filepath.Join(root, "configs-repo"), 0o755); err != nil {
		t.Fatal(err)
	}
	cache := filepath.Join(root, "cache")

	code, first, stderr := runCLI(t, nil, "render", "--repo", repo, "--cache-dir", cache)
	if code != ExitOK {
		t.Fatalf("render: %d %s", code, stderr)
	}
	for _, s := range []string{"chart: podinfo-1.2.0", "greeting: wrapped", "chart: podinfo-1.0.0", "chart: ociapp-0.3.0"} {
		if !strings.Contains(first, s) {
			t.Errorf("render output lacks %q:\n%s", s, first)
		}
	}
	code, pulled, stderr := runCLI(t, nil, "charts", "pull", "--repo", repo, "--cache-dir", cache)
	if code != ExitOK {
		t.Fatalf("charts pull: %d %s", code, stderr)
	}
	want := "cached  " + hr.URL + " podinfo 1.0.0 sha256:"
	if !strings.Contains(pulled, want) || strings.Count(pulled, "\n") != 3 || strings.Contains(pulled, "fetched") {
		t.Fatalf("charts pull after render printed:\n%s\nwant 3 cached charts, among them %q", pulled, want)
	}

	hr.Close()
	reg.Close()
	code, second, stderr := runCLI(t, nil, "render", "--repo", repo, "--cache-dir", cache, "--offline")
	if code != ExitOK || second != first {
		t.Fatalf("offline render: %d %s\ngot:\n%s\nwant:\n%s", code, stderr, second, first)
	}
	code, _, stderr = runCLI(t, map[string]string{"GITOPSCTL_CHART_MIRRORS": "nomirror"}, "render", "--repo", repo, "--cache-dir", cache, "--offline")
	if code != ExitError || !strings.Contains(stderr, "GITOPSCTL_CHART_MIRRORS") {
		t.Fatalf("bad mirrors: %d %s", code, stderr)
	}

	empty := filepath.Join(root, "empty-cache")
	code, _, stderr = runCLI(t, nil, "render", "remote", "--repo", repo, "--cache-dir", empty, "--offline")
	if code != ExitError || !strings.Contains(stderr, "chart podinfo version ~1.0 from "+hr.URL+" is not in the chart cache") || !strings.Contains(stderr, "gitopsctl charts pull") || !strings.Contains(stderr, "apps/remote.yaml:") {
		t.Fatalf("empty cache offline: %d %s", code, stderr)
	}
	code, _, stderr = runCLI(t, nil, "charts", "pull", "--repo", repo, "--cache-dir", empty, "--offline")
	if code != ExitError || strings.Count(stderr, "is not in the chart cache") != 3 {
		t.Fatalf("offline pull into an empty cache: %d %s", code, stderr)
	}
}
