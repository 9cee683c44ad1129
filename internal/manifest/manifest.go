// Package manifest is the currency between rendering and its consumers
// (diff, check, seal): one Kubernetes object rendered for one Application.
package manifest

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// Object is one rendered Kubernetes object.
type Object struct {
	// App is the name of the Application that renders it.
	App string `json:"app"`
	// Source is where it came from, e.g. "backend/templates/rollout.yaml"
	// (the chart name and template path, as helm prints in "# Source:").
	Source string `json:"source"`
	// Object is the decoded object.
	Object *unstructured.Unstructured `json:"object"`
}

// Key identifies an object within an app: group, kind, namespace, name.
type Key struct {
	Group     string `json:"group"`
	Kind      string `json:"kind"`
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
}

// String renders the key as group/Kind/namespace/name ("" parts kept).
func (k Key) String() string {
	return fmt.Sprintf("%s/%s/%s/%s", k.Group, k.Kind, k.Namespace, k.Name)
}

// GVK returns the object's group, version and kind.
func (o Object) GVK() schema.GroupVersionKind { return o.Object.GroupVersionKind() }

// Key returns the object's identity.
func (o Object) Key() Key {
	gvk := o.GVK()
	return Key{Group: gvk.Group, Kind: gvk.Kind, Namespace: o.Object.GetNamespace(), Name: o.Object.GetName()}
}

// IsHook reports whether the object carries a Helm hook annotation.
func (o Object) IsHook() bool {
	_, ok := o.Object.GetAnnotations()["helm.sh/hook"]
	return ok
}

// kindOrder puts objects in the order Helm installs them; unknown kinds go last.
var kindOrder = func() map[string]int {
	kinds := strings.Fields(`PriorityClass Namespace NetworkPolicy ResourceQuota LimitRange PodSecurityPolicy
		PodDisruptionBudget ServiceAccount Secret SecretList ConfigMap StorageClass PersistentVolume
		PersistentVolumeClaim CustomResourceDefinition ClusterRole ClusterRoleList ClusterRoleBinding
		ClusterRoleBindingList Role RoleList RoleBinding RoleBindingList Service DaemonSet Pod
		ReplicationController ReplicaSet Deployment HorizontalPodAutoscaler StatefulSet Job CronJob
		IngressClass Ingress APIService MutatingWebhookConfiguration ValidatingWebhookConfiguration`)
	m := make(map[string]int, len(kinds))
	for i, k := range kinds {
		m[k] = i
	}
	return m
}()

func installOrder(kind string) int {
	if o, ok := kindOrder[kind]; ok {
		return o
	}
	return len(kindOrder)
}

// Compare orders keys by Helm's install order of kinds, then kind, group,
// namespace, name; it returns -1, 0 or +1.
func (k Key) Compare(o Key) int {
	return cmp.Or(
		cmp.Compare(installOrder(k.Kind), installOrder(o.Kind)),
		cmp.Compare(k.Kind, o.Kind),
		cmp.Compare(k.Group, o.Group),
		cmp.Compare(k.Namespace, o.Namespace),
		cmp.Compare(k.Name, o.Name),
	)
}

// Sort orders objects stably: by app, then by Key.Compare.
func Sort(objs []Object) {
	slices.SortStableFunc(objs, func(a, b Object) int {
		return cmp.Or(cmp.Compare(a.App, b.App), a.Key().Compare(b.Key()))
	})
}
