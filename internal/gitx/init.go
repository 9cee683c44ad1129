package gitx

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// InitCommit is a repository initialised and committed by InitAndCommit.
type InitCommit struct {
	Dir     string
	Hash    string
	created bool // .git was created by this run
}

// InitAndCommit initialises dir as a git repository on branch main (or
// opens the existing one) and commits exactly the given files.
func InitAndCommit(dir string, files []string, msg string, author, committer object.Signature) (*InitCommit, error) {
	gc := &InitCommit{Dir: dir}
	repo, err := git.PlainOpen(dir)
	if errors.Is(err, git.ErrRepositoryNotExists) {
		repo, err = git.PlainInitWithOptions(dir, &git.PlainInitOptions{
			InitOptions: git.InitOptions{DefaultBranch: plumbing.NewBranchReferenceName("main")},
		})
		gc.created = err == nil
	}
	if err != nil {
		return gc, fmt.Errorf("git init %s: %w", dir, err)
	}
	wt, err := repo.Worktree()
	if err != nil {
		return gc, fmt.Errorf("git %s: %w", dir, err)
	}
	for _, f := range files {
		if _, err := wt.Add(filepath.ToSlash(f)); err != nil {
			return gc, fmt.Errorf("git add %s in %s: %w", f, dir, err)
		}
	}
	h, err := wt.Commit(msg, &git.CommitOptions{Author: &author, Committer: &committer})
	if err != nil {
		return gc, fmt.Errorf("git commit in %s: %w", dir, err)
	}
	gc.Hash = h.String()
	return gc, nil
}

// Undo removes a .git directory this run created.
func (g *InitCommit) Undo() {
	if g != nil && g.created {
		_ = os.RemoveAll(filepath.Join(g.Dir, ".git"))
	}
}
