package scaffold

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/gitopsctl/gitopsctl/internal/config"
	"github.com/gitopsctl/gitopsctl/internal/layout"
)

// InitCluster is a cluster init declares in .gitopsctl.yaml.
type InitCluster struct {
	Name   string `json:"name"`
	Server string `json:"server"`
}

// parseClusters reads --cluster (one name, or several separated by commas)
// and --server NAME=URL into o.clusters. The first cluster is the one Argo
// CD runs in (in-cluster: the root Applications deploy there, and check wants
// their destination declared); every other one needs a server.
func (o *InitOptions) parseClusters() error {
	if o.Cluster == "" {
		o.Cluster = config.DefaultCluster
	}
	given := o.Cluster
	var names []string
	seen := map[string]bool{}
	for _, n := range strings.Split(given, ",") {
		n = strings.TrimSpace(n)
		if n == "" {
			return flagError("--cluster %q: a cluster name is empty", given)
		}
		if errs := dns1123Label(n); errs != "" {
			return flagError("--cluster %q: %s", n, errs)
		}
		if seen[n] {
			return flagError("--cluster %s names %s twice", given, n)
		}
		seen[n] = true
		names = append(names, n)
	}
	servers := map[string]string{}
	for _, s := range o.Servers {
		name, url, ok := strings.Cut(s, "=")
		name, url = strings.TrimSpace(name), strings.TrimSpace(url)
		if !ok || name == "" || url == "" {
			return flagError("--server %q is not NAME=URL (a cluster of --cluster, then its API server URL)", s)
		}
		if !seen[name] {
			return flagError("--server %s: %q is not one of the clusters (--cluster %s)", s, name, given)
		}
		if _, dup := servers[name]; dup {
			return flagError("--server: cluster %s is given twice", name)
		}
		if why := config.ValidServer(url); why != "" {
			return flagError("--server %s: %q %s", name, url, why)
		}
		if name == names[0] {
			return flagError("--server %s: the first cluster, %s, is the one Argo CD runs in (in-cluster, %s), where the root Applications go; it takes no server (list the cluster Argo CD runs in first, or add clusters with 'gitopsctl cluster add')", s, name, InClusterServer)
		}
		servers[name] = url
	}
	o.clusters = nil
	for i, n := range names {
		if i > 0 && servers[n] == "" {
			return flagError("cluster %s has no server: pass --server %s=URL (only the first cluster, %s, defaults to the cluster Argo CD runs in, %s)", n, n, names[0], InClusterServer)
		}
		for _, prev := range o.clusters {
			if sameServer(serverOrInCluster(prev.Server), serverOrInCluster(servers[n])) {
				return flagError("clusters %s and %s have the same server %s (an Application's destination must name one cluster)", prev.Name, n, serverOrInCluster(servers[n]))
			}
		}
		o.clusters = append(o.clusters, ClusterTarget{Name: n, Server: servers[n]})
	}
	o.Cluster = names[0]
	return nil
}

// declaresClusters reports whether init writes clusters: (several
// clusters); else the config names the one cluster with cluster:, as it
// always has.
func (o *InitOptions) declaresClusters() bool { return len(o.clusters) > 1 }

// initClusters lists the clusters for InitResult (nil when the config
// declares none).
func (o *InitOptions) initClusters() []InitCluster {
	if !o.declaresClusters() {
		return nil
	}
	out := make([]InitCluster, len(o.clusters))
	for i, c := range o.clusters {
		out[i] = InitCluster{Name: c.Name, Server: serverOrInCluster(c.Server)}
	}
	return out
}

// addClusters applies cluster add's rule (ClusterOptions.files) to the
// files init is about to write, once for every cluster after the first,
// so that init --cluster a,b writes what init --cluster a followed by
// cluster add b writes.
func (o *InitOptions) addClusters(files []file) ([]file, error) {
	t := newMemTree(files)
	cfgFile := filepath.Join(o.RepoDir, layout.ConfigFileName)
	for _, cl := range o.clusters[1:] {
		data, _, err := t.read(layout.ConfigFileName)
		if err != nil {
			return nil, err
		}
		cfg, err := config.ParseChecked(cfgFile, data)
		if err != nil {
			return nil, fmt.Errorf("init: %w", err)
		}
		co := ClusterOptions{RepoDir: o.RepoDir, ConfigFile: cfgFile, Config: cfg, Name: cl.Name, Server: cl.Server}
		if err := co.validate(); err != nil {
			return nil, fmt.Errorf("init: %w", err)
		}
		out, _, err := co.files(cl.Server, t)
		if err != nil {
			return nil, fmt.Errorf("init: cluster %s: %w", cl.Name, err)
		}
		t.put(out...)
	}
	return t.list(), nil
}

func serverOrInCluster(s string) string {
	if s == "" {
		return InClusterServer
	}
	return s
}

// sameServer reports whether two API server URLs name one cluster, as
// .gitopsctl.yaml compares them.
func sameServer(a, b string) bool {
	c := config.Config{ClusterList: []config.Cluster{{Name: "x", Server: a}}}
	_, ok := c.ClusterByServer(b)
	return ok
}
