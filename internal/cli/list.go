package cli

import (
	"fmt"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/gitopsctl/gitopsctl/internal/inventory"
	"github.com/gitopsctl/gitopsctl/internal/render"
)

func newListCmd(f *Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "list [services|apps|projects|clusters]",
		Short: "List services, Applications, AppProjects or clusters as a table",
		Long: `List what the repositories hold, one aligned table per kind (-o json or -o yaml
for the same rows as data):

  services   the configs-repo's services: config and secret key counts, chart, image
  apps       every Application the App of Apps manages (discovered as render does):
             project, destination cluster and namespace, sources, parent app
  projects   every AppProject: Applications in it, allowed destinations, source repos
  clusters   the clusters of .gitopsctl.yaml with the capabilities rendering uses

Without a kind, list lists services. apps and projects take --rev and --root
as render does. An app that fails to render (so its children are not known)
is reported on stderr and the exit code is 1, after the table.`,
		Example: `  gitopsctl list
  gitopsctl list apps
  gitopsctl list apps --rev main -o json | jq -r '.[].name'
  gitopsctl list projects -o yaml`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return listServices(f) },
	}
	cmd.AddCommand(
		&cobra.Command{
			Use: "services", Aliases: []string{"service", "svc"},
			Short: "List the configs-repo's services",
			Args:  cobra.NoArgs,
			RunE:  func(cmd *cobra.Command, _ []string) error { return listServices(f) },
		},
		newListWorkspaceCmd(f, "apps", []string{"app", "applications"}, "List the Applications the App of Apps manages", writeApps),
		newListWorkspaceCmd(f, "projects", []string{"project", "appprojects"}, "List the AppProjects", writeProjects),
		&cobra.Command{
			Use: "clusters", Aliases: []string{"cluster"},
			Short: "List the clusters of .gitopsctl.yaml",
			Args:  cobra.NoArgs,
			RunE: func(cmd *cobra.Command, _ []string) error {
				cfg, err := f.Config()
				if err != nil {
					return err
				}
				rows := inventory.Clusters(cfg)
				return printData(f, rows, func(w *strings.Builder) {
					tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
					fmt.Fprintln(tw, "NAME\tSERVER\tKUBE VERSION\tAPI VERSIONS\tLABELS")
					for _, c := range rows {
						fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", c.Name, c.Server, c.KubeVersion, inventory.Join(c.APIVersions), inventory.Join(labelPairs(c.Labels)))
					}
					tw.Flush()
				})
			},
		},
	)
	return cmd
}

func listServices(f *Factory) error {
	cfg, err := f.Config()
	if err != nil {
		return err
	}
	rows, err := inventory.Services(cfg)
	if err != nil {
		return err
	}
	return printData(f, rows, func(w *strings.Builder) {
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "NAME\tCONFIG\tSECRETS\tCHART\tIMAGE")
		for _, s := range rows {
			fmt.Fprintf(tw, "%s\t%d\t%d\t%s\t%s\n", s.Name, s.ConfigKeys, s.SecretKeys, dash(s.Chart), dash(s.Image))
		}
		tw.Flush()
	})
}

// newListWorkspaceCmd is a list subcommand whose rows come from the apps
// and projects render discovers.
func newListWorkspaceCmd(f *Factory, use string, aliases []string, short string, write func(*Factory, *render.Workspace) error) *cobra.Command {
	var roots []string
	var rev, configsRev string
	cmd := &cobra.Command{
		Use: use, Aliases: aliases, Short: short,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := f.Config()
			if err != nil {
				return err
			}
			rootPaths, err := renderRootPaths(cfg.RepoDir, roots)
			if err != nil {
				return err
			}
			ws, err := render.Open(cmd.Context(), render.Options{Config: cfg, Rev: rev, ConfigsRev: configsRev, Roots: rootPaths})
			if err != nil {
				return err
			}
			printWorkspaceNotes(f, ws)
			if err := write(f, ws); err != nil {
				return err
			}
			if errs := ws.DiscoveryErrors(); len(errs) > 0 {
				for _, e := range errs {
					f.printError(e)
				}
				return SilentExit(ExitError)
			}
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringArrayVar(&roots, "root", nil, "root Application manifest `FILE` or directory (repeatable; default as for render)")
	fl.StringVar(&rev, "rev", "", "read the gitops-repo at `REV` (default: the working tree)")
	fl.StringVar(&configsRev, "configs-rev", "", "read the configs-repo at `REV` (default: the working tree)")
	return cmd
}

func writeApps(f *Factory, ws *render.Workspace) error {
	cfg, err := f.Config()
	if err != nil {
		return err
	}
	rows := inventory.Apps(cfg, ws)
	return printData(f, rows, func(w *strings.Builder) {
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "NAME\tPROJECT\tCLUSTER\tNAMESPACE\tSOURCES\tPARENT")
		for _, a := range rows {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", a.Name, a.Project, dash(a.Cluster), dash(a.Namespace), inventory.Join(a.Sources), dash(a.Parent))
		}
		tw.Flush()
	})
}

func writeProjects(f *Factory, ws *render.Workspace) error {
	cfg, err := f.Config()
	if err != nil {
		return err
	}
	rows := inventory.Projects(cfg, ws)
	return printData(f, rows, func(w *strings.Builder) {
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "NAME\tAPPS\tDESTINATIONS\tSOURCE REPOS\tFILE")
		for _, p := range rows {
			fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\n", p.Name, p.Apps, inventory.Join(p.Destinations), inventory.Join(p.SourceRepos), dash(p.File))
		}
		tw.Flush()
	})
}

// dash shows an empty table cell as "-".
func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// labelPairs shows labels as sorted key=value items.
func labelPairs(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k, v := range m {
		out = append(out, k+"="+v)
	}
	sort.Strings(out)
	return out
}
