package cli

import (
	"fmt"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/gitopsctl/gitopsctl/internal/scaffold"
)

func newInitCmd(f *Factory) *cobra.Command {
	var o scaffold.InitOptions
	cmd := &cobra.Command{
		Use:   "init [DIR]",
		Short: "Create a new gitops-repo + configs-repo pair",
		Long: `Create a gitops-repo in DIR (default: the current directory) and a configs-repo
(--configs, default: configs-repo beside DIR) in the seed layout:

  gitops-repo/.gitopsctl.yaml            tool config (configs path stored relative)
  gitops-repo/root-app.yaml              App of Apps over argo-apps/ (directory.recurse)
  gitops-repo/argo-apps/projects/        AppProjects app, monitoring, tools: source
                                         repos = the two repos, destination = the cluster
  gitops-repo/argo-apps/clusters/<cluster>/{app,monitoring,tools}/
  gitops-repo/charts/
  configs-repo/.gitignore                keeps plaintext secrets (*.local.env) out of git

--platform also creates wrapper charts and Applications for the monitoring
(prometheus, thanos, loki, alloy, grafana) and tools (kafka, sealed-secrets,
argo-rollouts) components: each chart depends on the upstream chart (pinned)
and sets defaults in values.yaml; the Applications sync in waves, controllers
and CRDs first. Render them with network access once (or gitopsctl charts pull).

--cluster names the cluster whose Applications go under
argo-apps/clusters/<cluster>/. Several names, separated by commas, declare several clusters in .gitopsctl.yaml
(clusters:) and scaffold each as 'gitopsctl cluster add' does: its
argo-apps/clusters/<cluster>/{app,monitoring,tools}/ and a root Application
argo-apps/clusters/<cluster>.yaml (cluster-<cluster>) managing them, while
root-app.yaml manages the projects and the cluster roots (directory.exclude
clusters/*/*), so that every Application has one parent. The first cluster is
the one Argo CD runs in (in-cluster, where the root Applications go); every
other cluster needs --server NAME=URL, its API server as Argo CD knows it.
The AppProjects allow every cluster's server; --platform puts the platform
Applications in the first cluster. Give a cluster its own capabilities or
sealing cert in clusters: afterwards.

--repo-url and --configs-url default to https://github.com/OWNER/<dir>.git when
--registry is ghcr.io/OWNER; init then says which URLs it guessed, and where
it put the configs-repo when --configs was not given. Both directories must be missing or empty (a .git
is fine) unless --force. Files are written all or nothing. --git initialises
both as git repositories (branch main) and commits the new files, as
GIT_AUTHOR_NAME/GIT_AUTHOR_EMAIL or git config user.name/user.email.`,
		Example: `  gitopsctl init gitops-repo --registry ghcr.io/acme --git
  gitopsctl init gitops-repo --configs ../configs-repo \
    --repo-url https://git.example.com/acme/gitops-repo.git \
    --configs-url https://git.example.com/acme/configs-repo.git --cluster staging
  gitopsctl init demo/gitops-repo --registry ghcr.io/acme --platform --git
  gitopsctl init gitops-repo --registry ghcr.io/acme --git \
    --cluster staging,prod --server prod=https://prod.example.com:6443`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			dir := "."
			if len(args) == 1 {
				dir = args[0]
			}
			var err error
			if o.RepoDir, err = filepath.Abs(dir); err != nil {
				return err
			}
			if c := f.ConfigsFlag(); c != "" {
				if o.ConfigsDir, err = filepath.Abs(c); err != nil {
					return err
				}
			}
			if f.RepoFlag() != "" {
				return usageError("init takes the gitops-repo directory as its argument, not --repo")
			}
			o.Now, o.Getenv = f.Now, f.Getenv
			res, err := scaffold.Init(cmd.Context(), o)
			if err != nil {
				return scaffoldError(err)
			}
			return printData(f, res, func(w *strings.Builder) {
				fmt.Fprintf(w, "Created gitops-repo %s\n", res.Repo.Dir)
				writeFiles(w, res.Repo)
				where := ""
				if o.ConfigsDir == "" {
					where = " (beside the gitops-repo; --configs DIR puts it elsewhere)"
				}
				fmt.Fprintf(w, "Created configs-repo %s%s\n", res.Configs.Dir, where)
				writeFiles(w, res.Configs)
				if len(res.Platform) > 0 {
					fmt.Fprintf(w, "Platform Applications (wrapper charts): %s\n", strings.Join(res.Platform, ", "))
				}
				writeInitURLs(w, o.Registry, res)
				next := "gitopsctl new-service NAME"
				if len(res.Clusters) > 0 {
					writeInitClusters(w, res.Clusters)
					if len(res.Clusters) > 1 {
						names := make([]string, len(res.Clusters))
						for i, c := range res.Clusters {
							names[i] = c.Name
						}
						next += " --cluster " + strings.Join(names, ",")
					}
				}
				fmt.Fprintf(w, "Next: cd %s && %s\n", relOrAbs(res.Repo.Dir), next)
			})
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&o.RepoURL, "repo-url", "", "git URL of the gitops-repo as Argo CD clones it")
	fl.StringVar(&o.ConfigsURL, "configs-url", "", "git URL of the configs-repo as Argo CD clones it")
	fl.StringVar(&o.Cluster, "cluster", "prod", "cluster name: Applications go under argo-apps/clusters/<cluster>/; a comma-separated list declares several clusters, the first the one Argo CD runs in")
	fl.StringArrayVar(&o.Servers, "server", nil, "NAME=URL: the API server of cluster NAME as Argo CD knows it (repeatable; required for every cluster but the first)")
	fl.StringVar(&o.Registry, "registry", "", "image registry prefix for new services, e.g. ghcr.io/acme")
	fl.BoolVar(&o.Platform, "platform", false, "also create monitoring and tools wrapper charts (upstream charts, pinned) and their Applications")
	fl.BoolVar(&o.Git, "git", false, "initialise both directories as git repositories and commit")
	fl.BoolVar(&o.Force, "force", false, "write into non-empty directories, replacing the files init creates (other files are kept)")
	return cmd
}

