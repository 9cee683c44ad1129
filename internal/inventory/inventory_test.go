package inventory

import (
	"testing"

	"github.com/gitopsctl/gitopsctl/internal/argo"
)

func TestSource(t *testing.T) {
	tests := []struct {
		src  argo.ApplicationSource
		want string
	}{
		{argo.ApplicationSource{RepoURL: "https://x/g.git", Path: "charts/backend", TargetRevision: "HEAD"}, "charts/backend"},
		{argo.ApplicationSource{RepoURL: "https://x/g.git", Path: "charts/backend", TargetRevision: "v1.2.0"}, "charts/backend@v1.2.0"},
		{argo.ApplicationSource{RepoURL: "https://x/g.git"}, "."},
		{argo.ApplicationSource{RepoURL: "https://x/c.git", Ref: "configs", TargetRevision: "main"}, "$configs"},
		{argo.ApplicationSource{RepoURL: "https://x/c.git", Ref: "values", Path: "base"}, "base"},
		{argo.ApplicationSource{RepoURL: "https://charts.example.com", Chart: "redis", TargetRevision: "19.0.1"}, "chart redis@19.0.1"},
	}
	for _, tt := range tests {
		if got := Source(tt.src); got != tt.want {
			t.Errorf("Source(%+v) = %q, want %q", tt.src, got, tt.want)
		}
	}
}

func TestCluster(t *testing.T) {
	tests := []struct {
		d    argo.ApplicationDestination
		want string
	}{
		{argo.ApplicationDestination{Server: argo.InClusterURL, Namespace: "x"}, "in-cluster"},
		{argo.ApplicationDestination{Server: "https://prod.example.com:6443"}, "https://prod.example.com:6443"},
		{argo.ApplicationDestination{Name: "staging", Server: "https://ignored"}, "staging"},
		{argo.ApplicationDestination{}, ""},
	}
	for _, tt := range tests {
		if got := Cluster(tt.d); got != tt.want {
			t.Errorf("Cluster(%+v) = %q, want %q", tt.d, got, tt.want)
		}
	}
}
