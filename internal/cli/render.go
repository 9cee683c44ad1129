package cli

import (
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"

	"github.com/gitopsctl/gitopsctl/internal/manifest"
	"github.com/gitopsctl/gitopsctl/internal/render"
	"github.com/gitopsctl/gitopsctl/internal/rendercache"
)

type renderOptions struct {
	Apps        []string
	Roots       []string
	Rev         string
	ConfigsRev  string
	OutDir      string
	ShowSecrets bool
	Shard       render.Shard
}

func newRenderCmd(f *Factory) *cobra.Command {
	o := &renderOptions{}
	cmd := &cobra.Command{
		Use:   "render [APP...]",
		Short: "Render Applications offline exactly as Argo CD would",
		Long: `Render Applications offline exactly as Argo CD would.

render starts at the root Applications (--root, else roots: in
.gitopsctl.yaml, else root-app.yaml, else the Application manifests outside
chart directories that no other Application reaches, named in a note on
stderr), discovers every
Application and AppProject the App of Apps manages (nested app-of-apps
included), and renders each one from local checkouts: multi-source Helm
charts with $ref value files from the configs-repo, values, parameters,
.argocd-source overrides and plain manifest directories. Repository URLs map
to local directories: gitopsRepo and configsRepo in .gitopsctl.yaml, plus
its repos: map for any other repository. chart: sources and remote chart
dependencies come from the chart cache, fetched on first use (Helm
repositories and OCI registries); --offline forbids any network access and
'gitopsctl charts pull' fills the cache beforehand.

By default both repositories are read as working trees, uncommitted edits
included; --rev and --configs-rev read a commit straight from git instead
(nothing is checked out). A source whose targetRevision names a tag, a
commit or a branch other than the one under review (the checked-out branch,
or the branch --rev names) is read at that revision from git. The .gitopsctl.yaml capabilities stand in for the
cluster (kube version, API versions).

Output is a YAML stream with "# Source: <app>/<template>" comments, or one
file per object with --out DIR (DIR/<app>/<kind>-<namespace>-<name>.yaml),
or -o json. Secret data is masked unless --show-secrets.

--shard I/N renders only shard I of N of the apps (1-based; a stable split by
app name, the same one diff and check use), to spread a big repository over
several CI runners. Apps that render other Applications are still rendered
on every shard to discover them; only the shard's own apps are printed.

--out DIR keeps DIR/.gitopsctl-render.json, the list of files it wrote per
app, and removes the listed files of objects that no longer render: for
each app rendered this time, and (when every app is rendered) for apps that
no longer exist. A listed file is removed only while it still starts with
the "# Source: <app>/" line render wrote; any other file in DIR is kept, as
are the files of an app that failed to render.

An app that fails to render is reported on stderr with the file and line at
fault; the other apps are still printed, and the exit code is 1.

A render repeated with the same arguments, environment and directory while
no file of the repositories changed is answered by the gitopsctl front from
a replay record, without starting the engine (see "Replay" in the README):
GITOPSCTL_REPLAY=off turns that off, GITOPSCTL_REPLAY=trace says on stderr
what was replayed or recorded, and why not.`,
		Example: `  # everything the root app manages
  gitopsctl render

  # two services, as they were at the previous commit of both repos
  gitopsctl render backend frontend --rev HEAD~1 --configs-rev HEAD~1

  # one file per object; files of objects gone since the last run are removed
  gitopsctl render --out /tmp/rendered

  # the first of 4 shards, on one of 4 CI runners
  gitopsctl render --shard 1/4 --out rendered

  # objects as JSON, for jq
  gitopsctl render backend -o json | jq '.[].object.kind'`,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Apps = args
			return runRender(cmd, f, o)
		},
	}
	fl := cmd.Flags()
	fl.StringArrayVar(&o.Roots, "root", nil, "root Application manifest `FILE` or directory (repeatable; default: roots: in .gitopsctl.yaml, else root-app.yaml, else the roots found in the repository)")
	fl.StringVar(&o.Rev, "rev", "", "render the gitops-repo at `REV` (branch, tag, commit, HEAD~1; default: the working tree)")
	fl.StringVar(&o.ConfigsRev, "configs-rev", "", "render the configs-repo at `REV` (default: the working tree)")
	fl.StringVar(&o.OutDir, "out", "", "write one file per object under `DIR` instead of printing (and remove the files it wrote there for objects that no longer render)")
	fl.BoolVar(&o.ShowSecrets, "show-secrets", false, "print Secret data and stringData values unmasked")
	fl.Var(render.ShardValue{S: &o.Shard}, "shard", "render only shard I of N of the apps (1-based, stable by app name)")
	return cmd
}

// tuneGCForBatch bounds a short batch job's memory: package earlygc lets
// the heap grow to 4x live data before a collection (for every command),
// and a soft limit keeps the process well under 1 GiB. GOMEMLIMIT in the
// environment wins.
func tuneGCForBatch() {
	// Helm's library logs warnings (e.g. "skipped value ... Not a table")
	// through the standard logger, as the helm CLI prints them: keep them,
	// without timestamps.
	log.SetFlags(0)
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(768 << 20)
	}
}

