package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/gitopsctl/gitopsctl/internal/check"
)

func newHookCmd(f *Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "hook",
		Short: "Manage the git pre-commit hook that runs 'gitopsctl check --staged'",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return usageError("missing subcommand: gitopsctl hook install|uninstall")
		},
	}
	cmd.AddCommand(newHookInstallCmd(f), newHookUninstallCmd(f))
	return cmd
}

type hookInstallOptions struct {
	force   bool
	configs bool
}

func newHookInstallCmd(f *Factory) *cobra.Command {
	o := &hookInstallOptions{}
	cmd := &cobra.Command{
		Use:   "install",
		Short: "Write a git pre-commit hook that blocks commits 'gitopsctl check --staged' rejects",
		Long: `Write .git/hooks/pre-commit (or into core.hooksPath) in the gitops-repo, and with
--configs in the configs-repo too. The hook runs 'gitopsctl check --staged' on
what is being committed and blocks the commit when it finds a problem (skip it
once with 'git commit --no-verify'); it runs with --quiet, so a passing commit
prints nothing and a failing one only its problems. It checks the index git commits, so
'git commit -a' and 'git commit -- PATH' are checked too, and what is left
unstaged in the work tree does not count.

No repository path is fixed in the hook: git runs it at the top of the work
tree being committed, so it also works in linked worktrees ('git worktree
add'; they share the hooks directory). The configs-repo's hook records where
the gitops-repo is relative to the configs-repo (GITOPS_REPO in the hook),
tried from the work tree being committed, then from the main work tree.

A pre-commit hook that gitopsctl did not write is left alone unless --force is
given; it is then kept as pre-commit.bak (put back by 'gitopsctl hook
uninstall'). Re-running updates gitopsctl's own hook.

The hook runs the gitopsctl binary that installed it, else gitopsctl on PATH
(override with the GITOPSCTL_BIN environment variable); when there is none the
commit fails with a message saying so. With the pre-commit framework, use the
hook id gitopsctl-check from this project's .pre-commit-hooks.yaml instead.`,
		Example: `  gitopsctl hook install
  gitopsctl hook install --configs      # also guard the configs-repo
  gitopsctl hook install --force        # replace an existing hook`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := f.Config()
			if err != nil {
				return err
			}
			got, err := check.InstallHooks(check.HookOptions{
				GitopsDir: cfg.RepoDir, ConfigsDir: cfg.ConfigsDir,
				Configs: o.configs, Force: o.force, Bin: hookBinary(),
			})
			if err != nil {
				return err
			}
			return printData(f, got, func(w *strings.Builder) {
				for _, h := range got {
					fmt.Fprintf(w, "%s pre-commit hook %s", h.Repo, h.Action)
					if h.Backup != "" {
						fmt.Fprintf(w, " (previous hook kept as %s)", h.Backup)
					}
					fmt.Fprintf(w, ": %s\n", h.Path)
					if h.GitopsRepo != "" {
						fmt.Fprintf(w, "  it finds the gitops-repo at %s from the configs-repo (GITOPS_REPO in the hook)\n", h.GitopsRepo)
					}
				}
			})
		},
	}
	cmd.Flags().BoolVar(&o.force, "force", false, "replace a pre-commit hook gitopsctl did not write (kept as pre-commit.bak)")
	cmd.Flags().BoolVar(&o.configs, "configs", false, "also install the hook in the configs-repo")
	return cmd
}

func newHookUninstallCmd(f *Factory) *cobra.Command {
	o := &hookInstallOptions{}
	cmd := &cobra.Command{
		Use:   "uninstall",
		Short: "Remove the pre-commit hook 'gitopsctl hook install' wrote",
		Long: `Remove the pre-commit hook gitopsctl wrote in the gitops-repo, and with --configs
in the configs-repo too. A pre-commit.bak kept by 'hook install --force' is put
back in its place. A pre-commit hook gitopsctl did not write is an error and
nothing is removed.`,
		Example: `  gitopsctl hook uninstall
  gitopsctl hook uninstall --configs`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := f.Config()
			if err != nil {
				return err
			}
			got, err := check.UninstallHooks(check.HookOptions{
				GitopsDir: cfg.RepoDir, ConfigsDir: cfg.ConfigsDir, Configs: o.configs,
			})
			if err != nil {
				return err
			}
			return printData(f, got, func(w *strings.Builder) {
				for _, h := range got {
					switch h.Action {
					case "absent":
						fmt.Fprintf(w, "%s pre-commit hook: none installed: %s\n", h.Repo, h.Path)
					case "restored":
						fmt.Fprintf(w, "%s pre-commit hook removed, previous hook restored from %s: %s\n", h.Repo, h.Backup, h.Path)
					default:
						fmt.Fprintf(w, "%s pre-commit hook removed: %s\n", h.Repo, h.Path)
					}
				}
			})
		},
	}
	cmd.Flags().BoolVar(&o.configs, "configs", false, "also remove the hook from the configs-repo")
	return cmd
}

// hookBinary is the command the hook runs: the gitopsctl front installed
// next to this engine (or this executable, when it is gitopsctl itself)
// when it is a binary that stays (not one 'go run' built in a temporary
// directory), else "gitopsctl" looked up on PATH when the hook runs. The
// hook also falls back to PATH when the recorded binary is gone.
func hookBinary() string {
	exe, err := os.Executable()
	if err != nil {
		return "gitopsctl"
	}
	return hookBinaryFor(exe, os.TempDir())
}

// hookBinaryFor is hookBinary for the executable exe and the temporary
// directory tmpDir.
func hookBinaryFor(exe, tmpDir string) string {
	if r, err := filepath.EvalSymlinks(exe); err == nil {
		exe = r
	}
	if filepath.Base(exe) == "gitopsctl-engine" {
		exe = filepath.Join(filepath.Dir(exe), "gitopsctl")
		if fi, err := os.Stat(exe); err != nil || !fi.Mode().IsRegular() || fi.Mode().Perm()&0o111 == 0 {
			return "gitopsctl"
		}
	}
	if filepath.Base(exe) != "gitopsctl" {
		return "gitopsctl"
	}
	if tmp, err := filepath.EvalSymlinks(tmpDir); err == nil {
		if rel, err := filepath.Rel(tmp, exe); err == nil && strings.HasPrefix(rel, "go-build") {
			return "gitopsctl"
		}
	}
	return exe
}
