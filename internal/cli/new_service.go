package cli

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/gitopsctl/gitopsctl/internal/scaffold"
)

func newNewServiceCmd(f *Factory) *cobra.Command {
	o := scaffold.DefaultServiceOptions()
	var cluster string
	cmd := &cobra.Command{
		Use:   "new-service NAME",
		Short: "Scaffold a service: chart, Application and configs-repo values",
		Long: `Scaffold the service NAME from the embedded templates, run inside a gitops-repo
(or with --repo):

  charts/NAME/                       Chart.yaml, values.yaml, tests/smoke.js and the
                                     templates rollout, hpa, service-active,
                                     service-preview, configmap, sealedsecret,
                                     analysis-template, test-configmap
  argo-apps/clusters/<cluster>/<project>/NAME.yaml
                                     multi-source Application: the chart with
                                     values.yaml, $configs/NAME/config.yaml and
                                     $configs/NAME/secrets.yaml, plus the configs-repo
                                     as ref "configs"
  <configs-repo>/NAME/config.yaml    config: {} (plain env vars -> ConfigMap)
  <configs-repo>/NAME/secrets.yaml   sealedSecrets: {scope, certFingerprint, encryptedData}

The Rollout deploys blue-green (active Service NodePort, preview Service
ClusterIP, autoPromotionEnabled false); before promotion a K6 smoke test Job
requests --smoke-path on the preview Service and fails on the --k6-* thresholds.
An HPA (autoscaling/v2) scales the Rollout unless --hpa=false.

NAME must be a DNS label starting with a letter (at most 53 characters). The
project must exist as argo-apps/projects/<project>.yaml. Nothing is written when
any check fails; otherwise every file of both repositories is written all or
nothing.

--force regenerates an existing service's chart templates, Chart.yaml, smoke
test and Application, and keeps what holds its state: charts/NAME/values.yaml
(image tag, replicas, HPA, probes, node port: what bump and hand edits changed)
and the configs-repo config.yaml and secrets.yaml. Flags that only set
values.yaml are refused with --force unless --reset-values is given, which
regenerates values.yaml from the flags (and defaults). --force refuses to
overwrite gitops-repo files with uncommitted changes (modified, staged or
untracked): commit or stash them first. --dry-run lists every file as create,
overwrite, unchanged or keep and writes nothing.`,
		Example: `  gitopsctl new-service backend --port 8080
  gitopsctl new-service frontend --port 3000 --health-path / --smoke-path / --hpa-max 4
  gitopsctl new-service ai-service --image ghcr.io/acme/ai --tag 1.2.0 --cpu-target 60 \
    --k6-p95-ms 1500 --env MODEL=small --env LOG_LEVEL=info
  gitopsctl new-service backend --force --dry-run
  gitopsctl new-service backend --force --reset-values --replicas 3 -o json`,
		Args: exactlyOne("new-service", "NAME"),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := f.Config()
			if err != nil {
				return err
			}
			o.Name = args[0]
			o.RepoDir, o.ConfigsDir = cfg.RepoDir, cfg.ConfigsDir
			o.Cluster = cfg.Cluster
			if cluster != "" {
				o.Cluster = cluster
			}
			o.RepoURL, o.ConfigsURL = cfg.GitopsRepo.URL, cfg.ConfigsRepo.URL
			o.Registry, o.Scope = cfg.Registry, cfg.Sealing.Scope
			o.Capabilities = cfg.Capabilities
			o.Config = cfg
			names := strings.Split(o.Cluster, ",")
			if len(names) > 1 && !cfg.DeclaresClusters() {
				return usageError("--cluster %s: a service in several clusters needs them declared in %s; add them with 'gitopsctl cluster add'", o.Cluster, cfg.File)
			}
			if cfg.DeclaresClusters() {
				seen := map[string]bool{}
				for _, name := range names {
					cl, ok := cfg.ClusterByName(name)
					if !ok {
						return usageError("--cluster %q is not declared in %s (clusters: %s); add it with 'gitopsctl cluster add'", name, cfg.File, strings.Join(cfg.ClusterNames(), ", "))
					}
					if seen[cl.Name] {
						return usageError("--cluster %s names %s twice", o.Cluster, cl.Name)
					}
					seen[cl.Name] = true
					o.Server, o.Capabilities = cl.Server, cl.Capabilities
					o.Clusters = append(o.Clusters, scaffold.ClusterTarget{Name: cl.Name, Server: cl.Server})
				}
				if len(o.Clusters) > 1 {
					o.Cluster, o.Server, o.Capabilities = o.Clusters[0].Name, o.Clusters[0].Server, cfg.DefaultClusterEntry().Capabilities
				}
			}
			if o.ResetValues && !o.Force {
				return usageError("--reset-values works with --force only")
			}
			for _, name := range valueFlags {
				if cmd.Flags().Changed(name) {
					o.ValueFlags = append(o.ValueFlags, "--"+name)
				}
			}
			res, err := scaffold.NewService(cmd.Context(), o)
			if err != nil {
				return scaffoldError(err)
			}
			return printData(f, res, func(w *strings.Builder) {
				if res.DryRun {
					fmt.Fprintf(w, "Dry run: nothing written. Service %s (project %s, namespace %s, cluster %s) would change:\n", res.Name, res.Project, res.Namespace, res.Cluster)
					for _, c := range res.Changes {
						dir := res.Repo.Dir
						if c.Repo == "configs" {
							dir = res.Configs.Dir
						}
						fmt.Fprintf(w, "  %-9s %s\n", c.Action, filepath.Join(dir, filepath.FromSlash(c.Path)))
					}
					return
				}
				fmt.Fprintf(w, "Created service %s (project %s, namespace %s, cluster %s)\n", res.Name, res.Project, res.Namespace, res.Cluster)
				fmt.Fprintf(w, "gitops-repo %s\n", res.Repo.Dir)
				writeFiles(w, res.Repo)
				if res.KeptValues != "" {
					fmt.Fprintf(w, "  %s (kept)\n", res.KeptValues)
				}
				fmt.Fprintf(w, "configs-repo %s\n", res.Configs.Dir)
				writeFiles(w, res.Configs)
				for _, k := range res.Kept {
					fmt.Fprintf(w, "  %s (kept)\n", k)
				}
			})
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&o.Project, "project", o.Project, "AppProject of the Application (argo-apps/projects/<project>.yaml must exist)")
	fl.StringVar(&o.Namespace, "namespace", "", "destination namespace (default NAME)")
	fl.StringVar(&cluster, "cluster", "", "cluster (directory under argo-apps/clusters; default: cluster in .gitopsctl.yaml); a comma-separated list registers the service in each, as Applications NAME-<cluster> with per-cluster values")
	fl.IntVar(&o.Port, "port", o.Port, "container port")
	fl.IntVar(&o.ServicePort, "service-port", o.ServicePort, "port of the active and preview Services")
	fl.IntVar(&o.NodePort, "node-port", 0, "fixed node port of the active Service, 30000-32767 (default: Kubernetes picks)")
	fl.StringVar(&o.Image, "image", "", "image repository without tag (default <registry>/NAME)")
	fl.StringVar(&o.Tag, "tag", o.Tag, "image tag (later changed with 'gitopsctl bump')")
	fl.IntVar(&o.Replicas, "replicas", o.Replicas, "replicas when the HPA is disabled")
	fl.BoolVar(&o.HPA, "hpa", o.HPA, "scale the Rollout with an autoscaling/v2 HPA")
	fl.IntVar(&o.HPAMin, "hpa-min", o.HPAMin, "HPA minimum replicas")
	fl.IntVar(&o.HPAMax, "hpa-max", o.HPAMax, "HPA maximum replicas")
	fl.IntVar(&o.CPUTarget, "cpu-target", o.CPUTarget, "HPA target CPU utilisation, percent of the request")
	fl.StringVar(&o.HealthPath, "health-path", o.HealthPath, "HTTP path of the liveness and readiness probes")
	fl.StringVar(&o.SmokePath, "smoke-path", o.SmokePath, "HTTP path the K6 smoke test requests on the preview Service")
	fl.StringVar(&o.K6Image, "k6-image", o.K6Image, "K6 image of the smoke test Job")
	fl.IntVar(&o.K6VUs, "k6-vus", o.K6VUs, "K6 virtual users")
	fl.StringVar(&o.K6Duration, "k6-duration", o.K6Duration, "K6 test duration")
	fl.IntVar(&o.K6P95Ms, "k6-p95-ms", o.K6P95Ms, "K6 threshold: 95th percentile request duration below this many ms")
	fl.Float64Var(&o.K6MaxErrorRate, "k6-max-error-rate", o.K6MaxErrorRate, "K6 threshold: share of failed requests allowed (0-1)")
	fl.StringArrayVar(&o.Env, "env", nil, "plain env var KEY=VALUE for config.yaml (repeatable)")
	fl.BoolVar(&o.Force, "force", false, "regenerate an existing service's chart and Application (values.yaml and the configs-repo values are kept)")
	fl.BoolVar(&o.ResetValues, "reset-values", false, "with --force: regenerate values.yaml from the flags instead of keeping it")
	fl.BoolVar(&o.DryRun, "dry-run", false, "show which files would be created, overwritten or kept; write nothing")
	return cmd
}

// valueFlags are the flags that only feed charts/NAME/values.yaml.
var valueFlags = []string{"image", "tag", "port", "service-port", "node-port", "replicas", "hpa", "hpa-min", "hpa-max",
	"cpu-target", "health-path", "smoke-path", "k6-image", "k6-vus", "k6-duration", "k6-p95-ms", "k6-max-error-rate"}

// scaffoldError makes a bad NAME or flag value a usage error (exit 2).
func scaffoldError(err error) error {
	var fe *scaffold.FlagError
	if errors.As(err, &fe) {
		return &exitError{code: ExitUsage, err: err}
	}
	return err
}
