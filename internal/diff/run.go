package diff

import (
	"context"
	"errors"
	"fmt"

	"github.com/gitopsctl/gitopsctl/internal/gitdiff"
)

// Repository names used as keys of Changes and Input.Repo.
const (
	RepoGitops  = "gitops"
	RepoConfigs = "configs"
)

// Opener opens one side: the gitops-repo at rev and the configs-repo at
// configsRev ("" means the work tree).
type Opener func(ctx context.Context, rev, configsRev string) (Side, error)

// RunOptions are the inputs of Run.
type RunOptions struct {
	GitopsDir  string
	ConfigsDir string
	// Base and Head are gitops-repo revisions (Base default HEAD, Head
	// default the work tree); ConfigsBase and ConfigsHead the same for the
	// configs-repo.
	Base, Head               string
	ConfigsBase, ConfigsHead string
	// Apps restricts the diff to these apps.
	Apps []string
	Open Opener
}

// Sides describes the two sides compared, for humans.
type Sides struct {
	Base        string `json:"base"`
	Head        string `json:"head"`
	ConfigsBase string `json:"configsBase"`
	ConfigsHead string `json:"configsHead"`
}

// Run computes which paths changed in each repository, opens both sides
// and compares the affected apps.
func Run(ctx context.Context, o RunOptions) (*Result, error) {
	if o.Base == "" {
		o.Base = "HEAD"
	}
	if o.ConfigsBase == "" {
		o.ConfigsBase = "HEAD"
	}
	sides := &Sides{Base: o.Base, Head: sideName(o.Head), ConfigsBase: o.ConfigsBase, ConfigsHead: sideName(o.ConfigsHead)}
	changes := Changes{}
	for _, r := range []struct {
		name, dir, base, head string
	}{{RepoGitops, o.GitopsDir, o.Base, o.Head}, {RepoConfigs, o.ConfigsDir, o.ConfigsBase, o.ConfigsHead}} {
		g, err := gitdiff.Open(r.dir)
		if err != nil {
			if errors.Is(err, gitdiff.ErrNotRepo) {
				return nil, fmt.Errorf("%s-repo: %w: diff compares git revisions", r.name, err)
			}
			return nil, err
		}
		paths, err := g.Changed(r.base, r.head)
		if err != nil {
			return nil, err
		}
		changes[r.name] = paths
	}
	base, err := o.Open(ctx, o.Base, o.ConfigsBase)
	if err != nil {
		return nil, fmt.Errorf("open base (%s, configs %s): %w", o.Base, o.ConfigsBase, err)
	}
	head, err := o.Open(ctx, o.Head, o.ConfigsHead)
	if err != nil {
		return nil, fmt.Errorf("open head (%s, configs %s): %w", sides.Head, sides.ConfigsHead, err)
	}
	res, err := Compute(ctx, base, head, Options{Apps: o.Apps, Changes: changes})
	if err != nil {
		return nil, err
	}
	res.Sides = sides
	return res, nil
}

func sideName(rev string) string {
	if rev == "" {
		return "work tree"
	}
	return rev
}
