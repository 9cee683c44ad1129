package rules

import (
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"

	"github.com/gitopsctl/gitopsctl/internal/argo"
	"github.com/gitopsctl/gitopsctl/internal/manifest"
)

func TestImageTags(t *testing.T) {
	for image, want := range map[string]string{
		"ghcr.io/acme/backend:v1.4.2":        "",
		"registry.local:5000/acme/backend:1": "",
		"busybox@sha256:abc":                 "",
		"busybox":                            "has no tag (it means latest)",
		"registry.local:5000/acme/backend":   "has no tag (it means latest)",
		"ghcr.io/acme/backend:":              "has an empty tag",
		"ghcr.io/acme/backend:latest":        "uses the tag latest",
		"":                                   "image is empty",
	} {
		if got := ImageTagProblem(image); got != want {
			t.Errorf("%q: got %q want %q", image, got, want)
		}
	}
	if got, want := ImageMessage("x:latest"), `image "x:latest" uses the tag latest; pin a version tag or digest`; got != want {
		t.Errorf("ImageMessage = %q, want %q", got, want)
	}
	if got := ImageMessage("x:1"); got != "" {
		t.Errorf("ImageMessage(pinned) = %q", got)
	}
}

func svc(t *testing.T, doc string) manifest.Object {
	t.Helper()
	var m map[string]any
	if err := yaml.Unmarshal([]byte(doc), &m); err != nil {
		t.Fatal(err)
	}
	return manifest.Object{Object: &unstructured.Unstructured{Object: m}}
}

func TestNodePorts(t *testing.T) {
	nodePort := svc(t, "apiVersion: v1\nkind: Service\nmetadata: {name: a, namespace: a}\nspec:\n  type: NodePort\n  ports:\n  - {port: 80, nodePort: 30080, protocol: TCP}\n  - {port: 80, nodePort: 30080, protocol: UDP}\n  - {port: 81}\n")
	lb := svc(t, "apiVersion: v1\nkind: Service\nmetadata: {name: b, namespace: b}\nspec:\n  type: LoadBalancer\n  ports:\n  - {port: 80, nodePort: 30080}\n")
	clusterIP := svc(t, "apiVersion: v1\nkind: Service\nmetadata: {name: c, namespace: c}\nspec:\n  type: ClusterIP\n  ports:\n  - {port: 80, nodePort: 30080}\n")
	other := svc(t, "apiVersion: example.com/v1\nkind: Service\nmetadata: {name: d}\nspec:\n  type: NodePort\n  ports:\n  - {port: 80, nodePort: 30080}\n")

	var uses []NodePortUse
	uses = append(uses, ServiceNodePorts(argo.InClusterURL, "a", nodePort)...)
	if len(uses) != 1 || uses[0].Port != 30080 || uses[0].Object != "Service a/a" {
		t.Fatalf("NodePort service: %+v", uses)
	}
	if u := ServiceNodePorts(argo.InClusterURL, "c", clusterIP); u != nil {
		t.Errorf("ClusterIP claims %+v", u)
	}
	if u := ServiceNodePorts(argo.InClusterURL, "d", other); u != nil {
		t.Errorf("non-core Service claims %+v", u)
	}
	if c := NodePortClashes(uses); len(c) != 0 {
		t.Errorf("one Service, TCP and UDP: %+v", c)
	}
	// The same port in another cluster is no clash; in the same one it is,
	// for both Services.
	uses = append(uses, ServiceNodePorts(Cluster("", "edge"), "b", lb)...)
	if c := NodePortClashes(uses); len(c) != 0 {
		t.Errorf("two clusters: %+v", c)
	}
	uses = append(uses, ServiceNodePorts(Cluster("", "in-cluster"), "b", lb)...)
	c := NodePortClashes(uses)
	if len(c) != 2 || c[0].App != "a" || !strings.Contains(c[0].Message, "node port 30080 is also claimed by Service b/b of app b") ||
		c[1].App != "b" || !strings.Contains(c[1].Message, "Service a/a of app a") {
		t.Errorf("clashes %+v", c)
	}
}
