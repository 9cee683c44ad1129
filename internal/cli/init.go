package cli

import "github.com/spf13/cobra"

// newInitCmd is a placeholder until the command lands.
func newInitCmd(f *Factory) *cobra.Command {
	return &cobra.Command{
		Use:    "init",
		Short:  "(not yet available)",
		Hidden: true,
		RunE: func(*cobra.Command, []string) error {
			return usageError("'init' is not available in this build yet")
		},
	}
}
