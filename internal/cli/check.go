package cli

import "github.com/spf13/cobra"

// newCheckCmd is a placeholder until the command lands.
func newCheckCmd(f *Factory) *cobra.Command {
	return &cobra.Command{
		Use:    "check",
		Short:  "(not yet available)",
		Hidden: true,
		RunE: func(*cobra.Command, []string) error {
			return usageError("'check' is not available in this build yet")
		},
	}
}
