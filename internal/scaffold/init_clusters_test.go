package scaffold

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/gitopsctl/gitopsctl/internal/argo"
	"github.com/gitopsctl/gitopsctl/internal/config"
	"github.com/gitopsctl/gitopsctl/internal/gitrepo"
	"github.com/gitopsctl/gitopsctl/internal/layout"
)

const (
	prodServer = "https://prod.example.com:6443"
	qaServer   = "https://qa.example.com"
)

func severalClusters(o *InitOptions) {
	o.Cluster = "staging,prod,qa"
	o.Servers = []string{"qa=" + qaServer, "prod=" + prodServer}
}

// init --cluster a,b,c writes, byte for byte, what init --cluster a
// followed by cluster add b and cluster add c writes.
func TestInitSeveralClustersIsClusterAdd(t *testing.T) {
	for _, platform := range []bool{false, true} {
		many := initPair(t, severalClusters, func(o *InitOptions) { o.Platform = platform })
		one := initPair(t, func(o *InitOptions) { o.Cluster, o.Platform = "staging", platform })
		for _, c := range []struct{ name, server string }{{"prod", prodServer}, {"qa", qaServer}} {
			cfg, err := config.Load(config.Options{RepoDir: one.repo})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := AddCluster(context.Background(), ClusterOptions{RepoDir: cfg.RepoDir, ConfigFile: cfg.File, Config: cfg.Config, Name: c.name, Server: c.server}); err != nil {
				t.Fatal(err)
			}
		}
		got, want := snapshot(t, many.repo), snapshot(t, one.repo)
		if len(got) != len(want) {
			t.Errorf("platform %v: init with three clusters has %d paths, init + cluster add %d", platform, len(got), len(want))
		}
		for p, w := range want {
			if g, ok := got[p]; !ok {
				t.Errorf("platform %v: %s: missing", platform, p)
			} else if g != w {
				t.Errorf("platform %v: %s differs:\n--- init + cluster add\n%s\n--- init --cluster staging,prod,qa\n%s", platform, p, w, g)
			}
		}
		sameSnapshot(t, snapshot(t, one.configs), snapshot(t, many.configs))
	}
}

