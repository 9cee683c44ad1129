package cli

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/gitopsctl/gitopsctl/internal/scaffold"
)

func newClusterCmd(f *Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "cluster",
		Short: "Manage the clusters Argo CD deploys to",
		Long: `Manage the clusters declared in .gitopsctl.yaml (clusters:). Each cluster has
its Applications under argo-apps/clusters/<name>/, a root Application
argo-apps/clusters/<name>.yaml, and a capabilities profile and sealing
certificate that render, diff, check and seal use for the apps deployed to it.`,
	}
	cmd.AddCommand(newClusterAddCmd(f))
	return cmd
}

func newClusterAddCmd(f *Factory) *cobra.Command {
	var o scaffold.ClusterOptions
	cmd := &cobra.Command{
		Use:   "add NAME",
		Short: "Declare a cluster and scaffold its directories and root Application",
		Long: `Declare the cluster NAME in .gitopsctl.yaml and scaffold it:

  .gitopsctl.yaml                     clusters: gets NAME (and, when the file had no
                                      clusters: yet, the cluster it named with cluster:)
  argo-apps/clusters/NAME/{app,monitoring,tools}/
  argo-apps/clusters/NAME.yaml        root Application cluster-NAME: manages the
                                      Applications under argo-apps/clusters/NAME/
  root-app.yaml                       directory.exclude: clusters/*/* so it manages the
                                      projects and the cluster roots, not the apps twice
  argo-apps/projects/*.yaml           the server of NAME, with the namespaces the
                                      projects allow on the existing clusters

An existing cluster without a root Application gets one too. Files are edited
in place (comments and layout kept) and written all or nothing; --dry-run
lists the changes and writes nothing.`,
		Example: `  gitopsctl cluster add prod --server https://prod.example.com:6443 --label env=prod
  gitopsctl cluster add staging --server https://10.0.0.1 --kube-version v1.30.0 --cert certs/staging.pem
  gitopsctl cluster add qa --server https://qa.example.com --dry-run -o json`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usageError("cluster add takes exactly one NAME, got %d arguments", len(args))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := f.Config()
			if err != nil {
				return err
			}
			o.Name = args[0]
			o.RepoDir, o.ConfigFile, o.Config = cfg.RepoDir, cfg.File, cfg.Config
			res, err := scaffold.AddCluster(cmd.Context(), o)
			if err != nil {
				return scaffoldError(err)
			}
			for _, n := range res.Notes {
				fmt.Fprintf(f.IO.ErrOut, "note: %s\n", n)
			}
			return printData(f, res, func(w *strings.Builder) {
				if res.DryRun {
					fmt.Fprintf(w, "Dry run: nothing written. Cluster %s (%s) would change:\n", res.Name, res.Server)
				} else {
					fmt.Fprintf(w, "Added cluster %s (%s)\n", res.Name, res.Server)
				}
				for _, c := range res.Changes {
					fmt.Fprintf(w, "  %-9s %s\n", c.Action, c.Path)
				}
			})
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&o.Server, "server", "", "the cluster's API server URL as Argo CD knows it (default: in-cluster, https://kubernetes.default.svc)")
	fl.StringArrayVar(&o.Labels, "label", nil, "cluster label KEY=VALUE (repeatable)")
	fl.StringVar(&o.KubeVersion, "kube-version", "", "the cluster's Kubernetes version for rendering (default: capabilities.kubeVersion)")
	fl.StringArrayVar(&o.APIVersions, "api-version", nil, "an API version the cluster serves, for rendering (repeatable; default: capabilities.apiVersions)")
	fl.StringVar(&o.Cert, "cert", "", "the cluster's sealed-secrets certificate, a file or https URL (default: sealing.cert)")
	fl.BoolVar(&o.DryRun, "dry-run", false, "list the changes, write nothing")
	return cmd
}
