package scaffold

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"

	"github.com/gitopsctl/gitopsctl/internal/render"
)

// withConfig replaces the service's config.yaml in the configs-repo (the
// last value file but one, as Argo CD layers them) with values.
func withConfig(t *testing.T, p pair, name, values string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(p.configs, name, "config.yaml"), []byte(values), 0o644); err != nil {
		t.Fatal(err)
	}
}

// The chart's knobs render into valid objects of their types.
func TestChartFeatures(t *testing.T) {
	p := initPair(t)
	p.newService(t, "backend")

	// Defaults: a created ServiceAccount without token, a NodePort Service,
	// no Ingress or HTTPRoute, the preview at full size.
	r := renderService(t, p, "backend", "backend")
	spec := r.rollout.Spec.Template.Spec
	if r.sa == nil || r.sa.Name != "backend" || spec.ServiceAccountName != "backend" || *spec.AutomountServiceAccountToken {
		t.Errorf("service account %+v, pod uses %q", r.sa, spec.ServiceAccountName)
	}
	if r.active.Spec.Type != corev1.ServiceTypeNodePort || r.ingress != nil || r.httpRoute != nil {
		t.Errorf("defaults: service %s ingress %v route %v", r.active.Spec.Type, r.ingress, r.httpRoute)
	}
	if r.rollout.Spec.Strategy.BlueGreen.PreviewReplicaCount != nil {
		t.Errorf("previewReplicaCount %v", *r.rollout.Spec.Strategy.BlueGreen.PreviewReplicaCount)
	}

	withConfig(t, p, "backend", `config: {}
imagePullSecrets: [{name: ghcr-pull}]
serviceAccount: {create: false, name: shared}
previewReplicaCount: 1
env:
  - name: POD_NAME
    valueFrom: {fieldRef: {fieldPath: metadata.name}}
volumes: [{name: cache, emptyDir: {}}]
volumeMounts: [{name: cache, mountPath: /cache}]
podAnnotations: {prometheus.io/scrape: "true"}
podLabels: {team: payments}
podSecurityContext: {runAsUser: 1000, runAsNonRoot: true}
securityContext: {readOnlyRootFilesystem: false}
service: {type: ClusterIP, nodePort: 30080}
ingress:
  enabled: true
  className: nginx
  hosts: [{host: api.example.com, paths: [{path: /, pathType: Prefix}]}]
  tls: [{secretName: api-tls, hosts: [api.example.com]}]
httpRoute:
  enabled: true
  parentRefs: [{name: public, namespace: gateway}]
nodeSelector: {kubernetes.io/arch: arm64}
tolerations: [{key: dedicated, operator: Equal, value: api, effect: NoSchedule}]
affinity: {podAntiAffinity: {preferredDuringSchedulingIgnoredDuringExecution: [{weight: 100, podAffinityTerm: {topologyKey: kubernetes.io/hostname, labelSelector: {matchLabels: {app.kubernetes.io/name: backend}}}}]}}
resources: {requests: {cpu: 50m}}
`)
	r = renderService(t, p, "backend", "backend")
	spec = r.rollout.Spec.Template.Spec
	c := spec.Containers[0]
	switch {
	case r.sa != nil || spec.ServiceAccountName != "shared":
		t.Errorf("serviceAccount.create false: sa %v, pod uses %q", r.sa, spec.ServiceAccountName)
	case len(spec.ImagePullSecrets) != 1 || spec.ImagePullSecrets[0].Name != "ghcr-pull":
		t.Errorf("imagePullSecrets %v", spec.ImagePullSecrets)
	case *r.rollout.Spec.Strategy.BlueGreen.PreviewReplicaCount != 1:
		t.Errorf("previewReplicaCount %v", r.rollout.Spec.Strategy.BlueGreen.PreviewReplicaCount)
	case len(c.Env) != 1 || c.Env[0].ValueFrom.FieldRef.FieldPath != "metadata.name" || len(c.EnvFrom) == 0:
		t.Errorf("env %v envFrom %v", c.Env, c.EnvFrom)
	case len(spec.Volumes) != 2 || spec.Volumes[1].Name != "cache" || len(c.VolumeMounts) != 2 || c.VolumeMounts[1].MountPath != "/cache":
		t.Errorf("volumes %v mounts %v", spec.Volumes, c.VolumeMounts)
	case r.rollout.Spec.Template.Annotations["prometheus.io/scrape"] != "true" || r.rollout.Spec.Template.Labels["team"] != "payments" ||
		r.rollout.Spec.Template.Labels["app.kubernetes.io/name"] != "backend" || len(r.rollout.Spec.Template.Annotations["checksum/config"]) != 64:
		t.Errorf("pod metadata %v %v", r.rollout.Spec.Template.Labels, r.rollout.Spec.Template.Annotations)
	case *spec.SecurityContext.RunAsUser != 1000 || spec.SecurityContext.SeccompProfile == nil:
		t.Errorf("podSecurityContext merges over the default: %+v", spec.SecurityContext)
	case *c.SecurityContext.ReadOnlyRootFilesystem || c.SecurityContext.Capabilities == nil || *c.SecurityContext.AllowPrivilegeEscalation:
		t.Errorf("securityContext merges over the default: %+v", c.SecurityContext)
	case r.active.Spec.Type != corev1.ServiceTypeClusterIP || r.active.Spec.Ports[0].NodePort != 0:
		t.Errorf("ClusterIP service %s nodePort %d", r.active.Spec.Type, r.active.Spec.Ports[0].NodePort)
	case r.ingress == nil || *r.ingress.Spec.IngressClassName != "nginx" || r.ingress.Spec.Rules[0].Host != "api.example.com" ||
		r.ingress.Spec.Rules[0].HTTP.Paths[0].Backend.Service.Name != "backend" || r.ingress.Spec.TLS[0].SecretName != "api-tls":
		t.Errorf("ingress %+v", r.ingress)
	case spec.NodeSelector["kubernetes.io/arch"] != "arm64" || len(spec.Tolerations) != 1 || spec.Affinity.PodAntiAffinity == nil:
		t.Errorf("scheduling %v %v %v", spec.NodeSelector, spec.Tolerations, spec.Affinity)
	case c.Resources.Requests.Cpu().String() != "50m" || c.Resources.Limits.Memory().IsZero():
		// config.yaml's resources merge over values.yaml's (Helm merges maps).
		t.Errorf("resources %+v", c.Resources)
	}
	route, _ := r.httpRoute["spec"].(map[string]any)
	if route == nil || !strings.Contains(toYAML(t, route), "name: public") || !strings.Contains(toYAML(t, route["rules"]), "name: backend") ||
		!strings.Contains(toYAML(t, route["hostnames"]), "backend.example.com") {
		t.Errorf("httpRoute %v", r.httpRoute)
	}

	// LoadBalancer keeps the node port.
	withConfig(t, p, "backend", "config: {}\nservice: {type: LoadBalancer, nodePort: 30080}\n")
	r = renderService(t, p, "backend", "backend")
	if r.active.Spec.Type != corev1.ServiceTypeLoadBalancer || r.active.Spec.Ports[0].NodePort != 30080 {
		t.Errorf("LoadBalancer service %s nodePort %d", r.active.Spec.Type, r.active.Spec.Ports[0].NodePort)
	}
}