func TestInitSeveralClustersResult(t *testing.T) {
	root := t.TempDir()
	o := InitOptions{RepoDir: filepath.Join(root, "gitops-repo"), Registry: "ghcr.io/acme", Now: testNow, Getenv: func(string) string { return "" }}
	severalClusters(&o)
	res, err := Init(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	want := []InitCluster{{"staging", InClusterServer}, {"prod", prodServer}, {"qa", qaServer}}
	if res.Cluster != "staging" || len(res.Clusters) != 3 || res.Clusters[0] != want[0] || res.Clusters[1] != want[1] || res.Clusters[2] != want[2] {
		t.Errorf("result cluster %q clusters %v, want staging %v", res.Cluster, res.Clusters, want)
	}
	cfg, err := config.Load(config.Options{RepoDir: o.RepoDir})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(cfg.ClusterNames(), ","); got != "staging,prod,qa" || cfg.Cluster != "staging" {
		t.Errorf("config clusters %s, cluster %s", got, cfg.Cluster)
	}
	// One cluster: the config names it with cluster: only, as before.
	p := initPair(t, func(o *InitOptions) { o.Cluster = "staging" })
	cfg, err = config.Load(config.Options{RepoDir: p.repo})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.DeclaresClusters() {
		t.Errorf("one cluster: clusters: %v declared", cfg.ClusterList)
	}
}

func TestInitClusterFlagErrors(t *testing.T) {
	cases := []struct {
		cluster string
		servers []string
		want    string
	}{
		{"staging,prod", nil, "cluster prod has no server: pass --server prod=URL (only the first cluster, staging, defaults to the cluster Argo CD runs in, https://kubernetes.default.svc)"},
		{"staging,prod,qa", []string{"prod=" + prodServer}, "cluster qa has no server"},
		{"staging,prod", []string{"prod=prod.example.com"}, `--server prod: "prod.example.com" is not an https:// or http:// URL`},
		{"staging,prod", []string{"prod=https://"}, `--server prod: "https://" has no host`},
		{"staging,prod", []string{"prod"}, `--server "prod" is not NAME=URL`},
		{"staging,prod", []string{"=" + prodServer}, `is not NAME=URL`},
		{"staging,prod", []string{"qa=" + qaServer, "prod=" + prodServer}, `--server qa=https://qa.example.com: "qa" is not one of the clusters (--cluster staging,prod)`},
		{"staging,prod", []string{"prod=" + prodServer, "prod=" + qaServer}, "--server: cluster prod is given twice"},
		{"staging,prod,staging", []string{"prod=" + prodServer}, "--cluster staging,prod,staging names staging twice"},
		{"staging,Prod", []string{"Prod=" + prodServer}, `--cluster "Prod": a lowercase RFC 1123 label`},
		{"staging,,prod", nil, `--cluster "staging,,prod": a cluster name is empty`},
		{"staging,prod", []string{"prod=https://kubernetes.default.svc/"}, "clusters staging and prod have the same server https://kubernetes.default.svc/"},
		{"staging,prod,qa", []string{"prod=" + prodServer, "qa=HTTPS://PROD.example.com:6443"}, "clusters prod and qa have the same server"},
		{"staging", []string{"prod=" + prodServer}, `"prod" is not one of the clusters (--cluster staging)`},
		{"staging", []string{"staging=" + prodServer}, "--server staging=https://prod.example.com:6443: the first cluster, staging, is the one Argo CD runs in (in-cluster, https://kubernetes.default.svc)"},
		{"staging,prod", []string{"prod=" + prodServer, "staging=" + qaServer}, "the first cluster, staging, is the one Argo CD runs in"},
	}
	for _, tc := range cases {
		t.Run(tc.cluster+" "+strings.Join(tc.servers, " "), func(t *testing.T) {
			root := t.TempDir()
			o := InitOptions{RepoDir: filepath.Join(root, "gitops-repo"), Registry: "ghcr.io/acme", Cluster: tc.cluster, Servers: tc.servers}
			_, err := Init(context.Background(), o)
			var fe *FlagError
			if err == nil || !strings.Contains(err.Error(), tc.want) || !errors.As(err, &fe) {
				t.Fatalf("err = %v, want a flag error containing %q", err, tc.want)
			}
			if entries, _ := os.ReadDir(root); len(entries) != 0 {
				t.Errorf("%d entries written", len(entries))
			}
		})
	}
}

// Every Application of a repository from init with several clusters (with
// the platform and a service in every cluster) has exactly one parent: the
// root Applications' directory sources are listed as Argo CD lists them
// and every Application they hold is counted.
func TestInitSeveralClustersOneParent(t *testing.T) {
	p := initPair(t, severalClusters, func(o *InitOptions) { o.Platform = true })
	p.newService(t, "backend", func(o *ServiceOptions) {
		o.Clusters = []ClusterTarget{{Name: "staging"}, {Name: "prod", Server: prodServer}, {Name: "qa", Server: qaServer}}
	})
	parents := appParents(t, p.repo)
	all := appsIn(t, p.repo)
	if len(all) < 3+3+len(Platform) {
		t.Fatalf("only %d Applications in the repository: %v", len(all), all)
	}
	for _, name := range all {
		if name == "root-app" {
			continue
		}
		if got := parents[name]; len(got) != 1 {
			t.Errorf("Application %s has %d parents %v, want 1", name, len(got), got)
		}
	}
	for _, want := range [][2]string{{"cluster-prod", "root-app"}, {"backend-prod", "cluster-prod"}, {"backend-staging", "cluster-staging"}, {"kafka", "cluster-staging"}} {
		if got := parents[want[0]]; len(got) != 1 || got[0] != want[1] {
			t.Errorf("parents of %s = %v, want %s", want[0], got, want[1])
		}
	}

	// Without the exclude, root-app.yaml would manage the apps too: the
	// count sees it.
	rootFile := filepath.Join(p.repo, layout.RootAppFile)
	b, err := os.ReadFile(rootFile)
	if err != nil {
		t.Fatal(err)
	}
	line := "      exclude: \"" + ClusterRootExclude + "\"\n"
	if !bytes.Contains(b, []byte(line)) {
		t.Fatalf("%s has no %q", layout.RootAppFile, line)
	}
	if err := os.WriteFile(rootFile, bytes.Replace(b, []byte(line), nil, 1), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := appParents(t, p.repo)["backend-prod"]; len(got) != 2 {
		t.Errorf("without the exclude, backend-prod has parents %v, want two", got)
	}
}

type objectHead struct {
	Kind     string `json:"kind"`
	Metadata struct {
		Name string `json:"name"`
	} `json:"metadata"`
}

// appsIn names every Application in the repository's YAML files.
func appsIn(t *testing.T, repo string) []string {
	t.Helper()
	var out []string
	for _, f := range listFiles(t, repo) {
		if path.Ext(f) != ".yaml" || strings.HasPrefix(f, layout.ChartsDir+"/") {
			continue
		}
		b, err := os.ReadFile(filepath.Join(repo, f))
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range argo.SplitDocuments(b) {
			var h objectHead
			if yaml.Unmarshal(d.Data, &h) == nil && h.Kind == argo.KindApp {
				out = append(out, h.Metadata.Name)
			}
		}
	}
	sort.Strings(out)
	return out
}

// appParents walks from root-app.yaml through the directory sources of the
// gitops-repo and maps every Application reached to the Applications
// whose sources hold it.
func appParents(t *testing.T, repo string) map[string][]string {
	t.Helper()
	r, err := gitrepo.Open(repo, "")
	if err != nil {
		t.Fatal(err)
	}
	parents := map[string][]string{}
	root, err := os.ReadFile(filepath.Join(repo, layout.RootAppFile))
	if err != nil {
		t.Fatal(err)
	}
	queue := [][]byte{root}
	seen := map[string]bool{}
	for len(queue) > 0 {
		app, err := argo.DecodeApplication(queue[0])
		queue = queue[1:]
		if err != nil {
			t.Fatal(err)
		}
		if seen[app.Name] {
			continue
		}
		seen[app.Name] = true
		for _, s := range app.Spec.GetSources() {
			if s.RepoURL != testRepoURL || s.Directory == nil {
				continue
			}
			files, err := argo.DirectoryFiles(r, s.Path, s.Directory)
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range files {
				b, err := os.ReadFile(filepath.Join(repo, filepath.FromSlash(s.Path), filepath.FromSlash(f)))
				if err != nil {
					t.Fatal(err)
				}
				for _, d := range argo.SplitDocuments(b) {
					var h objectHead
					if err := yaml.Unmarshal(d.Data, &h); err != nil || h.Kind != argo.KindApp {
						continue
					}
					parents[h.Metadata.Name] = append(parents[h.Metadata.Name], app.Name)
					queue = append(queue, d.Data)
				}
			}
		}
	}
	return parents
}
