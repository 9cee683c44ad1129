package gitx

import (
	"testing"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing/object"
)

func TestGitIdentities(t *testing.T) {
	t.Setenv("HOME", t.TempDir())
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	env := map[string]string{"GIT_AUTHOR_NAME": "A", "GIT_AUTHOR_EMAIL": "a@x", "GIT_COMMITTER_NAME": "C", "GIT_COMMITTER_EMAIL": "c@x"}
	a, c, err := Identities(t.TempDir(), IdentityOptions{Getenv: func(k string) string { return env[k] }})
	if err != nil || a != (object.Signature{Name: "A", Email: "a@x"}) || c != (object.Signature{Name: "C", Email: "c@x"}) {
		t.Errorf("got %v %v %v", a, c, err)
	}
	delete(env, "GIT_AUTHOR_EMAIL")
	if _, _, err := Identities(t.TempDir(), IdentityOptions{Getenv: func(k string) string { return env[k] }}); err != ErrNoIdentity {
		t.Errorf("err = %v, want ErrNoIdentity", err)
	}
}

// An existing repository's local user.name/user.email count, below the
// environment.
func TestGitIdentityFromRepoConfig(t *testing.T) {
	t.Setenv("HOME", t.TempDir())
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	dir := t.TempDir()
	repo, err := git.PlainInit(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	cfg, _ := repo.Config()
	cfg.User.Name, cfg.User.Email = "Local", "local@x"
	if err := repo.SetConfig(cfg); err != nil {
		t.Fatal(err)
	}
	a, _, err := Identities(dir, IdentityOptions{Getenv: func(k string) string {
		if k == "GIT_AUTHOR_NAME" {
			return "Env"
		}
		return ""
	}})
	if err != nil || a != (object.Signature{Name: "Env", Email: "local@x"}) {
		t.Errorf("author %v, err %v", a, err)
	}
}
