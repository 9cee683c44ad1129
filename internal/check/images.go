package check

import (
	"fmt"
	"sort"

	"github.com/gitopsctl/gitopsctl/internal/manifest"
	"github.com/gitopsctl/gitopsctl/internal/rules"
)

// podSpecs returns the pod specs inside a workload object, with a path for
// messages: Pods, the pod template of Deployments, StatefulSets, DaemonSets,
// ReplicaSets, Jobs, CronJobs and Argo Rollouts, the Job metrics of
// AnalysisTemplates, and the templates of Experiments.
func podSpecs(o manifest.Object) map[string]map[string]any {
	m := o.Object.Object
	out := map[string]map[string]any{}
	add := func(path string, v any) {
		if spec, ok := v.(map[string]any); ok {
			out[path] = spec
		}
	}
	gvk := o.GVK()
	switch gvk.Kind {
	case "Pod":
		if gvk.Group == "" {
			add("spec", dig(m, "spec"))
		}
	case "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job", "Rollout":
		add("spec.template.spec", dig(m, "spec", "template", "spec"))
	case "CronJob":
		add("spec.jobTemplate.spec.template.spec", dig(m, "spec", "jobTemplate", "spec", "template", "spec"))
	case "AnalysisTemplate", "ClusterAnalysisTemplate", "AnalysisRun":
		metrics, _ := dig(m, "spec", "metrics").([]any)
		for i, mt := range metrics {
			add(fmt.Sprintf("spec.metrics[%d].provider.job.spec.template.spec", i), dig(mt, "provider", "job", "spec", "template", "spec"))
		}
	case "Experiment":
		ts, _ := dig(m, "spec", "templates").([]any)
		for i, t := range ts {
			add(fmt.Sprintf("spec.templates[%d].template.spec", i), dig(t, "template", "spec"))
		}
	}
	return out
}

func dig(v any, path ...string) any {
	for _, p := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[p]
	}
	return v
}

// imageProblems reports containers and init containers whose image tag is
// empty, missing or latest.
func imageProblems(app, repo string, fileOf func(manifest.Object) string, objs []manifest.Object) []Problem {
	var out []Problem
	for _, o := range objs {
		specs := podSpecs(o)
		for _, path := range sortedKeys(specs) {
			for _, field := range []string{"initContainers", "containers"} {
				cs, _ := specs[path][field].([]any)
				for _, c := range cs {
					cm, _ := c.(map[string]any)
					name, _ := cm["name"].(string)
					image, _ := cm["image"].(string)
					if msg := rules.ImageMessage(image); msg != "" {
						out = append(out, Problem{Class: ClassImage, App: app, Repo: repo, File: fileOf(o), Object: objRef(o),
							Message: fmt.Sprintf("%s.%s %q: %s", path, field, name, msg)})
					}
				}
			}
		}
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sortStrings(out)
	return out
}

func sortStrings(s []string) { sort.Strings(s) }

// nodePortProblems reports Services that claim a node port another Service
// of the same cluster claims too (rules.NodePortClashes).
func nodePortProblems(uses []rules.NodePortUse, fileOf map[string]func(manifest.Object) string, objOf map[rules.NodePortUse]manifest.Object) []Problem {
	var out []Problem
	for _, c := range rules.NodePortClashes(uses) {
		o := objOf[c.NodePortUse]
		out = append(out, Problem{Class: ClassNodePort, App: c.App, Repo: RepoGitops, File: fileOf[c.App](o), Object: objRef(o), Message: c.Message})
	}
	return out
}
