package cli

import "github.com/spf13/cobra"

// newNewServiceCmd is a placeholder until the command lands.
func newNewServiceCmd(f *Factory) *cobra.Command {
	return &cobra.Command{
		Use:    "new-service",
		Short:  "(not yet available)",
		Hidden: true,
		RunE: func(*cobra.Command, []string) error {
			return usageError("'new-service' is not available in this build yet")
		},
	}
}
