package render

import (
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/gitopsctl/gitopsctl/internal/manifest"
)

// clusterScoped lists the built-in cluster-scoped kinds by group ("" core).
var clusterScoped = func() map[string]bool {
	m := map[string]bool{}
	for _, gk := range strings.Fields(`
		/Namespace /Node /PersistentVolume /ComponentStatus
		rbac.authorization.k8s.io/ClusterRole rbac.authorization.k8s.io/ClusterRoleBinding
		apiextensions.k8s.io/CustomResourceDefinition apiregistration.k8s.io/APIService
		storage.k8s.io/StorageClass storage.k8s.io/CSIDriver storage.k8s.io/CSINode storage.k8s.io/VolumeAttachment
		scheduling.k8s.io/PriorityClass node.k8s.io/RuntimeClass networking.k8s.io/IngressClass
		networking.k8s.io/IPAddress networking.k8s.io/ServiceCIDR
		admissionregistration.k8s.io/MutatingWebhookConfiguration admissionregistration.k8s.io/ValidatingWebhookConfiguration
		admissionregistration.k8s.io/ValidatingAdmissionPolicy admissionregistration.k8s.io/ValidatingAdmissionPolicyBinding
		admissionregistration.k8s.io/MutatingAdmissionPolicy admissionregistration.k8s.io/MutatingAdmissionPolicyBinding
		certificates.k8s.io/CertificateSigningRequest certificates.k8s.io/ClusterTrustBundle
		flowcontrol.apiserver.k8s.io/FlowSchema flowcontrol.apiserver.k8s.io/PriorityLevelConfiguration
		policy/PodSecurityPolicy resource.k8s.io/DeviceClass
		authentication.k8s.io/TokenReview authentication.k8s.io/SelfSubjectReview
		authorization.k8s.io/SubjectAccessReview authorization.k8s.io/SelfSubjectAccessReview authorization.k8s.io/SelfSubjectRulesReview
		argoproj.io/ClusterWorkflowTemplate argoproj.io/ClusterAnalysisTemplate
		cert-manager.io/ClusterIssuer external-secrets.io/ClusterSecretStore external-secrets.io/ClusterExternalSecret
	`) {
		m[gk] = true
	}
	return m
}()

// IsClusterScoped reports whether objects of group/kind are cluster-scoped,
// from the built-in table and the CRDs given (group/Kind -> cluster-scoped).
func IsClusterScoped(group, kind string, crds map[string]bool) bool {
	k := group + "/" + kind
	if v, ok := crds[k]; ok {
		return v
	}
	return clusterScoped[k]
}

// crdScopes reads the scope of every CRD among objs.
func crdScopes(objs []manifest.Object) map[string]bool {
	m := map[string]bool{}
	for _, o := range objs {
		u := o.Object
		if u.GetKind() != "CustomResourceDefinition" {
			continue
		}
		group, _, _ := unstructured.NestedString(u.Object, "spec", "group")
		kind, _, _ := unstructured.NestedString(u.Object, "spec", "names", "kind")
		scope, _, _ := unstructured.NestedString(u.Object, "spec", "scope")
		if kind != "" {
			m[group+"/"+kind] = scope == "Cluster"
		}
	}
	return m
}

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
	crds := crdScopes(flat)
	ns := a.Application.Spec.Destination.Namespace
	for _, o := range flat {
		u := o.Object
		gvk := u.GroupVersionKind()
		if IsClusterScoped(gvk.Group, gvk.Kind, crds) {
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
