// Package services is the configs-repo's service registry: a service is a
// top-level directory of the configs-repo holding a config.yaml or a
// secrets.yaml.
package services

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/gitopsctl/gitopsctl/internal/layout"
)

// List lists the services of the configs-repo: directories holding a
// config.yaml or secrets.yaml.
func List(configsDir string) ([]string, error) {
	entries, err := os.ReadDir(configsDir)
	if err != nil {
		return nil, fmt.Errorf("read configs-repo: %w", err)
	}
	var out []string
	for _, e := range entries {
		if !e.IsDir() || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		for _, f := range []string{layout.ServiceConfigFile, layout.ServiceSecretsFile} {
			if _, err := os.Stat(filepath.Join(configsDir, e.Name(), f)); err == nil {
				out = append(out, e.Name())
				break
			}
		}
	}
	return out, nil
}

// Require fails with a clear error unless service exists in the
// configs-repo.
//
// A layer path <service>/clusters/<cluster> (see LayerPath) names the
// service's value layer for that cluster: the service must exist and have
// the layer.
func Require(configsDir, service string) error {
	if svc, cluster, ok := SplitLayer(service); ok {
		if err := Require(configsDir, svc); err != nil {
			return err
		}
		if strings.HasPrefix(cluster, ".") || strings.Contains(cluster, `\`) {
			return fmt.Errorf("invalid cluster name %q", cluster)
		}
		if !HasLayer(configsDir, svc, cluster) {
			return &UnknownError{Kind: "cluster layer", Name: service, Label: "clusters of " + svc, Known: LayerClusters(configsDir, svc),
				Detail: fmt.Sprintf("service %s is not registered in cluster %s (no %s/%s or %s/%s in the configs-repo; run 'gitopsctl service add-cluster %s %s')", svc, cluster, service, layout.ServiceConfigFile, service, layout.ServiceSecretsFile, svc, cluster)}
		}
		return nil
	}
	if service == "" || strings.ContainsAny(service, `/\`) || strings.HasPrefix(service, ".") {
		return fmt.Errorf("invalid service name %q", service)
	}
	all, err := List(configsDir)
	if err != nil {
		return err
	}
	for _, s := range all {
		if s == service {
			return nil
		}
	}
	return &UnknownError{Kind: "service", Name: service, Label: "services", Known: all,
		Detail: fmt.Sprintf("no %s/%s or %s/%s in the configs-repo %s", service, layout.ServiceConfigFile, service, layout.ServiceSecretsFile, configsDir)}
}
