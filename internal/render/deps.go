package render

import (
	"fmt"
	"strings"

	"helm.sh/helm/v3/pkg/chart"
)

// checkDependencies reports the dependencies reqs declares (Chart.yaml)
// that the chart does not hold as subcharts (matched by name), as `helm
// template` refuses them before rendering: one error naming every missing
// dependency in the order declared. (Helm's own check lives in its action
// package, whose imports, the Kubernetes client among them, would cost
// every command's start-up.)
func checkDependencies(ch *chart.Chart, reqs []*chart.Dependency) error {
	have := make(map[string]bool, len(ch.Dependencies()))
	for _, d := range ch.Dependencies() {
		have[d.Name()] = true
	}
	var missing []string
	for _, r := range reqs {
		if !have[r.Name] {
			missing = append(missing, r.Name)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("found in Chart.yaml, but missing in charts/ directory: %s", strings.Join(missing, ", "))
	}
	return nil
}
