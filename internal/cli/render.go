package cli

import "github.com/spf13/cobra"

// newRenderCmd is a placeholder until the command lands.
func newRenderCmd(f *Factory) *cobra.Command {
	return &cobra.Command{
		Use:    "render",
		Short:  "(not yet available)",
		Hidden: true,
		RunE: func(*cobra.Command, []string) error {
			return usageError("'render' is not available in this build yet")
		},
	}
}
