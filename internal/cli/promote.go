package cli

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/gitopsctl/gitopsctl/internal/bump"
)

func newPromoteCmd(f *Factory) *cobra.Command {
	var o bump.PromoteOptions
	cmd := &cobra.Command{
		Use:   "promote SERVICE --from CLUSTER --to CLUSTER",
		Short: "Copy a service's image tag and digest from one cluster's values to another's, as one commit",
		Long: `Copy SERVICE's image tag and digest from cluster --from to cluster --to.

The values are read from the --from cluster's layer in the configs-repo,
<service>/clusters/<from>/config.yaml, key by key falling back to the chart's
charts/<service>/values.yaml (which every cluster reads first), and written
into <service>/clusters/<to>/config.yaml: only the scalars' bytes change (a
missing key is added), and exactly that file is committed, as bump commits.
With --push the commit is pushed; when another push came first it is redone
on the remote tip, as bump does. When --to already holds the values nothing
is committed and promote exits 0.

Exit codes: 0 ok (also when already equal), 1 error, 2 usage error (an unknown
service or a cluster the service is not registered in).`,
		Example: `  gitopsctl promote backend --from staging --to prod
  gitopsctl promote backend --from staging --to prod --push -o json`,
		Args: exactlyOne("promote", "SERVICE"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if o.From == "" || o.To == "" {
				return usageError("promote needs --from CLUSTER and --to CLUSTER")
			}
			cfg, err := f.Config()
			if err != nil {
				return err
			}
			for _, c := range []string{o.From, o.To} {
				if _, ok := cfg.ClusterByName(c); !ok || !cfg.DeclaresClusters() {
					return usageError("cluster %q is not declared in %s (clusters: %s)", c, cfg.File, strings.Join(cfg.ClusterNames(), ", "))
				}
			}
			o.Service = args[0]
			o.Getenv, o.Now = f.Getenv, f.Now
			o.GitopsDir, o.ConfigsDir = cfg.RepoDir, cfg.ConfigsDir
			res, err := bump.Promote(cmd.Context(), o)
			if err != nil {
				if errors.Is(err, bump.ErrUsage) {
					return usageError("%s", strings.TrimPrefix(err.Error(), bump.ErrUsage.Error()+": "))
				}
				return err
			}
			return printData(f, res, func(w *strings.Builder) {
				fmt.Fprintf(w, "%s: promote %s -> %s\n", res.Service, res.From, res.To)
				bo := o.Options
				bo.Key, bo.DigestKey = orDefault(bo.Key, bump.DefaultKey), orDefault(bo.DigestKey, bump.DefaultDigestKey)
				bumpText(w, &bo, res.Run)
			})
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&o.From, "from", "", "cluster whose image tag and digest are copied")
	fl.StringVar(&o.To, "to", "", "cluster whose values receive them")
	fl.StringVar(&o.Key, "key", bump.DefaultKey, "dotted key path of the tag")
	fl.StringVar(&o.DigestKey, "digest-key", bump.DefaultDigestKey, "dotted key path of the digest")
	commitFlags(fl, &o.Options, "<service>: promote image tag <tag> from <from> to <to>")
	return cmd
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}
