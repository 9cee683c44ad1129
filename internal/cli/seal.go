package cli

import "github.com/spf13/cobra"

// newSealCmd is a placeholder until the command lands.
func newSealCmd(f *Factory) *cobra.Command {
	return &cobra.Command{
		Use:    "seal",
		Short:  "(not yet available)",
		Hidden: true,
		RunE: func(*cobra.Command, []string) error {
			return usageError("'seal' is not available in this build yet")
		},
	}
}
