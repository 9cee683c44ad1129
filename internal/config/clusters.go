package config

import (
	"github.com/gitopsctl/gitopsctl/internal/argo"

	"fmt"
	"regexp"
	"strings"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
)

// InClusterServer is the API server URL Argo CD uses for the cluster it runs
// in; a declared cluster without server: is that cluster.
const InClusterServer = argo.InClusterURL

// InClusterName is the name Argo CD gives the cluster it runs in.
const InClusterName = argo.InClusterName

// Cluster is one entry of clusters: in .gitopsctl.yaml: a cluster Argo CD
// deploys to, with what stands in for it when rendering offline.
type Cluster struct {
	// Name is the cluster's name: argo-apps/clusters/<name>/ holds its
	// Applications and configs-repo/<service>/clusters/<name>/ its values.
	Name string `yaml:"name" json:"name"`
	// Server is the cluster's API server URL as Argo CD knows it (the
	// Applications' destination.server); empty: in-cluster.
	Server string `yaml:"server,omitempty" json:"server,omitempty"`
	// Labels are the cluster's labels (as on Argo CD's cluster secret).
	Labels map[string]string `yaml:"labels,omitempty" json:"labels,omitempty"`
	// Capabilities stand in for this cluster when rendering; a field left
	// empty takes the top-level capabilities: value.
	Capabilities Capabilities `yaml:"capabilities,omitempty" json:"capabilities,omitempty"`
	// Sealing holds the cluster's sealing certificate (each cluster's
	// sealed-secrets controller has its own key); empty: sealing.cert.
	Sealing ClusterSealing `yaml:"sealing,omitempty" json:"sealing,omitempty"`
}

// ClusterSealing is the per-cluster part of the sealing settings.
type ClusterSealing struct {
	// Cert is a PEM file path (relative to the gitops-repo) or an https URL.
	Cert string `yaml:"cert,omitempty" json:"cert,omitempty"`
}

// InCluster reports whether the cluster is the one Argo CD runs in.
func (c Cluster) InCluster() bool { return sameServer(c.Server, InClusterServer) }

// DeclaresClusters reports whether the file has a clusters: list (else the
// single cluster: and the top-level capabilities: describe the one cluster).
func (c Config) DeclaresClusters() bool { return len(c.ClusterList) > 0 }

// Clusters is the effective cluster list: the declared clusters with their
// defaults filled in (server: in-cluster; capabilities field by field and
// sealing.cert from the top level), or, for a file without clusters:, the
// one cluster named by cluster: (in-cluster, top-level capabilities).
func (c Config) Clusters() []Cluster {
	if len(c.ClusterList) == 0 {
		name := c.Cluster
		if name == "" {
			name = DefaultCluster
		}
		return []Cluster{c.effective(Cluster{Name: name})}
	}
	out := make([]Cluster, len(c.ClusterList))
	for i, cl := range c.ClusterList {
		out[i] = c.effective(cl)
	}
	return out
}

func (c Config) effective(cl Cluster) Cluster {
	if cl.Server == "" {
		cl.Server = InClusterServer
	}
	if cl.Capabilities.KubeVersion == "" {
		cl.Capabilities.KubeVersion = c.Capabilities.KubeVersion
	}
	if len(cl.Capabilities.APIVersions) == 0 {
		cl.Capabilities.APIVersions = append([]string(nil), c.Capabilities.APIVersions...)
	}
	if cl.Sealing.Cert == "" {
		cl.Sealing.Cert = c.Sealing.Cert
	}
	return cl
}

// ClusterNames lists the names of the effective clusters.
func (c Config) ClusterNames() []string {
	var out []string
	for _, cl := range c.Clusters() {
		out = append(out, cl.Name)
	}
	return out
}

// ClusterByName finds an effective cluster by name; "in-cluster" (Argo CD's
// name for its own cluster) finds the in-cluster one.
func (c Config) ClusterByName(name string) (Cluster, bool) {
	all := c.Clusters()
	for _, cl := range all {
		if cl.Name == name {
			return cl, true
		}
	}
	if name == InClusterName {
		for _, cl := range all {
			if cl.InCluster() {
				return cl, true
			}
		}
	}
	return Cluster{}, false
}

// ClusterByServer finds an effective cluster by API server URL (scheme and
// host compared case-insensitively, a trailing slash ignored).
func (c Config) ClusterByServer(server string) (Cluster, bool) {
	for _, cl := range c.Clusters() {
		if sameServer(cl.Server, server) {
			return cl, true
		}
	}
	return Cluster{}, false
}

// DefaultClusterEntry is the effective cluster named by cluster: (the
// first declared one when cluster: is empty).
func (c Config) DefaultClusterEntry() Cluster {
	all := c.Clusters()
	if cl, ok := c.ClusterByName(c.Cluster); ok && c.Cluster != "" {
		return cl
	}
	return all[0]
}

// ClusterFor finds the cluster of an Application destination (server wins
// over name, as in Argo CD a destination has one of them); ok is false when
// no declared cluster matches, and then the default cluster is returned so
// rendering can go on with its capabilities.
func (c Config) ClusterFor(server, name string) (Cluster, bool) {
	if server != "" {
		if cl, ok := c.ClusterByServer(server); ok {
			return cl, true
		}
	} else if name != "" {
		if cl, ok := c.ClusterByName(name); ok {
			return cl, true
		}
	} else if cl, ok := c.ClusterByServer(InClusterServer); ok {
		return cl, true
	}
	return c.DefaultClusterEntry(), false
}

