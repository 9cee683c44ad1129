// Package cli is the thin cobra layer of gitopsctl: each command binds flags
// to an options struct, calls a package that does the work and returns data,
// and prints that data as text, JSON or YAML.
package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"github.com/spf13/viper"

	"github.com/gitopsctl/gitopsctl/internal/config"
	"github.com/gitopsctl/gitopsctl/internal/iostreams"
)

// Exit codes (DESIGN.md §2).
const (
	ExitOK       = 0
	ExitError    = 1
	ExitUsage    = 2
	ExitProblems = 3 // check found a problem / diff found changes
)

// Version is set at build time with -ldflags "-X ...cli.Version=...".
var Version = "dev"

// Factory carries what every command needs: streams, the global flags and
// a lazily loaded config. Commands receive it instead of reaching for globals.
type Factory struct {
	IO  *iostreams.IOStreams
	Now func() time.Time
	// Getenv reads the environment (injected for tests).
	Getenv func(string) string

	v      *viper.Viper
	loaded *config.Loaded
}

// Output is the -o/--output value.
func (f *Factory) Output() string { return f.v.GetString("output") }

// RepoFlag is the --repo value ("" when not given).
func (f *Factory) RepoFlag() string { return f.v.GetString("repo") }

// ConfigsFlag is the --configs value ("" when not given).
func (f *Factory) ConfigsFlag() string { return f.v.GetString("configs") }

// Config loads .gitopsctl.yaml once (walking up from the current directory
// unless --repo or --config say otherwise) and returns it.
func (f *Factory) Config() (*config.Loaded, error) {
	if f.loaded != nil {
		return f.loaded, nil
	}
	wd, err := os.Getwd()
	if err != nil {
		return nil, err
	}
	l, err := config.Load(config.Options{
		Dir:        wd,
		RepoDir:    f.v.GetString("repo"),
		ConfigsDir: f.v.GetString("configs"),
		File:       f.v.GetString("config"),
	})
	if err != nil {
		return nil, err
	}
	l.Offline = f.v.GetBool("offline")
	if d := f.v.GetString("cache-dir"); d != "" {
		if l.ChartCacheDir, err = filepath.Abs(d); err != nil {
			return nil, err
		}
	}
	if err := l.AddChartMirrors(f.Getenv(config.EnvChartMirrors)); err != nil {
		return nil, err
	}
	f.loaded = l
	return l, nil
}

// exitError carries an exit code through cobra. A nil err means the command
// already printed what it had to say (e.g. check's problem list).
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit status %d", e.code)
	}
	return e.err.Error()
}
func (e *exitError) Unwrap() error { return e.err }

// SilentExit ends the command with code without printing anything more.
func SilentExit(code int) error { return &exitError{code: code} }

// usageError marks bad invocations (exit 2).
func usageError(format string, a ...any) error {
	return &exitError{code: ExitUsage, err: fmt.Errorf(format, a...)}
}

// NewRootCmd builds the command tree.
func NewRootCmd(f *Factory) *cobra.Command {
	root := &cobra.Command{
		Use:   "gitopsctl",
		Short: "Manage Argo CD GitOps repositories: scaffold, seal, bump, render, diff, check",
		Long: `gitopsctl manages a GitOps setup of two repositories: a gitops-repo with Argo CD
Applications (App of Apps, multi-source) and one Helm chart per service, and a
configs-repo with each service's environment values and sealed secrets.

It finds the gitops-repo by walking up from the current directory to the first
.gitopsctl.yaml (or use --repo), and the configs-repo from that file (or --configs).
Every flag can also be set as an environment variable GITOPSCTL_<FLAG>, e.g.
GITOPSCTL_REPO=/src/gitops-repo or GITOPSCTL_OUTPUT=json.

Exit codes: 0 ok, 1 error, 2 usage error, 3 check found a problem or diff found changes.`,
		Example: `  gitopsctl init gitops-repo --registry ghcr.io/acme --git
  cd gitops-repo && gitopsctl new-service backend --port 8080
  gitopsctl env set backend LOG_LEVEL=debug
  gitopsctl bump backend --tag v1.4.2 --push
  gitopsctl render backend
  gitopsctl diff --base main
  gitopsctl check`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       Version,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			switch o := f.Output(); o {
			case "text", "json", "yaml":
			default:
				return usageError("invalid --output %q: use text, json or yaml", o)
			}
			return nil
		},
	}
	root.SetVersionTemplate("gitopsctl {{.Version}}\n")
	pf := root.PersistentFlags()
	pf.String("repo", "", "gitops-repo root (default: walk up to the first .gitopsctl.yaml)")
	pf.String("configs", "", "configs-repo root (default: configsRepo.path in .gitopsctl.yaml)")
	pf.String("config", "", "config file (default: <repo>/.gitopsctl.yaml)")
	pf.StringP("output", "o", "text", "output format where a command prints data: text, json or yaml")
	pf.Bool("offline", false, "never use the network: remote charts come from the chart cache only (fill it with 'gitopsctl charts pull')")
	pf.String("cache-dir", "", "chart cache `DIR` (default: the user cache dir's gitopsctl/charts)")
	f.bindFlags(pf)

	root.SetIn(f.IO.In)
	root.SetOut(f.IO.Out)
	root.SetErr(f.IO.ErrOut)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error {
		return &exitError{code: ExitUsage, err: err}
	})

	root.AddCommand(
		newVersionCmd(f),
		newInitCmd(f),
		newNewServiceCmd(f),
		newEnvCmd(f),
		newSealCmd(f),
		newBumpCmd(f),
		newRenderCmd(f),
		newDiffCmd(f),
		newCheckCmd(f),
		newHookCmd(f),
		newChartsCmd(f),
	)
	return root
}

