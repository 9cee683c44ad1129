package gitx

import (
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing/transport/http"
)

func TestAuth(t *testing.T) {
	env := map[string]string{"HOME": t.TempDir()}
	getenv := func(k string) string { return env[k] }

	if a, err := Auth("/srv/git/repo.git", getenv); a != nil || err != nil {
		t.Errorf("local path: %v %v", a, err)
	}
	if a, err := Auth("https://github.com/acme/gitops-repo.git", getenv); a != nil || err != nil {
		t.Errorf("https without token: %v %v", a, err)
	}
	env["GH_TOKEN"] = "gh"
	env["GITHUB_TOKEN"] = "github"
	a, err := Auth("https://github.com/acme/gitops-repo.git", getenv)
	if b, ok := a.(*http.BasicAuth); err != nil || !ok || b.Password != "github" || b.Username != "x-access-token" {
		t.Errorf("GITHUB_TOKEN: %#v %v", a, err)
	}
	env["GITOPSCTL_GIT_TOKEN"] = "ours"
	env["GITOPSCTL_GIT_USER"] = "oauth2"
	a, _ = Auth("https://gitlab.example.com/acme/gitops-repo.git", getenv)
	if b, ok := a.(*http.BasicAuth); !ok || b.Password != "ours" || b.Username != "oauth2" {
		t.Errorf("GITOPSCTL_GIT_TOKEN: %#v", a)
	}
	if _, err := Auth("git@github.com:acme/gitops-repo.git", getenv); err == nil || !strings.Contains(err.Error(), "no SSH credentials") {
		t.Errorf("ssh without agent or key: %v", err)
	}
}
