package kustomize

import (
	"strings"
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

// A name template from the repository cannot read the environment.
func TestTemplateNameReadsNoEnvironment(t *testing.T) {
	t.Setenv("GITOPSCTL_TEST_SECRET", "s3cr3t")
	for _, tpl := range []string{`{{ env "GITOPSCTL_TEST_SECRET" }}`, `{{ expandenv "$GITOPSCTL_TEST_SECRET" }}`} {
		got, err := templateName(tpl)
		if err == nil || strings.Contains(got, "s3cr3t") || !strings.Contains(err.Error(), "not defined") {
			t.Errorf("%s: got %q, %v; want an error naming the function as not defined", tpl, got, err)
		}
	}
}
