package inventory

import (
	"sort"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
)

// Revisions lists the names a revision flag (--rev, --base) accepts
// without a commit hash, for shell completion: HEAD, the local branches,
// the remote-tracking branches (origin/main) and the tags of the git
// repository at or above dir, sorted within each group.
func Revisions(dir string) ([]string, error) {
	r, err := git.PlainOpenWithOptions(dir, &git.PlainOpenOptions{DetectDotGit: true, EnableDotGitCommonDir: true})
	if err != nil {
		return nil, err
	}
	refs, err := r.References()
	if err != nil {
		return nil, err
	}
	var branches, remotes, tags []string
	err = refs.ForEach(func(ref *plumbing.Reference) error {
		n := ref.Name()
		switch {
		case n.IsBranch():
			branches = append(branches, n.Short())
		case n.IsRemote():
			if s := n.Short(); !isRemoteHEAD(s) {
				remotes = append(remotes, s)
			}
		case n.IsTag():
			tags = append(tags, n.Short())
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.Strings(branches)
	sort.Strings(remotes)
	sort.Strings(tags)
	out := append([]string{"HEAD"}, branches...)
	out = append(out, remotes...)
	return append(out, tags...), nil
}

// isRemoteHEAD tells a remote's symbolic HEAD (origin/HEAD) apart.
func isRemoteHEAD(short string) bool {
	return len(short) >= 5 && short[len(short)-5:] == "/HEAD"
}
