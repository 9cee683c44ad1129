package cli

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/gitopsctl/gitopsctl/internal/check"
	"github.com/gitopsctl/gitopsctl/internal/config"
	"github.com/gitopsctl/gitopsctl/internal/gitrepo"
	"github.com/gitopsctl/gitopsctl/internal/layout"
	"github.com/gitopsctl/gitopsctl/internal/render"
	"github.com/gitopsctl/gitopsctl/internal/seal"
	"github.com/gitopsctl/gitopsctl/internal/services"
)

type checkOptions struct {
	staged      bool
	base        string
	configsBase string
	roots       []string
	shard       render.Shard
}

func newCheckCmd(f *Factory) *cobra.Command {
	o := &checkOptions{}
	cmd := &cobra.Command{
		Use:   "check",
		Short: "The pre-commit gate: everything renders, nothing plaintext, everything valid",
		Long: `Render the Applications and fail (exit 3) listing every problem found:

  render     a template or value-file error, or an Application/AppProject
             manifest that does not decode (reported against its parent app)
  decode     a rendered object that does not decode strictly into its Go type
             (Kubernetes, Argo Rollouts, Argo CD Application/AppProject,
             SealedSecret; unknown custom resources are skipped)
  project    an AppProject violation: source repository (ref sources too),
             destination server/namespace, namespaced or cluster-scoped kind
  secret     a plain kind: Secret manifest tracked in either repo (chart
             templates excepted)
  plaintext  a plaintext secrets file (*.local.env) tracked or staged
  image      a container or init container image with an empty tag, no tag
             or the tag latest
  exposed    a config.yaml key that looks like a secret, committed in plain
             text: its name matches sealing.secretPatterns or its value is a
             URL with a password (seal it: env set SVC --secret KEY)
  sealed     sealed data missing or stale for the local plaintext, or sealed
             with another scope or name/namespace (seal --check's findings;
             needs sealing.cert, else a note says it was skipped). Keys
             sealed with an older cert are a note, not a problem.

Without flags every app is rendered and every tracked file checked. --staged
checks what the next commit holds (the pre-commit case): only the apps whose
inputs are staged in either repository, rendered from the index (the staged
blobs, not the work tree), and the staged files. In a pre-commit hook git names
the index being committed in GIT_INDEX_FILE (a temporary one for 'git commit -a'
and 'git commit -- PATH'): it is read for the repository being committed (the
one GIT_DIR names, else the one the current directory is in), the other
repository's own index for the other. --base REV checks what changed in the
gitops-repo since REV (and in the configs-repo since --configs-base, default
HEAD), including uncommitted edits.

--shard I/N checks only shard I of N of the apps (1-based; a stable split by
app name, the same one render and diff use); the repository's files (secret,
plaintext) and ApplicationSets that fail to generate are checked by shard 1 only. Every problem is found by exactly one
shard, so a CI run fails when any shard exits 3, and the shards' outputs put
together (their problem lines, or the "problems" arrays of -o json) are the
unsharded run's.

Each problem is printed as FILE[:LINE]: CLASS: APP: message.
Exit codes: 0 clean, 3 problems found, 1 error.`,
		Example: `  gitopsctl check
  gitopsctl check --staged             # what 'gitopsctl hook install' runs
  gitopsctl check --base origin/main   # in CI, for a pull request
  gitopsctl check -o json
  gitopsctl check --base origin/main --shard 2/4   # one of 4 CI runners`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runCheck(cmd, f, o)
		},
	}
	fl := cmd.Flags()
	fl.BoolVar(&o.staged, "staged", false, "check only what is staged, rendered from the index (for a pre-commit hook; honours GIT_INDEX_FILE)")
	fl.StringVar(&o.base, "base", "", "check only what changed in the gitops-repo since this revision")
	fl.StringVar(&o.configsBase, "configs-base", "", "with --base: configs-repo revision to compare with (default HEAD)")
	fl.StringArrayVar(&o.roots, "root", nil, "root Application manifest `FILE` or directory (repeatable; default as for render)")
	fl.Var(render.ShardValue{S: &o.shard}, "shard", "check only shard I of N of the apps (1-based, stable by app name; repository files on shard 1)")
	return cmd
}

