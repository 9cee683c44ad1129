package scaffold

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	rollouts "github.com/argoproj/argo-rollouts/pkg/apis/rollouts/v1alpha1"
	sealed "github.com/bitnami-labs/sealed-secrets/pkg/apis/sealedsecrets/v1alpha1"
	"helm.sh/helm/v3/pkg/chart/loader"
	"helm.sh/helm/v3/pkg/chartutil"
	"helm.sh/helm/v3/pkg/cli/values"
	"helm.sh/helm/v3/pkg/engine"
	"helm.sh/helm/v3/pkg/getter"
	"helm.sh/helm/v3/pkg/lint"
	"helm.sh/helm/v3/pkg/lint/support"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"

	"github.com/gitopsctl/gitopsctl/internal/argo"
	"github.com/gitopsctl/gitopsctl/internal/charts/chartstest"
	"github.com/gitopsctl/gitopsctl/internal/config"
	"github.com/gitopsctl/gitopsctl/internal/render"
)

func unstructuredString(obj map[string]any, fields ...string) (string, bool, error) {
	return unstructured.NestedString(obj, fields...)
}

// rendered holds a service chart rendered like Argo CD renders it, every
// object decoded strictly into its Go type.
type rendered struct {
	rollout      *rollouts.Rollout
	analysis     *rollouts.AnalysisTemplate
	hpa          *autoscalingv2.HorizontalPodAutoscaler
	active       *corev1.Service
	preview      *corev1.Service
	config       *corev1.ConfigMap
	k6           *corev1.ConfigMap
	sealed       *sealed.SealedSecret
	sa           *corev1.ServiceAccount
	ingress      *networkingv1.Ingress
	httpRoute    map[string]any
	raw          map[string]string // template path -> output
	objectsTotal int
}

// splitDocs splits rendered template output into its non-empty documents.
func splitDocs(s string) []string {
	var out []string
	for _, d := range argo.SplitDocuments([]byte(s)) {
		for _, l := range strings.Split(string(d.Data), "\n") {
			if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
				out = append(out, string(d.Data))
				break
			}
		}
	}
	return out
}

// decodeStrict decodes one YAML document into v; unknown fields are errors.
func decodeStrict(doc string, v any) error {
	return yaml.UnmarshalStrict([]byte(doc), v)
}

