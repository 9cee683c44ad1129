package gitrepo

import (
	"errors"
	"strings"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
)

// ErrNoRevision is returned by FindRevision when the revision is not in the
// local repository.
var ErrNoRevision = errors.New("revision not in the local repository")

// RevisionKind says what a targetRevision named.
const (
	RevBranch = "branch"
	RevTag    = "tag"
	RevCommit = "commit"
)

func openGit(dir string) (*git.Repository, error) {
	return git.PlainOpenWithOptions(dir, &git.PlainOpenOptions{EnableDotGitCommonDir: true})
}

// IsGit reports whether dir is (inside) a git repository.
func IsGit(dir string) bool {
	_, err := openGit(dir)
	return err == nil
}

// CurrentBranch is the branch checked out in the repository at dir ("" for
// a detached HEAD or when dir is not a git repository).
func CurrentBranch(dir string) string {
	gr, err := openGit(dir)
	if err != nil {
		return ""
	}
	ref, err := gr.Reference(plumbing.HEAD, false)
	if err != nil || ref.Type() != plumbing.SymbolicReference || !ref.Target().IsBranch() {
		return ""
	}
	return ref.Target().Short()
}

// BranchOf is the branch name a revision given on the command line names,
// or "": "main", "refs/heads/main", "origin/main" and
// "refs/remotes/origin/main" all name main (when such a ref exists).
func BranchOf(dir, rev string) string {
	if rev == "" {
		return ""
	}
	gr, err := openGit(dir)
	if err != nil {
		return ""
	}
	has := func(name string) bool {
		_, err := gr.Reference(plumbing.ReferenceName(name), false)
		return err == nil
	}
	switch {
	case strings.HasPrefix(rev, "refs/heads/"):
		return strings.TrimPrefix(rev, "refs/heads/")
	case strings.HasPrefix(rev, "refs/remotes/"):
		if _, b, ok := strings.Cut(strings.TrimPrefix(rev, "refs/remotes/"), "/"); ok {
			return b
		}
		return ""
	case has("refs/heads/" + rev):
		return rev
	case has("refs/remotes/" + rev):
		if _, b, ok := strings.Cut(rev, "/"); ok && b != "HEAD" {
			return b
		}
	}
	return ""
}

// FindRevision finds a targetRevision in the repository at dir as Argo CD
// would find it on the remote: a branch of the remote (refs/remotes/
// <remote>/<rev>, which the last fetch brought), a tag, a local branch of
// that name, or a commit hash (full or abbreviated). It returns a revision
// Open accepts and what it named; ErrNoRevision when none is there.
func FindRevision(dir, remote, rev string) (resolved, kind string, err error) {
	gr, err := openGit(dir)
	if err != nil {
		return "", "", err
	}
	if remote == "" {
		remote = "origin"
	}
	try := []struct{ ref, kind string }{
		{"refs/remotes/" + remote + "/" + rev, RevBranch},
		{"refs/tags/" + rev, RevTag},
		{"refs/heads/" + rev, RevBranch},
	}
	if strings.HasPrefix(rev, "refs/") {
		k := RevBranch
		if strings.HasPrefix(rev, "refs/tags/") {
			k = RevTag
		}
		try = []struct{ ref, kind string }{{rev, k}}
	}
	for _, t := range try {
		if _, err := gr.Reference(plumbing.ReferenceName(t.ref), true); err == nil {
			return t.ref, t.kind, nil
		}
	}
	if isHex(rev) && len(rev) >= 4 {
		if h, err := gr.ResolveRevision(plumbing.Revision(rev)); err == nil {
			if _, err := gr.CommitObject(*h); err == nil {
				return h.String(), RevCommit, nil
			}
		}
	}
	return "", "", ErrNoRevision
}

// RemoteFor is the name of the remote of the repository at dir whose URL
// satisfies match ("origin" when none does).
func RemoteFor(dir string, match func(url string) bool) string {
	for _, r := range Remotes(dir) {
		for _, u := range r.URLs {
			if match(u) {
				return r.Name
			}
		}
	}
	return "origin"
}

func isHex(s string) bool {
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return s != ""
}