func runCheck(cmd *cobra.Command, f *Factory, o *checkOptions) error {
	if o.staged && o.base != "" {
		return usageError("--staged and --base exclude each other")
	}
	if o.configsBase != "" && o.base == "" {
		return usageError("--configs-base needs --base")
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
	ropts := render.Options{Config: cfg, Roots: roots, Branches: []string{o.base}}
	var gitopsIndex, configsIndex string
	if o.staged {
		// Render what is staged, read from the indexes: in a pre-commit
		// hook the one git hands over (GIT_INDEX_FILE) for the repository
		// being committed, the other repository's own index for the other.
		wd, err := os.Getwd()
		if err != nil {
			return err
		}
		if gitopsIndex, configsIndex, err = check.StagedIndexes(os.Getenv, wd, cfg.RepoDir, cfg.ConfigsDir); err != nil {
			return err
		}
		ropts.Rev, ropts.ConfigsRev = gitrepo.IndexFileRev(gitopsIndex), gitrepo.IndexFileRev(configsIndex)
	}
	ws, err := render.Open(ctx, f.withCache(ropts))
	if err != nil {
		return err
	}
	var sealNotes []string
	res, err := check.Run(ctx, check.Options{
		GitopsDir: cfg.RepoDir, ConfigsDir: cfg.ConfigsDir,
		Staged: o.staged, Base: o.base, ConfigsBase: o.configsBase,
		GitopsIndex: gitopsIndex, ConfigsIndex: configsIndex,
		Workspace:      check.NewWorkspace(cfg, ws),
		Sealed:         sealChecker(f, cfg, ws, &sealNotes),
		SecretPatterns: cfg.Sealing.SecretPatterns,
		Config:         &cfg.Config,
		RepoName:       func(dir string) string { return render.RepoName(cfg, dir) },
		Shard:          o.shard,
	})
	if err != nil {
		return err
	}
	res.Notes = append(append(append(ws.Notes(), res.Notes...), sealNotes...), ws.Warnings()...)
	for _, e := range ws.AppSetErrors() {
		var se *render.AppSetError
		if errors.As(e, &se) && o.shard.Index <= 1 { // repository-wide: on shard 1 only
			res.Problems = append(res.Problems, check.Problem{Class: check.ClassRender, Repo: render.RepoName(cfg, se.Repo), File: se.File, Line: se.Line, Message: "ApplicationSet " + se.Name + ": " + se.Err.Error()})
		}
	}
	for _, n := range res.Notes {
		fmt.Fprintf(f.IO.ErrOut, "note: %s\n", n)
	}
	err = printData(f, res, func(w *strings.Builder) {
		wd, _ := os.Getwd()
		for _, p := range res.Problems {
			if p.File != "" {
				p.File = checkDisplayPath(wd, cfg, p.Repo, p.File)
			}
			fmt.Fprintln(w, p.String())
		}
		if f.quiet {
			return // errors only: the problems, no summary
		}
		apps := fmt.Sprintf("%d %s checked", len(res.Checked), plural(len(res.Checked), "app", "apps"))
		if len(res.Skipped) > 0 {
			apps += fmt.Sprintf(", %d skipped (inputs unchanged)", len(res.Skipped))
		}
		if res.Shard != nil {
			apps += fmt.Sprintf(" in shard %s", res.Shard)
		}
		if len(res.Problems) == 0 {
			fmt.Fprintf(w, "check passed (%s; %s)\n", res.Scope, apps)
		} else {
			fmt.Fprintf(w, "%d %s (%s; %s)\n", len(res.Problems), plural(len(res.Problems), "problem", "problems"), res.Scope, apps)
		}
	})
	if err != nil {
		return err
	}
	if len(res.Problems) > 0 {
		return SilentExit(ExitProblems)
	}
	return nil
}

// checkDisplayPath shows a repo-relative file relative to the current directory
// (so editors and terminals can open it), or as given when that fails.
func checkDisplayPath(wd string, cfg *config.Loaded, repo, file string) string {
	root := cfg.RepoDir
	switch {
	case repo == check.RepoConfigs:
		root = cfg.ConfigsDir
	case filepath.IsAbs(repo):
		root = repo
	}
	abs := filepath.Join(root, filepath.FromSlash(file))
	if wd == "" {
		return abs
	}
	rel, err := filepath.Rel(wd, abs)
	if err != nil {
		return abs
	}
	return rel
}

// sealChecker runs seal's own check (as 'seal --check' does: cert, scope,
// target name/namespace, staleness against local plaintext) for the checked
// apps that are services of the configs-repo, and turns each finding into a
// "sealed" problem on <svc>/secrets.yaml. Without a sealing cert configured,
// or when its file does not exist yet, sealed data is not checked, and check
// says so on stderr. The SealedSecrets are located in ws, the workspace
// check rendered, so no app is rendered twice.
//
// Keys sealed with another (older) cert are not problems: they are added
// to notes.
func sealChecker(f *Factory, cfg *config.Loaded, ws *render.Workspace, notes *[]string) check.SealChecker {
	if cfg.Sealing.Cert == "" {
		fmt.Fprintln(f.IO.ErrOut, "note: sealed data not checked: no sealing.cert in "+layout.ConfigFileName)
		return nil
	}
	return func(ctx context.Context, apps []string) ([]check.Problem, error) {
		all, err := services.List(cfg.ConfigsDir)
		if err != nil {
			return nil, err
		}
		isSvc := map[string]bool{}
		for _, s := range all {
			isSvc[s] = true
		}
		var svcs []string
		for _, a := range apps {
			if isSvc[a] {
				svcs = append(svcs, a)
			}
		}
		if len(svcs) == 0 {
			return nil, nil
		}
		sl, err := f.sealer(ctx, sealFlags{})
		if errors.Is(err, fs.ErrNotExist) {
			// A fresh repository names the cert before anyone fetched it.
			fmt.Fprintf(f.IO.ErrOut, "note: sealed data not checked: %v\n", err)
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		sl.Locate = seal.RenderLocator(func(context.Context) (*render.Workspace, error) { return ws, nil })
		rep, err := seal.Check(ctx, seal.CheckOptions{Sealer: *sl, Services: svcs, Now: f.Now()})
		if err != nil {
			return nil, err
		}
		f.warn(rep.Warnings...)
		var out []check.Problem
		for _, s := range rep.Services {
			for _, n := range s.Notes {
				*notes = append(*notes, fmt.Sprintf("%s/%s: %s: %s: %s", s.Service, layout.ServiceSecretsFile, n.Kind, strings.Join(n.Keys, ", "), n.Detail))
			}
		}
		for _, s := range rep.Failing() {
			for _, p := range s.Problems {
				if p.Kind == seal.ProblemTracked {
					continue // reported by check's own plaintext rule
				}
				msg := p.Kind + ": "
				if len(p.Keys) > 0 {
					msg += strings.Join(p.Keys, ", ") + ": "
				}
				out = append(out, check.Problem{Class: check.ClassSealed, App: s.Service, Repo: check.RepoConfigs,
					File: s.Service + "/" + layout.ServiceSecretsFile, Message: msg + p.Detail + " (gitopsctl seal " + s.Service + ")"})
			}
		}
		return out, nil
	}
}
