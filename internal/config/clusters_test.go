package config

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func loadText(t *testing.T, text string) (*Loaded, error) {
	t.Helper()
	repo := t.TempDir()
	if err := os.WriteFile(filepath.Join(repo, ".gitopsctl.yaml"), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return Load(Options{RepoDir: repo, ConfigsDir: repo})
}

func TestClustersOldFileIsOneCluster(t *testing.T) {
	l, err := loadText(t, "cluster: staging\nsealing:\n  cert: s.pem\ncapabilities:\n  kubeVersion: v1.29.0\n  apiVersions: [a/v1]\n")
	if err != nil {
		t.Fatal(err)
	}
	want := []Cluster{{Name: "staging", Server: InClusterServer,
		Capabilities: Capabilities{KubeVersion: "v1.29.0", APIVersions: []string{"a/v1"}}, Sealing: ClusterSealing{Cert: "s.pem"}}}
	if got := l.Clusters(); !reflect.DeepEqual(got, want) {
		t.Fatalf("Clusters() = %+v, want %+v", got, want)
	}
	if l.DeclaresClusters() {
		t.Error("DeclaresClusters() = true for a file without clusters:")
	}
	// Any destination falls back to the one cluster; only in-cluster matches.
	if cl, ok := l.ClusterFor("https://other.example.com", ""); ok || cl.Name != "staging" {
		t.Errorf("ClusterFor(other) = %v, %v", cl.Name, ok)
	}
	if cl, ok := l.ClusterFor("", "in-cluster"); !ok || cl.Name != "staging" {
		t.Errorf("ClusterFor(name in-cluster) = %v, %v", cl.Name, ok)
	}
	if cl, ok := l.ClusterFor("", ""); !ok || cl.Name != "staging" {
		t.Errorf("ClusterFor(empty) = %v, %v", cl.Name, ok)
	}
}

const twoClusters = `cluster: staging
sealing:
  cert: default.pem
capabilities:
  kubeVersion: v1.30.0
  apiVersions: [a/v1]
clusters:
  - name: staging
  - name: prod
    server: HTTPS://Prod.Example.com:6443/
    labels: {env: prod}
    capabilities:
      kubeVersion: v1.31.2
    sealing:
      cert: prod.pem
`

func TestClustersDeclared(t *testing.T) {
	l, err := loadText(t, twoClusters)
	if err != nil {
		t.Fatal(err)
	}
	got := l.Clusters()
	want := []Cluster{
		{Name: "staging", Server: InClusterServer, Capabilities: Capabilities{KubeVersion: "v1.30.0", APIVersions: []string{"a/v1"}}, Sealing: ClusterSealing{Cert: "default.pem"}},
		{Name: "prod", Server: "HTTPS://Prod.Example.com:6443/", Labels: map[string]string{"env": "prod"},
			Capabilities: Capabilities{KubeVersion: "v1.31.2", APIVersions: []string{"a/v1"}}, Sealing: ClusterSealing{Cert: "prod.pem"}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Clusters() =\n%+v\nwant\n%+v", got, want)
	}
	if !l.DeclaresClusters() || strings.Join(l.ClusterNames(), ",") != "staging,prod" {
		t.Errorf("names %v", l.ClusterNames())
	}
	for _, tc := range []struct {
		server, name, want string
		ok                 bool
	}{
		{"https://prod.example.com:6443", "", "prod", true},
		{"https://PROD.example.com:6443/", "", "prod", true},
		{"https://prod.example.com:6443/other", "", "staging", false},
		{"", "prod", "prod", true},
		{"", "in-cluster", "staging", true},
		{"", "qa", "staging", false},
		{InClusterServer, "", "staging", true},
		{"https://kubernetes.default.svc/", "", "staging", true},
	} {
		cl, ok := l.ClusterFor(tc.server, tc.name)
		if cl.Name != tc.want || ok != tc.ok {
			t.Errorf("ClusterFor(%q, %q) = %s, %v; want %s, %v", tc.server, tc.name, cl.Name, ok, tc.want, tc.ok)
		}
	}
	if cl := l.DefaultClusterEntry(); cl.Name != "staging" {
		t.Errorf("DefaultClusterEntry = %s", cl.Name)
	}
}

func TestClustersDefaultIsFirstDeclared(t *testing.T) {
	l, err := loadText(t, "clusters:\n  - name: qa\n  - name: prod\n    server: https://p\n")
	if err != nil {
		t.Fatal(err)
	}
	if l.Cluster != "qa" || l.DefaultClusterEntry().Name != "qa" {
		t.Errorf("default cluster %q / %q", l.Cluster, l.DefaultClusterEntry().Name)
	}
}

func TestClustersInvalid(t *testing.T) {
	for _, tc := range []struct{ text, want string }{
		{"clusters:\n  - name: Prod\n", `.gitopsctl.yaml:2: clusters[0].name "Prod" must consist of lower case`},
		{"clusters:\n  - name: a\n  - name: a\n    server: https://x\n", `.gitopsctl.yaml:3: cluster "a" is declared twice (also clusters[0])`},
		{"clusters:\n  - name: a\n  - name: b\n", `.gitopsctl.yaml:3: clusters "a" and "b" have the same server https://kubernetes.default.svc`},
		{"clusters:\n  - name: a\n    server: https://X/\n  - name: b\n    server: https://x\n", `.gitopsctl.yaml:5: clusters "a" and "b" have the same server https://x`},
		{"clusters:\n  - name: a\n    server: prod.example.com\n", `.gitopsctl.yaml:3: cluster "a": server "prod.example.com" is not an https:// or http:// URL`},
		{"cluster: prod\nclusters:\n  - name: a\n", `.gitopsctl.yaml:1: cluster: "prod" is not one of the declared clusters (a)`},
		{"clusters:\n  - name: a\n    colour: red\n", `unknown field "colour"`},
	} {
		_, err := loadText(t, tc.text)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: err = %v, want %s", tc.text, err, tc.want)
		}
	}
}
