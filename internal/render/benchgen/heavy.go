package benchgen

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// HeavyChart describes one generated chart shaped like the big public
// monitoring charts: an umbrella with subcharts vendored in charts/, CRDs in
// crds/, helpers used through include and tpl, templates ranging over large
// values, dashboards read with .Files.
type HeavyChart struct {
	Name string
	// Components is the number of workloads the values declare (each gets a
	// Deployment or StatefulSet, Service, ServiceAccount, ConfigMap, PDB,
	// ServiceMonitor and HPA).
	Components int
	// Rules is the number of alerting rules (PrometheusRule, 8 per group).
	Rules int
	// Dashboards is the number of dashboard JSON files (ConfigMaps).
	Dashboards int
	// CRDs is the number of CustomResourceDefinitions in crds/.
	CRDs int
	// Subcharts are vendored in charts/ and listed as dependencies.
	Subcharts []HeavyChart
}

// HeavyCharts are the 10 generated heavy charts: one umbrella much bigger
// than the rest (like kube-prometheus-stack), a few mid-sized umbrellas and
// single charts.
func HeavyCharts() []HeavyChart {
	sub := func(name string, comps, rules, dash int) HeavyChart {
		return HeavyChart{Name: name, Components: comps, Rules: rules, Dashboards: dash}
	}
	return []HeavyChart{
		{Name: "metrics-stack", Components: 10, Rules: 320, Dashboards: 24, CRDs: 8, Subcharts: []HeavyChart{
			sub("state-metrics", 3, 40, 2), sub("node-agent", 3, 40, 2), sub("dashboards-ui", 6, 0, 10), sub("windows-agent", 2, 24, 1),
		}},
		{Name: "metrics-server", Components: 6, Rules: 160, Dashboards: 4, Subcharts: []HeavyChart{
			sub("alert-router", 4, 16, 1), sub("state-metrics", 3, 40, 2), sub("node-agent", 3, 40, 2), sub("push-gateway", 2, 8, 0),
		}},
		{Name: "logs", Components: 14, Rules: 64, Dashboards: 8, CRDs: 1, Subcharts: []HeavyChart{
			sub("agent-operator", 2, 0, 0), sub("rollout-operator", 2, 8, 0),
		}},
		{Name: "logs-distributed", Components: 12, Rules: 32, Dashboards: 4},
		{Name: "dashboards", Components: 4, Rules: 0, Dashboards: 12, CRDs: 1},
		{Name: "traces", Components: 8, Rules: 24, Dashboards: 3},
		{Name: "log-shipper", Components: 2, Rules: 16, Dashboards: 1},
		{Name: "alert-router", Components: 4, Rules: 16, Dashboards: 1},
		{Name: "probe-exporter", Components: 2, Rules: 16, Dashboards: 1},
		{Name: "metrics-adapter", Components: 3, Rules: 8, Dashboards: 0},
	}
}

// GenerateHeavy writes the heavy charts into dir/<name>, dependencies
// vendored, each rendering with `helm template` and no extra values.
func GenerateHeavy(dir string) error {
	for _, c := range HeavyCharts() {
		if err := WriteHeavyChart(filepath.Join(dir, c.Name), c); err != nil {
			return err
		}
	}
	return nil
}

