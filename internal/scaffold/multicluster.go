package scaffold

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/gitopsctl/gitopsctl/internal/argo"
	"github.com/gitopsctl/gitopsctl/internal/layout"
	"github.com/gitopsctl/gitopsctl/internal/safeyaml"
	"github.com/gitopsctl/gitopsctl/internal/services"
	"github.com/gitopsctl/gitopsctl/internal/yamledit"
	"github.com/gitopsctl/gitopsctl/templates"
)

// ClusterTarget is a cluster a service is registered in.
type ClusterTarget struct {
	Name   string
	Server string
}

// ClusterAppName is the Application name of a service registered in
// several clusters: Argo CD Application names are global in its namespace.
func ClusterAppName(service, cluster string) string { return service + "-" + cluster }

// clusterAppPath is where a service's Application for a cluster lives.
func clusterAppPath(cluster, project, service string) string {
	return path.Join(layout.AppsDir, "clusters", cluster, project, service+".yaml")
}

// clusterApp renders a service's Application for one cluster: named
// <service>-<cluster>, release <service>, the base values then the
// cluster's layer.
func clusterApp(o *ServiceOptions, c ClusterTarget, chartPath string) (file, error) {
	server := c.Server
	if server == "" {
		server = InClusterServer
	}
	b, err := execTemplate(templates.Application, appData{Name: ClusterAppName(o.Name, c.Name), Service: o.Name,
		Layer: services.LayerPath(o.Name, c.Name), Project: o.Project, Namespace: o.Namespace, Server: server,
		RepoURL: o.RepoURL, ConfigsURL: o.ConfigsURL, ChartPath: chartPath, Revision: DefaultRevision})
	if err != nil {
		return file{}, err
	}
	p := clusterAppPath(c.Name, o.Project, o.Name)
	if err := validateManifest(p, b); err != nil {
		return file{}, fmt.Errorf("generated Application is invalid: %w", err)
	}
	return file{Path: p, Data: b}, nil
}

// layerFiles are a service's value layer for a cluster in the configs-repo.
func layerFiles(service, cluster, scope string) []file {
	dir := services.LayerPath(service, cluster)
	cfg := fmt.Sprintf(`# Plain env vars of %[1]s in cluster %[2]s, over %[1]s/config.yaml (Helm
# values -> ConfigMap). Edit with `+"`gitopsctl env set %[1]s KEY=VALUE --cluster %[2]s`"+`.
config: {}
`, service, cluster)
	sec := fmt.Sprintf(`# Sealed env vars of %[1]s in cluster %[2]s, over %[1]s/secrets.yaml, sealed
# with cluster %[2]s's certificate. Add keys with
# `+"`gitopsctl env set %[1]s KEY=VALUE --secret --cluster %[2]s`"+`; reseal with
# `+"`gitopsctl seal %[1]s --cluster %[2]s`"+`.
sealedSecrets:
  scope: %[3]s
  certFingerprint: ""
  encryptedData: {}
`, service, cluster, scope)
	return []file{{Path: path.Join(dir, layout.ServiceConfigFile), Data: []byte(cfg)}, {Path: path.Join(dir, layout.ServiceSecretsFile), Data: []byte(sec)}}
}

// AddClusterOptions configure AddServiceCluster.
type AddClusterOptions struct {
	RepoDir, ConfigsDir string
	RepoURL, ConfigsURL string
	Scope               string
	Service             string
	Cluster             ClusterTarget
	DryRun              bool
}

// AddClusterResult is what AddServiceCluster did (or would do).
type AddClusterResult struct {
	Service     string       `json:"service"`
	Cluster     string       `json:"cluster"`
	Application string       `json:"application"`
	File        string       `json:"file"`
	Changes     []FileChange `json:"changes"`
	DryRun      bool         `json:"dryRun,omitempty"`
}

// registration is one Application of a service found in a cluster directory.
type registration struct {
	cluster, project, file string
	app                    *argo.Application
	src                    []byte
}

// registrations finds the service's Applications under
// argo-apps/clusters/<cluster>/<project>/<service>.yaml.
func registrations(repoDir, service string) ([]registration, error) {
	matches, err := filepath.Glob(filepath.Join(repoDir, layout.AppsDir, "clusters", "*", "*", service+".yaml"))
	if err != nil {
		return nil, err
	}
	sort.Strings(matches)
	var out []registration
	for _, m := range matches {
		rel, _ := filepath.Rel(repoDir, m)
		rel = filepath.ToSlash(rel)
		parts := strings.Split(rel, "/")
		b, err := safeyaml.ReadFile(m)
		if err != nil {
			return nil, err
		}
		app, err := argo.DecodeApplication(b)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", rel, err)
		}
		out = append(out, registration{cluster: parts[2], project: parts[3], file: rel, app: app, src: b})
	}
	return out, nil
}