func toYAML(t *testing.T, v any) string {
	t.Helper()
	b, err := yaml.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// stagedBackend renders charts/backend of p through gitopsctl's render path
// (render.RenderStaged) with the configs-repo's value files.
func stagedBackend(t *testing.T, p pair) error {
	t.Helper()
	sc := render.StagedChart{Dir: "charts/backend", ReleaseName: "backend", Namespace: "backend"}
	dir := filepath.Join(p.repo, "charts", "backend")
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		rel, _ := filepath.Rel(dir, path)
		sc.Files = append(sc.Files, render.StagedFile{Name: filepath.ToSlash(rel), Data: b})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"config.yaml", "secrets.yaml"} {
		b, err := os.ReadFile(filepath.Join(p.configs, "backend", f))
		if err != nil {
			t.Fatal(err)
		}
		sc.ValueFiles = append(sc.ValueFiles, render.StagedFile{Name: "backend/" + f, Data: b})
	}
	_, err = render.RenderStaged(sc)
	return err
}

// values.schema.json rejects typos and wrong types, and gitopsctl's render
// path applies it as Helm does.
func TestChartSchema(t *testing.T) {
	p := initPair(t)
	p.newService(t, "backend")
	if err := stagedBackend(t, p); err != nil {
		t.Fatalf("defaults: %v", err)
	}
	for _, tc := range []struct{ values, want string }{
		{"confg:\n  LOG_LEVEL: info\n", "confg"},
		{"config: {}\nhpa:\n  enabled: \"false\"\n", "hpa/enabled"},
		{"config: {}\nimage:\n  tga: 1.0.0\n", "tga"},
		{"config: {}\nservice:\n  type: ExternalName\n", "service/type"},
		{"config: {}\nservice:\n  nodePort: 80\n", "service/nodePort"},
		{"config: {}\nsmokeTest:\n  duration: 30\n", "smokeTest/duration"},
		{"config: {}\ningress:\n  enabeld: true\n", "enabeld"},
		{"config: {}\nreplicas: two\n", "replicas"},
	} {
		withConfig(t, p, "backend", tc.values)
		err := stagedBackend(t, p)
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "charts/backend/Chart.yaml") {
			t.Errorf("%q: err = %v, want one naming %s", tc.values, err, tc.want)
		}
	}
	// An HTTPRoute needs a Gateway to attach to.
	withConfig(t, p, "backend", "config: {}\nhttpRoute: {enabled: true}\n")
	if err := stagedBackend(t, p); err == nil || !strings.Contains(err.Error(), "httpRoute.parentRefs") {
		t.Errorf("httpRoute without parentRefs: %v", err)
	}
}

