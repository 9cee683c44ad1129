package manifest

import (
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

func obj(app, apiVersion, kind, ns, name string) Object {
	u := &unstructured.Unstructured{Object: map[string]any{"apiVersion": apiVersion, "kind": kind, "metadata": map[string]any{"name": name}}}
	if ns != "" {
		u.SetNamespace(ns)
	}
	return Object{App: app, Object: u}
}

func TestSortAndKey(t *testing.T) {
	objs := []Object{
		obj("b", "v1", "Service", "ns", "x"),
		obj("a", "argoproj.io/v1alpha1", "Rollout", "ns", "r"),
		obj("a", "v1", "Service", "ns", "z"),
		obj("a", "v1", "ConfigMap", "ns", "c"),
		obj("a", "v1", "Service", "ns", "y"),
	}
	Sort(objs)
	var got []string
	for _, o := range objs {
		got = append(got, o.App+":"+o.Key().String())
	}
	want := []string{"a:/ConfigMap/ns/c", "a:/Service/ns/y", "a:/Service/ns/z", "a:argoproj.io/Rollout/ns/r", "b:/Service/ns/x"}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("order %v, want %v", got, want)
		}
	}
}
