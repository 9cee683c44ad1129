// Package inventory lists what a gitops-repo and its configs-repo hold:
// services, Applications, AppProjects and clusters, as rows for 'gitopsctl
// list' and names for shell completion. It reads through the packages that
// own each thing (services, env, render, config) and returns data only.
package inventory

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"sigs.k8s.io/yaml"

	"github.com/gitopsctl/gitopsctl/internal/argo"
	"github.com/gitopsctl/gitopsctl/internal/config"
	"github.com/gitopsctl/gitopsctl/internal/env"
	"github.com/gitopsctl/gitopsctl/internal/layout"
	"github.com/gitopsctl/gitopsctl/internal/render"
	"github.com/gitopsctl/gitopsctl/internal/safeyaml"
	"github.com/gitopsctl/gitopsctl/internal/services"
)

// Service is one service of the configs-repo.
type Service struct {
	Name string `json:"name"`
	// ConfigKeys and SecretKeys count the keys of config.yaml and secrets.
	ConfigKeys int `json:"configKeys"`
	SecretKeys int `json:"secretKeys"`
	// Chart is the service's chart directory relative to the gitops-repo
	// ("" when charts/<name> does not exist).
	Chart string `json:"chart,omitempty"`
	// Image is image.repository:image.tag from the chart's values.yaml
	// ("" when the chart has none).
	Image string `json:"image,omitempty"`
}