// AddServiceCluster registers an existing service in one more cluster: an
// Application <service>-<cluster> in argo-apps/clusters/<cluster>/<project>/
// (project and namespace of the existing registration) reading the base
// values and the cluster's layer, and the layer's files. Existing
// registrations without a layer get one (their Application keeps its name:
// renaming would make Argo CD delete and recreate the app), so that every
// cluster can be given its own values.
func AddServiceCluster(ctx context.Context, o AddClusterOptions) (*AddClusterResult, error) {
	if err := services.Require(o.ConfigsDir, o.Service); err != nil {
		return nil, err
	}
	regs, err := registrations(o.RepoDir, o.Service)
	if err != nil {
		return nil, fmt.Errorf("service add-cluster: %w", err)
	}
	if len(regs) == 0 {
		return nil, fmt.Errorf("service add-cluster: service %s has no Application under %s/clusters/<cluster>/<project>/%s.yaml", o.Service, layout.AppsDir, o.Service)
	}
	for _, r := range regs {
		if r.cluster == o.Cluster.Name {
			return nil, flagError("service %s is already registered in cluster %s (%s)", o.Service, r.cluster, r.file)
		}
	}
	first := regs[0]
	so := &ServiceOptions{Name: o.Service, Project: first.project, Namespace: first.app.Spec.Destination.Namespace,
		RepoURL: o.RepoURL, ConfigsURL: o.ConfigsURL}
	chartPath := path.Join(layout.ChartsDir, o.Service)
	for _, s := range first.app.Spec.GetSources() {
		if s.Ref == "" && s.Path != "" {
			chartPath = s.Path
		}
	}
	app, err := clusterApp(so, o.Cluster, chartPath)
	if err != nil {
		return nil, fmt.Errorf("service add-cluster: %w", err)
	}
	repoFiles := []file{app}
	configsFiles := layerFiles(o.Service, o.Cluster.Name, o.Scope)
	for _, r := range regs {
		f, layer, err := withLayer(r, o.Service)
		if err != nil {
			return nil, fmt.Errorf("service add-cluster: %w", err)
		}
		if f != nil {
			repoFiles = append(repoFiles, *f)
		}
		if layer && !services.HasLayer(o.ConfigsDir, o.Service, r.cluster) {
			configsFiles = append(configsFiles, layerFiles(o.Service, r.cluster, o.Scope)...)
		}
	}
	for _, f := range configsFiles {
		if _, err := os.Stat(filepath.Join(o.ConfigsDir, filepath.FromSlash(f.Path))); err == nil {
			return nil, fmt.Errorf("service add-cluster: %s already exists in the configs-repo; remove it or register the service by hand", f.Path)
		} else if !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
	}
	res := &AddClusterResult{Service: o.Service, Cluster: o.Cluster.Name, Application: ClusterAppName(o.Service, o.Cluster.Name), File: app.Path, DryRun: o.DryRun}
	if res.Changes, _, err = plan(o.RepoDir, repoFiles, o.ConfigsDir, configsFiles); err != nil {
		return nil, fmt.Errorf("service add-cluster: %w", err)
	}
	sort.SliceStable(res.Changes, func(i, j int) bool {
		a, b := res.Changes[i], res.Changes[j]
		if a.Repo != b.Repo {
			return a.Repo == "gitops"
		}
		return a.Path < b.Path
	})
	if o.DryRun {
		return res, nil
	}
	t, err := writePair(ctx, true, o.RepoDir, repoFiles, o.ConfigsDir, configsFiles)
	if err != nil {
		return nil, fmt.Errorf("service add-cluster: %w", err)
	}
	t.cleanup()
	return res, nil
}

// withLayer returns the registration's Application with the cluster layer
// appended to the value files of the source that lists the base
// secrets.yaml (nil when it already lists the layer), and whether the
// registration reads a layer.
func withLayer(r registration, service string) (*file, bool, error) {
	layer := services.LayerPath(service, r.cluster)
	base := "/" + service + "/" + layout.ServiceSecretsFile
	idx := -1
	srcs := r.app.Spec.GetSources()
	for i, s := range srcs {
		if s.Helm == nil {
			continue
		}
		for _, vf := range s.Helm.ValueFiles {
			if strings.HasPrefix(vf, "$") && strings.HasSuffix(vf, "/"+layer+"/"+layout.ServiceSecretsFile) {
				return nil, true, nil
			}
			if strings.HasPrefix(vf, "$") && strings.HasSuffix(vf, base) {
				idx = i
			}
		}
	}
	if idx < 0 {
		// Not the scaffolded shape: leave it alone, no layer.
		return nil, false, nil
	}
	ref, _, _ := strings.Cut(srcs[idx].Helm.ValueFiles[0], "/")
	for _, vf := range srcs[idx].Helm.ValueFiles {
		if strings.HasSuffix(vf, base) {
			ref, _, _ = strings.Cut(vf, "/")
		}
	}
	yp := "$.spec.source.helm.valueFiles"
	if r.app.Spec.HasMultipleSources() {
		yp = fmt.Sprintf("$.spec.sources[%d].helm.valueFiles", idx)
	}
	d, err := yamledit.Parse(r.file, r.src)
	if err != nil {
		return nil, false, err
	}
	out, err := d.AppendItemsAt(yp, ref+"/"+layer+"/"+layout.ServiceConfigFile, ref+"/"+layer+"/"+layout.ServiceSecretsFile)
	if err != nil {
		return nil, false, err
	}
	return &file{Path: r.file, Data: out}, true, nil
}
