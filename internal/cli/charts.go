package cli

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/gitopsctl/gitopsctl/internal/render"
)

func newChartsCmd(f *Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "charts",
		Short: "Manage the cache of remote Helm charts",
		Args:  cobra.NoArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.AddCommand(newChartsPullCmd(f))
	return cmd
}

func newChartsPullCmd(f *Factory) *cobra.Command {
	var root string
	cmd := &cobra.Command{
		Use:   "pull [APP...]",
		Short: "Fetch every remote chart the apps need into the chart cache",
		Long: `Fetch every remote chart the Applications need into the chart cache, so that
render, diff and check then work with --offline (for CI cache warm-up).

It covers chart: sources from Helm repositories and OCI registries (unless a
local copy is mapped in repos:) and the remote dependencies of every chart
(Chart.lock honoured). Charts already in the cache at an exact version are
not downloaded again. Each chart is printed with its resolved version and
digest; an app whose charts cannot be fetched is reported and the exit code
is 1.`,
		Example: `  # warm the cache for every app
  gitopsctl charts pull

  # into a cache directory CI keeps between runs
  gitopsctl charts pull --cache-dir .cache/charts`,
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := f.Config()
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			ws, err := render.Open(ctx, f.withCache(render.Options{Config: cfg, Root: root}))
			if err != nil {
				return err
			}
			var apps []*render.App
			for _, name := range args {
				a := ws.App(name)
				if a == nil {
					return usageError("unknown application %s", name)
				}
				apps = append(apps, a)
			}
			used, errs := ws.PrefetchCharts(ctx, apps)
			out := cmd.OutOrStdout()
			for _, c := range used {
				state := "cached "
				if c.Fetched {
					state = "fetched"
				}
				fmt.Fprintf(out, "%s %s %s %s %s\n", state, c.Ref.Repo, c.Ref.Chart, c.Version, c.Digest)
			}
			return errors.Join(errs...)
		},
	}
	cmd.Flags().StringVar(&root, "root", "", "root Application manifest `FILE` (default: root-app.yaml in the gitops-repo)")
	return cmd
}