// The K6 Job's deadline follows --k6-duration.
func TestK6DeadlineFollowsDuration(t *testing.T) {
	for _, tc := range []struct {
		duration string
		want     int64
	}{{"30s", 150}, {"10m", 720}, {"1m30.5s", 211}, {"1h", 3720}} {
		p := initPair(t)
		p.newService(t, "backend", func(o *ServiceOptions) { o.K6Duration = tc.duration })
		r := renderService(t, p, "backend", "backend")
		js := r.analysis.Spec.Metrics[0].Provider.Job.Spec
		d, _ := time.ParseDuration(tc.duration)
		if js.ActiveDeadlineSeconds == nil || *js.ActiveDeadlineSeconds != tc.want || float64(*js.ActiveDeadlineSeconds) <= d.Seconds() {
			t.Errorf("--k6-duration %s: activeDeadlineSeconds %v, want %d", tc.duration, js.ActiveDeadlineSeconds, tc.want)
		}
		if jobEnv(r.analysis)["K6_DURATION"] != tc.duration {
			t.Errorf("K6_DURATION %q", jobEnv(r.analysis)["K6_DURATION"])
		}
	}
}

// new-service --force keeps values.yaml: one written before the chart had
// the service account, security context, ingress and route keys renders
// with the new templates as it did (restricted security contexts, the
// default ServiceAccount, no token, a NodePort Service) and passes the
// schema.
func TestChartOldValuesKeepBehaviour(t *testing.T) {
	p := initPair(t)
	p.newService(t, "backend")
	old, err := os.ReadFile(filepath.Join("testdata", "values-before-schema.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(p.repo, "charts", "backend", "values.yaml"), old, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := stagedBackend(t, p); err != nil {
		t.Fatalf("old values.yaml: %v", err)
	}
	r := renderService(t, p, "backend", "backend")
	spec := r.rollout.Spec.Template.Spec
	c := spec.Containers[0]
	switch {
	case r.sa != nil || spec.ServiceAccountName != "default" || spec.AutomountServiceAccountToken == nil || *spec.AutomountServiceAccountToken:
		t.Errorf("service account: created %v, pod uses %q, automount %v", r.sa, spec.ServiceAccountName, spec.AutomountServiceAccountToken)
	case spec.SecurityContext == nil || !*spec.SecurityContext.RunAsNonRoot || spec.SecurityContext.SeccompProfile == nil:
		t.Errorf("pod securityContext %+v", spec.SecurityContext)
	case c.SecurityContext == nil || !*c.SecurityContext.ReadOnlyRootFilesystem || *c.SecurityContext.AllowPrivilegeEscalation || c.SecurityContext.Capabilities.Drop[0] != "ALL":
		t.Errorf("container securityContext %+v", c.SecurityContext)
	case r.active.Spec.Type != corev1.ServiceTypeNodePort || r.ingress != nil || r.httpRoute != nil:
		t.Errorf("service %s ingress %v route %v", r.active.Spec.Type, r.ingress, r.httpRoute)
	case *r.analysis.Spec.Metrics[0].Provider.Job.Spec.ActiveDeadlineSeconds != 300:
		t.Errorf("kept deadline %d", *r.analysis.Spec.Metrics[0].Provider.Job.Spec.ActiveDeadlineSeconds)
	}
}
