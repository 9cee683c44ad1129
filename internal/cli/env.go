package cli

import "github.com/spf13/cobra"

// newEnvCmd is a placeholder until the command lands.
func newEnvCmd(f *Factory) *cobra.Command {
	return &cobra.Command{
		Use:    "env",
		Short:  "(not yet available)",
		Hidden: true,
		RunE: func(*cobra.Command, []string) error {
			return usageError("'env' is not available in this build yet")
		},
	}
}
