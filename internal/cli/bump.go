package cli

import "github.com/spf13/cobra"

// newBumpCmd is a placeholder until the command lands.
func newBumpCmd(f *Factory) *cobra.Command {
	return &cobra.Command{
		Use:    "bump",
		Short:  "(not yet available)",
		Hidden: true,
		RunE: func(*cobra.Command, []string) error {
			return usageError("'bump' is not available in this build yet")
		},
	}
}
