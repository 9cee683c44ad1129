package scaffold

import (
	"path"

	"github.com/gitopsctl/gitopsctl/internal/layout"
	"github.com/gitopsctl/gitopsctl/templates"
)

// ChartDependency is an upstream chart a platform wrapper chart depends on.
type ChartDependency struct {
	Name, Version, Repository string
}

// PlatformComponent is a monitoring or tools Application of the seed layout:
// a wrapper chart (Chart.yaml dependency on the upstream chart, pinned, and
// a values.yaml with defaults) and its Application.
type PlatformComponent struct {
	Name      string
	Project   string
	Namespace string
	ChartPath string // relative to the gitops-repo
	// Dependency is the upstream chart.
	Dependency ChartDependency
	// Wave is the Application's sync wave: CRDs and controllers others
	// need sync first (negative waves).
	Wave int
	// ServerSideApply is set for charts whose CRDs are too large for
	// client-side apply.
	ServerSideApply bool
}

// Upstream chart repositories of the platform components.
const (
	RepoPrometheusCommunity = "https://prometheus-community.github.io/helm-charts"
	RepoGrafana             = "https://grafana.github.io/helm-charts"
	RepoBitnamiOCI          = "oci://registry-1.docker.io/bitnamicharts"
	RepoStrimzi             = "https://strimzi.io/charts/"
	RepoSealedSecrets       = "https://bitnami-labs.github.io/sealed-secrets"
	RepoArgo                = "https://argoproj.github.io/argo-helm"
)

// Sync waves of the platform Applications.
const (
	// WaveControllers: the sealed-secrets and Argo Rollouts controllers and
	// their CRDs, which every service's SealedSecret and Rollout need.
	WaveControllers = -2
	// WaveMonitoringCRDs: the Prometheus Operator's CRDs (ServiceMonitor,
	// PodMonitor, PrometheusRule) the other components' charts create.
	WaveMonitoringCRDs = -1
	// WaveComponents: everything else, with retries.
	WaveComponents = 0
)

// Platform lists the seed's monitoring (5) and tools components: Kafka, the
// sealed-secrets controller and the Argo Rollouts controller.
var Platform = []PlatformComponent{
	{"prometheus", "monitoring", "monitoring", "charts/monitoring/prometheus", ChartDependency{"kube-prometheus-stack", "80.4.1", RepoPrometheusCommunity}, WaveMonitoringCRDs, true},
	{"thanos", "monitoring", "monitoring", "charts/monitoring/thanos", ChartDependency{"thanos", "17.3.1", RepoBitnamiOCI}, WaveComponents, false},
	{"loki", "monitoring", "monitoring", "charts/monitoring/loki", ChartDependency{"loki", "6.44.0", RepoGrafana}, WaveComponents, false},
	{"alloy", "monitoring", "monitoring", "charts/monitoring/alloy", ChartDependency{"alloy", "1.5.1", RepoGrafana}, WaveComponents, false},
	{"grafana", "monitoring", "monitoring", "charts/monitoring/grafana", ChartDependency{"grafana", "10.1.2", RepoGrafana}, WaveComponents, false},
	{"kafka", "tools", "kafka", "charts/kafka", ChartDependency{"strimzi-kafka-operator", "0.48.0", RepoStrimzi}, WaveComponents, true},
	{"sealed-secrets", "tools", "kube-system", "charts/sealed-secrets", ChartDependency{"sealed-secrets", "2.17.7", RepoSealedSecrets}, WaveControllers, false},
	{"argo-rollouts", "tools", "argo-rollouts", "charts/argo-rollouts", ChartDependency{"argo-rollouts", "2.40.1", RepoArgo}, WaveControllers, false},
}

func waveReason(c PlatformComponent) string {
	switch {
	case c.Wave <= WaveControllers:
		return "a controller (and CRDs) the services need, synced first."
	case c.Wave < WaveComponents:
		return "brings CRDs the other components use, synced before them."
	}
	return "after the controllers and CRDs; retried while those settle."
}

// platformFiles renders a wrapper chart and a single-source Application for
// every platform component.
func platformFiles(cluster, repoURL string) ([]file, []string, error) {
	var files []file
	var names []string
	for _, c := range Platform {
		data := struct {
			PlatformComponent
			RepoURL, Revision, Server string
			WaveReason                string
			Retry                     bool
		}{c, repoURL, DefaultRevision, InClusterServer, waveReason(c), c.Wave >= WaveComponents}
		for _, dir := range []string{"common", c.Name} {
			chart, err := renderDir(path.Join(templates.Platform, dir), c.ChartPath, data)
			if err != nil {
				return nil, nil, err
			}
			files = append(files, chart...)
		}
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
