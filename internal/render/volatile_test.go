package render

import (
	"strings"
	"testing"

	"helm.sh/helm/v3/pkg/chart"
)

func TestVolatileCall(t *testing.T) {
	for text, want := range map[string]string{
		"a: {{ randAlphaNum 8 }}":                           "randAlphaNum",
		"t: {{ now | date \"2006\" }}":                      "now",
		"{{- $ca := genCA \"x\" 365 }}":                     "genCA",
		"{{ .Values.a | b64enc }} {{ uuidv4 }}":             "uuidv4",
		"# now is the time\na: {{ .Values.now }}":           "", // a field named now, and text outside actions
		"a: {{ .Values.known }} {{ .Values.random }}":       "",
		"{{ include \"x\" . }}":                             "",
		"{{ htpasswd .Values.user .Values.pass }} ":         "htpasswd",
		"unterminated {{ shuffle \"abc\"":                   "shuffle",
		"{{/* set now, shuffle later */}}":                  "",
		"{{ include \"now-helper\" . }}":                    "",
		"{{ default \"randAlpha\" .Values.x }} {{ `now` }}": "",
		"{{ .Values.t | ago }}":                             "ago",
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
	g.checkChart(top, nil, true, nil)
	if g.reason() != "" {
		t.Fatalf("a plain chart refused: %s", g.reason())
	}
	top.SetDependencies(sub)
	g.checkChart(top, nil, true, nil)
	if r := g.reason(); !strings.Contains(r, "chart top/sub: templates/s.yaml calls randNumeric") {
		t.Errorf("a subchart's random value: %q", r)
	}

	for schema, refused := range map[string]bool{
		`{"properties": {"a": {"$ref": "#/definitions/a"}}}`:                                 false,
		`{"$ref": "urn:example:x"}`:                                                          false,
		`{"properties": {"a": {"$ref": "https://example.com/s.json"}}}`:                      true,
		`{"allOf": [{"$ref": "defs.json#/a"}]}`:                                              true,
		`{"properties": {"a": {"$ref": "file:///etc/schemas/a.json"}}}`:                      true,
		`{"$id": "http://127.0.0.1:9/s/root.json", "properties": {"a": {"$ref": "a.json"}}}`: true,
		`{"$schema": "file:///schemas/meta.json"}`:                                           true,
		`{"$schema": "http://json-schema.org/draft-07/schema#"}`:                             false,
		`{"properties": {"a": {"default": {"$ref": "x.json"}, "enum": [{"$ref": "y"}]}}}`:    false,
	} {
		var g replayGuard
		app := &App{}
		g.checkChart(&chart.Chart{Metadata: &chart.Metadata{Name: "c"}, Schema: []byte(schema)}, nil, true, app)
		if (g.reason() != "") != refused || g.loadsOutside(app) != refused {
			t.Errorf("schema %s: reason %q, uncached %v, want refused=%v", schema, g.reason(), g.loadsOutside(app), refused)
		}
		var skip replayGuard
		skip.checkChart(&chart.Chart{Metadata: &chart.Metadata{Name: "c"}, Schema: []byte(schema)}, nil, false, app)
		if skip.reason() != "" {
			t.Errorf("schema %s refused with validation skipped", schema)
		}
	}

	// tpl runs values and chart files as templates: they count then.
	tplChart := func() *chart.Chart {
		return &chart.Chart{Metadata: &chart.Metadata{Name: "t"},
			Templates: []*chart.File{{Name: "templates/t.yaml", Data: []byte("a: {{ tpl .Values.a . }}")}},
			Files:     []*chart.File{{Name: "files/x.tpl", Data: []byte("x: 1")}}}
	}
	for _, tc := range []struct {
		name string
		vals map[string]any
		file string
		want string
	}{
		{"plain values", map[string]any{"a": "{{ .Release.Name }}"}, "x: 1", ""},
		{"a value", map[string]any{"a": []any{"{{ randAlphaNum 12 }}"}}, "x: 1", "a value, which tpl may run, calls randAlphaNum"},
		{"a file", map[string]any{"a": "b"}, "x: {{ uuidv4 }}", "files/x.tpl, which tpl may run, calls uuidv4"},
	} {
		c := tplChart()
		c.Files[0].Data = []byte(tc.file)
		var g replayGuard
		g.checkChart(c, tc.vals, true, nil)
		if r := g.reason(); !strings.Contains(r, tc.want) || (tc.want == "") != (r == "") {
			t.Errorf("tpl, %s: %q, want %q", tc.name, r, tc.want)
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

// --offline refuses what the validator would fetch: a relative $ref under
// a URL $id, and a $schema that is not a json-schema.org draft.
func TestOfflineSchemaRefsResolve(t *testing.T) {
	for schema, want := range map[string]string{
		`{"$id": "https://example.com/s/root.json", "properties": {"a": {"$ref": "a.json#/x"}}}`: "c: https://example.com/s/a.json",
		`{"$schema": "https://example.com/meta.json"}`:                                           "c: https://example.com/meta.json",
		`{"$schema": "https://json-schema.org/draft/2020-12/schema"}`:                            "",
		`{"properties": {"a": {"$ref": "local.json"}}}`:                                          "",
	} {
		got := strings.Join(offlineSchemaRefs(&chart.Chart{Metadata: &chart.Metadata{Name: "c"}, Schema: []byte(schema)}), ",")
		if got != want {
			t.Errorf("%s: %q, want %q", schema, got, want)
		}
	}
}

// Only what the rendered templates reach counts: a library chart's helper
// nobody includes does not stop replay; one that is included does, through
// include, template, chains of defines and the subcharts' shared namespace.
func TestReachVolatile(t *testing.T) {
	lib := func() *chart.Chart {
		return &chart.Chart{Metadata: &chart.Metadata{Name: "common", Type: "library"},
			Templates: []*chart.File{{Name: "templates/_secrets.tpl", Data: []byte(
				`{{- define "common.secret" -}}{{ randAlphaNum 10 }}{{- end -}}` +
					`{{- define "common.name" -}}{{ .Chart.Name }}{{- end -}}` +
					`{{- define "common.chain" -}}{{ include "common.secret" . }}{{- end -}}` +
					`{{ now }}`)}}} // outside any define in a partial: never rendered
	}
	for _, tc := range []struct {
		name, tmpl string
		want       string
	}{
		{"helper unused", `name: {{ include "common.name" . }}`, ""},
		{"helper included", `pw: {{ include "common.secret" . | b64enc }}`, "randAlphaNum"},
		{"helper through template", `pw: {{ template "common.secret" . }}`, "randAlphaNum"},
		{"helper through another", `pw: {{ include "common.chain" . }}`, "randAlphaNum"},
		{"a name worked out", `pw: {{ include (printf "common.%s" .Values.kind) . }}`, "randAlphaNum"},
		{"in a branch", `{{ if .Values.x }}{{ else }}t: {{ now | date "2006" }}{{ end }}`, "now"},
		{"as an argument", `t: {{ default now .Values.t }}`, "now"},
	} {
		top := &chart.Chart{Metadata: &chart.Metadata{Name: "app"},
			Templates: []*chart.File{{Name: "templates/cm.yaml", Data: []byte(tc.tmpl)}}}
		top.SetDependencies(lib())
		var g replayGuard
		g.checkChart(top, nil, true, nil)
		got := g.reason()
		if ok := got == "" && tc.want == "" || tc.want != "" && strings.HasSuffix(got, "calls "+tc.want); !ok {
			t.Errorf("%s: %q, want a call of %q", tc.name, got, tc.want)
		}
	}
	// A template that does not parse is scanned as text.
	bad := &chart.Chart{Metadata: &chart.Metadata{Name: "bad"},
		Templates: []*chart.File{{Name: "templates/x.yaml", Data: []byte("{{ if }} {{ uuidv4 }}")}}}
	var g replayGuard
	g.checkChart(bad, nil, true, nil)
	if got := g.reason(); got != "chart bad: templates/x.yaml calls uuidv4" {
		t.Errorf("unparsable template: %q", got)
	}
}