// writeInitURLs says which repository URLs Argo CD will clone, and which
// of them init guessed.
func writeInitURLs(w *strings.Builder, registry string, res *scaffold.InitResult) {
	fmt.Fprintln(w, "Argo CD clones (repoURL in .gitopsctl.yaml, root-app.yaml and the AppProjects):")
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, r := range []struct {
		name, flag string
		res        scaffold.RepoResult
	}{{"gitops-repo", "--repo-url", res.Repo}, {"configs-repo", "--configs-url", res.Configs}} {
		fmt.Fprintf(tw, "  %s\t%s", r.name, r.res.URL)
		if r.res.URLGuessed {
			fmt.Fprintf(tw, "\tguessed from --registry %s; give %s if it differs", registry, r.flag)
		}
		fmt.Fprintln(tw)
	}
	tw.Flush()
}

// writeInitClusters lists the clusters .gitopsctl.yaml declares, with
// their servers and root Applications.
func writeInitClusters(w *strings.Builder, clusters []scaffold.InitCluster) {
	fmt.Fprintln(w, "Clusters (clusters: in .gitopsctl.yaml; each with its root Application):")
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, c := range clusters {
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", c.Name, c.Server, scaffold.ClusterRootFile(c.Name))
	}
	tw.Flush()
}

// writeFiles lists a repository's written files, indented, with the commit.
func writeFiles(w *strings.Builder, r scaffold.RepoResult) {
	for _, p := range r.Files {
		fmt.Fprintf(w, "  %s\n", p)
	}
	if r.Commit != "" {
		fmt.Fprintf(w, "  committed %s\n", shortHash(r.Commit))
	}
}

func shortHash(h string) string {
	if len(h) > 12 {
		return h[:12]
	}
	return h
}

// relOrAbs shows p relative to the working directory when it is below it.
func relOrAbs(p string) string {
	wd, err := filepath.Abs(".")
	if err != nil {
		return p
	}
	if rel, err := filepath.Rel(wd, p); err == nil && !strings.HasPrefix(rel, "..") {
		return rel
	}
	return p
}
