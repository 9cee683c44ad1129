package scaffold

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/gitopsctl/gitopsctl/internal/layout"
	"github.com/gitopsctl/gitopsctl/templates"
)

// ProjectOptions configure NewProject.
type ProjectOptions struct {
	RepoDir string
	Name    string
	// Cluster names argo-apps/clusters/<cluster>/<name>/, where the
	// project's Applications go.
	Cluster     string
	Description string
	// SourceRepos default to the gitops-repo and configs-repo URLs.
	SourceRepos []string
	RepoURL     string
	ConfigsURL  string
	// Server is the destination cluster (default: in-cluster); Namespaces
	// the destination namespaces (default "*").
	Server     string
	Namespaces []string
	// ClusterResources are GROUP/KIND the project may create at cluster
	// scope ("/Namespace" for the core group; "*/*" for any); default
	// Namespaces only, as the app project.
	ClusterResources []string
	DryRun           bool
}

// ProjectResult is what NewProject wrote (or, with DryRun, would).
type ProjectResult struct {
	Name             string     `json:"name"`
	File             string     `json:"file"`
	SourceRepos      []string   `json:"sourceRepos"`
	Destinations     []string   `json:"destinations"`
	ClusterResources []string   `json:"clusterResources"`
	Repo             RepoResult `json:"gitopsRepo"`
	DryRun           bool       `json:"dryRun,omitempty"`
}

// NewProject writes argo-apps/projects/NAME.yaml, an AppProject like the
// ones init writes, and argo-apps/clusters/<cluster>/NAME/.gitkeep for its
// Applications. An existing project of that name is refused.
func NewProject(ctx context.Context, o ProjectOptions) (*ProjectResult, error) {
	if msg := dns1123Label(o.Name); msg != "" {
		return nil, flagError("new-project: invalid name %q: %s", o.Name, msg)
	}
	d := projectData{Name: o.Name, Description: o.Description}
	if d.Description == "" {
		d.Description = "project " + o.Name
	}
	d.SourceRepos = o.SourceRepos
	if len(d.SourceRepos) == 0 {
		for _, u := range []string{o.RepoURL, o.ConfigsURL} {
			if u != "" {
				d.SourceRepos = append(d.SourceRepos, u)
			}
		}
	}
	if len(d.SourceRepos) == 0 {
		return nil, flagError("new-project: no source repositories: set gitopsRepo.url in %s or pass --source-repo", layout.ConfigFileName)
	}
	for _, u := range d.SourceRepos {
		if u == "" || strings.ContainsAny(u, " \t\n") {
			return nil, flagError("new-project: --source-repo %q is not a repository URL or pattern", u)
		}
	}
	server := o.Server
	if server == "" {
		server = InClusterServer
	}
	if u, err := url.Parse(server); err != nil || u.Scheme != "https" || u.Host == "" {
		return nil, flagError("new-project: --server %q is not an https URL of a cluster API server", server)
	}
	nss := o.Namespaces
	if len(nss) == 0 {
		nss = []string{"*"}
	}
	res := &ProjectResult{Name: o.Name, SourceRepos: d.SourceRepos, Repo: RepoResult{Dir: o.RepoDir}}
	for _, ns := range nss {
		if ns != "*" && !strings.ContainsAny(ns, "*?[!") && dns1123Label(ns) != "" {
			return nil, flagError("new-project: --namespace %q is not a namespace name or pattern", ns)
		}
		d.Destinations = append(d.Destinations, destination{server, ns})
		res.Destinations = append(res.Destinations, server+" "+ns)
	}
	crs := o.ClusterResources
	if len(crs) == 0 {
		crs = []string{"/Namespace"}
	}
	for _, gk := range crs {
		g, k, ok := strings.Cut(gk, "/")
		if !ok || k == "" || strings.ContainsAny(gk, " \t") {
			return nil, flagError("new-project: --cluster-resource %q is not GROUP/KIND (/Namespace for a core kind, */* for any)", gk)
		}
		d.ClusterResources = append(d.ClusterResources, groupKind{g, k})
		res.ClusterResources = append(res.ClusterResources, gk)
	}

	rel := path.Join(layout.ProjectsDir, o.Name+".yaml")
	res.File = rel
	p := filepath.Join(o.RepoDir, filepath.FromSlash(rel))
	if _, err := os.Lstat(p); err == nil {
		return nil, fmt.Errorf("new-project: project %q already exists: %s", o.Name, p)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("new-project: %w", err)
	}
	b, err := execTemplate(templates.AppProject, d)
	if err != nil {
		return nil, err
	}
	files := []file{{Path: rel, Data: b}}
	if o.Cluster != "" {
		keep := path.Join(layout.AppsDir, "clusters", o.Cluster, o.Name, ".gitkeep")
		if _, err := os.Lstat(filepath.Join(o.RepoDir, filepath.FromSlash(keep))); errors.Is(err, fs.ErrNotExist) {
			files = append(files, file{Path: keep})
		}
	}
	if err := validateFiles(files); err != nil {
		return nil, fmt.Errorf("new-project: generated AppProject is invalid: %w", err)
	}
	for _, f := range files {
		res.Repo.Files = append(res.Repo.Files, f.Path)
	}
	if o.DryRun {
		res.DryRun = true
		return res, nil
	}
	t, err := writePair(ctx, false, o.RepoDir, files, "", nil)
	if err != nil {
		return nil, fmt.Errorf("new-project: %w", err)
	}
	t.cleanup()
	return res, nil
}
