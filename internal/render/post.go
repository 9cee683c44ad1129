package render

import (
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/gitopsctl/gitopsctl/internal/argo"
	"github.com/gitopsctl/gitopsctl/internal/manifest"
)

// postProcess applies Argo CD's handling of generated objects: *List kinds
// are flattened (a null list dropped), the destination namespace is set on
// namespaced objects without one and cleared on cluster-scoped ones, and of
// repeated group/kind/namespace/name the last wins (with a warning).
func (ws *Workspace) postProcess(a *App, in []manifest.Object) ([]manifest.Object, []string) {
	var flat []manifest.Object
	for _, o := range in {
		u := o.Object
		if strings.HasSuffix(u.GetKind(), "List") {
			if items, ok := u.Object["items"]; ok {
				if items == nil {
					if _, spec := u.Object["spec"]; !spec {
						if _, st := u.Object["status"]; !st {
							continue
						}
					}
				}
				if list, ok := items.([]any); ok {
					for _, it := range list {
						if m, ok := it.(map[string]any); ok && len(m) > 0 {
							flat = append(flat, manifest.Object{App: o.App, Source: o.Source, Object: &unstructured.Unstructured{Object: m}})
						}
					}
					continue
				}
			}
		}
		flat = append(flat, o)
	}
	scopes := argo.ScopesOf(flat)
	ns := a.Application.Spec.Destination.Namespace
	for _, o := range flat {
		u := o.Object
		gvk := u.GroupVersionKind()
		if scopes.ClusterScoped(gvk.Group, gvk.Kind) {
			if u.GetNamespace() != "" {
				u.SetNamespace("")
			}
		} else if u.GetNamespace() == "" && ns != "" {
			u.SetNamespace(ns)
		}
	}
	var warns []string
	last := map[manifest.Key]int{}
	for i, o := range flat {
		k := o.Key()
		if j, ok := last[k]; ok {
			warns = append(warns, fmt.Sprintf("resource %s appeared %s and %s: the last one wins", keyString(k), flat[j].Source, o.Source))
		}
		last[k] = i
	}
	out := flat[:0:0]
	for i, o := range flat {
		if last[o.Key()] == i {
			out = append(out, o)
		}
	}
	manifest.Sort(out)
	return out, warns
}

func keyString(k manifest.Key) string {
	s := k.Kind + "/" + k.Name
	if k.Group != "" {
		s = k.Group + "/" + s
	}
	if k.Namespace != "" {
		s += " in namespace " + k.Namespace
	}
	return s
}
