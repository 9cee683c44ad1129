package kustomize

import (
	"testing"

	"helm.sh/helm/v3/pkg/action"
)

// A release name template renders as helm's --name-template renders it.
func TestTemplateNameAsHelm(t *testing.T) {
	for _, tpl := range []string{
		"web",
		`{{ "web" | upper }}-{{ add 1 2 }}`,
		`{{ printf "%s-%s" "a" "b" | trunc 3 }}`,
		`{{ .Missing }}`,
		`{{ "unclosed" `,
		`{{ fail "no" }}`,
	} {
		got, err := templateName(tpl)
		want, werr := action.TemplateName(tpl)
		if got != want || (err == nil) != (werr == nil) || (err != nil && err.Error() != werr.Error()) {
			t.Errorf("%q: got %q, %v; helm %q, %v", tpl, got, err, want, werr)
		}
	}
}
