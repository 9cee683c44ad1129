package render

import (
	"strings"
	"testing"

	"helm.sh/helm/v3/pkg/chart"
)

func TestVolatileCall(t *testing.T) {
	for text, want := range map[string]string{
		"a: {{ randAlphaNum 8 }}":                     "randAlphaNum",
		"t: {{ now | date \"2006\" }}":                "now",
		"{{- $ca := genCA \"x\" 365 }}":               "genCA",
		"{{ .Values.a | b64enc }} {{ uuidv4 }}":       "uuidv4",
		"# now is the time\na: {{ .Values.now }}":     "", // a field named now, and text outside actions
		"a: {{ .Values.known }} {{ .Values.random }}": "",
		"{{ include \"x\" . }}":                       "",
		"{{ htpasswd .Values.user .Values.pass }} ":   "htpasswd",
		"unterminated {{ shuffle \"abc\"":             "shuffle",
	} {
		if got := volatileCall([]byte(text)); got != want {
			t.Errorf("%q: %q, want %q", text, got, want)
		}
	}
}

func TestReplayGuard(t *testing.T) {
	sub := &chart.Chart{Metadata: &chart.Metadata{Name: "sub"}, Templates: []*chart.File{{Name: "templates/s.yaml", Data: []byte("s: {{ randNumeric 3 }}")}}}
	top := &chart.Chart{Metadata: &chart.Metadata{Name: "top"}, Templates: []*chart.File{{Name: "templates/a.yaml", Data: []byte("a: {{ .Values.a }}")}}}
	var g replayGuard
	g.checkChart(top, true, nil)
	if g.reason() != "" {
		t.Fatalf("a plain chart refused: %s", g.reason())
	}
	top.SetDependencies(sub)
	g.checkChart(top, true, nil)
	if r := g.reason(); !strings.Contains(r, "chart top/sub: templates/s.yaml calls randNumeric") {
		t.Errorf("a subchart's random value: %q", r)
	}

	for schema, refused := range map[string]bool{
		`{"properties": {"a": {"$ref": "#/definitions/a"}}}`:            false,
		`{"$ref": "urn:example:x"}`:                                     false,
		`{"properties": {"a": {"$ref": "https://example.com/s.json"}}}`: true,
		`{"allOf": [{"$ref": "defs.json#/a"}]}`:                         true,
		`{"properties": {"a": {"$ref": "file:///etc/schemas/a.json"}}}`: true,
	} {
		var g replayGuard
		app := &App{}
		g.checkChart(&chart.Chart{Metadata: &chart.Metadata{Name: "c"}, Schema: []byte(schema)}, true, app)
		if (g.reason() != "") != refused || g.loadsOutside(app) != refused {
			t.Errorf("schema %s: reason %q, uncached %v, want refused=%v", schema, g.reason(), g.loadsOutside(app), refused)
		}
		var skip replayGuard
		skip.checkChart(&chart.Chart{Metadata: &chart.Metadata{Name: "c"}, Schema: []byte(schema)}, false, app)
		if skip.reason() != "" {
			t.Errorf("schema %s refused with validation skipped", schema)
		}
	}

	var a replayGuard
	a.checkAppSet("plain", map[string]any{"spec": map[string]any{"template": map[string]any{"metadata": map[string]any{"name": "{{ randAlpha 3 }}"}}}})
	if a.reason() != "" {
		t.Errorf("a fasttemplate ApplicationSet refused: %s", a.reason())
	}
	a.checkAppSet("go", map[string]any{"spec": map[string]any{"goTemplate": true, "template": map[string]any{"metadata": map[string]any{"labels": []any{"{{ now | date \"2006\" }}"}}}}})
	if r := a.reason(); r != "ApplicationSet go calls now" {
		t.Errorf("a goTemplate ApplicationSet: %q", r)
	}
}
