package scaffold

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/go-git/go-git/v5"
	gitconfig "github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// Identity is who a commit is by.
type Identity struct {
	Name  string `json:"name"`
	Email string `json:"email"`
}

// ErrNoIdentity is returned when no commit author can be determined.
var ErrNoIdentity = errors.New("no git identity: set GIT_AUTHOR_NAME and GIT_AUTHOR_EMAIL, or run git config --global user.name NAME and git config --global user.email EMAIL")

// gitIdentities resolves author and committer the way git does: the
// GIT_AUTHOR_* / GIT_COMMITTER_* environment first, then user.name and
// user.email from the local config of an existing repository in dir (if
// any), then from the global git config.
func gitIdentities(getenv func(string) string, dir string) (author, committer Identity, err error) {
	var global Identity
	if cfg, cerr := gitconfig.LoadConfig(gitconfig.GlobalScope); cerr == nil {
		global = Identity{Name: cfg.User.Name, Email: cfg.User.Email}
	}
	if repo, oerr := git.PlainOpen(dir); oerr == nil {
		if cfg, cerr := repo.Config(); cerr == nil {
			if cfg.User.Name != "" {
				global.Name = cfg.User.Name
			}
			if cfg.User.Email != "" {
				global.Email = cfg.User.Email
			}
		}
	}
	pick := func(prefix string) Identity {
		id := Identity{Name: getenv(prefix + "_NAME"), Email: getenv(prefix + "_EMAIL")}
		if id.Name == "" {
			id.Name = global.Name
		}
		if id.Email == "" {
			id.Email = global.Email
		}
		return id
	}
	author = pick("GIT_AUTHOR")
	if author.Name == "" || author.Email == "" {
		return author, committer, ErrNoIdentity
	}
	committer = pick("GIT_COMMITTER")
	if committer.Name == "" || committer.Email == "" {
		committer = author
	}
	return author, committer, nil
}

// gitCommit is a repository initialised and committed by initAndCommit.
type gitCommit struct {
	Dir     string
	Hash    string
	created bool // .git was created by this run
}

// initAndCommit initialises dir as a git repository on branch main (or
// opens the existing one) and commits exactly the given files.
func initAndCommit(dir string, files []string, msg string, author, committer Identity, when time.Time) (*gitCommit, error) {
	gc := &gitCommit{Dir: dir}
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
	h, err := wt.Commit(msg, &git.CommitOptions{
		Author:    &object.Signature{Name: author.Name, Email: author.Email, When: when},
		Committer: &object.Signature{Name: committer.Name, Email: committer.Email, When: when},
	})
	if err != nil {
		return gc, fmt.Errorf("git commit in %s: %w", dir, err)
	}
	gc.Hash = h.String()
	return gc, nil
}

// undo removes a .git directory this run created.
func (g *gitCommit) undo() {
	if g != nil && g.created {
		_ = os.RemoveAll(filepath.Join(g.Dir, ".git"))
	}
}