// Services lists the services of the configs-repo, sorted by name.
func Services(cfg *config.Loaded) ([]Service, error) {
	names, err := services.List(cfg.ConfigsDir)
	if err != nil {
		return nil, err
	}
	out := make([]Service, 0, len(names))
	for _, n := range names {
		s := Service{Name: n}
		l, err := env.List(cfg.ConfigsDir, n)
		if err != nil {
			return nil, err
		}
		s.ConfigKeys, s.SecretKeys = len(l.Config), len(l.Secrets)
		if fi, err := os.Stat(layout.ChartDir(cfg.RepoDir, n)); err == nil && fi.IsDir() {
			s.Chart = filepath.ToSlash(filepath.Join(layout.ChartsDir, n))
			if s.Image, err = chartImage(layout.ValuesFile(cfg.RepoDir, n)); err != nil {
				return nil, err
			}
		}
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// chartImage reads image.repository and image.tag of a values.yaml.
func chartImage(file string) (string, error) {
	data, err := os.ReadFile(file)
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	if err := safeyaml.Check(file, data); err != nil {
		return "", err
	}
	var v struct {
		Image struct {
			Repository string `json:"repository"`
			Tag        any    `json:"tag"`
		} `json:"image"`
	}
	if err := yaml.Unmarshal(data, &v); err != nil {
		return "", fmt.Errorf("%s: %w", file, err)
	}
	img := v.Image.Repository
	if v.Image.Tag != nil && fmt.Sprint(v.Image.Tag) != "" {
		img += ":" + fmt.Sprint(v.Image.Tag)
	}
	return img, nil
}

// App is one Application the App of Apps manages.
type App struct {
	Name    string `json:"name"`
	Project string `json:"project"`
	// Cluster is the destination's name, else its server ("in-cluster" for
	// the cluster Argo CD runs in, as Argo CD names it).
	Cluster   string `json:"cluster"`
	Namespace string `json:"namespace,omitempty"`
	// Sources are the sources in effect, each as Source describes it.
	Sources []string `json:"sources"`
	Parent  string   `json:"parent,omitempty"`
	// File is where the Application is defined, relative to its repository.
	File string `json:"file"`
	Repo string `json:"repo"`
}

// Apps lists the discovered Applications of ws, sorted by name.
func Apps(cfg *config.Loaded, ws *render.Workspace) []App {
	apps := ws.Apps()
	out := make([]App, 0, len(apps))
	for _, a := range apps {
		row := App{Name: a.Name, Project: a.Project, Parent: a.Parent, File: a.File, Repo: render.RepoName(cfg, a.RepoDir), Sources: []string{}}
		if a.Application != nil {
			d := a.Application.Spec.Destination
			row.Cluster, row.Namespace = Cluster(d), d.Namespace
		}
		for _, s := range a.Sources {
			row.Sources = append(row.Sources, Source(s))
		}
		out = append(out, row)
	}
	return out
}

// Cluster names a destination's cluster: its name, else its server, with
// Argo CD's own name for the in-cluster server.
func Cluster(d argo.ApplicationDestination) string {
	switch {
	case d.Name != "":
		return d.Name
	case d.Server == argo.InClusterURL:
		return "in-cluster"
	}
	return d.Server
}

// Source describes one source in a few words: "chart NAME@VERSION" for a
// chart from a Helm repository or OCI registry, "$REF" for a source that
// only provides value files, else its path ("." for the repository root),
// with "@REVISION" when targetRevision is set.
func Source(s argo.ApplicationSource) string {
	var d string
	switch {
	case s.Chart != "":
		d = "chart " + s.Chart
	case s.Ref != "" && s.Path == "":
		return "$" + s.Ref
	case s.Path == "":
		d = "."
	default:
		d = s.Path
	}
	if s.TargetRevision != "" && s.TargetRevision != "HEAD" {
		d += "@" + s.TargetRevision
	}
	return d
}

// Project is one discovered AppProject.
type Project struct {
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	// Destinations are the allowed destinations as CLUSTER/NAMESPACE.
	Destinations []string `json:"destinations"`
	SourceRepos  []string `json:"sourceRepos"`
	// Apps counts the discovered Applications in the project.
	Apps int    `json:"apps"`
	File string `json:"file"`
	Repo string `json:"repo"`
}

// Projects lists the discovered AppProjects of ws, sorted by name. A
// project that Applications name but no manifest defines (such as
// "default", which Argo CD always has) is listed with an empty File.
func Projects(cfg *config.Loaded, ws *render.Workspace) []Project {
	counts := map[string]int{}
	for _, a := range ws.Apps() {
		counts[a.Project]++
	}
	seen := map[string]bool{}
	var out []Project
	for _, p := range ws.Projects() {
		if seen[p.Name] {
			continue
		}
		seen[p.Name] = true
		row := Project{Name: p.Name, File: p.File, Repo: render.RepoName(cfg, p.RepoDir), Apps: counts[p.Name], Destinations: []string{}, SourceRepos: []string{}}
		if p.Project != nil {
			row.Description = p.Project.Spec.Description
			for _, d := range p.Project.Spec.Destinations {
				row.Destinations = append(row.Destinations, Cluster(d)+"/"+d.Namespace)
			}
			row.SourceRepos = append(row.SourceRepos, p.Project.Spec.SourceRepos...)
		}
		out = append(out, row)
	}
	for name, n := range counts {
		if !seen[name] {
			out = append(out, Project{Name: name, Apps: n, Destinations: []string{}, SourceRepos: []string{}})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// ClusterInfo is one cluster gitopsctl renders for.
type ClusterInfo struct {
	Name string `json:"name"`
	// Server is the cluster's API server URL as the Applications name it
	// (Argo CD's in-cluster URL for the cluster it runs in).
	Server string            `json:"server"`
	Labels map[string]string `json:"labels,omitempty"`
	// KubeVersion and APIVersions are the capabilities that stand in for
	// the cluster when rendering (APIVersions: those added to Helm's own).
	KubeVersion string   `json:"kubeVersion"`
	APIVersions []string `json:"apiVersions"`
}

// Clusters lists the clusters of .gitopsctl.yaml in the file's order: the
// declared clusters: with their defaults filled in, or for a file without
// that list the one cluster named by cluster:.
func Clusters(cfg *config.Loaded) []ClusterInfo {
	var out []ClusterInfo
	for _, c := range cfg.Clusters() {
		out = append(out, ClusterInfo{
			Name: c.Name, Server: c.Server, Labels: c.Labels,
			KubeVersion: c.Capabilities.KubeVersion,
			APIVersions: append([]string{}, c.Capabilities.APIVersions...),
		})
	}
	return out
}

// Names returns the names of rows, in order.
func Names[T any](rows []T, name func(T) string) []string {
	out := make([]string, 0, len(rows))
	for _, r := range rows {
		out = append(out, name(r))
	}
	return out
}

// Join shows a list in a table cell: its items joined by ", ", or "-".
func Join(items []string) string {
	if len(items) == 0 {
		return "-"
	}
	return strings.Join(items, ", ")
}
