package cli

import "github.com/spf13/cobra"

// newDiffCmd is a placeholder until the command lands.
func newDiffCmd(f *Factory) *cobra.Command {
	return &cobra.Command{
		Use:    "diff",
		Short:  "(not yet available)",
		Hidden: true,
		RunE: func(*cobra.Command, []string) error {
			return usageError("'diff' is not available in this build yet")
		},
	}
}
