// Package cli is the thin cobra layer of gitopsctl: each command binds flags
// to an options struct, calls a package that does the work and returns data,
// and prints that data as text, JSON or YAML.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"github.com/spf13/viper"

	"github.com/gitopsctl/gitopsctl/internal/config"
	"github.com/gitopsctl/gitopsctl/internal/iostreams"
	"github.com/gitopsctl/gitopsctl/internal/render"
	"github.com/gitopsctl/gitopsctl/internal/services"
)

// Exit codes, as the README documents them.
const (
	ExitOK       = 0
	ExitError    = 1
	ExitUsage    = 2
	ExitProblems = 3 // check found a problem / diff found changes
)

// Factory carries what every command needs: streams, the global flags and
// a lazily loaded config. Commands receive it instead of reaching for globals.
type Factory struct {
	IO  *iostreams.IOStreams
	Now func() time.Time
	// Getenv reads the environment (injected for tests).
	Getenv func(string) string

	v         *viper.Viper
	output    string // -o; read through v, like every flag
	colorMode string // --color
	loaded    *config.Loaded

	quiet, verbose bool      // --quiet, --verbose/--debug
	errOut         io.Writer // stderr for errors, kept when --quiet silences IO.ErrOut

	args  []string   // the command line, for a replay record
	start time.Time  // when Main began
	rec   *recording // the run being recorded, if any (replay.go)
}

