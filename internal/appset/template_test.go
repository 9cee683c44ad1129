package appset

import (
	"strings"
	"testing"
)

// Cases follow TestRenderTemplateParams, TestRenderTemplateParamsGoTemplate
// and Test_Render_Replace_no_panic_on_missing_closing_brace in Argo CD's
// applicationset/utils/utils_test.go.
func TestReplaceFasttemplate(t *testing.T) {
	tests := []struct {
		name, in string
		params   map[string]any
		want     string
		wantErr  string
	}{
		{name: "simple", in: "{{one}}", params: map[string]any{"one": "two"}, want: "two"},
		{name: "whitespace in tag", in: "{{ one }}", params: map[string]any{"one": "two"}, want: "two"},
		{name: "braces but no template", in: "}} {{", params: map[string]any{"one": "two"}, want: "}} {{"},
		{name: "empty tag kept", in: "{{ }}", params: map[string]any{" ": "two", "": "three"}, want: "{{ }}"},
		{name: "unknown key kept", in: "{{one}}", params: map[string]any{"{{one}}": "{{one}}"}, want: "{{one}}"},
		{name: "not a string kept", in: "{{n}}-x", params: map[string]any{"n": 3}, want: "{{n}}-x"},
		{name: "flattened key with dots and brackets", in: "{{path[0]}}/{{path.basename}}", params: map[string]any{"path[0]": "apps", "path.basename": "web"}, want: "apps/web"},
		{name: "no recursion", in: "{{a}}", params: map[string]any{"a": "{{b}}", "b": "x"}, want: "{{b}}"},
		{name: "open brace without close on the templated line", in: "{{a}} {{", params: map[string]any{"a": "x"}, wantErr: "cannot find end tag"},
		{name: "braces on different lines are not templated", in: "{{\n}}", params: map[string]any{"a": "x"}, want: "{{\n}}"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := replace(tt.in, tt.params, false, nil)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("replace(%q) = %q, %v; want error %q", tt.in, got, err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("replace(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestReplaceGoTemplate(t *testing.T) {
	tests := []struct {
		name, in string
		params   map[string]any
		opts     []string
		want     string
		wantErr  string
	}{
		{name: "simple", in: "{{ .one }}", params: map[string]any{"one": "two"}, want: "two"},
		{name: "depth", in: "{{ .image.name }}:{{ .image.version }}", params: map[string]any{"image": map[string]any{"name": "busybox", "version": "latest"}}, want: "busybox:latest"},
		{name: "if", in: "{{ if .hpa.enabled }}{{ .hpa.max }}{{ else }}{{ .replicas }}{{ end }}", params: map[string]any{"replicas": 3, "hpa": map[string]any{"enabled": false, "max": 5}}, want: "3"},
		{name: "missingkey=default", in: "--> {{.nope}} <--", params: map[string]any{"x": "y"}, want: "--> <no value> <--"},
		{name: "missingkey=zero on a map of any", in: "--> {{.nope}} <--", params: map[string]any{"x": "y"}, opts: []string{"missingkey=zero"}, want: "--> <no value> <--"},
		{name: "missingkey=error", in: "{{.nope}}", params: map[string]any{"x": "y"}, opts: []string{"missingkey=error"}, wantErr: `map has no entry for key "nope"`},
		{name: "unknown function", in: "{{functiondoesnotexist}}", params: map[string]any{"x": "y"}, wantErr: `function "functiondoesnotexist" not defined`},
		{name: "sprig upper and default", in: `{{ .name | upper }}-{{ .none | default "d" }}`, params: map[string]any{"name": "web"}, want: "WEB-d"},
		{name: "sprig env removed", in: `{{ env "HOME" }}`, params: map[string]any{"x": "y"}, wantErr: `function "env" not defined`},
		{name: "sprig expandenv removed", in: `{{ expandenv "$HOME" }}`, params: map[string]any{"x": "y"}, wantErr: `function "expandenv" not defined`},
		{name: "sprig getHostByName removed", in: `{{ getHostByName "localhost" }}`, params: map[string]any{"x": "y"}, wantErr: `function "getHostByName" not defined`},
		{name: "normalize", in: `{{ normalize .n }}`, params: map[string]any{"n": "My_App.Name-"}, want: "my-app.name"},
		{name: "toYaml", in: `{{ toYaml . | indent 2 }}`, params: map[string]any{"foo": map[string]any{"bar": map[string]any{"bool": true, "number": 2, "str": "Hello world"}}}, want: "  foo:\n    bar:\n      bool: true\n      number: 2\n      str: Hello world"},
		{name: "fromYaml", in: `{{ get (fromYaml .value) "hello" }}`, params: map[string]any{"value": "hello: world"}, want: "world"},
		{name: "fromYamlArray", in: `{{ fromYamlArray .value | last }}`, params: map[string]any{"value": "- a\n- b"}, want: "b"},
		// TestSlugify in Argo CD's utils_test.go.
		{name: "slugify", in: `{{ slugify .n }}`, params: map[string]any{"n": "Hello, World!"}, want: "hello-world"},
		{name: "slugify max and smart truncate", in: `{{ slugify 10 true .n }}`, params: map[string]any{"n": "abcdef ghijkl mnop"}, want: "abcdef"},
		{name: "slugify max without smart truncate", in: `{{ slugify 10 false .n }}`, params: map[string]any{"n": "abcdef ghijkl mnop"}, want: "abcdef-ghi"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := replace(tt.in, tt.params, true, tt.opts)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("replace(%q) = %q, %v; want error %q", tt.in, got, err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("replace(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestSanitizeName(t *testing.T) {
	for in, want := range map[string]string{
		"Guestbook":              "guestbook",
		"my_app":                 "my-app",
		"--a.b--":                "a.b",
		strings.Repeat("a", 300): strings.Repeat("a", 253),
		"apps/web":               "apps-web",
	} {
		if got := SanitizeName(in); got != want {
			t.Errorf("SanitizeName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCheckOptions(t *testing.T) {
	if err := checkOptions([]string{"missingkey=error", "missingkey=zero", "missingkey=default", "missingkey=invalid"}); err != nil {
		t.Fatal(err)
	}
	if err := checkOptions([]string{"missingkey=maybe"}); err == nil || !strings.Contains(err.Error(), `unknown option "missingkey=maybe"`) {
		t.Fatalf("got %v", err)
	}
}

func TestRenderValueKeysAndNulls(t *testing.T) {
	in := map[string]any{
		"labels": map[string]any{"{{k}}": "{{v}}", "dropped": nil},
		"list":   []any{"{{v}}", 3.0, true},
	}
	got, err := renderValue(in, map[string]any{"k": "team", "v": "a"}, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	m := got.(map[string]any)
	labels := m["labels"].(map[string]any)
	if len(labels) != 1 || labels["team"] != "a" {
		t.Fatalf("labels = %v", labels)
	}
	list := m["list"].([]any)
	if list[0] != "a" || list[1] != 3.0 || list[2] != true {
		t.Fatalf("list = %v", list)
	}
}