// renderService renders charts/<name> with values.yaml and the service's
// config.yaml and secrets.yaml from the configs-repo, as Argo CD would
// (helm's own value-file merging), and decodes every object strictly.
func renderService(t *testing.T, p pair, name, namespace string) *rendered {
	t.Helper()
	c, err := loader.Load(filepath.Join(p.repo, "charts", name))
	if err != nil {
		t.Fatalf("load chart: %v", err)
	}
	vo := values.Options{ValueFiles: []string{
		filepath.Join(p.configs, name, "config.yaml"),
		filepath.Join(p.configs, name, "secrets.yaml"),
	}}
	vals, err := vo.MergeValues(getter.Providers{})
	if err != nil {
		t.Fatalf("merge values: %v", err)
	}
	caps := chartutil.DefaultCapabilities.Copy()
	rv, err := chartutil.ToRenderValues(c, vals, chartutil.ReleaseOptions{Name: name, Namespace: namespace, Revision: 1, IsInstall: true}, caps)
	if err != nil {
		t.Fatalf("render values: %v", err)
	}
	out, err := engine.Render(c, rv)
	if err != nil {
		t.Fatalf("render: %v", err)
	}
	r := &rendered{raw: out}
	names := make([]string, 0, len(out))
	for k := range out {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, tpl := range names {
		if strings.HasPrefix(filepath.Base(tpl), "_") {
			continue
		}
		for _, doc := range splitDocs(out[tpl]) {
			var head struct {
				APIVersion string `json:"apiVersion"`
				Kind       string `json:"kind"`
				Metadata   struct {
					Name      string `json:"name"`
					Namespace string `json:"namespace"`
				} `json:"metadata"`
			}
			if err := yaml.Unmarshal([]byte(doc), &head); err != nil {
				t.Fatalf("%s: %v\n%s", tpl, err, doc)
			}
			if head.Metadata.Namespace != namespace {
				t.Errorf("%s: namespace %q, want %q", tpl, head.Metadata.Namespace, namespace)
			}
			var target any
			switch gk := head.APIVersion + "/" + head.Kind; gk {
			case "argoproj.io/v1alpha1/Rollout":
				r.rollout = &rollouts.Rollout{}
				target = r.rollout
			case "argoproj.io/v1alpha1/AnalysisTemplate":
				r.analysis = &rollouts.AnalysisTemplate{}
				target = r.analysis
			case "autoscaling/v2/HorizontalPodAutoscaler":
				r.hpa = &autoscalingv2.HorizontalPodAutoscaler{}
				target = r.hpa
			case "v1/Service":
				s := &corev1.Service{}
				target = s
				if strings.HasSuffix(head.Metadata.Name, "-preview") {
					r.preview = s
				} else {
					r.active = s
				}
			case "v1/ConfigMap":
				cm := &corev1.ConfigMap{}
				target = cm
				if strings.HasSuffix(head.Metadata.Name, "-k6") {
					r.k6 = cm
				} else {
					r.config = cm
				}
			case "v1/ServiceAccount":
				r.sa = &corev1.ServiceAccount{}
				target = r.sa
			case "networking.k8s.io/v1/Ingress":
				r.ingress = &networkingv1.Ingress{}
				target = r.ingress
			case "gateway.networking.k8s.io/v1/HTTPRoute":
				// No Go types in the module: the fields the chart sets are
				// checked by the test that enables it.
				r.httpRoute = map[string]any{}
				target = &r.httpRoute
			case "bitnami.com/v1alpha1/SealedSecret":
				r.sealed = &sealed.SealedSecret{}
				target = r.sealed
			default:
				t.Fatalf("%s: unexpected object %s", tpl, gk)
			}
			if err := decodeStrict(doc, target); err != nil {
				t.Fatalf("%s: strict decode of %s %s: %v\n%s", tpl, head.Kind, head.Metadata.Name, err, doc)
			}
			r.objectsTotal++
		}
	}
	return r
}

// lintChart runs Helm's linter with the service's values files and fails
// on any warning or error.
func lintChart(t *testing.T, p pair, name, namespace string) {
	t.Helper()
	vo := values.Options{ValueFiles: []string{
		filepath.Join(p.configs, name, "config.yaml"),
		filepath.Join(p.configs, name, "secrets.yaml"),
	}}
	vals, err := vo.MergeValues(getter.Providers{})
	if err != nil {
		t.Fatal(err)
	}
	kv, err := chartutil.ParseKubeVersion("v1.31.0")
	if err != nil {
		t.Fatal(err)
	}
	l := lint.AllWithKubeVersion(filepath.Join(p.repo, "charts", name), vals, namespace, kv)
	for _, m := range l.Messages {
		if m.Severity >= support.WarningSev {
			t.Errorf("helm lint: %s", m)
		}
	}
	if l.HighestSeverity >= support.WarningSev {
		t.Fatalf("helm lint failed (highest severity %d)", l.HighestSeverity)
	}
}

func writeSecrets(t *testing.T, p pair, name, scope string, keys map[string]string) {
	t.Helper()
	var b bytes.Buffer
	fmt.Fprintf(&b, "sealedSecrets:\n  scope: %s\n  certFingerprint: \"sha256:0123\"\n  encryptedData:\n", scope)
	ks := make([]string, 0, len(keys))
	for k := range keys {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	for _, k := range ks {
		fmt.Fprintf(&b, "    %s: %s\n", k, keys[k])
	}
	if err := os.WriteFile(filepath.Join(p.configs, name, "secrets.yaml"), b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestChartRendersForFlagCombinations(t *testing.T) {
	cases := []struct {
		name      string
		svc       string
		mod       func(*ServiceOptions)
		secrets   map[string]string
		scope     string
		check     func(t *testing.T, r *rendered)
		namespace string
	}{
		{
			name: "defaults, empty config, no sealed keys",
			svc:  "backend",
			check: func(t *testing.T, r *rendered) {
				if r.sealed != nil {
					t.Error("SealedSecret rendered without sealed keys")
				}
				if len(r.config.Data) != 0 || r.config.Data == nil && !strings.Contains(r.raw["backend/templates/configmap.yaml"], "data: {}") {
					t.Errorf("empty config: data = %v", r.config.Data)
				}
				ef := r.rollout.Spec.Template.Spec.Containers[0].EnvFrom
				if len(ef) != 1 || ef[0].ConfigMapRef == nil || ef[0].ConfigMapRef.Name != "backend-config" {
					t.Errorf("envFrom = %+v, want only the ConfigMap", ef)
				}
				if r.rollout.Spec.Replicas != nil {
					t.Errorf("replicas set (%d) although the HPA owns them", *r.rollout.Spec.Replicas)
				}
				if r.hpa == nil || r.hpa.Spec.MinReplicas == nil || *r.hpa.Spec.MinReplicas != DefaultHPAMin || r.hpa.Spec.MaxReplicas != DefaultHPAMax {
					t.Errorf("hpa = %+v", r.hpa)
				}
				if got := r.hpa.Spec.Metrics[0].Resource.Target.AverageUtilization; got == nil || *got != DefaultCPUTarget {
					t.Errorf("cpu target = %v", got)
				}
				c := r.rollout.Spec.Template.Spec.Containers[0]
				if c.Image != "ghcr.io/acme/backend:0.1.0" {
					t.Errorf("image = %q", c.Image)
				}
				if c.Ports[0].ContainerPort != DefaultPort || r.active.Spec.Ports[0].Port != DefaultServicePort || r.active.Spec.Ports[0].NodePort != 0 {
					t.Errorf("ports: container %d, service %d, nodePort %d", c.Ports[0].ContainerPort, r.active.Spec.Ports[0].Port, r.active.Spec.Ports[0].NodePort)
				}
				if arg := r.rollout.Spec.Strategy.BlueGreen.PrePromotionAnalysis.Args[0]; arg.Value != "http://backend-preview.backend.svc.cluster.local:80" {
					t.Errorf("preview-url = %q", arg.Value)
				}
			},
		},
		{
			name: "config values and sealed keys (strict)",
			svc:  "ingestion",
			mod: func(o *ServiceOptions) {
				o.Env = []string{"LOG_LEVEL=debug", "KAFKA_BROKERS=kafka.kafka.svc:9092", "RETRIES=3", "EMPTY="}
			},
			secrets: map[string]string{"DB_PASSWORD": "AgBy3i4OJSWK+PiTySYZZA==", "API_TOKEN": "AgCz9xQ="},
			scope:   "strict",
			check: func(t *testing.T, r *rendered) {
				want := map[string]string{"LOG_LEVEL": "debug", "KAFKA_BROKERS": "kafka.kafka.svc:9092", "RETRIES": "3", "EMPTY": ""}
				if fmt.Sprint(r.config.Data) != fmt.Sprint(want) {
					t.Errorf("config data = %v, want %v", r.config.Data, want)
				}
				if r.sealed == nil {
					t.Fatal("no SealedSecret")
				}
				if r.sealed.Name != "ingestion-secrets" || r.sealed.Spec.Template.Name != "ingestion-secrets" {
					t.Errorf("sealed names %q / %q", r.sealed.Name, r.sealed.Spec.Template.Name)
				}
				if len(r.sealed.Annotations) != 0 {
					t.Errorf("strict scope has annotations %v", r.sealed.Annotations)
				}
				if r.sealed.Spec.EncryptedData["DB_PASSWORD"] != "AgBy3i4OJSWK+PiTySYZZA==" || len(r.sealed.Spec.EncryptedData) != 2 {
					t.Errorf("encryptedData = %v", r.sealed.Spec.EncryptedData)
				}
				ef := r.rollout.Spec.Template.Spec.Containers[0].EnvFrom
				if len(ef) != 2 || ef[1].SecretRef == nil || ef[1].SecretRef.Name != "ingestion-secrets" {
					t.Errorf("envFrom = %+v, want the ConfigMap and the Secret", ef)
				}
			},
		},
		{
			name:    "namespace-wide scope",
			svc:     "processor",
			secrets: map[string]string{"KEY": "AgA="},
			scope:   "namespace-wide",
			check: func(t *testing.T, r *rendered) {
				if r.sealed.Annotations["sealedsecrets.bitnami.com/namespace-wide"] != "true" || len(r.sealed.Annotations) != 1 {
					t.Errorf("annotations = %v", r.sealed.Annotations)
				}
			},
		},
		{
			name:    "cluster-wide scope",
			svc:     "processor",
			secrets: map[string]string{"KEY": "AgA="},
			scope:   "cluster-wide",
			check: func(t *testing.T, r *rendered) {
				if r.sealed.Annotations["sealedsecrets.bitnami.com/cluster-wide"] != "true" || len(r.sealed.Annotations) != 1 {
					t.Errorf("annotations = %v", r.sealed.Annotations)
				}
			},
		},
		{
			name:      "non-default ports, namespace, no HPA",
			svc:       "frontend",
			namespace: "web",
			mod: func(o *ServiceOptions) {
				o.Namespace, o.Port, o.ServicePort, o.NodePort = "web", 3000, 8080, 30080
				o.HPA, o.Replicas = false, 3
				o.HealthPath, o.SmokePath = "/", "/index.html"
				o.Image, o.Tag = "registry.example.com:5000/web/frontend", "2.0.1"
			},
			check: func(t *testing.T, r *rendered) {
				if r.hpa != nil {
					t.Error("HPA rendered with --hpa=false")
				}
				if r.rollout.Spec.Replicas == nil || *r.rollout.Spec.Replicas != 3 {
					t.Errorf("replicas = %v", r.rollout.Spec.Replicas)
				}
				c := r.rollout.Spec.Template.Spec.Containers[0]
				if c.Image != "registry.example.com:5000/web/frontend:2.0.1" || c.Ports[0].ContainerPort != 3000 {
					t.Errorf("container %s port %d", c.Image, c.Ports[0].ContainerPort)
				}
				if c.LivenessProbe.HTTPGet.Path != "/" || c.ReadinessProbe.HTTPGet.Path != "/" {
					t.Errorf("probe paths %q %q", c.LivenessProbe.HTTPGet.Path, c.ReadinessProbe.HTTPGet.Path)
				}
				if p := r.active.Spec.Ports[0]; p.Port != 8080 || p.NodePort != 30080 || p.TargetPort.String() != "http" {
					t.Errorf("active port %+v", p)
				}
				if arg := r.rollout.Spec.Strategy.BlueGreen.PrePromotionAnalysis.Args[0]; arg.Value != "http://frontend-preview.web.svc.cluster.local:8080" {
					t.Errorf("preview-url = %q", arg.Value)
				}
				if env := jobEnv(r.analysis); env["SMOKE_PATH"] != "/index.html" {
					t.Errorf("SMOKE_PATH = %q", env["SMOKE_PATH"])
				}
			},
		},
		{
			name: "HPA and K6 thresholds",
			svc:  "ai-service",
			mod: func(o *ServiceOptions) {
				o.HPAMin, o.HPAMax, o.CPUTarget = 1, 4, 60
				o.K6P95Ms, o.K6MaxErrorRate, o.K6VUs, o.K6Duration = 1500, 0.05, 5, "1m"
			},
			check: func(t *testing.T, r *rendered) {
				if *r.hpa.Spec.MinReplicas != 1 || r.hpa.Spec.MaxReplicas != 4 || *r.hpa.Spec.Metrics[0].Resource.Target.AverageUtilization != 60 {
					t.Errorf("hpa spec %+v", r.hpa.Spec)
				}
				env := jobEnv(r.analysis)
				want := map[string]string{"BASE_URL": "{{args.preview-url}}", "SMOKE_P95_MS": "1500", "SMOKE_MAX_ERROR_RATE": "0.05", "K6_VUS": "5", "K6_DURATION": "1m", "SMOKE_PATH": "/healthz"}
				for k, v := range want {
					if env[k] != v {
						t.Errorf("job env %s = %q, want %q", k, env[k], v)
					}
				}
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := initPair(t)
			var mods []func(*ServiceOptions)
			if tc.mod != nil {
				mods = append(mods, tc.mod)
			}
			p.newService(t, tc.svc, mods...)
			if tc.secrets != nil {
				writeSecrets(t, p, tc.svc, tc.scope, tc.secrets)
			}
			ns := tc.namespace
			if ns == "" {
				ns = tc.svc
			}
			lintChart(t, p, tc.svc, ns)
			r := renderService(t, p, tc.svc, ns)
			checkCommon(t, r, tc.svc, ns)
			tc.check(t, r)
		})
	}
}

func jobEnv(a *rollouts.AnalysisTemplate) map[string]string {
	env := map[string]string{}
	for _, e := range a.Spec.Metrics[0].Provider.Job.Spec.Template.Spec.Containers[0].Env {
		env[e.Name] = e.Value
	}
	return env
}

// checkCommon asserts the contract every service chart keeps.
func checkCommon(t *testing.T, r *rendered, name, ns string) {
	t.Helper()
	for what, ok := range map[string]bool{"Rollout": r.rollout != nil, "AnalysisTemplate": r.analysis != nil,
		"active Service": r.active != nil, "preview Service": r.preview != nil, "ConfigMap": r.config != nil, "K6 ConfigMap": r.k6 != nil} {
		if !ok {
			t.Fatalf("no %s rendered", what)
		}
	}
	// Names derive from the release name.
	names := map[string]string{"Rollout": r.rollout.Name, "active Service": r.active.Name, "preview Service": r.preview.Name,
		"ConfigMap": r.config.Name, "K6 ConfigMap": r.k6.Name, "AnalysisTemplate": r.analysis.Name}
	want := map[string]string{"Rollout": name, "active Service": name, "preview Service": name + "-preview",
		"ConfigMap": name + "-config", "K6 ConfigMap": name + "-k6", "AnalysisTemplate": name + "-smoke"}
	if r.hpa != nil {
		names["HPA"], want["HPA"] = r.hpa.Name, name
		ref := r.hpa.Spec.ScaleTargetRef
		if ref.APIVersion != "argoproj.io/v1alpha1" || ref.Kind != "Rollout" || ref.Name != name {
			t.Errorf("HPA target %+v", ref)
		}
	}
	if fmt.Sprint(names) != fmt.Sprint(want) {
		t.Errorf("object names %v, want %v", names, want)
	}

	// Blue-green with the smoke test before promotion.
	bg := r.rollout.Spec.Strategy.BlueGreen
	if bg == nil || bg.ActiveService != name || bg.PreviewService != name+"-preview" {
		t.Fatalf("blueGreen = %+v", bg)
	}
	if bg.AutoPromotionEnabled == nil || *bg.AutoPromotionEnabled {
		t.Error("autoPromotionEnabled must be false")
	}
	pa := bg.PrePromotionAnalysis
	if pa == nil || len(pa.Templates) != 1 || pa.Templates[0].TemplateName != name+"-smoke" || len(pa.Args) != 1 || pa.Args[0].Name != "preview-url" {
		t.Fatalf("prePromotionAnalysis = %+v", pa)
	}
	if !strings.HasPrefix(pa.Args[0].Value, "http://"+name+"-preview."+ns+".svc.cluster.local:") {
		t.Errorf("preview-url = %q", pa.Args[0].Value)
	}

	// Selectors: the Services and the Rollout select the pod template's labels.
	podLabels := r.rollout.Spec.Template.Labels
	for _, sel := range []map[string]string{r.rollout.Spec.Selector.MatchLabels, r.active.Spec.Selector, r.preview.Spec.Selector} {
		for k, v := range sel {
			if podLabels[k] != v {
				t.Errorf("selector %s=%s does not match pod labels %v", k, v, podLabels)
			}
		}
		if len(sel) == 0 {
			t.Error("empty selector")
		}
	}
	if r.active.Spec.Type != corev1.ServiceTypeNodePort || r.preview.Spec.Type != corev1.ServiceTypeClusterIP {
		t.Errorf("service types %s / %s", r.active.Spec.Type, r.preview.Spec.Type)
	}

	// Pod template: checksums, probes, resources, security.
	ann := r.rollout.Spec.Template.Annotations
	for _, k := range []string{"checksum/config", "checksum/secrets"} {
		if len(ann[k]) != 64 {
			t.Errorf("annotation %s = %q", k, ann[k])
		}
	}
	spec := r.rollout.Spec.Template.Spec
	if spec.SecurityContext == nil || spec.SecurityContext.RunAsNonRoot == nil || !*spec.SecurityContext.RunAsNonRoot ||
		spec.SecurityContext.SeccompProfile == nil || spec.SecurityContext.SeccompProfile.Type != corev1.SeccompProfileTypeRuntimeDefault {
		t.Errorf("pod securityContext %+v", spec.SecurityContext)
	}
	c := spec.Containers[0]
	sc := c.SecurityContext
	if sc == nil || sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem || sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation ||
		sc.Capabilities == nil || len(sc.Capabilities.Drop) != 1 || sc.Capabilities.Drop[0] != "ALL" {
		t.Errorf("container securityContext %+v", sc)
	}
	if c.LivenessProbe == nil || c.ReadinessProbe == nil || c.LivenessProbe.HTTPGet.Port.String() != "http" {
		t.Error("probes missing")
	}
	if c.Resources.Requests.Cpu().IsZero() || c.Resources.Limits.Memory().IsZero() {
		t.Errorf("resources %+v", c.Resources)
	}
	if len(c.EnvFrom) == 0 || c.EnvFrom[0].ConfigMapRef == nil || c.EnvFrom[0].ConfigMapRef.Name != r.config.Name {
		t.Errorf("envFrom %+v", c.EnvFrom)
	}

	// No empty values rendered as null (e.g. "data:" with nothing under it).
	for tpl, out := range r.raw {
		for _, doc := range splitDocs(out) {
			var v any
			if err := yaml.Unmarshal([]byte(doc), &v); err != nil {
				t.Fatal(err)
			}
			if p := findNull(v, ""); p != "" {
				t.Errorf("%s: %s is null", tpl, p)
			}
		}
	}

	// The K6 Job: k6 on the mounted script, no retries, Rollouts arg escaped.
	if len(r.analysis.Spec.Args) != 1 || r.analysis.Spec.Args[0].Name != "preview-url" {
		t.Errorf("analysis args %+v", r.analysis.Spec.Args)
	}
	m := r.analysis.Spec.Metrics[0]
	if m.Provider.Job == nil {
		t.Fatal("analysis metric has no job provider")
	}
	var js batchv1.JobSpec = m.Provider.Job.Spec // decoded strictly with the AnalysisTemplate
	if js.BackoffLimit == nil || *js.BackoffLimit != 0 || js.Template.Spec.RestartPolicy != corev1.RestartPolicyNever {
		t.Errorf("job backoffLimit %v restartPolicy %s", js.BackoffLimit, js.Template.Spec.RestartPolicy)
	}
	k6 := js.Template.Spec.Containers[0]
	if !strings.HasPrefix(k6.Image, "grafana/k6") || strings.Join(k6.Command, " ") != "k6 run /scripts/smoke.js" {
		t.Errorf("k6 container %s %v", k6.Image, k6.Command)
	}
	if jobEnv(r.analysis)["BASE_URL"] != "{{args.preview-url}}" {
		t.Errorf("BASE_URL = %q", jobEnv(r.analysis)["BASE_URL"])
	}
	vol := js.Template.Spec.Volumes[0]
	if vol.ConfigMap == nil || vol.ConfigMap.Name != r.k6.Name || k6.VolumeMounts[0].MountPath != "/scripts" {
		t.Errorf("k6 script volume %+v", vol)
	}
	if !strings.Contains(r.k6.Data["smoke.js"], "http.get(") {
		t.Errorf("k6 ConfigMap lacks smoke.js: %v", r.k6.Data)
	}
}

// A config change changes the checksum annotation (so pods roll); a secret
// change changes the secrets checksum only.
func TestChecksumsFollowValues(t *testing.T) {
	p := initPair(t)
	p.newService(t, "backend")
	before := renderService(t, p, "backend", "backend").rollout.Spec.Template.Annotations
	if err := os.WriteFile(filepath.Join(p.configs, "backend", "config.yaml"), []byte("config:\n  LOG_LEVEL: debug\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	mid := renderService(t, p, "backend", "backend").rollout.Spec.Template.Annotations
	if mid["checksum/config"] == before["checksum/config"] || mid["checksum/secrets"] != before["checksum/secrets"] {
		t.Errorf("config change: %v -> %v", before, mid)
	}
	writeSecrets(t, p, "backend", "strict", map[string]string{"A": "AgA="})
	after := renderService(t, p, "backend", "backend").rollout.Spec.Template.Annotations
	if after["checksum/secrets"] == mid["checksum/secrets"] || after["checksum/config"] != mid["checksum/config"] {
		t.Errorf("secret change: %v -> %v", mid, after)
	}
}

// An unknown scope fails the render with a clear message.
func TestChartRejectsUnknownScope(t *testing.T) {
	p := initPair(t)
	p.newService(t, "backend")
	writeSecrets(t, p, "backend", "global", map[string]string{"A": "AgA="})
	c, err := loader.Load(filepath.Join(p.repo, "charts", "backend"))
	if err != nil {
		t.Fatal(err)
	}
	vo := values.Options{ValueFiles: []string{filepath.Join(p.configs, "backend", "secrets.yaml")}}
	vals, _ := vo.MergeValues(getter.Providers{})
	opts := chartutil.ReleaseOptions{Name: "backend", Namespace: "backend"}
	// values.schema.json rejects it first; the template too when the
	// schema is skipped (helm.skipSchemaValidation).
	_, err = chartutil.ToRenderValues(c, vals, opts, chartutil.DefaultCapabilities)
	if err == nil || !strings.Contains(err.Error(), "sealedSecrets/scope") {
		t.Fatalf("schema: err = %v", err)
	}
	rv, err := chartutil.ToRenderValuesWithSchemaValidation(c, vals, opts, chartutil.DefaultCapabilities, true)
	if err != nil {
		t.Fatal(err)
	}
	_, err = engine.Render(c, rv)
	if err == nil || !strings.Contains(err.Error(), `sealedSecrets.scope is "global"`) {
		t.Fatalf("err = %v", err)
	}
}

// The placeholder platform charts lint and render a valid ConfigMap.
// Every platform wrapper chart passes helm lint once its dependency is
// there, and renders through gitopsctl's render path with the upstream
// charts served by stand-ins of the same names and versions (never the real
// ones): the dependency's objects and the wrapper's own.
func TestPlatformChartsRender(t *testing.T) {
	p := initPair(t, func(o *InitOptions) { o.Platform = true })
	var standIns []chartstest.StandIn
	for _, c := range Platform {
		standIns = append(standIns, chartstest.StandIn{Repository: c.Dependency.Repository, Name: c.Dependency.Name, Version: c.Dependency.Version})
	}
	mirrors := chartstest.ServeStandIns(t, standIns)
	t.Setenv("HELM_REPOSITORY_CONFIG", filepath.Join(t.TempDir(), "repositories.yaml"))
	t.Setenv("HELM_REGISTRY_CONFIG", filepath.Join(t.TempDir(), "config.json"))
	cfg, err := config.Load(config.Options{RepoDir: p.repo})
	if err != nil {
		t.Fatal(err)
	}
	cfg.ChartMirrors, cfg.ChartCacheDir = mirrors, t.TempDir()
	ws, err := render.Open(context.Background(), render.Options{Config: cfg})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, c := range Platform {
		names = append(names, c.Name)
	}
	rs, err := ws.Render(context.Background(), names...)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range rs {
		comp := Platform[i]
		if r.Err != nil {
			t.Errorf("%s: %v", comp.Name, r.Err)
			continue
		}
		want := map[string]bool{"ConfigMap/" + comp.Name + "-" + comp.Dependency.Name: false}
		if comp.Name == "kafka" {
			want["Kafka/kafka"], want["KafkaNodePool/kafka-dual-role"] = false, false
		}
		for _, o := range r.Objects {
			k := o.Object.GetKind() + "/" + o.Object.GetName()
			if _, ok := want[k]; !ok {
				t.Errorf("%s: unexpected %s", comp.Name, k)
			}
			want[k] = true
			if k == "ConfigMap/"+comp.Name+"-"+comp.Dependency.Name {
				data, _, _ := unstructuredString(o.Object.Object, "data", "chart")
				if data != comp.Dependency.Name+"-"+comp.Dependency.Version {
					t.Errorf("%s: stand-in %s rendered, want %s-%s", comp.Name, data, comp.Dependency.Name, comp.Dependency.Version)
				}
			}
		}
		for k, seen := range want {
			if !seen {
				t.Errorf("%s: %s not rendered", comp.Name, k)
			}
		}
		// The wrapper's own files pass helm lint with the dependency in
		// place (charts/ as helm dependency build leaves it).
		dir := filepath.Join(t.TempDir(), comp.Name)
		if err := os.CopyFS(dir, os.DirFS(filepath.Join(p.repo, filepath.FromSlash(comp.ChartPath)))); err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Join(dir, "charts"), 0o755); err != nil {
			t.Fatal(err)
		}
		archive := chartstest.SimpleChart(t, comp.Dependency.Name, comp.Dependency.Version)
		if err := os.WriteFile(filepath.Join(dir, "charts", comp.Dependency.Name+"-"+comp.Dependency.Version+".tgz"), archive, 0o644); err != nil {
			t.Fatal(err)
		}
		if l := lint.All(dir, nil, comp.Namespace, false); l.HighestSeverity >= support.WarningSev {
			t.Errorf("%s: lint %v", comp.Name, l.Messages)
		}
	}
}

// findNull returns the path of the first null value in v, or "".
func findNull(v any, at string) string {
	switch x := v.(type) {
	case nil:
		return at
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if p := findNull(x[k], at+"."+k); p != "" {
				return p
			}
		}
	case []any:
		for i, e := range x {
			if p := findNull(e, fmt.Sprintf("%s[%d]", at, i)); p != "" {
				return p
			}
		}
	}
	return ""
}

// image.digest (written by `bump --digest`) pins the image by digest.
func TestChartImageDigest(t *testing.T) {
	p := initPair(t)
	p.newService(t, "backend")
	img := func() string {
		return renderService(t, p, "backend", "backend").rollout.Spec.Template.Spec.Containers[0].Image
	}
	if got := img(); strings.Contains(got, "@") {
		t.Fatalf("image without digest: %s", got)
	}
	digest := "sha256:" + strings.Repeat("ab", 32)
	cfg := "config: {}\nimage:\n  digest: " + digest + "\n"
	if err := os.WriteFile(filepath.Join(p.configs, "backend", "config.yaml"), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := img(); !strings.HasSuffix(got, ":0.1.0@"+digest) {
		t.Fatalf("image with digest: %s", got)
	}
}
