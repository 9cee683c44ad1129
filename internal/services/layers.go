package services

import (
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/gitopsctl/gitopsctl/internal/layout"
)

// ClustersDir is the directory of a service's per-cluster value layers:
// <service>/clusters/<cluster>/{config,secrets}.yaml in the configs-repo,
// listed by the service's Application in that cluster after the base
// <service>/config.yaml and secrets.yaml.
const ClustersDir = "clusters"

// LayerPath is the configs-repo path of a service's layer for a cluster
// ("backend/clusters/prod"); env and seal take it where they take a
// service name.
func LayerPath(service, cluster string) string { return path.Join(service, ClustersDir, cluster) }

// SplitLayer splits a layer path into service and cluster; ok is false for
// a plain service name.
func SplitLayer(name string) (service, cluster string, ok bool) {
	parts := strings.Split(name, "/")
	if len(parts) != 3 || parts[1] != ClustersDir || parts[0] == "" || parts[2] == "" {
		return "", "", false
	}
	return parts[0], parts[2], true
}

// HasLayer reports whether the service has a value layer for the cluster.
func HasLayer(configsDir, service, cluster string) bool {
	for _, f := range []string{layout.ServiceConfigFile, layout.ServiceSecretsFile} {
		if _, err := os.Stat(filepath.Join(configsDir, service, ClustersDir, cluster, f)); err == nil {
			return true
		}
	}
	return false
}

// WithLayer lists the services that have a layer for the cluster.
func WithLayer(configsDir, cluster string) ([]string, error) {
	all, err := List(configsDir)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, s := range all {
		if HasLayer(configsDir, s, cluster) {
			out = append(out, s)
		}
	}
	return out, nil
}

// LayerClusters lists the clusters a service has layers for.
func LayerClusters(configsDir, service string) []string {
	entries, err := os.ReadDir(filepath.Join(configsDir, service, ClustersDir))
	if err != nil {
		return nil
	}
	var out []string
	for _, e := range entries {
		if e.IsDir() && HasLayer(configsDir, service, e.Name()) {
			out = append(out, e.Name())
		}
	}
	return out
}