func sameServer(a, b string) bool { return normServer(a) == normServer(b) }

// normServer lower-cases a URL's scheme and host and drops a trailing slash.
func normServer(s string) string {
	s = strings.TrimRight(strings.TrimSpace(s), "/")
	scheme, rest, ok := strings.Cut(s, "://")
	if !ok {
		return s
	}
	host, path, hasPath := strings.Cut(rest, "/")
	s = strings.ToLower(scheme + "://" + host)
	if hasPath {
		s += "/" + path
	}
	return s
}

var dns1123LabelRE = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)

// ValidClusterName reports why name cannot name a cluster ("" when it can):
// it names a directory and is part of Application names, so it must be a
// DNS-1123 label.
func ValidClusterName(name string) string {
	switch {
	case name == "":
		return "must not be empty"
	case len(name) > 63:
		return "must be at most 63 characters"
	case !dns1123LabelRE.MatchString(name):
		return "must consist of lower case letters, digits and '-', and start and end with a letter or digit"
	}
	return ""
}

// ValidServer reports why a server URL is unusable ("" when it is fine).
func ValidServer(server string) string {
	server = strings.ToLower(server)
	switch {
	case strings.ContainsAny(server, " \t\n"):
		return "contains whitespace"
	case !strings.HasPrefix(server, "https://") && !strings.HasPrefix(server, "http://"):
		return "is not an https:// or http:// URL"
	case strings.TrimPrefix(strings.TrimPrefix(server, "https://"), "http://") == "":
		return "has no host"
	}
	return ""
}

// validateClusters checks clusters: and cluster: against it: names valid
// and unique, servers valid and unique (one in-cluster at most), cluster:
// naming a declared cluster. Errors name the file and line.
func (c Config) validateClusters(file string, data []byte) error {
	if len(c.ClusterList) == 0 {
		return nil
	}
	lines := clusterLines(data)
	at := func(i int, key string) string {
		if i < len(lines) {
			if l := lines[i][key]; l > 0 {
				return fmt.Sprintf("%s:%d", file, l)
			}
			if l := lines[i][""]; l > 0 {
				return fmt.Sprintf("%s:%d", file, l)
			}
		}
		return file
	}
	names := map[string]int{}
	servers := map[string]int{}
	for i, cl := range c.ClusterList {
		if why := ValidClusterName(cl.Name); why != "" {
			return fmt.Errorf("%s: clusters[%d].name %q %s", at(i, "name"), i, cl.Name, why)
		}
		if j, dup := names[cl.Name]; dup {
			return fmt.Errorf("%s: cluster %q is declared twice (also clusters[%d])", at(i, "name"), cl.Name, j)
		}
		names[cl.Name] = i
		server := cl.Server
		if server == "" {
			server = InClusterServer
		} else if why := ValidServer(server); why != "" {
			return fmt.Errorf("%s: cluster %q: server %q %s", at(i, "server"), cl.Name, server, why)
		}
		for s, j := range servers {
			if sameServer(s, server) {
				return fmt.Errorf("%s: clusters %q and %q have the same server %s (an Application's destination must name one cluster)", at(i, "server"), c.ClusterList[j].Name, cl.Name, server)
			}
		}
		servers[server] = i
	}
	if c.Cluster != "" {
		if _, ok := names[c.Cluster]; !ok {
			where := file
			if l := fieldLine(data, "cluster"); l > 0 {
				where = fmt.Sprintf("%s:%d", file, l)
			}
			return fmt.Errorf("%s: cluster: %q is not one of the declared clusters (%s)", where, c.Cluster, strings.Join(c.ClusterNames(), ", "))
		}
	}
	return nil
}

// clusterLines maps each clusters: entry to the lines of its keys ("" is
// the entry's own line).
func clusterLines(data []byte) []map[string]int {
	f, err := parser.ParseBytes(data, 0)
	if err != nil || len(f.Docs) == 0 {
		return nil
	}
	var seq *ast.SequenceNode
	for _, mv := range mappingValues(f.Docs[0].Body) {
		if tk := mv.Key.GetToken(); tk != nil && tk.Value == "clusters" {
			seq, _ = mv.Value.(*ast.SequenceNode)
		}
	}
	if seq == nil {
		return nil
	}
	var out []map[string]int
	for _, v := range seq.Values {
		m := map[string]int{}
		if tk := v.GetToken(); tk != nil {
			m[""] = tk.Position.Line
		}
		for _, mv := range mappingValues(v) {
			if tk := mv.Key.GetToken(); tk != nil {
				m[tk.Value] = tk.Position.Line
			}
		}
		out = append(out, m)
	}
	return out
}

// ParseChecked is Parse plus the checks Load makes of clusters: (for a
// config about to be written).
func ParseChecked(name string, data []byte) (Config, error) {
	c, err := Parse(name, data)
	if err != nil {
		return c, err
	}
	return c, c.validateClusters(name, data)
}
