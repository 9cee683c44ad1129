package argo

import (
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/gitopsctl/gitopsctl/internal/manifest"
)

// clusterScopedKinds are the cluster-scoped kinds known without a cluster
// to ask, as group/Kind ("" is the core group): Kubernetes' built-in ones
// and those of the add-ons a platform commonly installs. Any other kind,
// unknown custom resources included, counts as namespaced unless a CRD
// among the rendered objects says otherwise (Scopes).
var clusterScopedKinds = func() map[schema.GroupKind]bool {
	m := map[schema.GroupKind]bool{}
	for _, gk := range strings.Fields(`
		/Namespace /Node /PersistentVolume /ComponentStatus
		rbac.authorization.k8s.io/ClusterRole rbac.authorization.k8s.io/ClusterRoleBinding
		apiextensions.k8s.io/CustomResourceDefinition apiregistration.k8s.io/APIService
		storage.k8s.io/StorageClass storage.k8s.io/CSIDriver storage.k8s.io/CSINode
		storage.k8s.io/VolumeAttachment storage.k8s.io/VolumeAttributesClass
		scheduling.k8s.io/PriorityClass node.k8s.io/RuntimeClass
		networking.k8s.io/IngressClass networking.k8s.io/IPAddress networking.k8s.io/ServiceCIDR
		admissionregistration.k8s.io/MutatingWebhookConfiguration admissionregistration.k8s.io/ValidatingWebhookConfiguration
		admissionregistration.k8s.io/ValidatingAdmissionPolicy admissionregistration.k8s.io/ValidatingAdmissionPolicyBinding
		admissionregistration.k8s.io/MutatingAdmissionPolicy admissionregistration.k8s.io/MutatingAdmissionPolicyBinding
		certificates.k8s.io/CertificateSigningRequest certificates.k8s.io/ClusterTrustBundle
		flowcontrol.apiserver.k8s.io/FlowSchema flowcontrol.apiserver.k8s.io/PriorityLevelConfiguration
		policy/PodSecurityPolicy resource.k8s.io/DeviceClass
		authentication.k8s.io/TokenReview authentication.k8s.io/SelfSubjectReview
		authorization.k8s.io/SubjectAccessReview authorization.k8s.io/SelfSubjectAccessReview
		authorization.k8s.io/SelfSubjectRulesReview
		argoproj.io/ClusterWorkflowTemplate argoproj.io/ClusterAnalysisTemplate
		cert-manager.io/ClusterIssuer
		external-secrets.io/ClusterSecretStore external-secrets.io/ClusterExternalSecret
	`) {
		g, k, _ := strings.Cut(gk, "/")
		m[schema.GroupKind{Group: g, Kind: k}] = true
	}
	return m
}()

// Scopes tells cluster-scoped kinds from namespaced ones for a set of
// rendered objects: the scope a CustomResourceDefinition among them
// declares wins over the built-in table.
type Scopes map[schema.GroupKind]bool

// ScopesOf reads the scope of every CustomResourceDefinition among objs.
func ScopesOf(objs []manifest.Object) Scopes {
	s := Scopes{}
	for _, o := range objs {
		u := o.Object.Object
		if gvk := o.GVK(); gvk.Group != "apiextensions.k8s.io" || gvk.Kind != "CustomResourceDefinition" {
			continue
		}
		group, _, _ := unstructured.NestedString(u, "spec", "group")
		kind, _, _ := unstructured.NestedString(u, "spec", "names", "kind")
		scope, _, _ := unstructured.NestedString(u, "spec", "scope")
		if kind != "" {
			s[schema.GroupKind{Group: group, Kind: kind}] = scope == "Cluster"
		}
	}
	return s
}

// ClusterScoped reports whether objects of group/kind are cluster-scoped.
func (s Scopes) ClusterScoped(group, kind string) bool {
	gk := schema.GroupKind{Group: group, Kind: kind}
	if v, ok := s[gk]; ok {
		return v
	}
	return clusterScopedKinds[gk]
}
