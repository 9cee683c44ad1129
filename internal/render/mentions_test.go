package render

import (
	"regexp"
	"testing"
)

// TestMentionsAppsAsPattern: the hand-written scanner answers what the
// regular expression it replaces answers.
func TestMentionsAppsAsPattern(t *testing.T) {
	re := regexp.MustCompile(kindPattern)
	cases := []string{
		"", "kind", "kind:", "kind: Application", "kind:Application", "kind : AppProject",
		"kind: Deployment", "# an Application", "name: Application", "mykind: Application",
		"my_kind: Application", "x-kind: Application", `"kind": "Application"`, `'kind': 'AppProject'`,
		"kind: {{ .Values.kind }}", "kind: \"{{ .Values.kind }}\"", "kind:\n  Application",
		"kind\t:\tApplication", "kind: ApplicationSet", "kind: Appl", "kind kind: Application",
		"kindkind: Application", "kind:: Application", `kind"": Application`, "kind: 'Application",
		"apiVersion: v1\nkind: ConfigMap\n---\nkind: Application\n", "Kind: Application",
		"kind:\r\n\fApplication", "{{- if .Values.x }}\nkind: Service\n{{- end }}", "kind: { {",
		"2kind: Application", "ékind: Application", "kind\u00a0: Application",
	}
	for _, c := range cases {
		if got, want := mentionsApps(c), re.MatchString(c); got != want {
			t.Errorf("mentionsApps(%q) = %v, the pattern says %v", c, got, want)
		}
	}
}
