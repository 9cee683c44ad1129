package cli

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/gitopsctl/gitopsctl/internal/scaffold"
)

func newRmServiceCmd(f *Factory) *cobra.Command {
	var o scaffold.RemoveOptions
	cmd := &cobra.Command{
		Use:   "rm-service NAME",
		Short: "Remove a service: its chart, Application(s) and configs-repo values",
		Long: `Remove the service NAME, undoing new-service:

  charts/NAME/                                     the whole chart directory
  argo-apps/clusters/<cluster>/<project>/NAME.yaml its Application, in every cluster
  <configs-repo>/NAME/config.yaml, secrets.yaml    its values

Once this is committed and pushed, Argo CD prunes the Applications (App of
Apps) and, with the Application's finalizer, the service's objects.

The local, git-ignored plaintext of its secrets (NAME/secrets.local.env) and
the seal state (NAME/secrets.local.state) exist nowhere else: they are kept,
and listed, unless --plaintext is given. Other files in NAME/ that gitopsctl
did not write are kept too.

rm-service refuses (nothing removed) when a file it would remove has changes
git does not have in HEAD (modified, staged or untracked): removing them would
lose work no commit holds. Commit or stash them first. Outside a git
repository there is nothing to compare with. Files are removed all or nothing;
nothing is committed. --dry-run lists what would be removed.

Exit codes: 0 removed, 1 error (uncommitted changes, ...), 2 usage error
(including an unknown service).`,
		Example: `  gitopsctl rm-service old-api --dry-run
  gitopsctl rm-service old-api
  gitopsctl rm-service old-api --plaintext -o json
  git -C gitops-repo commit -am "old-api: remove" && git -C configs-repo commit -am "old-api: remove"`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := f.Config()
			if err != nil {
				return err
			}
			o.Name, o.RepoDir, o.ConfigsDir = args[0], cfg.RepoDir, cfg.ConfigsDir
			res, err := scaffold.RemoveService(cmd.Context(), o)
			if err != nil {
				return scaffoldError(err)
			}
			return printData(f, res, func(w *strings.Builder) {
				verb := "Removed"
				if res.DryRun {
					verb = "Dry run: nothing removed. Would remove"
				}
				fmt.Fprintf(w, "%s service %s:\n", verb, res.Name)
				for _, p := range res.Repo.Files {
					fmt.Fprintf(w, "  remove %s\n", filepath.Join(res.Repo.Dir, filepath.FromSlash(p)))
				}
				for _, p := range res.Configs.Files {
					fmt.Fprintf(w, "  remove %s\n", filepath.Join(res.Configs.Dir, filepath.FromSlash(p)))
				}
				for _, p := range res.Kept {
					why := "not written by gitopsctl"
					if isLocalFile(p) {
						why = "local plaintext; --plaintext removes it"
					}
					fmt.Fprintf(w, "  keep   %s (%s)\n", filepath.Join(res.Configs.Dir, filepath.FromSlash(p)), why)
				}
				for _, r := range res.NotGit {
					fmt.Fprintf(w, "note: the %s is not a git repository: uncommitted changes could not be looked for\n", r)
				}
				if !res.DryRun {
					fmt.Fprintln(w, "Commit the removal in both repositories; Argo CD then prunes the Applications.")
				}
			})
		},
	}
	cmd.Flags().BoolVar(&o.Plaintext, "plaintext", false, "also remove the local, git-ignored plaintext secrets and seal state (they exist nowhere else)")
	cmd.Flags().BoolVar(&o.DryRun, "dry-run", false, "list what would be removed; remove nothing")
	return cmd
}

func isLocalFile(p string) bool {
	return strings.HasSuffix(p, ".local.env") || strings.HasSuffix(p, ".local.state")
}

func newNewProjectCmd(f *Factory) *cobra.Command {
	var o scaffold.ProjectOptions
	var cluster string
	cmd := &cobra.Command{
		Use:   "new-project NAME",
		Short: "Scaffold an Argo CD AppProject under argo-apps/projects",
		Long: `Write argo-apps/projects/NAME.yaml, an AppProject like the ones init writes, and
argo-apps/clusters/<cluster>/NAME/ for its Applications. The App of Apps picks
it up; new-service --project NAME then puts services in it.

  sourceRepos                 --source-repo (repeatable), default the gitops-repo
                              and configs-repo URLs of .gitopsctl.yaml
  destinations                --server (default the in-cluster API server) with
                              each --namespace (repeatable, default "*"; globs allowed)
  clusterResourceWhitelist    --cluster-resource GROUP/KIND (repeatable; /Namespace
                              for a core kind, */* for any), default /Namespace

An existing project of that name is refused (edit its file instead). Nothing is
committed. --dry-run shows the file and writes nothing.

Exit codes: 0 created, 1 error (the project exists), 2 usage error (a bad NAME
or flag value).`,
		Example: `  gitopsctl new-project payments --namespace 'payments-*'
  gitopsctl new-project data --description "data pipelines" --cluster-resource '*/*'
  gitopsctl new-project partner --source-repo https://github.com/partner/charts.git --namespace partner -o json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := f.Config()
			if err != nil {
				return err
			}
			o.Name, o.RepoDir = args[0], cfg.RepoDir
			o.RepoURL, o.ConfigsURL = cfg.GitopsRepo.URL, cfg.ConfigsRepo.URL
			o.Cluster = cfg.Cluster
			if cluster != "" {
				o.Cluster = cluster
			}
			res, err := scaffold.NewProject(cmd.Context(), o)
			if err != nil {
				return scaffoldError(err)
			}
			return printData(f, res, func(w *strings.Builder) {
				if res.DryRun {
					fmt.Fprintf(w, "Dry run: nothing written. Project %s would be created:\n", res.Name)
				} else {
					fmt.Fprintf(w, "Created project %s:\n", res.Name)
				}
				for _, p := range res.Repo.Files {
					fmt.Fprintf(w, "  %s\n", filepath.Join(res.Repo.Dir, filepath.FromSlash(p)))
				}
				fmt.Fprintf(w, "sourceRepos: %s\n", strings.Join(res.SourceRepos, ", "))
				fmt.Fprintf(w, "destinations: %s\n", strings.Join(res.Destinations, ", "))
				fmt.Fprintf(w, "clusterResources: %s\n", strings.Join(res.ClusterResources, ", "))
			})
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&o.Description, "description", "", "the project's description")
	fl.StringArrayVar(&o.SourceRepos, "source-repo", nil, "repository URL (or Argo CD pattern) the project may deploy from (repeatable; default both repositories)")
	fl.StringVar(&o.Server, "server", "", "destination cluster API server (default https://kubernetes.default.svc)")
	fl.StringArrayVar(&o.Namespaces, "namespace", nil, `destination namespace or glob (repeatable; default "*")`)
	fl.StringArrayVar(&o.ClusterResources, "cluster-resource", nil, "cluster-scoped GROUP/KIND the project may create (repeatable; default /Namespace)")
	fl.StringVar(&cluster, "cluster", "", "cluster directory under argo-apps/clusters (default: cluster in .gitopsctl.yaml)")
	fl.BoolVar(&o.DryRun, "dry-run", false, "show what would be written; write nothing")
	return cmd
}
