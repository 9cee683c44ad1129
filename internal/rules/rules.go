// Package rules holds the checks that both `check` (on rendered objects)
// and `new-service` (before it writes anything) apply, so that both refuse
// the same things in the same words: mutable image tags and node ports
// claimed twice in one cluster.
package rules

import (
	"fmt"
	"sort"
	"strings"

	"github.com/gitopsctl/gitopsctl/internal/argo"
	"github.com/gitopsctl/gitopsctl/internal/manifest"
)

// ImageTagProblem says what is wrong with an image reference's tag, or ""
// when it is pinned: a digest, or a tag other than latest.
func ImageTagProblem(image string) string {
	image = strings.TrimSpace(image)
	if image == "" {
		return "image is empty"
	}
	if strings.Contains(image, "@") {
		return "" // pinned by digest
	}
	name := image
	if i := strings.LastIndex(name, "/"); i >= 0 {
		name = name[i+1:]
	}
	i := strings.LastIndex(name, ":")
	switch {
	case i < 0:
		return "has no tag (it means latest)"
	case name[i+1:] == "":
		return "has an empty tag"
	case name[i+1:] == "latest":
		return "uses the tag latest"
	}
	return ""
}

// ImageMessage is the problem with an image reference in the words check
// reports it, or "" when the image is pinned.
func ImageMessage(image string) string {
	p := ImageTagProblem(image)
	if p == "" {
		return ""
	}
	return fmt.Sprintf("image %q %s; pin a version tag or digest", image, p)
}

// NodePortUse is a fixed node port a rendered Service claims.
type NodePortUse struct {
	// Cluster names the destination cluster (see Cluster).
	Cluster string
	App     string
	// Object is "Service namespace/name".
	Object string
	Port   int64
}

// Cluster names an Application's destination cluster the same way whether
// it is given by server URL or by name ("in-cluster" is the local one).
func Cluster(server, name string) string {
	switch {
	case server != "":
		return strings.TrimSuffix(server, "/")
	case name == argo.InClusterName || name == "":
		return argo.InClusterURL
	}
	return "name:" + name
}

// ServiceNodePorts returns the fixed node ports of an object when it is a
// Service of type NodePort or LoadBalancer (Kubernetes ignores none of
// them: each is allocated once per cluster).
func ServiceNodePorts(cluster, app string, o manifest.Object) []NodePortUse {
	gvk := o.GVK()
	if gvk.Group != "" || gvk.Kind != "Service" {
		return nil
	}
	m := o.Object.Object
	spec, _ := m["spec"].(map[string]any)
	typ, _ := spec["type"].(string)
	if typ != "NodePort" && typ != "LoadBalancer" {
		return nil
	}
	ns := o.Object.GetNamespace()
	ref := "Service " + o.Object.GetName()
	if ns != "" {
		ref = "Service " + ns + "/" + o.Object.GetName()
	}
	ports, _ := spec["ports"].([]any)
	var out []NodePortUse
	seen := map[int64]bool{}
	for _, p := range ports {
		pm, _ := p.(map[string]any)
		n := toInt(pm["nodePort"])
		if n <= 0 || seen[n] { // one Service may claim a port for TCP and UDP
			continue
		}
		seen[n] = true
		out = append(out, NodePortUse{Cluster: cluster, App: app, Object: ref, Port: n})
	}
	return out
}

func toInt(v any) int64 {
	switch n := v.(type) {
	case int64:
		return n
	case int:
		return int64(n)
	case float64:
		return int64(n)
	}
	return 0
}

// NodePortClash is a use whose port another Service of the same cluster
// claims too.
type NodePortClash struct {
	NodePortUse
	Message string
}

// NodePortClashes returns one clash for every use of a port that another
// Service of the same cluster also claims, in the order of uses.
func NodePortClashes(uses []NodePortUse) []NodePortClash {
	type key struct {
		cluster string
		port    int64
	}
	by := map[key][]NodePortUse{}
	for _, u := range uses {
		k := key{u.Cluster, u.Port}
		by[k] = append(by[k], u)
	}
	var out []NodePortClash
	for _, u := range uses {
		var others []string
		for _, o := range by[key{u.Cluster, u.Port}] {
			if o.App != u.App || o.Object != u.Object {
				others = append(others, fmt.Sprintf("%s of app %s", o.Object, o.App))
			}
		}
		if len(others) == 0 {
			continue
		}
		sort.Strings(others)
		out = append(out, NodePortClash{NodePortUse: u, Message: NodePortMessage(u.Port, others)})
	}
	return out
}

// NodePortMessage says that port is claimed by the others too.
func NodePortMessage(port int64, others []string) string {
	return fmt.Sprintf("node port %d is also claimed by %s; a node port is allocated once per cluster, so pick another (or 0 to let Kubernetes pick)", port, strings.Join(others, ", "))
}
