package diff

import (
	"context"
	"errors"
	"fmt"
	"os"

	"golang.org/x/sync/errgroup"

	"github.com/gitopsctl/gitopsctl/internal/gitx"
	"github.com/gitopsctl/gitopsctl/internal/render"
)

// Opener opens one side: the gitops-repo at rev and the configs-repo at
// configsRev ("" means the work tree); base marks the base side (Run
// opens it, whatever happens to the other).
type Opener func(ctx context.Context, rev, configsRev string, base bool) (Side, error)

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
	// Shard restricts the diff to one shard's apps.
	Shard render.Shard
	Open  Opener
	// Changed, when set, is called once with the changes as soon as they
	// are known (nil when they could not be worked out), while the sides
	// are still opening (render.Shared.SetChanges).
	Changed func(render.Changes)
	// Ignored, when set, is called just before Changed with the ignored
	// entries of each repository whose head is the work tree
	// (gitx.Reader.ChangedIgnored), when the changes could be worked out.
	Ignored func(render.Changes)
	// Listings, when set, keeps the work trees' directory listings between
	// runs (gitx.Reader.SetListingCache).
	Listings gitx.ListingCache
}

// Sides describes the two sides compared, for humans.
type Sides struct {
	Base        string `json:"base"`
	Head        string `json:"head"`
	ConfigsBase string `json:"configsBase"`
	ConfigsHead string `json:"configsHead"`
	// The commits the revisions resolved to (for the work tree, its HEAD
	// commit; empty in a repository without commits), so that 'diff merge'
	// can tell shards of different revisions apart.
	BaseCommit        string `json:"baseCommit,omitempty"`
	HeadCommit        string `json:"headCommit,omitempty"`
	ConfigsBaseCommit string `json:"configsBaseCommit,omitempty"`
	ConfigsHeadCommit string `json:"configsHeadCommit,omitempty"`
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
	// The two repositories' changes and the two sides are independent:
	// work them out concurrently (opening a side reads every Application
	// and chart of a revision).
	type repoJob struct{ name, dir, base, head string }
	jobs := []repoJob{{render.RepoGitops, o.GitopsDir, o.Base, o.Head}, {render.RepoConfigs, o.ConfigsDir, o.ConfigsBase, o.ConfigsHead}}
	paths := make([][]string, len(jobs))
	ignored := make([][]string, len(jobs))
	commits := make([][2]string, len(jobs))
	errs := make([]error, len(jobs)+2)
	var base, head Side
	// Each job records its error in errs, so the error returned is the
	// first in this order, not the first to happen.
	var eg, changed errgroup.Group
	for i, j := range jobs {
		changed.Go(func() error {
			if j.name == render.RepoConfigs && !isDir(j.dir) {
				// No configs-repo: only an app reading one needs it, and
				// that app's render says so.
				return nil
			}
			g, err := gitx.OpenReader(j.dir)
			if err != nil {
				if errors.Is(err, gitx.ErrNotRepo) {
					err = fmt.Errorf("%s-repo: %w: diff compares git revisions", j.name, err)
				}
				errs[i] = err
				return nil
			}
			g.SetListingCache(o.Listings)
			paths[i], ignored[i], errs[i] = g.ChangedIgnored(j.base, j.head)
			commits[i] = [2]string{resolve(g, j.base), resolve(g, j.head)}
			return nil
		})
	}
	eg.Go(func() error {
		_ = changed.Wait()
		if o.Changed != nil {
			if errs[0] != nil || errs[1] != nil {
				o.Changed(nil)
			} else {
				if o.Ignored != nil {
					o.Ignored(render.Changes{jobs[0].name: ignored[0], jobs[1].name: ignored[1]})
				}
				o.Changed(render.Changes{jobs[0].name: paths[0], jobs[1].name: paths[1]})
			}
		}
		return nil
	})
	eg.Go(func() error {
		var err error
		if base, err = o.Open(ctx, o.Base, o.ConfigsBase, true); err != nil {
			errs[2] = fmt.Errorf("open base (%s, configs %s): %w", o.Base, o.ConfigsBase, err)
		}
		return nil
	})
	eg.Go(func() error {
		var err error
		if head, err = o.Open(ctx, o.Head, o.ConfigsHead, false); err != nil {
			errs[3] = fmt.Errorf("open head (%s, configs %s): %w", sides.Head, sides.ConfigsHead, err)
		}
		return nil
	})
	_ = eg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	changes := render.Changes{}
	for i, j := range jobs {
		changes[j.name] = paths[i]
	}
	sides.BaseCommit, sides.HeadCommit = commits[0][0], commits[0][1]
	sides.ConfigsBaseCommit, sides.ConfigsHeadCommit = commits[1][0], commits[1][1]
	res, err := Compute(ctx, base, head, Options{Apps: o.Apps, Changes: changes, Shard: o.Shard})
	if err != nil {
		return nil, err
	}
	res.Sides = sides
	return res, nil
}

// resolve names the commit rev ("" for the work tree: its HEAD) resolves
// to, "" when it does not resolve.
func resolve(g *gitx.Reader, rev string) string {
	if rev == "" || rev == gitx.WorkTree {
		rev = "HEAD"
	}
	h, err := g.Resolve(rev)
	if err != nil {
		return ""
	}
	return h.String()
}

func sideName(rev string) string {
	if rev == "" {
		return "work tree"
	}
	return rev
}

func isDir(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.IsDir()
}