// bindFlags makes every flag of fs settable as GITOPSCTL_<FLAG>.
func (f *Factory) bindFlags(fs *pflag.FlagSet) {
	fs.VisitAll(func(fl *pflag.Flag) {
		_ = f.v.BindPFlag(fl.Name, fl)
	})
}

// applyEnv copies GITOPSCTL_<FLAG> values into command flags the user did not
// set, so a command's own flags honour the environment too.
func (f *Factory) applyEnv(cmd *cobra.Command) error {
	var errs []error
	apply := func(fl *pflag.Flag) {
		if fl.Changed {
			return
		}
		name := "GITOPSCTL_" + strings.ToUpper(strings.ReplaceAll(fl.Name, "-", "_"))
		if val := f.Getenv(name); val != "" {
			if err := fl.Value.Set(val); err != nil {
				errs = append(errs, fmt.Errorf("%s=%q: %w", name, val, err))
				return
			}
			fl.Changed = true
		}
	}
	cmd.Flags().VisitAll(apply)
	cmd.InheritedFlags().VisitAll(apply)
	if len(errs) > 0 {
		return &exitError{code: ExitUsage, err: errors.Join(errs...)}
	}
	return nil
}

// Main runs gitopsctl with args and returns the exit code. Errors are printed
// here, once, to stderr.
func Main(args []string, io *iostreams.IOStreams) int {
	v := viper.New()
	v.SetEnvPrefix("GITOPSCTL")
	v.SetEnvKeyReplacer(strings.NewReplacer("-", "_"))
	v.AutomaticEnv()
	f := &Factory{IO: io, Now: time.Now, Getenv: os.Getenv, v: v}
	return run(context.Background(), f, args)
}

func run(ctx context.Context, f *Factory, args []string) int {
	root := NewRootCmd(f)
	root.SetArgs(args)
	// Apply GITOPSCTL_* to the command about to run before cobra parses.
	if cmd, _, err := root.Find(args); err == nil {
		cmd.PreRunE = chainPreRun(cmd.PreRunE, func(c *cobra.Command, _ []string) error { return f.applyEnv(c) })
	}
	err := root.ExecuteContext(ctx)
	if err == nil {
		return ExitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil {
			fmt.Fprintf(f.IO.ErrOut, "Error: %v\n", ee.err)
			if ee.code == ExitUsage {
				fmt.Fprintf(f.IO.ErrOut, "Run '%s --help' for usage.\n", commandPath(root, args))
			}
		}
		return ee.code
	}
	fmt.Fprintf(f.IO.ErrOut, "Error: %v\n", err)
	if isUsageErr(err) {
		fmt.Fprintf(f.IO.ErrOut, "Run '%s --help' for usage.\n", commandPath(root, args))
		return ExitUsage
	}
	return ExitError
}

func chainPreRun(prev func(*cobra.Command, []string) error, next func(*cobra.Command, []string) error) func(*cobra.Command, []string) error {
	return func(c *cobra.Command, a []string) error {
		if err := next(c, a); err != nil {
			return err
		}
		if prev != nil {
			return prev(c, a)
		}
		return nil
	}
}

func commandPath(root *cobra.Command, args []string) string {
	if cmd, _, err := root.Find(args); err == nil {
		return cmd.CommandPath()
	}
	return root.Name()
}

// isUsageErr recognises cobra's own argument and command errors.
func isUsageErr(err error) bool {
	msg := err.Error()
	for _, p := range []string{"unknown command", "unknown flag", "unknown shorthand", "accepts ", "requires at least", "requires at most", "received ", "invalid argument", "flag needs an argument", "required flag"} {
		if strings.Contains(msg, p) {
			return true
		}
	}
	return false
}

func newVersionCmd(f *Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the gitopsctl version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return printData(f, map[string]string{"version": Version}, func(w *strings.Builder) {
				fmt.Fprintf(w, "gitopsctl %s\n", Version)
			})
		},
	}
}
