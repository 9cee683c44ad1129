package scaffold

import (
	"path"

	"github.com/gitopsctl/gitopsctl/internal/layout"
	"github.com/gitopsctl/gitopsctl/templates"
)

// PlatformComponent is a monitoring or tools Application of the seed layout.
type PlatformComponent struct {
	Name      string
	Project   string
	Namespace string
	ChartPath string // relative to the gitops-repo
}

// Platform lists the seed's monitoring (5) and tools (2) components.
var Platform = []PlatformComponent{
	{"prometheus", "monitoring", "monitoring", "charts/monitoring/prometheus"},
	{"thanos", "monitoring", "monitoring", "charts/monitoring/thanos"},
	{"loki", "monitoring", "monitoring", "charts/monitoring/loki"},
	{"alloy", "monitoring", "monitoring", "charts/monitoring/alloy"},
	{"grafana", "monitoring", "monitoring", "charts/monitoring/grafana"},
	{"kafka", "tools", "kafka", "charts/kafka"},
	{"sealed-secrets", "tools", "kube-system", "charts/sealed-secrets"},
}

// platformFiles renders a placeholder chart (one ConfigMap) and a
// single-source Application for every platform component.
func platformFiles(cluster, repoURL string) ([]file, []string, error) {
	var files []file
	var names []string
	for _, c := range Platform {
		data := struct {
			PlatformComponent
			RepoURL, Revision, Server string
		}{c, repoURL, DefaultRevision, InClusterServer}
		chart, err := renderDir(templates.Platform, c.ChartPath, data)
		if err != nil {
			return nil, nil, err
		}
		files = append(files, chart...)
		app, err := execTemplate(templates.PlatformApplication, data)
		if err != nil {
			return nil, nil, err
		}
		appPath := path.Join(layout.AppsDir, "clusters", cluster, c.Project, c.Name+".yaml")
		files = append(files, file{Path: appPath, Data: app})
		names = append(names, c.Name)
	}
	return files, names, nil
}
