package cli

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/gitopsctl/gitopsctl/internal/iostreams"
)

// globalOutputFlags are the global flags that say how much gitopsctl
// prints and whether in color: --quiet, --verbose (and --debug, helm's
// name for it) and --color.
func (f *Factory) addOutputFlags(root *cobra.Command, pf *pflag.FlagSet) {
	pf.BoolP("quiet", "q", false, "print errors only: no progress, notes, warnings or summaries (commands that answer a question, like list, env get, render, still print the answer)")
	pf.BoolP("verbose", "v", false, "also print debug logs to stderr: config and repositories used, roots, discovered apps, timing")
	pf.Bool("debug", false, "same as --verbose")
	enumFlag(root, pf, &f.colorMode, "color", "", iostreams.ColorAuto, []string{iostreams.ColorAuto, iostreams.ColorAlways, iostreams.ColorNever},
		"color the output: auto (only on a terminal, and not when NO_COLOR is set), always or never")
}

// keepsOutput names the commands whose standard output is the answer the
// user asked for: --quiet keeps it (other commands' text output is a
// report of what they did, and --quiet drops it). JSON and YAML output is
// always kept.
var keepsOutput = map[string]bool{
	"version": true, "list": true, "env list": true, "env get": true, "env diff": true,
	"render": true, "diff": true, "check": true, "completion": true, "help": true,
}

func keepsOutputQuiet(cmd *cobra.Command) bool {
	path := strings.TrimPrefix(cmd.CommandPath(), cmd.Root().Name()+" ")
	for p := path; p != ""; {
		if keepsOutput[p] {
			return true
		}
		i := strings.LastIndex(p, " ")
		if i < 0 {
			break
		}
		p = p[:i]
	}
	// seal --check's list of what needs sealing is its answer.
	if path == "seal" {
		if fl := cmd.Flags().Lookup("check"); fl != nil && fl.Changed {
			return true
		}
	}
	return false
}

// applyOutputFlags sets up the streams for --quiet, --verbose and --color
// before the command runs.
func (f *Factory) applyOutputFlags(cmd *cobra.Command) error {
	quiet, verbose := f.v.GetBool("quiet"), f.v.GetBool("verbose") || f.v.GetBool("debug")
	if quiet && verbose {
		return usageError("--quiet and --verbose exclude each other")
	}
	f.quiet, f.verbose = quiet, verbose
	f.IO.Color = f.colorMode
	if f.quiet {
		f.IO.ErrOut = io.Discard
		if f.Output() == "text" && !keepsOutputQuiet(cmd) {
			f.IO.Out = io.Discard
		}
		cmd.Root().SetOut(f.IO.Out)
		cmd.Root().SetErr(f.IO.ErrOut)
	}
	f.debugf("gitopsctl %s: %s", versionString(), cmd.CommandPath())
	return nil
}

// printError prints err the way Main prints the error a command returns:
// to stderr, even with --quiet. For errors a command reports before it
// returns (an app that failed among others that rendered).
func (f *Factory) printError(err error) {
	fmt.Fprintf(f.stderr(), "Error: %v\n", err)
}

// stderr is where errors go: the process's stderr, whatever --quiet did to
// IO.ErrOut.
func (f *Factory) stderr() io.Writer {
	if f.errOut != nil {
		return f.errOut
	}
	return f.IO.ErrOut
}

// debugf prints a debug log line to stderr with --verbose.
func (f *Factory) debugf(format string, a ...any) {
	if f.verbose {
		fmt.Fprintf(f.IO.ErrOut, "debug: "+format+"\n", a...)
	}
}

// displayOr is s, or def when s is empty.
func displayOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
