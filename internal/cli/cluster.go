package cli

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/gitopsctl/gitopsctl/internal/config"
	"github.com/gitopsctl/gitopsctl/internal/scaffold"
	"github.com/gitopsctl/gitopsctl/internal/services"
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
		Args: exactlyOne("cluster add", "NAME"),
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

func newServiceCmd(f *Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "service",
		Short: "Manage where a service is deployed",
	}
	cmd.AddCommand(newServiceAddClusterCmd(f))
	return cmd
}

func newServiceAddClusterCmd(f *Factory) *cobra.Command {
	var dryRun bool
	cmd := &cobra.Command{
		Use:   "add-cluster SERVICE CLUSTER",
		Short: "Register an existing service in one more cluster, with per-cluster values",
		Long: `Register SERVICE in the declared cluster CLUSTER:

  argo-apps/clusters/CLUSTER/<project>/SERVICE.yaml
                              Application SERVICE-CLUSTER (Application names are
                              global in Argo CD's namespace), release SERVICE, with
                              the project and namespace of the existing Application;
                              value files: values.yaml, $configs/SERVICE/config.yaml,
                              $configs/SERVICE/secrets.yaml, then the cluster layer
                              $configs/SERVICE/clusters/CLUSTER/{config,secrets}.yaml
  <configs-repo>/SERVICE/clusters/CLUSTER/config.yaml and secrets.yaml

The service's existing Applications get their cluster's layer too (appended
to their value files, in place; they keep their names, since renaming an
Application makes Argo CD delete and recreate it). Edit a layer with
'gitopsctl env ... --cluster CLUSTER'; seal it with 'gitopsctl seal SERVICE
--cluster CLUSTER', which uses the cluster's sealing certificate.`,
		Example: `  gitopsctl service add-cluster backend prod
  gitopsctl service add-cluster backend prod --dry-run -o json`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 2 {
				return usageError("service add-cluster takes SERVICE and CLUSTER, got %d arguments", len(args))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := f.Config()
			if err != nil {
				return err
			}
			cl, ok := cfg.ClusterByName(args[1])
			if !ok || !cfg.DeclaresClusters() {
				return usageError("cluster %q is not declared in %s (clusters: %s); add it with 'gitopsctl cluster add'", args[1], cfg.File, strings.Join(cfg.ClusterNames(), ", "))
			}
			res, err := scaffold.AddServiceCluster(cmd.Context(), scaffold.AddClusterOptions{
				RepoDir: cfg.RepoDir, ConfigsDir: cfg.ConfigsDir, RepoURL: cfg.GitopsRepo.URL, ConfigsURL: cfg.ConfigsRepo.URL,
				Scope: cfg.Sealing.Scope, Service: args[0], Cluster: scaffold.ClusterTarget{Name: cl.Name, Server: cl.Server}, DryRun: dryRun,
			})
			if err != nil {
				return scaffoldError(err)
			}
			return printData(f, res, func(w *strings.Builder) {
				if res.DryRun {
					fmt.Fprintf(w, "Dry run: nothing written. Service %s in cluster %s (Application %s) would change:\n", res.Service, res.Cluster, res.Application)
				} else {
					fmt.Fprintf(w, "Registered service %s in cluster %s (Application %s)\n", res.Service, res.Cluster, res.Application)
				}
				for _, c := range res.Changes {
					fmt.Fprintf(w, "  %-9s %s %s\n", c.Action, c.Repo, c.Path)
				}
			})
		},
	}
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "list the changes, write nothing")
	return cmd
}

// clusterCert is the sealing cert of a cluster (sealing.cert without one).
func clusterCert(cfg *config.Loaded, cluster string) string {
	if cluster != "" {
		if cl, ok := cfg.ClusterByName(cluster); ok {
			return cl.Sealing.Cert
		}
	}
	return cfg.Sealing.Cert
}

// layerArgs maps service names to their value layers for a declared cluster.
func (f *Factory) layerArgs(cluster string, args []string) ([]string, error) {
	cfg, err := f.Config()
	if err != nil {
		return nil, err
	}
	cl, ok := cfg.ClusterByName(cluster)
	if !ok {
		return nil, usageError("--cluster %q is not declared in %s (clusters: %s)", cluster, cfg.File, strings.Join(cfg.ClusterNames(), ", "))
	}
	out := make([]string, len(args))
	for i, a := range args {
		if strings.ContainsAny(a, `/\`) {
			return nil, usageError("invalid service name %q", a)
		}
		out[i] = services.LayerPath(a, cl.Name)
	}
	return out, nil
}

// layersOf lists the value layers of every service registered in a cluster.
func layersOf(cfg *config.Loaded, cluster string) ([]string, error) {
	svcs, err := services.WithLayer(cfg.ConfigsDir, cluster)
	if err != nil {
		return nil, err
	}
	if len(svcs) == 0 {
		return nil, usageError("no service has values for cluster %s (<service>/clusters/%s/ in the configs-repo; see 'gitopsctl service add-cluster')", cluster, cluster)
	}
	out := make([]string, len(svcs))
	for i, s := range svcs {
		out[i] = services.LayerPath(s, cluster)
	}
	return out, nil
}

// envLayer maps env's SERVICE argument to the value layer --cluster names
// (the service itself without it); sf, when given, seals with the
// cluster's cert.
func (f *Factory) envLayer(cmd *cobra.Command, svc string, sf *sealFlags) (string, error) {
	cluster, _ := cmd.Flags().GetString("cluster")
	if cluster == "" {
		return svc, nil
	}
	out, err := f.layerArgs(cluster, []string{svc})
	if err != nil {
		return "", err
	}
	if sf != nil {
		sf.cluster = cluster
	}
	return out[0], nil
}
