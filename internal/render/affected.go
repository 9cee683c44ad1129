package render

import (
	"path"
	"sort"
	"strings"

	"github.com/bmatcuk/doublestar/v4"
)

// Repository names used as keys of Changes and RepoInput.Repo.
const (
	RepoGitops  = "gitops"
	RepoConfigs = "configs"
)

// RepoInput is one file (or directory) an app's rendering reads: a path
// relative to the root of a repository named as in Changes (RepoInput names
// the repository by its directory instead).
type RepoInput struct {
	// Repo names the repository (the same names as the keys of Changes).
	Repo string `json:"repo"`
	Path string `json:"path"`
	// Glob marks Path as a doublestar pattern ("charts/backend/**").
	Glob bool `json:"glob,omitempty"`
}

// Changes are the paths changed between the two sides, per repository.
// A repository missing from the map is unchanged.
type Changes map[string][]string

// changeSet answers "did this file, or anything below this directory,
// change?" in constant time, and matches patterns against the changed paths.
type changeSet struct {
	dirs  map[string]map[string]bool // repo -> changed paths and their parents
	paths Changes
}

func newChangeSet(c Changes) changeSet {
	cs := changeSet{dirs: map[string]map[string]bool{}, paths: c}
	for repo, paths := range c {
		m := map[string]bool{}
		for _, p := range paths {
			p = path.Clean(strings.TrimPrefix(p, "/"))
			for {
				m[p] = true
				d := path.Dir(p)
				if d == "." || d == p {
					break
				}
				p = d
			}
		}
		m["."] = len(paths) > 0
		cs.dirs[repo] = m
	}
	return cs
}

func (cs changeSet) touches(in RepoInput) bool {
	m := cs.dirs[in.Repo]
	if len(m) == 0 {
		return false
	}
	p := path.Clean(strings.TrimPrefix(in.Path, "/"))
	if !in.Glob {
		return m[p]
	}
	// "dir/**" is "anything below dir"; other patterns are matched one
	// changed path at a time (there are few).
	if dir, ok := strings.CutSuffix(p, "/**"); ok && !strings.ContainsAny(dir, "*?[{\\") {
		return m[dir]
	}
	if p == "**" {
		return m["."]
	}
	for _, c := range cs.paths[in.Repo] {
		if ok, _ := doublestar.Match(p, c); ok {
			return true
		}
	}
	return false
}

// Affected splits apps into those whose inputs changed (on either side) and
// those that can be skipped. An app that exists on one side only, or whose
// inputs are unknown (nil on a side where it exists), is affected.
func Affected(apps []string, base, head map[string][]RepoInput, changes Changes) (affected, skipped []string) {
	cs := newChangeSet(changes)
	for _, app := range apps {
		bi, inBase := base[app]
		hi, inHead := head[app]
		hit := !inBase || !inHead || bi == nil || hi == nil
		for _, list := range [][]RepoInput{bi, hi} {
			for _, in := range list {
				if hit {
					break
				}
				hit = cs.touches(in)
			}
		}
		if hit {
			affected = append(affected, app)
		} else {
			skipped = append(skipped, app)
		}
	}
	sort.Strings(affected)
	sort.Strings(skipped)
	return affected, skipped
}
