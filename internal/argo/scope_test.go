package argo

import (
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/gitopsctl/gitopsctl/internal/manifest"
)

func TestScopes(t *testing.T) {
	crd := func(group, kind, scope string) manifest.Object {
		return manifest.Object{Object: &unstructured.Unstructured{Object: map[string]any{
			"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
			"metadata": map[string]any{"name": kind + "s." + group},
			"spec":     map[string]any{"group": group, "scope": scope, "names": map[string]any{"kind": kind}},
		}}}
	}
	s := ScopesOf([]manifest.Object{
		crd("example.com", "Widget", "Cluster"),
		crd("cert-manager.io", "ClusterIssuer", "Namespaced"), // a CRD says otherwise: it wins
		{Object: &unstructured.Unstructured{Object: map[string]any{ // not a CRD: ignored
			"apiVersion": "example.com/v1", "kind": "CustomResourceDefinition",
			"spec": map[string]any{"group": "example.com", "scope": "Cluster", "names": map[string]any{"kind": "Gadget"}},
		}}},
	})
	for _, tc := range []struct {
		group, kind string
		want        bool
	}{
		{"", "Namespace", true},
		{"", "ConfigMap", false},
		{"rbac.authorization.k8s.io", "ClusterRole", true},
		{"rbac.authorization.k8s.io", "Role", false},
		{"storage.k8s.io", "VolumeAttributesClass", true},
		{"authentication.k8s.io", "TokenReview", true},
		{"authorization.k8s.io", "SubjectAccessReview", true},
		{"authorization.k8s.io", "LocalSubjectAccessReview", false},
		{"external-secrets.io", "ClusterSecretStore", true},
		{"external-secrets.io", "ExternalSecret", false},
		{"argoproj.io", "ClusterAnalysisTemplate", true},
		{"example.com", "Widget", true},
		{"example.com", "Gadget", false},
		{"cert-manager.io", "ClusterIssuer", false},
		{"", "Widget", false}, // the group counts
	} {
		if got := s.ClusterScoped(tc.group, tc.kind); got != tc.want {
			t.Errorf("ClusterScoped(%s/%s) = %v, want %v", tc.group, tc.kind, got, tc.want)
		}
	}
	if !Scopes(nil).ClusterScoped("cert-manager.io", "ClusterIssuer") {
		t.Error("ClusterIssuer is cluster-scoped without a CRD saying otherwise")
	}
}