// WriteHeavyChart writes chart c (and its subcharts) into dir.
func WriteHeavyChart(dir string, c HeavyChart) error {
	files := map[string]string{}
	heavyFiles(files, "", c)
	for rel, data := range files {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// heavyFiles adds the files of c under prefix.
func heavyFiles(files map[string]string, prefix string, c HeavyChart) {
	put := func(rel, data string) { files[prefix+rel] = data }
	put("Chart.yaml", heavyChartYAML(c))
	put("values.yaml", heavyValues(c))
	put(".helmignore", "# Patterns to ignore when building packages.\n.git/\n*.swp\n*.bak\n*.tmp\n*.orig\nci/\n")
	put("ci/test-values.yaml", "commonLabels:\n  ci: \"true\"\n")
	put("templates/_helpers.tpl", strings.ReplaceAll(heavyHelpers, "CHART", c.Name))
	put("templates/_pod.tpl", strings.ReplaceAll(heavyPod, "CHART", c.Name))
	for name, t := range heavyTemplates {
		put("templates/"+name, strings.ReplaceAll(t, "CHART", c.Name))
	}
	put("templates/NOTES.txt", "{{ include \""+c.Name+".fullname\" . }} is installed; {{ len .Values.components }} components.\n")
	for i := range c.Dashboards {
		put(fmt.Sprintf("dashboards/%s-%02d.json", c.Name, i+1), heavyDashboard(c.Name, i))
	}
	for i := range c.CRDs {
		put(fmt.Sprintf("crds/crd-%s-%02d.yaml", c.Name, i+1), heavyCRD(c.Name, i))
	}
	for _, s := range c.Subcharts {
		heavyFiles(files, prefix+"charts/"+s.Name+"/", s)
	}
}

func heavyChartYAML(c HeavyChart) string {
	var b strings.Builder
	fmt.Fprintf(&b, "apiVersion: v2\nname: %s\ndescription: A generated chart shaped like the big public monitoring charts.\ntype: application\nversion: %d.%d.0\nappVersion: v2.%d.1\nkubeVersion: \">=1.25.0-0\"\n", c.Name, 40+len(c.Name), c.Components, c.Rules%17)
	b.WriteString("keywords: [monitoring, generated]\nmaintainers:\n  - name: bench\n    email: bench@example.com\n")
	if len(c.Subcharts) > 0 {
		b.WriteString("dependencies:\n")
		for _, s := range c.Subcharts {
			fmt.Fprintf(&b, "  - name: %s\n    version: \"%d.%d.0\"\n    repository: https://charts.example.com/monitoring\n    condition: %s.enabled\n", s.Name, 40+len(s.Name), s.Components, heavyKey(s.Name))
		}
	}
	return b.String()
}

// heavyKey is the values key of a subchart (Helm looks a dependency's
// values up by its name).
func heavyKey(name string) string { return name }

var heavyWords = strings.Fields(`request latency error saturation queue ingest compactor querier
distributor ruler store gateway cache index chunk series sample tenant shard replica bucket
retention scrape target exporter alert route receiver silence inhibit dashboard panel`)

func word(i int) string { return heavyWords[i%len(heavyWords)] }

// title upper-cases the first letter of an ASCII word.
func title(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func heavyValues(c HeavyChart) string {
	var b strings.Builder
	b.WriteString(`# Generated values, shaped like the big public charts' values.yaml.
nameOverride: ""
fullnameOverride: ""
global:
  imageRegistry: registry.example.com
  imagePullSecrets: []
  clusterDomain: cluster.local
commonLabels:
  team: observability
  tier: monitoring
commonAnnotations:
  owner: "{{ .Release.Name }}-owners"
  release-namespace: "{{ .Release.Namespace }}"
serviceMonitor:
  enabled: true
  interval: 30s
  scrapeTimeout: 10s
  relabelings:
    - sourceLabels: [__meta_kubernetes_pod_node_name]
      targetLabel: node
    - sourceLabels: [__meta_kubernetes_namespace]
      targetLabel: namespace
podDisruptionBudget:
  enabled: true
  maxUnavailable: 1
autoscaling:
  enabled: true
  minReplicas: 2
  maxReplicas: 10
  targetCPUUtilizationPercentage: 75
networkPolicy:
  enabled: true
config:
  logLevel: info
  extra: |
    server:
      http_listen_port: {{ .Values.ports.http }}
      grpc_listen_port: {{ .Values.ports.grpc }}
    cluster: {{ .Release.Name }}.{{ .Release.Namespace }}.svc.{{ .Values.global.clusterDomain }}
ports:
  http: 8080
  grpc: 9095
  metrics: 9100
`)
	b.WriteString("components:\n")
	for i := range c.Components {
		name := fmt.Sprintf("%s-%s", word(i), word(i*7+3))
		kind := "Deployment"
		if i%3 == 2 {
			kind = "StatefulSet"
		}
		fmt.Fprintf(&b, `  %s:
    enabled: true
    kind: %s
    replicas: %d
    image:
      repository: acme/%s
      tag: v2.%d.%d
      pullPolicy: IfNotPresent
    args:
      - -target=%s
      - -config.file=/etc/config/config.yaml
      - -log.level={{ .Values.config.logLevel }}
      - -server.http-listen-port={{ .Values.ports.http }}
      - -memberlist.join={{ include "%s.fullname" . }}-gossip:7946
    env:
`, name, kind, 1+i%4, name, i, i*3%10, word(i), c.Name)
		for j := range 6 {
			fmt.Fprintf(&b, "      - name: %s_%d\n        value: \"%s-%d\"\n", strings.ToUpper(word(i+j)), j, word(i*j+1), j)
		}
		fmt.Fprintf(&b, `    resources:
      requests: {cpu: %dm, memory: %dMi}
      limits: {memory: %dMi}
    podAnnotations:
      checksum/config: "{{ .Values.config.logLevel | sha256sum | trunc 16 }}"
      component: %s
    nodeSelector:
      kubernetes.io/os: linux
    tolerations:
      - key: dedicated
        operator: Equal
        value: monitoring
        effect: NoSchedule
    affinity:
      podAntiAffinity:
        preferredDuringSchedulingIgnoredDuringExecution:
          - weight: 100
            podAffinityTerm:
              topologyKey: kubernetes.io/hostname
              labelSelector:
                matchLabels:
                  app.kubernetes.io/component: %s
    persistence:
      enabled: %t
      size: %dGi
      storageClass: standard
    extraVolumes:
      - name: tmp
        emptyDir: {}
      - name: rules
        configMap:
          name: "{{ include \"%s.fullname\" . }}-rules"
    extraVolumeMounts:
      - name: tmp
        mountPath: /tmp
      - name: rules
        mountPath: /etc/rules
        readOnly: true
`, 100+50*i, 128*(1+i%4), 256*(1+i%4), name, name, kind == "StatefulSet", 10*(1+i%5), c.Name)
	}
	b.WriteString("rules:\n")
	for g := 0; g*8 < c.Rules; g++ {
		fmt.Fprintf(&b, "  - name: %s.%s.rules\n    interval: 1m\n    rules:\n", c.Name, word(g))
		for r := g * 8; r < min(c.Rules, g*8+8); r++ {
			fmt.Fprintf(&b, `      - alert: %s%s%d
        expr: |
          sum by (namespace, job) (rate(%s_%s_total{job=~"{{ .Release.Name }}.*", status=~"5.."}[5m]))
            / sum by (namespace, job) (rate(%s_%s_total{job=~"{{ .Release.Name }}.*"}[5m])) > 0.0%d
        for: %dm
        labels:
          severity: %s
        annotations:
          summary: '%s %s is high in {{ "{{" }} $labels.namespace {{ "}}" }}'
          description: 'The %s rate of {{ "{{" }} $labels.job {{ "}}" }} has been above threshold for more than %d minutes, which usually means the %s path is overloaded or failing.'
          runbook_url: https://runbooks.example.com/%s/%s%d
`, title(word(r)), title(word(r+5)), r, word(r), word(r+1), word(r), word(r+1), 1+r%9, 5+r%10, []string{"warning", "critical", "info"}[r%3],
				word(r), word(r+2), word(r+3), 5+r%10, word(r+4), c.Name, word(r), r)
		}
	}
	for _, s := range c.Subcharts {
		fmt.Fprintf(&b, "%s:\n  enabled: true\n  commonLabels:\n    parent: %s\n", heavyKey(s.Name), c.Name)
	}
	return b.String()
}

const heavyHelpers = `{{/* Name of the chart, truncated to 63 characters. */}}
{{- define "CHART.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Fully qualified app name. */}}
{{- define "CHART.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "CHART.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Selector labels; the context is a dict with root and name. */}}
{{- define "CHART.selectorLabels" -}}
app.kubernetes.io/name: {{ include "CHART.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
{{- with .name }}
app.kubernetes.io/component: {{ . }}
{{- end }}
{{- end }}

{{/* Common labels; the context is a dict with root and name. */}}
{{- define "CHART.labels" -}}
helm.sh/chart: {{ include "CHART.chart" .root }}
{{ include "CHART.selectorLabels" . }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
app.kubernetes.io/part-of: {{ include "CHART.name" .root }}
{{- with .root.Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* Annotations rendered with tpl. */}}
{{- define "CHART.annotations" -}}
{{- $root := .root }}
{{- range $k, $v := .root.Values.commonAnnotations }}
{{ $k }}: {{ tpl $v $root | quote }}
{{- end }}
{{- end }}

{{- define "CHART.image" -}}
{{- $registry := .root.Values.global.imageRegistry }}
{{- printf "%s/%s:%s" $registry .image.repository (.image.tag | default .root.Chart.AppVersion) }}
{{- end }}

{{- define "CHART.componentName" -}}
{{- printf "%s-%s" (include "CHART.fullname" .root) .name | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "CHART.namespace" -}}
{{- default .Release.Namespace .Values.namespaceOverride }}
{{- end }}
`

const heavyPod = `{{/* The pod template of a component; context: dict root, name, c. */}}
{{- define "CHART.podTemplate" -}}
{{- $root := .root }}
metadata:
  labels:
    {{- include "CHART.selectorLabels" . | nindent 4 }}
  annotations:
    {{- range $k, $v := .c.podAnnotations }}
    {{ $k }}: {{ tpl (toString $v) $root | quote }}
    {{- end }}
    checksum/values: {{ toYaml .c | sha256sum }}
spec:
  serviceAccountName: {{ include "CHART.componentName" . }}
  {{- with $root.Values.global.imagePullSecrets }}
  imagePullSecrets:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  securityContext:
    runAsNonRoot: true
    runAsUser: 10001
    fsGroup: 10001
  containers:
    - name: {{ .name }}
      image: {{ include "CHART.image" (dict "root" $root "image" .c.image) }}
      imagePullPolicy: {{ .c.image.pullPolicy }}
      args:
        {{- range .c.args }}
        - {{ tpl . $root | quote }}
        {{- end }}
      env:
        {{- range .c.env }}
        - name: {{ .name }}
          value: {{ .value | quote }}
        {{- end }}
        - name: POD_NAME
          valueFrom:
            fieldRef:
              fieldPath: metadata.name
      ports:
        {{- range $pname, $port := $root.Values.ports }}
        - name: {{ $pname }}
          containerPort: {{ $port }}
          protocol: TCP
        {{- end }}
      readinessProbe:
        httpGet:
          path: /ready
          port: http
        initialDelaySeconds: 15
      resources:
        {{- toYaml .c.resources | nindent 8 }}
      volumeMounts:
        - name: config
          mountPath: /etc/config
        {{- tpl (toYaml .c.extraVolumeMounts) $root | nindent 8 }}
  {{- with .c.nodeSelector }}
  nodeSelector:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with .c.tolerations }}
  tolerations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with .c.affinity }}
  affinity:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  volumes:
    - name: config
      configMap:
        name: {{ include "CHART.componentName" . }}
    {{- tpl (toYaml .c.extraVolumes) $root | nindent 4 }}
{{- end }}
`

var heavyTemplates = map[string]string{
	"workloads.yaml": `{{- range $name, $c := .Values.components }}
{{- if $c.enabled }}
{{- $ctx := dict "root" $ "name" $name "c" $c }}
---
apiVersion: apps/v1
kind: {{ $c.kind }}
metadata:
  name: {{ include "CHART.componentName" $ctx }}
  namespace: {{ include "CHART.namespace" $ }}
  labels:
    {{- include "CHART.labels" $ctx | nindent 4 }}
  annotations:
    {{- include "CHART.annotations" $ctx | nindent 4 }}
spec:
  {{- if not $.Values.autoscaling.enabled }}
  replicas: {{ $c.replicas }}
  {{- end }}
  {{- if eq $c.kind "StatefulSet" }}
  serviceName: {{ include "CHART.componentName" $ctx }}-headless
  podManagementPolicy: Parallel
  {{- end }}
  selector:
    matchLabels:
      {{- include "CHART.selectorLabels" $ctx | nindent 6 }}
  template:
    {{- include "CHART.podTemplate" $ctx | nindent 4 }}
  {{- if and (eq $c.kind "StatefulSet") $c.persistence.enabled }}
  volumeClaimTemplates:
    - metadata:
        name: data
      spec:
        accessModes: [ReadWriteOnce]
        storageClassName: {{ $c.persistence.storageClass }}
        resources:
          requests:
            storage: {{ $c.persistence.size }}
  {{- end }}
{{- end }}
{{- end }}
`,
	"services.yaml": `{{- range $name, $c := .Values.components }}
{{- $ctx := dict "root" $ "name" $name "c" $c }}
---
apiVersion: v1
kind: Service
metadata:
  name: {{ include "CHART.componentName" $ctx }}
  labels:
    {{- include "CHART.labels" $ctx | nindent 4 }}
spec:
  type: ClusterIP
  ports:
    {{- range $pname, $port := $.Values.ports }}
    - name: {{ $pname }}
      port: {{ $port }}
      targetPort: {{ $pname }}
    {{- end }}
  selector:
    {{- include "CHART.selectorLabels" $ctx | nindent 4 }}
{{- if eq $c.kind "StatefulSet" }}
---
apiVersion: v1
kind: Service
metadata:
  name: {{ include "CHART.componentName" $ctx }}-headless
  labels:
    {{- include "CHART.labels" $ctx | nindent 4 }}
spec:
  clusterIP: None
  ports:
    - name: grpc
      port: {{ $.Values.ports.grpc }}
  selector:
    {{- include "CHART.selectorLabels" $ctx | nindent 4 }}
{{- end }}
{{- end }}
`,
	"serviceaccounts.yaml": `{{- range $name, $c := .Values.components }}
{{- $ctx := dict "root" $ "name" $name "c" $c }}
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: {{ include "CHART.componentName" $ctx }}
  labels:
    {{- include "CHART.labels" $ctx | nindent 4 }}
automountServiceAccountToken: false
{{- end }}
`,
	"configmaps.yaml": `{{- range $name, $c := .Values.components }}
{{- $ctx := dict "root" $ "name" $name "c" $c }}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ include "CHART.componentName" $ctx }}
  labels:
    {{- include "CHART.labels" $ctx | nindent 4 }}
data:
  config.yaml: |
    target: {{ $name }}
    log_level: {{ $.Values.config.logLevel }}
    {{- tpl $.Values.config.extra $ | nindent 4 }}
    limits:
      {{- toYaml $c.resources | nindent 6 }}
{{- end }}
`,
	"pdb.yaml": `{{- if .Values.podDisruptionBudget.enabled }}
{{- range $name, $c := .Values.components }}
{{- $ctx := dict "root" $ "name" $name "c" $c }}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {{ include "CHART.componentName" $ctx }}
  labels:
    {{- include "CHART.labels" $ctx | nindent 4 }}
spec:
  maxUnavailable: {{ $.Values.podDisruptionBudget.maxUnavailable }}
  selector:
    matchLabels:
      {{- include "CHART.selectorLabels" $ctx | nindent 6 }}
{{- end }}
{{- end }}
`,
	"hpa.yaml": `{{- if .Values.autoscaling.enabled }}
{{- range $name, $c := .Values.components }}
{{- if eq $c.kind "Deployment" }}
{{- $ctx := dict "root" $ "name" $name "c" $c }}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: {{ include "CHART.componentName" $ctx }}
  labels:
    {{- include "CHART.labels" $ctx | nindent 4 }}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: {{ include "CHART.componentName" $ctx }}
  minReplicas: {{ $.Values.autoscaling.minReplicas }}
  maxReplicas: {{ $.Values.autoscaling.maxReplicas }}
  metrics:
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: {{ $.Values.autoscaling.targetCPUUtilizationPercentage }}
{{- end }}
{{- end }}
{{- end }}
`,
	"servicemonitors.yaml": `{{- if and .Values.serviceMonitor.enabled (.Capabilities.APIVersions.Has "monitoring.coreos.com/v1") }}
{{- range $name, $c := .Values.components }}
{{- $ctx := dict "root" $ "name" $name "c" $c }}
---
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata:
  name: {{ include "CHART.componentName" $ctx }}
  labels:
    {{- include "CHART.labels" $ctx | nindent 4 }}
spec:
  endpoints:
    - port: metrics
      interval: {{ $.Values.serviceMonitor.interval }}
      scrapeTimeout: {{ $.Values.serviceMonitor.scrapeTimeout }}
      relabelings:
        {{- toYaml $.Values.serviceMonitor.relabelings | nindent 8 }}
  selector:
    matchLabels:
      {{- include "CHART.selectorLabels" $ctx | nindent 6 }}
{{- end }}
{{- end }}
`,
	"networkpolicy.yaml": `{{- if .Values.networkPolicy.enabled }}
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: {{ include "CHART.fullname" . }}
  labels:
    {{- include "CHART.labels" (dict "root" .) | nindent 4 }}
spec:
  podSelector:
    matchLabels:
      {{- include "CHART.selectorLabels" (dict "root" .) | nindent 6 }}
  ingress:
    - from:
        {{- range $name, $c := .Values.components }}
        - podSelector:
            matchLabels:
              app.kubernetes.io/component: {{ $name }}
        {{- end }}
{{- end }}
`,
	"rules.yaml": `{{- if .Values.rules }}
apiVersion: monitoring.coreos.com/v1
kind: PrometheusRule
metadata:
  name: {{ include "CHART.fullname" . }}
  labels:
    {{- include "CHART.labels" (dict "root" .) | nindent 4 }}
spec:
  groups:
    {{- range .Values.rules }}
    - name: {{ .name }}
      interval: {{ .interval }}
      rules:
        {{- range .rules }}
        - alert: {{ .alert }}
          expr: {{ tpl .expr $ | quote }}
          for: {{ .for }}
          labels:
            {{- toYaml .labels | nindent 12 }}
          annotations:
            {{- range $k, $v := .annotations }}
            {{ $k }}: {{ tpl $v $ | quote }}
            {{- end }}
        {{- end }}
    {{- end }}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ include "CHART.fullname" . }}-rules
  labels:
    {{- include "CHART.labels" (dict "root" .) | nindent 4 }}
data:
  rules.yaml: |
    {{- tpl (toYaml (dict "groups" .Values.rules)) . | nindent 4 }}
{{- end }}
`,
	"dashboards.yaml": `{{- range $path, $_ := .Files.Glob "dashboards/*.json" }}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ printf "%s-%s" (include "CHART.fullname" $) (base $path | trimSuffix ".json") | trunc 63 | trimSuffix "-" }}
  labels:
    {{- include "CHART.labels" (dict "root" $) | nindent 4 }}
    grafana_dashboard: "1"
data:
  {{ base $path }}: |-
    {{- $.Files.Get $path | nindent 4 }}
{{- end }}
`,
	"tests/test-connection.yaml": `apiVersion: v1
kind: Pod
metadata:
  name: {{ include "CHART.fullname" . }}-test
  annotations:
    helm.sh/hook: test
spec:
  restartPolicy: Never
  containers:
    - name: wget
      image: busybox:1.36
      args: [wget, "{{ include "CHART.fullname" . }}:{{ .Values.ports.http }}"]
`,
}

func heavyDashboard(chart string, n int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "{\n  \"title\": \"%s / %s %d\",\n  \"uid\": \"%s-%02d\",\n  \"schemaVersion\": 39,\n  \"tags\": [\"%s\", \"generated\"],\n  \"panels\": [\n", chart, word(n), n, chart, n, chart)
	panels := 40
	for p := range panels {
		fmt.Fprintf(&b, `    {
      "id": %d,
      "type": "timeseries",
      "title": "%s %s",
      "gridPos": {"h": 8, "w": 12, "x": %d, "y": %d},
      "datasource": {"type": "prometheus", "uid": "${datasource}"},
      "targets": [
        {"expr": "sum by (job, instance) (rate(%s_%s_total{cluster=\"$cluster\", namespace=\"$namespace\"}[$__rate_interval]))", "legendFormat": "{{instance}}", "refId": "A"},
        {"expr": "histogram_quantile(0.99, sum by (le) (rate(%s_duration_seconds_bucket{cluster=\"$cluster\"}[$__rate_interval])))", "legendFormat": "p99", "refId": "B"}
      ],
      "fieldConfig": {"defaults": {"unit": "reqps", "min": 0, "thresholds": {"mode": "absolute", "steps": [{"color": "green", "value": null}, {"color": "red", "value": %d}]}}, "overrides": []}
    }`, p+1, word(n+p), word(p), 12*(p%2), 8*(p/2), word(p), word(n), word(p+n), 80+p)
		if p < panels-1 {
			b.WriteString(",")
		}
		b.WriteString("\n")
	}
	b.WriteString("  ],\n  \"templating\": {\"list\": [{\"name\": \"datasource\", \"type\": \"datasource\", \"query\": \"prometheus\"}, {\"name\": \"cluster\", \"type\": \"query\"}, {\"name\": \"namespace\", \"type\": \"query\"}]}\n}\n")
	return b.String()
}

// heavyCRD is a CustomResourceDefinition with a deep, wide OpenAPI schema
// and long descriptions, like the operators' CRDs.
func heavyCRD(chart string, n int) string {
	kind := title(word(n)) + title(word(n+11))
	plural := strings.ToLower(kind) + "s"
	group := "monitoring." + chart + ".example.com"
	var b strings.Builder
	fmt.Fprintf(&b, `---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  annotations:
    controller-gen.kubebuilder.io/version: v0.16.1
    operator.example.com/version: 0.%d.0
  name: %s.%s
spec:
  group: %s
  names:
    categories:
    - monitoring
    kind: %s
    listKind: %sList
    plural: %s
    singular: %s
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    subresources:
      status: {}
    schema:
      openAPIV3Schema:
        description: %s defines the desired state of a generated monitoring component.
        type: object
        properties:
          apiVersion:
            description: 'APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values.'
            type: string
          kind:
            description: 'Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to.'
            type: string
          metadata:
            type: object
`, 70+n, plural, group, group, kind, kind, plural, strings.ToLower(kind), kind)
	b.WriteString("          spec:\n")
	crdSchema(&b, 12, 0, n)
	b.WriteString("          status:\n")
	crdSchema(&b, 12, 2, n+1)
	return b.String()
}

// crdSchema writes an object schema at indent: 6 properties a level, four
// levels deep, leaves of every scalar type with enums and formats.
func crdSchema(b *strings.Builder, indent, depth, seed int) {
	pad := strings.Repeat(" ", indent)
	fmt.Fprintf(b, "%sdescription: |-\n%s  %s configures the %s of the component. When unset, the operator\n%s  chooses a default based on the %s settings of the parent resource;\n%s  see the documentation for the interplay with %s and %s.\n",
		pad, pad, title(word(seed+depth)), word(seed+depth+1), pad, word(seed+2), pad, word(seed+3), word(seed+4))
	fmt.Fprintf(b, "%stype: object\n", pad)
	if depth >= 4 {
		fmt.Fprintf(b, "%sx-kubernetes-preserve-unknown-fields: true\n", pad)
		return
	}
	fmt.Fprintf(b, "%sproperties:\n", pad)
	for i := range 6 {
		name := word(seed+i*5+depth) + title(word(seed+i+depth*3))
		fmt.Fprintf(b, "%s  %s%d:\n", pad, name, i)
		in := indent + 4
		p := strings.Repeat(" ", in)
		switch i % 6 {
		case 0, 1:
			crdSchema(b, in, depth+1, seed+i)
		case 2:
			fmt.Fprintf(b, "%sdescription: The %s list; items are merged by name.\n%stype: array\n%sitems:\n", p, word(seed+i), p, p)
			crdSchema(b, in+2, depth+2, seed+i+1)
			fmt.Fprintf(b, "%sx-kubernetes-list-map-keys:\n%s- name\n%sx-kubernetes-list-type: map\n", p, p, p)
		case 3:
			fmt.Fprintf(b, "%sdescription: Duration as a Go duration string, e.g. 30s or 5m.\n%spattern: ^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$\n%stype: string\n", p, p, p)
		case 4:
			fmt.Fprintf(b, "%sdescription: Number of %s replicas.\n%sformat: int32\n%sminimum: 0\n%stype: integer\n", p, word(seed+i), p, p, p)
		default:
			fmt.Fprintf(b, "%sdescription: Mode of the %s.\n%senum:\n%s- \"\"\n%s- Enabled\n%s- Disabled\n%stype: string\n", p, word(seed+i), p, p, p, p, p)
		}
	}
	fmt.Fprintf(b, "%srequired:\n%s- %s0\n", pad, pad, word(seed+depth)+title(word(seed+depth*3)))
}

// HeavyApplication is the Application of heavy chart name: one source,
// the chart's own values only, as the heavy benchmark's `helm template`
// loop renders it.
func HeavyApplication(name string) string {
	return `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: ` + name + `
  namespace: argocd
spec:
  project: default
  source:
    repoURL: ` + GitopsURL + `
    targetRevision: HEAD
    path: charts/` + name + `
  destination:
    server: https://kubernetes.default.svc
    namespace: ` + name + `
`
}

// GenerateHeavyRepo writes dir/gitops-repo (and an empty
// dir/configs-repo) with the heavy charts and one Application each.
func GenerateHeavyRepo(dir string) error {
	g := filepath.Join(dir, "gitops-repo")
	if err := GenerateHeavy(filepath.Join(g, "charts")); err != nil {
		return err
	}
	files := map[string]string{
		filepath.Join(g, ".gitopsctl.yaml"):              Config,
		filepath.Join(g, "root-app.yaml"):                RootApp,
		filepath.Join(dir, "configs-repo", ".gitignore"): "*.local.env\n*.local.state\n",
	}
	for _, c := range HeavyCharts() {
		files[filepath.Join(g, "argo-apps", "clusters", "prod", c.Name+".yaml")] = HeavyApplication(c.Name)
	}
	for p, data := range files {
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			return err
		}
	}
	return nil
}