// renderRootPaths turns each --root into a path relative to the gitops-repo root.
func renderRootPaths(repoDir string, roots []string) ([]string, error) {
	out := make([]string, 0, len(roots))
	for _, r := range roots {
		p, err := renderRootPath(repoDir, r)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// renderRootPath turns --root into a path relative to the gitops-repo root.
func renderRootPath(repoDir, root string) (string, error) {
	if root == "" {
		return "", nil
	}
	abs := root
	if !filepath.IsAbs(abs) {
		wd, err := os.Getwd()
		if err != nil {
			return "", err
		}
		abs = filepath.Join(wd, root)
		if _, err := os.Stat(abs); err != nil {
			// Not relative to the current directory: take it as repo-relative.
			return filepath.ToSlash(root), nil
		}
	}
	rel, err := filepath.Rel(repoDir, abs)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return "", usageError("--root %s is not inside the gitops-repo %s", root, repoDir)
	}
	return filepath.ToSlash(rel), nil
}

func runRender(cmd *cobra.Command, f *Factory, o *renderOptions) error {
	cfg, err := f.Config()
	if err != nil {
		return err
	}
	roots, err := renderRootPaths(cfg.RepoDir, o.Roots)
	if err != nil {
		return err
	}
	if o.OutDir == "" {
		f.startRecording(cfg)
	}
	logTo(f.IO.ErrOut)
	tuneGCForBatch()
	ctx := cmd.Context()
	ro := f.withCache(render.Options{Config: cfg, Rev: o.Rev, ConfigsRev: o.ConfigsRev, Roots: roots})
	ro.PrintsYAML = o.OutDir == "" && f.Output() != "json" && f.Output() != "yaml"
	ws, err := render.Open(ctx, ro)
	if err != nil {
		return err
	}
	printWorkspaceNotes(f, ws)
	apps, err := ws.Lookup(o.Apps...)
	var results []render.Result
	if err == nil {
		var owned []*render.App
		for _, a := range apps {
			if o.Shard.Owns(a.Name) {
				owned = append(owned, a)
			}
		}
		results = ws.RenderApps(ctx, owned)
	}
	if err != nil {
		var ue *render.UnknownAppsError
		if errors.As(err, &ue) {
			// An app may be unknown because its parent failed to render.
			for _, de := range append(ws.DiscoveryErrors(), ws.AppSetErrors()...) {
				f.printError(de)
			}
			return usageError("%v", err)
		}
		return err
	}
	if err := ctx.Err(); err != nil {
		return err // interrupted: print nothing half-rendered
	}
	var objs []manifest.Object
	failed := 0
	for _, r := range results {
		for _, w := range r.Warnings {
			fmt.Fprintf(f.IO.ErrOut, "Warning: app %s: %s\n", r.App.Name, w)
		}
		if r.Err != nil {
			failed++
			f.printError(r.Err)
			continue
		}
		objs = append(objs, r.Objects...)
	}
	// ApplicationSets that failed count when every app is rendered.
	var setErrs []error
	if len(o.Apps) == 0 {
		setErrs = ws.AppSetErrors()
	}
	for _, e := range setErrs {
		f.printError(e)
	}
	wo := render.WriteOptions{ShowSecrets: o.ShowSecrets, Printed: ws.Printed}
	if o.OutDir != "" {
		od := render.OutDirOptions{WriteOptions: wo}
		for _, r := range results {
			if r.Err == nil {
				od.Rendered = append(od.Rendered, r.App.Name)
			}
		}
		if len(o.Apps) == 0 && len(ws.DiscoveryErrors()) == 0 {
			od.Gone = func(app string) bool { return ws.App(app) == nil }
		}
		res, err := render.WriteOutDir(o.OutDir, objs, od)
		if err != nil {
			return err
		}
		removed := ""
		if len(res.Removed) > 0 {
			removed = fmt.Sprintf("; removed %s of objects that no longer render", count(len(res.Removed), "file", "files"))
		}
		fmt.Fprintf(f.IO.ErrOut, "Wrote %s for %s to %s%s\n", count(len(res.Wrote), "file", "files"), count(len(results)-failed, "app", "apps"), o.OutDir, removed)
		for _, p := range res.Removed {
			f.debugf("removed %s", filepath.Join(o.OutDir, filepath.FromSlash(p)))
		}
	} else if err := printDataStream(f, render.JSONOutput(ws, results, objs, wo), func(w io.Writer) error {
		return render.WriteYAML(w, objs, wo)
	}); err != nil {
		return err
	}
	if failed > 0 {
		fmt.Fprintf(f.stderr(), "%d of %d apps failed to render\n", failed, len(results))
	}
	if len(setErrs) > 0 {
		fmt.Fprintf(f.stderr(), "%d %s failed to generate\n", len(setErrs), plural(len(setErrs), "ApplicationSet", "ApplicationSets"))
	}
	if failed > 0 || len(setErrs) > 0 {
		return SilentExit(ExitError)
	}
	rc, _ := ro.RenderCache.(*rendercache.Cache) // nil with --no-cache
	f.recordInputs(ws.ReplayTrees())
	f.recordCache(rc)
	return nil
}

// printWorkspaceNotes tells, on stderr, which roots were found and what
// each ApplicationSet generated.
func printWorkspaceNotes(f *Factory, ws *render.Workspace) {
	f.debugf("roots %s; %s, %s discovered", displayOr(ws.Root(), "(none)"), count(len(ws.Apps()), "app", "apps"), count(len(ws.Projects()), "project", "projects"))
	for _, n := range ws.Notes() {
		fmt.Fprintf(f.IO.ErrOut, "note: %s\n", n)
	}
	for _, w := range ws.Warnings() {
		fmt.Fprintf(f.IO.ErrOut, "Warning: %s\n", w)
	}
}
