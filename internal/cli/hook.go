package cli

import "github.com/spf13/cobra"

// newHookCmd is a placeholder until the command lands.
func newHookCmd(f *Factory) *cobra.Command {
	return &cobra.Command{
		Use:    "hook",
		Short:  "(not yet available)",
		Hidden: true,
		RunE: func(*cobra.Command, []string) error {
			return usageError("'hook' is not available in this build yet")
		},
	}
}
