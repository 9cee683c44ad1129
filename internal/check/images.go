package check

import (
	"fmt"
	"sort"
	"strings"

	"github.com/gitopsctl/gitopsctl/internal/manifest"
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

// ImageTagProblem says what is wrong with an image reference's tag, or ""
// when it is pinned: a digest, or a tag other than latest.
func ImageTagProblem(image string) string {
	image = strings.TrimSpace(image)
	if image == "" {
		return "image is empty"
	}
	if strings.Contains(image, "@") {
		return "" // pinned by digest
	}
	name := image
	if i := strings.LastIndex(name, "/"); i >= 0 {
		name = name[i+1:]
	}
	i := strings.LastIndex(name, ":")
	switch {
	case i < 0:
		return "has no tag (it means latest)"
	case name[i+1:] == "":
		return "has an empty tag"
	case name[i+1:] == "latest":
		return "uses the tag latest"
	}
	return ""
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
					if msg := ImageTagProblem(image); msg != "" {
						out = append(out, Problem{Class: ClassImage, App: app, Repo: repo, File: fileOf(o), Object: objRef(o),
							Message: fmt.Sprintf("%s.%s %q: image %q %s; pin a version tag or digest", path, field, name, image, msg)})
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
