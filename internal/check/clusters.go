package check

import (
	"fmt"
	"strings"

	"github.com/gitopsctl/gitopsctl/internal/argo"
	"github.com/gitopsctl/gitopsctl/internal/config"
	"github.com/gitopsctl/gitopsctl/internal/layout"
)

// ClassCluster is a destination that names no declared cluster.
const ClassCluster Class = "cluster"

// clusterProblems reports an Application whose destination is none of the
// clusters declared in .gitopsctl.yaml (only when the file declares
// clusters:, so a single-cluster repository is checked as before). Such an
// app is rendered with the default cluster's capabilities.
func clusterProblems(cfg *config.Config, a App) []Problem {
	if cfg == nil || !cfg.DeclaresClusters() || a.Application == nil {
		return nil
	}
	d := a.Application.Spec.Destination
	line := a.Line
	if a.FieldLine != nil {
		if l := a.FieldLine("$.spec.destination"); l > 0 {
			line = l
		}
	}
	prob := func(format string, args ...any) []Problem {
		return []Problem{{Class: ClassCluster, App: a.Name, Repo: a.Repo, File: a.File, Line: line, Message: fmt.Sprintf(format, args...)}}
	}
	names := strings.Join(cfg.ClusterNames(), ", ")
	cl, ok := cfg.ClusterFor(d.Server, d.Name)
	if !ok {
		return prob("destination %s is not a declared cluster (clusters: %s); it is rendered with the capabilities of cluster %q", destString(d), names, cfg.DefaultClusterEntry().Name)
	}
	// An Application under argo-apps/clusters/<dir>/<project>/ belongs to
	// cluster <dir>: that cluster's root Application deploys it.
	parts := strings.Split(a.File, "/")
	if (a.Repo == "" || a.Repo == RepoGitops) && len(parts) >= 4 && parts[0] == layout.AppsDir && parts[1] == "clusters" {
		dir := parts[2]
		if _, declared := cfg.ClusterByName(dir); !declared {
			return prob("%s/clusters/%s/ is not a declared cluster (clusters: %s): declare it with 'gitopsctl cluster add %s'", layout.AppsDir, dir, names, dir)
		}
		if dir != cl.Name {
			return prob("the Application is in the directory of cluster %s but its destination %s is cluster %s", dir, destString(d), cl.Name)
		}
	}
	return nil
}

// withClusterDestination returns the Application with its destination
// completed from the declared clusters, as Argo CD completes it from its
// cluster list before matching AppProject destinations: a name gets its
// server, a server its name (except in-cluster, whose name Argo CD knows).
func withClusterDestination(cfg *config.Config, app *argo.Application) *argo.Application {
	if cfg == nil || app == nil {
		return app
	}
	d := app.Spec.Destination
	cl, ok := cfg.ClusterFor(d.Server, d.Name)
	if !ok || (d.Server != "" && d.Name != "") {
		return app
	}
	c := *app
	switch {
	case d.Server == "":
		c.Spec.Destination.Server = cl.Server
	case !cl.InCluster():
		c.Spec.Destination.Name = cl.Name
	}
	return &c
}
