package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/spf13/cobra"

	"github.com/gitopsctl/gitopsctl/internal/config"
	"github.com/gitopsctl/gitopsctl/internal/diff"
	"github.com/gitopsctl/gitopsctl/internal/gitx"
	"github.com/gitopsctl/gitopsctl/internal/render"
)

type diffOptions struct {
	apps                     []string
	base, head               string
	configsBase, configsHead string
	format                   string
	roots                    []string
	shard                    render.Shard
}

func newDiffCmd(f *Factory) *cobra.Command {
	o := &diffOptions{}
	cmd := &cobra.Command{
		Use:   "diff [APP...]",
		Short: "Show what a change in either repo does to the rendered apps",
		Long: `Render the affected Applications at two revisions and show, per app, the objects
added, removed and changed, with a unified diff of each changed object's YAML.

Like git diff, with no flags it compares each repository's HEAD commit with its
work tree, so uncommitted edits in the gitops-repo and the configs-repo show up.
--base/--head select gitops-repo revisions, --configs-base/--configs-head
configs-repo revisions (each defaults to HEAD and the work tree).

Only apps whose inputs changed between the two sides are rendered (the
Application manifest, its chart's files, its value files in either repo); the
others are listed as skipped.

Secret values are never printed: a Secret's changed keys are named and its values
masked. A SealedSecret whose ciphertexts changed under the same keys is reported
as "resealed", not as a content change. Helm hook objects whose names carry a
random suffix are matched up instead of shown as removed and added.

Output: text (coloured on a terminal unless NO_COLOR is set), --format markdown
for a pull-request comment (one collapsible section per app), or -o json.

--shard I/N compares only shard I of N (a stable split by app name, so an app
is on the same shard every run): run the N shards on N CI runners with -o json
and join them with 'gitopsctl diff merge', which prints the report (and exits
with the code) of the unsharded run.

Exit codes: 0 no change, 3 changes, 1 error (including an app that fails to render),
2 usage error (including an unknown app name).`,
		Example: `  # Uncommitted edits in either repo
  gitopsctl diff

  # This branch against main, as a PR comment
  gitopsctl diff --base main --format markdown > diff.md

  # Only backend, between two configs-repo commits
  gitopsctl diff backend --configs-base HEAD~1 --configs-head HEAD

  # Machine-readable
  gitopsctl diff --base main -o json

  # Shard 2 of 4 on one CI runner; join the 4 results at the end
  gitopsctl diff --base main --shard 2/4 -o json > diff-2.json
  gitopsctl diff merge --format markdown diff-*.json`,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.apps = args
			return runDiff(cmd, f, o)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&o.base, "base", "", "gitops-repo base revision (default HEAD)")
	fl.StringVar(&o.head, "head", "", "gitops-repo head revision (default: the work tree)")
	fl.StringVar(&o.configsBase, "configs-base", "", "configs-repo base revision (default HEAD)")
	fl.StringVar(&o.configsHead, "configs-head", "", "configs-repo head revision (default: the work tree)")
	enumFlag(cmd, fl, &o.format, "format", "", "text", []string{"text", "markdown"}, "text or markdown (-o json for JSON)")
	fl.StringArrayVar(&o.roots, "root", nil, "root Application manifest `FILE` or directory, read at each side where present (repeatable; default as for render)")
	fl.Var(render.ShardValue{S: &o.shard}, "shard", "compare only shard I of N of the apps (1-based, stable by app name; join shards with 'diff merge')")
	cmd.AddCommand(newDiffMergeCmd(f))
	return cmd
}

