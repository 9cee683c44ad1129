package scaffold

import (
	"context"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing/object"
)

func TestInitGitCommitsBothRepos(t *testing.T) {
	t.Setenv("HOME", t.TempDir())
	env := map[string]string{"GIT_AUTHOR_NAME": "Ada", "GIT_AUTHOR_EMAIL": "ada@example.com"}
	root := t.TempDir()
	res, err := Init(context.Background(), InitOptions{
		RepoDir: filepath.Join(root, "gitops-repo"), Registry: "ghcr.io/acme", Platform: true, Git: true,
		Now: testNow, Getenv: func(k string) string { return env[k] },
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range []RepoResult{res.Repo, res.Configs} {
		repo, err := git.PlainOpen(r.Dir)
		if err != nil {
			t.Fatal(err)
		}
		head, err := repo.Head()
		if err != nil {
			t.Fatal(err)
		}
		if head.Name().Short() != "main" || head.Hash().String() != r.Commit {
			t.Errorf("%s: HEAD %s %s, want main %s", r.Dir, head.Name(), head.Hash(), r.Commit)
		}
		c, err := repo.CommitObject(head.Hash())
		if err != nil {
			t.Fatal(err)
		}
		// No committer in the environment: the author commits.
		if c.Author.Name != "Ada" || c.Author.Email != "ada@example.com" || c.Committer.Email != "ada@example.com" || !c.Author.When.Equal(testNow()) {
			t.Errorf("%s: author %v committer %v", r.Dir, c.Author, c.Committer)
		}
		tree, _ := c.Tree()
		var files []string
		_ = tree.Files().ForEach(func(f *object.File) error { files = append(files, f.Name); return nil })
		sort.Strings(files)
		if strings.Join(files, "\n") != strings.Join(r.Files, "\n") {
			t.Errorf("%s: committed %v, wrote %v", r.Dir, files, r.Files)
		}
		if _, err := exec.LookPath("git"); err == nil {
			out, err := exec.Command("git", "-C", r.Dir, "status", "--porcelain").CombinedOutput()
			if err != nil || len(out) != 0 {
				t.Errorf("%s: git status: %v %s", r.Dir, err, out)
			}
		}
	}
}
