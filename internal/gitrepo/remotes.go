package gitrepo

import (
	"sort"

	"github.com/go-git/go-git/v5"
)

// Remote is a configured remote of a repository.
type Remote struct {
	Name string
	URLs []string
}

// Remotes lists the remotes of the git repository at dir, "origin" first,
// then by name; nil when dir is not a git repository.
func Remotes(dir string) []Remote {
	gr, err := git.PlainOpenWithOptions(dir, &git.PlainOpenOptions{EnableDotGitCommonDir: true})
	if err != nil {
		return nil
	}
	rs, err := gr.Remotes()
	if err != nil {
		return nil
	}
	out := make([]Remote, 0, len(rs))
	for _, r := range rs {
		c := r.Config()
		out = append(out, Remote{Name: c.Name, URLs: append([]string(nil), c.URLs...)})
	}
	sort.Slice(out, func(i, j int) bool {
		if (out[i].Name == "origin") != (out[j].Name == "origin") {
			return out[i].Name == "origin"
		}
		return out[i].Name < out[j].Name
	})
	return out
}
