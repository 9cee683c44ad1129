package cli

import (
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// enumValue is a string flag that takes one of a closed set of values. A
// value outside the set fails when the flag is parsed (exit 2), whether it
// comes from the command line or from GITOPSCTL_<FLAG>, and the set is what
// shell completion offers.
type enumValue struct {
	p       *string
	allowed []string
}

func (e *enumValue) String() string { return *e.p }
func (e *enumValue) Type() string   { return "string" }

func (e *enumValue) Set(s string) error {
	if !slices.Contains(e.allowed, s) {
		return fmt.Errorf("must be one of %s", strings.Join(e.allowed, ", "))
	}
	*e.p = s
	return nil
}

// enumFlag defines the flag name (shorthand may be "") on fs, stores its
// value in p (initially def, which need not be in allowed: "" for "not
// given") and registers allowed for shell completion on cmd.
func enumFlag(cmd *cobra.Command, fs *pflag.FlagSet, p *string, name, shorthand, def string, allowed []string, usage string) {
	*p = def
	fs.VarP(&enumValue{p: p, allowed: allowed}, name, shorthand, usage)
	_ = cmd.RegisterFlagCompletionFunc(name, func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return allowed, cobra.ShellCompDirectiveNoFileComp
	})
}

// exactlyOne is the Args check of a command that takes one argument (what
// names it in the message): any other count is a usage error.
func exactlyOne(command, what string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != 1 {
			return usageError("%s takes exactly one %s, got %d arguments", command, what, len(args))
		}
		return nil
	}
}