func runDiff(cmd *cobra.Command, f *Factory, o *diffOptions) error {
	if o.format == "markdown" && f.Output() != "text" {
		return usageError("--format markdown and -o %s exclude each other", f.Output())
	}
	cfg, err := f.Config()
	if err != nil {
		return err
	}
	roots, err := renderRootPaths(cfg.RepoDir, o.roots)
	if err != nil {
		return err
	}
	ctx := cmd.Context()
	sides := &diffSides{shared: render.NewShared(), f: f}
	sides.shared.ExpectBase() // diff.Run opens the base side whatever happens
	var listings gitx.ListingCache
	if rc := f.withCache(render.Options{Config: cfg}).RenderCache; rc != nil {
		listings = rc // directory listings of the work trees, kept with the renders
	}
	res, err := diff.Run(ctx, diff.RunOptions{
		GitopsDir: cfg.RepoDir, ConfigsDir: cfg.ConfigsDir, Listings: listings,
		Base: o.base, Head: o.head, ConfigsBase: o.configsBase, ConfigsHead: o.configsHead,
		Apps:    o.apps,
		Shard:   o.shard,
		Open:    sides.opener(cfg, roots, []string{o.base, o.head, o.configsBase, o.configsHead}),
		Changed: sides.shared.SetChanges,
		Ignored: sides.shared.SetIgnored,
	})
	if ue := (*render.UnknownAppsError)(nil); errors.As(err, &ue) {
		return usageError("%v", err)
	}
	if err == nil {
		err = ctx.Err() // interrupted: print nothing half-compared
	}
	if err != nil {
		return err
	}
	if err := sides.finish(f, res); err != nil {
		return err
	}
	return printDiff(f, res, o.format)
}

// printDiff prints a diff result in the format asked and returns the exit
// status: an error naming the apps that failed to render, exit 3 for
// changes, nil for none.
func printDiff(f *Factory, res *diff.Result, format string) error {
	err := printDataStream(f, res, func(w io.Writer) error {
		if format == "markdown" {
			return diff.WriteMarkdown(w, res)
		}
		return diff.WriteText(w, res, f.IO.ColorOut())
	})
	if err != nil {
		return err
	}
	if n := len(res.AppSetErrors); n > 0 {
		return fmt.Errorf("%d %s failed to generate", n, plural(n, "ApplicationSet", "ApplicationSets"))
	}
	if failed := res.Errors(); len(failed) > 0 {
		return fmt.Errorf("%d %s failed to render: %s", len(failed), plural(len(failed), "app", "apps"), strings.Join(failed, ", "))
	}
	if res.Changed() {
		return SilentExit(ExitProblems)
	}
	return nil
}

// diffSides opens each side with the roots present at its revision and
// collects what the sides say about their roots.
type diffSides struct {
	mu  sync.Mutex
	wss []*render.Workspace
	// shared lets the sides share what they read in unchanged directories.
	shared *render.Shared
	f      *Factory
}

func (d *diffSides) opener(cfg *config.Loaded, roots, branches []string) diff.Opener {
	return func(ctx context.Context, rev, configsRev string, base bool) (diff.Side, error) {
		ws, err := render.Open(ctx, d.f.withCache(render.Options{Config: cfg, Rev: rev, ConfigsRev: configsRev,
			Roots: roots, MissingRootsOK: true, Branches: branches, Shared: d.shared, DiffBase: base}))
		if err != nil {
			return nil, err
		}
		d.mu.Lock()
		d.wss = append(d.wss, ws)
		d.mu.Unlock()
		return render.NewSide(cfg, ws), nil
	}
}

// finish fails when neither side has a root, and prints (and records in
// res) the sides' notes and warnings once each.
func (d *diffSides) finish(f *Factory, res *diff.Result) error {
	seen := map[string]bool{}
	anyRoot := false
	for _, ws := range d.wss {
		if len(ws.Roots().Files) > 0 {
			anyRoot = true
		}
		if gr, err := ws.GitopsRepo(); err == nil {
			f.debugf("discovery at %s: %s", displayOr(gr.Rev, "the work tree"), ws.DiscoverySource())
		}
		for _, n := range ws.Notes() {
			if !seen[n] {
				seen[n] = true
				res.Notes = append(res.Notes, n)
				fmt.Fprintf(f.IO.ErrOut, "note: %s\n", n)
			}
		}
		for _, w := range ws.Warnings() {
			if !seen[w] {
				seen[w] = true
				res.Warnings = append(res.Warnings, w)
				fmt.Fprintf(f.IO.ErrOut, "Warning: %s\n", w)
			}
		}
		for _, e := range ws.AppSetErrors() {
			if m := e.Error(); !seen[m] {
				seen[m] = true
				res.AppSetErrors = append(res.AppSetErrors, m)
				f.printError(e)
			}
		}
	}
	if !anyRoot && len(d.wss) > 0 {
		gr, err := d.wss[0].GitopsRepo()
		if err != nil {
			return err
		}
		return &render.NoRootsError{Repo: gr.Root}
	}
	return nil
}