// Output is the -o/--output value: text, json or yaml.
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
	if err := f.checkConfigFlags(); err != nil {
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
	f.debugf("config %s; gitops-repo %s; configs-repo %s", displayOr(l.File, "(none)"), l.RepoDir, l.ConfigsDir)
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
GITOPSCTL_REPO=/src/gitops-repo or GITOPSCTL_OUTPUT=json; a flag given on the
command line wins.

--quiet prints errors only, -v (--verbose) adds debug logs on stderr, and
--color always|never overrides the default of coloring only on a terminal
without NO_COLOR. Shell completion ('gitopsctl completion bash|zsh|fish')
completes service, app, project and cluster names, env keys and git revisions.

Exit codes: 0 ok, 1 error, 2 usage error, 3 check found a problem or diff found changes.`,
		Example: `  gitopsctl init gitops-repo --registry ghcr.io/acme --git
  cd gitops-repo && gitopsctl new-service backend --port 8080
  gitopsctl list apps
  gitopsctl env set backend LOG_LEVEL=debug
  gitopsctl bump backend --tag v1.4.2 --push
  gitopsctl render backend
  gitopsctl diff --base main
  gitopsctl check`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       versionString(),
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			if err := f.bindEnv(cmd); err != nil {
				return err
			}
			if err := f.applyOutputFlags(cmd); err != nil {
				return err
			}
			// cobra checks these after this hook, as plain errors; checked
			// here (with the environment bound) they are usage errors.
			if err := cmd.ValidateRequiredFlags(); err != nil {
				return asUsage(err)
			}
			return asUsage(cmd.ValidateFlagGroups())
		},
	}
	root.SetVersionTemplate("gitopsctl {{.Version}}\n")
	pf := root.PersistentFlags()
	pf.String("repo", "", "gitops-repo root (default: walk up to the first .gitopsctl.yaml)")
	pf.String("configs", "", "configs-repo root (default: configsRepo.path in .gitopsctl.yaml)")
	pf.String("config", "", "config file (default: <repo>/.gitopsctl.yaml)")
	enumFlag(root, pf, &f.output, "output", "o", "text", []string{"text", "json", "yaml"}, "output format where a command prints data: text, json or yaml")
	pf.Bool("offline", false, "never use the network: remote charts come from the chart cache only (fill it with 'gitopsctl charts pull')")
	pf.String("cache-dir", "", "chart cache `DIR` (default: the user cache dir's gitopsctl/charts)")
	f.addOutputFlags(root, pf)
	pf.Bool("no-cache", false, "neither read nor write the render cache (see 'gitopsctl cache')")
	// Bound now, not only when a command runs, so that shell completion
	// (which runs no command hooks) sees GITOPSCTL_REPO and friends too.
	pf.VisitAll(func(fl *pflag.Flag) { _ = f.v.BindPFlag(fl.Name, fl) })

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
		newRmServiceCmd(f),
		newNewProjectCmd(f),
		newEnvCmd(f),
		newSealCmd(f),
		newBumpCmd(f),
		newRenderCmd(f),
		newDiffCmd(f),
		newCheckCmd(f),
		newHookCmd(f),
		newChartsCmd(f),
		newListCmd(f),
		newCacheCmd(f),
		newClusterCmd(f),
		newServiceCmd(f),
		newPromoteCmd(f),
	)
	// Added now rather than when the command runs, so that the walk below
	// types its errors too.
	root.InitDefaultCompletionCmd()
	root.InitDefaultHelpCmd()
	typeUsageErrors(root)
	registerCompletions(f, root)
	for _, c := range root.Commands() {
		if c.Name() == "help" {
			c.Args = helpArgs
		}
	}
	return root
}

// helpArgs makes 'help' with a topic that names no command a usage error
// with suggestions, like the command itself would be.
func helpArgs(cmd *cobra.Command, args []string) error {
	c, rest, err := cmd.Root().Find(args)
	if err != nil {
		return asUsage(err)
	}
	if len(rest) > 0 {
		return groupArgs(c, rest)
	}
	return nil
}

// typeUsageErrors makes every bad invocation of c and its subcommands an
// exitError with ExitUsage, by type rather than by message: each Args
// validator's error is wrapped, and a group command (subcommands, nothing
// to run itself) rejects an argument that names no subcommand, suggesting
// the close ones, instead of printing help and exiting 0. Run with no
// argument, a group command still prints its help.
func typeUsageErrors(c *cobra.Command) {
	for _, sub := range c.Commands() {
		typeUsageErrors(sub)
	}
	switch {
	case c.HasSubCommands() && !c.Runnable():
		c.Args = groupArgs
		c.RunE = func(cmd *cobra.Command, _ []string) error { return cmd.Help() }
	case c.HasSubCommands():
		// Runnable itself too (hook, charts: help; seal SERVICE): an
		// argument it rejects, or a service it does not know, may be a
		// misspelt subcommand.
		validate := c.Args
		c.Args = func(cmd *cobra.Command, args []string) error {
			if validate == nil {
				return nil
			}
			if err := validate(cmd, args); err != nil {
				if len(args) > 0 {
					return groupArgs(cmd, args)
				}
				return asUsage(err)
			}
			return nil
		}
		if run := c.RunE; run != nil {
			c.RunE = func(cmd *cobra.Command, args []string) error {
				err := run(cmd, args)
				var ue *services.UnknownError
				if len(args) > 0 && errors.As(err, &ue) && ue.Name == args[0] {
					if s := suggestCommands(cmd, args[0]); s != "" {
						return &exitError{code: ExitUsage, err: fmt.Errorf("%w%s", err, s)}
					}
				}
				return err
			}
		}
	case c.Args != nil:
		validate := c.Args
		c.Args = func(cmd *cobra.Command, args []string) error { return asUsage(validate(cmd, args)) }
	}
}

// suggestCommands is cobra's "Did you mean this?" list of cmd's
// subcommands close to name, or "".
func suggestCommands(cmd *cobra.Command, name string) string {
	if cmd.SuggestionsMinimumDistance <= 0 {
		cmd.SuggestionsMinimumDistance = 2 // cobra's default, set only by its own lookup
	}
	s := cmd.SuggestionsFor(name)
	if len(s) == 0 {
		return ""
	}
	return "\n\nDid you mean this?\n\t" + strings.Join(s, "\n\t")
}

// groupArgs accepts no argument: the first one names no subcommand.
func groupArgs(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return nil
	}
	msg := fmt.Sprintf("unknown command %q for %q", args[0], cmd.CommandPath())
	return &exitError{code: ExitUsage, err: errors.New(msg + suggestCommands(cmd, args[0]))}
}

// asUsage makes err a usage error (exit 2), unless it already carries an
// exit code.
func asUsage(err error) error {
	if err == nil {
		return nil
	}
	if ee := (*exitError)(nil); errors.As(err, &ee) {
		return err
	}
	return &exitError{code: ExitUsage, err: err}
}

// newViper returns the viper that resolves every flag, global or a
// command's own: a flag given on the command line wins, then the environment
// variable GITOPSCTL_<FLAG> (upper case, dashes as underscores), then the
// flag's default. The config file is not read through viper: see package
// config for why.
func newViper() *viper.Viper {
	v := viper.New()
	v.SetEnvPrefix("GITOPSCTL")
	v.SetEnvKeyReplacer(strings.NewReplacer("-", "_"))
	v.AutomaticEnv()
	return v
}

// envName is the environment variable of the flag name.
func envName(flag string) string {
	return "GITOPSCTL_" + strings.ToUpper(strings.ReplaceAll(flag, "-", "_"))
}

// bindEnv binds every flag of the command about to run (its own and the
// global ones it does not shadow) to a viper of its own, and sets each flag
// the command line left alone to the value viper resolves from the
// environment, so the command's options see it like a flag given by hand.
// (A viper of its own: a command's flag may share a global flag's name,
// e.g. hook install --configs, and must not replace the global binding.)
// A value the flag rejects is a usage error naming the variable.
func (f *Factory) bindEnv(cmd *cobra.Command) error {
	v := newViper()
	var errs []error
	cmd.Flags().VisitAll(func(fl *pflag.Flag) {
		if fl.Name == "help" || fl.Name == "version" {
			return
		}
		if g := cmd.Root().PersistentFlags().Lookup(fl.Name); g != nil && g != fl {
			return // GITOPSCTL_<FLAG> names the global flag this one shadows
		}
		_ = v.BindPFlag(fl.Name, fl)
		if fl.Changed || !v.IsSet(fl.Name) {
			return
		}
		val := v.GetString(fl.Name)
		if err := fl.Value.Set(val); err != nil {
			errs = append(errs, fmt.Errorf("%s=%q: %w", envName(fl.Name), val, err))
			return
		}
		fl.Changed = true // as if given: commands may ask whether it was
	})
	if len(errs) > 0 {
		return &exitError{code: ExitUsage, err: errors.Join(errs...)}
	}
	return nil
}

// Main runs gitopsctl with args and returns the exit code. Errors are printed
// here, once, to stderr.
func Main(args []string, io *iostreams.IOStreams) int {
	// Ctrl-C and SIGTERM cancel ctx instead of killing the process: every
	// command checks it between steps, undoes what it started (scaffold's
	// file transaction rolls back, temp files are removed) and exits 1. A
	// second signal kills the process as usual (e.g. when it waits on a
	// terminal read, which no context can end).
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() { <-ctx.Done(); stop() }()
	f := &Factory{IO: io, Now: time.Now, Getenv: os.Getenv, v: newViper(), args: args, start: time.Now()}
	return run(ctx, f, args)
}

func run(ctx context.Context, f *Factory, args []string) int {
	start := time.Now()
	code := execute(ctx, f, args)
	f.finishRecording(code)
	f.debugf("exit %d after %s", code, time.Since(start).Round(time.Millisecond))
	return code
}

func execute(ctx context.Context, f *Factory, args []string) int {
	// Errors go to stderr even when --quiet silences IO.ErrOut.
	f.errOut = f.IO.ErrOut
	stderr := f.errOut
	root := NewRootCmd(f)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return ExitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil {
			fmt.Fprintf(stderr, "Error: %v\n", ee.err)
			if ee.code == ExitUsage {
				fmt.Fprintf(stderr, "Run '%s --help' for usage.\n", commandPath(root, args))
			}
		}
		return ee.code
	}
	fmt.Fprintf(stderr, "Error: %v\n", err)
	// An unknown service or app is a bad invocation, whichever command
	// found it.
	var unknownSvc *services.UnknownError
	var unknownApps *render.UnknownAppsError
	if errors.As(err, &unknownSvc) || errors.As(err, &unknownApps) {
		fmt.Fprintf(stderr, "Run '%s --help' for usage.\n", commandPath(root, args))
		return ExitUsage
	}
	return ExitError
}

func commandPath(root *cobra.Command, args []string) string {
	if cmd, _, err := root.Find(args); err == nil {
		return cmd.CommandPath()
	}
	return root.Name()
}
