package render

import (
	"strings"
	"testing"

	"github.com/gitopsctl/gitopsctl/internal/config"
)

func stagedChart() StagedChart {
	return StagedChart{
		Dir: "charts/web",
		Files: []StagedFile{
			{Name: "Chart.yaml", Data: []byte("apiVersion: v2\nname: web\nversion: 0.1.0\n")},
			{Name: "values.yaml", Data: []byte("a: chart\nb: chart\nc: {p: chart, q: chart}\n")},
			{Name: "templates/cm.yaml", Data: []byte("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\ndata:\n  a: {{ .Values.a }}\n  b: {{ .Values.b }}\n  cx: {{ .Values.c.p }}\n  cy: {{ .Values.c.q }}\n  kube: {{ .Capabilities.KubeVersion.Version }}\n  ns: {{ .Release.Namespace }}\n---\n# only a comment\n")},
		},
		ValueFiles: []StagedFile{
			{Name: "web/config.yaml", Data: []byte("a: config\nc: {p: config}\n")},
			{Name: "/abs/web/secrets.yaml", Data: []byte("b: secrets\n")},
		},
		ReleaseName: "web", Namespace: "team",
		Capabilities: config.Capabilities{KubeVersion: "v1.29.3"},
	}
}

func TestRenderStaged(t *testing.T) {
	objs, err := RenderStaged(stagedChart())
	if err != nil {
		t.Fatal(err)
	}
	if len(objs) != 1 {
		t.Fatalf("%d objects", len(objs))
	}
	o := objs[0]
	got := o.Object.Object["data"].(map[string]any)
	want := map[string]string{"a": "config", "b": "secrets", "cx": "config", "cy": "chart", "kube": "v1.29.3", "ns": "team"}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("data.%s = %v, want %s", k, got[k], v)
		}
	}
	if o.Object.GetName() != "web" || o.Source != "web/templates/cm.yaml" {
		t.Errorf("object %s from %s", o.Object.GetName(), o.Source)
	}
}

func TestRenderStagedErrors(t *testing.T) {
	sc := stagedChart()
	sc.ValueFiles[1].Data = []byte("b: [\n")
	_, err := RenderStaged(sc)
	if err == nil || !strings.HasPrefix(err.Error(), "/abs/web/secrets.yaml:") || !strings.Contains(err.Error(), "failed to parse value file /abs/web/secrets.yaml") {
		t.Errorf("bad value file: %v", err)
	}
	sc = stagedChart()
	sc.Files[2].Data = []byte("{{ .Values.a.b.c }}\n")
	_, err = RenderStaged(sc)
	if err == nil || !strings.HasPrefix(err.Error(), "charts/web/templates/cm.yaml:1: ") {
		t.Errorf("bad template: %v", err)
	}
	sc = stagedChart()
	sc.Capabilities.KubeVersion = "not-a-version"
	if _, err = RenderStaged(sc); err == nil || !strings.Contains(err.Error(), `invalid kube version "not-a-version"`) {
		t.Errorf("bad capabilities: %v", err)
	}
	sc = stagedChart()
	sc.Files = append(sc.Files, StagedFile{Name: "../x.yaml"})
	if _, err = RenderStaged(sc); err == nil || !strings.Contains(err.Error(), "outside the chart") {
		t.Errorf("file outside: %v", err)
	}
}
