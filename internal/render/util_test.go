package render

import "testing"

func TestNormalizeURL(t *testing.T) {
	want := "github.com/acme/repo"
	for _, u := range []string{
		"https://github.com/acme/repo.git", "https://github.com/Acme/Repo", "https://github.com/acme/repo/",
		"git@github.com:acme/repo.git", "ssh://git@github.com:22/acme/repo.git", "https://user@github.com/acme/repo",
	} {
		if got := NormalizeURL(u); got != want {
			t.Errorf("NormalizeURL(%q) = %q, want %q", u, got, want)
		}
	}
	if NormalizeURL("https://github.com/acme/other") == want {
		t.Error("different repositories must differ")
	}
}

func TestEnvsubst(t *testing.T) {
	env := map[string]string{"ARGOCD_APP_NAME": "web"}
	for in, want := range map[string]string{
		"$ARGOCD_APP_NAME/values.yaml": "web/values.yaml",
		"${ARGOCD_APP_NAME}-x":         "web-x",
		"$UNKNOWN/x":                   "/x",
		"$$5":                          "$5",
		"no vars":                      "no vars",
	} {
		if got := Envsubst(in, env); got != want {
			t.Errorf("Envsubst(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestEscapeSetValue(t *testing.T) {
	for in, want := range map[string]string{"a,b": `a\,b`, `a\,b`: `a\,b`, "{a,b}": "{a,b}", "plain": "plain"} {
		if got := escapeSetValue(in); got != want {
			t.Errorf("escapeSetValue(%q) = %q, want %q", in, got, want)
		}
	}
}
