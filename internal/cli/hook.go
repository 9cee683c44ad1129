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
			return usageError("missing subcommand: gitopsctl hook install")
		},
	}
	cmd.AddCommand(newHookInstallCmd(f))
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
--configs in the configs-repo too. The hook runs 'gitopsctl check --staged' for
the pair of repositories and blocks the commit when it finds a problem (skip it
once with 'git commit --no-verify').

A pre-commit hook that gitopsctl did not write is left alone unless --force is
given; it is then kept as pre-commit.bak. Re-running updates gitopsctl's own hook.

The hook runs the gitopsctl binary that installed it (override with the
GITOPSCTL_BIN environment variable). With the pre-commit framework, use the
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
				}
			})
		},
	}
	cmd.Flags().BoolVar(&o.force, "force", false, "replace a pre-commit hook gitopsctl did not write (kept as pre-commit.bak)")
	cmd.Flags().BoolVar(&o.configs, "configs", false, "also install the hook in the configs-repo")
	return cmd
}

// hookBinary is the command the hook runs: this executable when it is a
// gitopsctl binary, else "gitopsctl" looked up on PATH when the hook runs.
func hookBinary() string {
	exe, err := os.Executable()
	if err != nil {
		return "gitopsctl"
	}
	if r, err := filepath.EvalSymlinks(exe); err == nil {
		exe = r
	}
	if filepath.Base(exe) != "gitopsctl" {
		return "gitopsctl"
	}
	return exe
}
