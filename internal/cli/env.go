package cli

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/gitopsctl/gitopsctl/internal/dotenv"
	"github.com/gitopsctl/gitopsctl/internal/env"
	"github.com/gitopsctl/gitopsctl/internal/seal"
)

func newEnvCmd(f *Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "env",
		Short: "Manage a service's environment variables (config and sealed secrets)",
		Long: `Manage a service's environment variables in the configs-repo.

Config keys live in <service>/config.yaml under config:. Secret keys are sealed
into <service>/secrets.yaml (sealedSecrets.encryptedData) and their plaintext is
kept only on this machine, in the git-ignored <service>/secrets.local.env
(a dotenv file), so a later 'gitopsctl seal' can reseal them. Edits keep the
files' comments, layout and key order; values keep their exact bytes.

Secret values are never printed, except by 'env get --reveal'; errors about
secret input name the argument or file:line, never the value.

A service is locked while env (or seal) updates it; another gitopsctl waits 10
seconds, then fails with "busy". The files an update changes are written
together: on any error every file is left as it was.`,
		Example: `  gitopsctl env set backend LOG_LEVEL=debug KAFKA_BROKERS=kafka:9092
  gitopsctl env set backend DB_PASSWORD='s3cr=t' --secret
  gitopsctl env list backend
  gitopsctl env import backend --from .env
  gitopsctl env diff backend processor`,
	}
	cmd.PersistentFlags().String("cluster", "", "the service's value layer for this cluster (<service>/clusters/<cluster>/; secrets sealed with the cluster's cert) instead of the base <service>/config.yaml and secrets.yaml")
	cmd.AddCommand(newEnvListCmd(f), newEnvGetCmd(f), newEnvSetCmd(f), newEnvUnsetCmd(f), newEnvImportCmd(f), newEnvDiffCmd(f))
	return cmd
}

func (f *Factory) configsDir() (string, error) {
	cfg, err := f.Config()
	if err != nil {
		return "", err
	}
	return cfg.ConfigsDir, nil
}

// lazySealer loads the cert only when a secret must be sealed.
func (f *Factory) lazySealer(sf sealFlags) env.SealerFunc {
	return func(ctx context.Context) (*seal.Sealer, error) { return f.sealer(ctx, sf) }
}

func displayValue(v string) string {
	for _, r := range v {
		if r < ' ' || r == 0x7f {
			return strconv.Quote(v)
		}
	}
	return v
}

func newEnvListCmd(f *Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "list SERVICE",
		Short: "List a service's config keys with values and secret keys with their sealing status",
		Long: `List a service's config keys with their values, and its secret keys with values
hidden and their status: sealed (matches the local plaintext, or none to compare),
stale (the local plaintext changed since sealing: run 'gitopsctl seal SERVICE'),
not-sealed (in the plaintext file only) or sealed-only (sealed, no plaintext here).`,
		Example: `  gitopsctl env list backend
  gitopsctl env list backend -o json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			dir, err := f.configsDir()
			if err != nil {
				return err
			}
			svc, err := f.envLayer(cmd, args[0], nil)
			if err != nil {
				return err
			}
			res, err := env.List(dir, svc)
			if err != nil {
				return err
			}
			return printData(f, res, func(w *strings.Builder) {
				tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "KEY\tKIND\tVALUE")
				for _, c := range res.Config {
					fmt.Fprintf(tw, "%s\tconfig\t%s\n", c.Key, displayValue(c.Value))
				}
				for _, s := range res.Secrets {
					fmt.Fprintf(tw, "%s\tsecret\t******** (%s)\n", s.Key, s.Status)
				}
				tw.Flush()
			})
		},
	}
}

func newEnvGetCmd(f *Factory) *cobra.Command {
	var reveal bool
	cmd := &cobra.Command{
		Use:   "get SERVICE KEY",
		Short: "Print one key's value (a secret's only with --reveal)",
		Long: `Print one key's value followed by a newline. A secret's plaintext is printed only
with --reveal, and only from this machine's git-ignored plaintext file: this is
the one command that writes plaintext to stdout.`,
		Example: `  gitopsctl env get backend LOG_LEVEL
  gitopsctl env get backend DB_PASSWORD --reveal
  gitopsctl env get backend LOG_LEVEL -o json`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			dir, err := f.configsDir()
			if err != nil {
				return err
			}
			if msg := dotenv.KeyError(args[1]); msg != "" {
				return usageError("%s", msg)
			}
			svc, err := f.envLayer(cmd, args[0], nil)
			if err != nil {
				return err
			}
			res, err := env.Get(dir, svc, args[1], reveal)
			if err != nil {
				return err
			}
			return printData(f, res, func(w *strings.Builder) { w.WriteString(res.Value + "\n") })
		},
	}
	cmd.Flags().BoolVar(&reveal, "reveal", false, "print a secret's plaintext")
	return cmd
}

// changeNotes prints a change's warnings and cleanups to stderr.
func (f *Factory) changeNotes(r *env.ChangeResult) {
	for _, w := range r.Warnings {
		f.warn(w)
	}
	f.cleaned(r.Cleaned)
}

func (f *Factory) cleaned(files []string) {
	for _, c := range files {
		fmt.Fprintf(f.IO.ErrOut, "Removed %s, left behind by an interrupted gitopsctl run\n", c)
	}
}

func writeChange(w *strings.Builder, r *env.ChangeResult) {
	if len(r.Wrote) == 0 {
		fmt.Fprintf(w, "%s: nothing changed\n", r.Service)
		return
	}
	if len(r.Config) > 0 {
		fmt.Fprintf(w, "%s: set config %s\n", r.Service, strings.Join(r.Config, ", "))
	}
	if len(r.Moved) > 0 {
		fmt.Fprintf(w, "%s: moved %s from config to secrets\n", r.Service, strings.Join(r.Moved, ", "))
	}
	if len(r.Secrets) > 0 {
		fmt.Fprintf(w, "%s: set secret %s\n", r.Service, strings.Join(r.Secrets, ", "))
	}
	if r.Seal != nil && len(r.Seal.Sealed) > 0 {
		fmt.Fprintf(w, "%s: sealed %s", r.Service, strings.Join(r.Seal.Sealed, ", "))
		if r.Seal.Target != nil {
			fmt.Fprintf(w, " for %s", strings.TrimSuffix(r.Seal.Target.String(), "/"))
		}
		fmt.Fprintf(w, " (scope %s)\n", r.Seal.Scope)
	}
	if len(r.Removed) > 0 {
		fmt.Fprintf(w, "%s: removed %s\n", r.Service, strings.Join(r.Removed, ", "))
	}
}

func newEnvSetCmd(f *Factory) *cobra.Command {
	var secret bool
	var sf sealFlags
	cmd := &cobra.Command{
		Use:   "set SERVICE KEY=VALUE...",
		Short: "Set config keys, or with --secret seal secret keys",
		Long: `Set keys of a service. Without --secret they go to <service>/config.yaml. With
--secret each value is written to the git-ignored <service>/secrets.local.env and
sealed straight into <service>/secrets.yaml (a config key of the same name moves
to the secrets). The value is everything after the first '=', byte for byte.
Keys must be environment variable names ([A-Za-z_][A-Za-z0-9_]*).

With --secret, a KEY given without =VALUE keeps the value out of your shell
history: on a terminal it is asked for at a prompt that does not echo it;
otherwise (and for KEY=-) it is read from standard input, all of it but one
final newline. Only one key can read standard input per run. A key given
alone must be upper case (a pasted secret is refused, not taken for a key);
write key=- for a lower-case name.

A key set without --secret that looks like a secret (its name matches
sealing.secretPatterns, default *_PASSWORD *_SECRET *_TOKEN *_KEY *_PASS
*_CREDENTIALS, or its value is a URL with a password, scheme://user:pass@...)
is still written, with a warning; 'gitopsctl check' flags it too.`,
		Example: `  gitopsctl env set backend LOG_LEVEL=debug
  gitopsctl env set backend --secret DB_PASSWORD          # prompts, input hidden
  pass show db | gitopsctl env set backend --secret DB_PASSWORD
  gitopsctl env set backend --secret API_TOKEN=- < token.txt
  gitopsctl env set backend API_TOKEN=abc --secret --cert https://sealed-secrets.example.com/v1/cert.pem`,
		Args: cobra.MinimumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			var vars []env.KV
			var err error
			if secret {
				var pending []int
				var stdin []bool
				if vars, pending, stdin, err = env.ParseSecretArgs(args[1:]); err != nil {
					return usageError("%v", err)
				}
				if err := f.readSecretValues(vars, pending, stdin); err != nil {
					return err
				}
			} else if vars, err = env.ParseAssignments(args[1:], false); err != nil {
				return usageError("%v", err)
			}
			cfg, err := f.Config()
			if err != nil {
				return err
			}
			svc, err := f.envLayer(cmd, args[0], &sf)
			if err != nil {
				return err
			}
			res, err := env.Set(cmd.Context(), env.SetOptions{ConfigsDir: cfg.ConfigsDir, Service: svc, Vars: vars, Secret: secret,
				SecretPatterns: cfg.Sealing.SecretPatterns, Sealer: f.lazySealer(sf)})
			if err != nil {
				return err
			}
			f.changeNotes(res)
			return printData(f, res, func(w *strings.Builder) { writeChange(w, res) })
		},
	}
	cmd.Flags().BoolVar(&secret, "secret", false, "the keys are secrets: seal them")
	addSealFlags(cmd, &sf)
	return cmd
}

func newEnvUnsetCmd(f *Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "unset SERVICE KEY...",
		Short: "Remove keys everywhere (config, sealed secrets, plaintext)",
		Long: `Remove keys from <service>/config.yaml, <service>/secrets.yaml, the plaintext file
and the seal state. A key the service does not have is an error.`,
		Example: `  gitopsctl env unset backend OLD_FLAG DB_PASSWORD`,
		Args:    cobra.MinimumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			dir, err := f.configsDir()
			if err != nil {
				return err
			}
			for _, k := range args[1:] {
				if msg := dotenv.KeyError(k); msg != "" {
					return usageError("%s", msg)
				}
			}
			svc, err := f.envLayer(cmd, args[0], nil)
			if err != nil {
				return err
			}
			res, err := env.Unset(dir, svc, args[1:])
			if err != nil {
				return err
			}
			f.changeNotes(res)
			return printData(f, res, func(w *strings.Builder) { writeChange(w, res) })
		},
	}
}

func newEnvImportCmd(f *Factory) *cobra.Command {
	var from string
	var dryRun bool
	var secretKeys []string
	var sf sealFlags
	cmd := &cobra.Command{
		Use:   "import SERVICE --from FILE|-",
		Short: "Import a dotenv file: secret-looking keys are sealed, the rest is config",
		Long: `Import every KEY=value of a dotenv file into a service. Keys matching
sealing.secretPatterns in .gitopsctl.yaml (default *_PASSWORD, *_SECRET, *_TOKEN,
*_KEY, *_PASS, *_CREDENTIALS) or listed with --secret-keys are secrets (sealed, as
with 'env set --secret'); the rest go to config.yaml. Nothing is written if the
file has an error (reported with its line). --from - reads the dotenv from
standard input, so secrets need not be in a file at all.

--dry-run prints which keys would go to config.yaml and which would be sealed
(and which config keys would move to the secrets), and writes nothing; it needs
no cert. A config key whose value is a URL with a password gets a warning: name
it in --secret-keys to seal it.

Dotenv syntax: KEY=value, optional 'export ', # comments, 'single quotes' (literal,
may span lines), "double quotes" (\n \r \t \" \\ \$ escapes, may span lines); no
variable expansion.`,
		Example: `  gitopsctl env import backend --from .env
  gitopsctl env import backend --from .env --secret-keys SENTRY_DSN,DATABASE_URL
  gitopsctl env import backend --from .env --dry-run -o json
  vault kv get -format=json secret/backend | jq -r 'to_entries[] | "\(.key)=\(.value)"' | gitopsctl env import backend --from -`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if from == "" {
				return usageError("import needs --from FILE")
			}
			cfg, err := f.Config()
			if err != nil {
				return err
			}
			svc, err := f.envLayer(cmd, args[0], &sf)
			if err != nil {
				return err
			}
			res, err := env.Import(cmd.Context(), env.ImportOptions{
				ConfigsDir: cfg.ConfigsDir, Service: svc, From: from, In: f.IO.In, DryRun: dryRun,
				SecretPatterns: cfg.Sealing.SecretPatterns, SecretKeys: secretKeys, Sealer: f.lazySealer(sf),
			})
			if err != nil {
				return err
			}
			f.changeNotes(res)
			if dryRun {
				return printData(f, res, func(w *strings.Builder) { writePreview(w, res) })
			}
			return printData(f, res, func(w *strings.Builder) { writeChange(w, res) })
		},
	}
	cmd.Flags().StringVar(&from, "from", "", "dotenv file to import ('-': standard input)")
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "show the split into config and secrets; write nothing")
	cmd.Flags().StringSliceVar(&secretKeys, "secret-keys", nil, "further keys to treat as secrets (comma-separated)")
	addSealFlags(cmd, &sf)
	return cmd
}

func newEnvDiffCmd(f *Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "diff SERVICE SERVICE",
		Short: "Show which keys one service has and the other lacks",
		Long: `Compare the keys (config and secret, not values) of two services. Exit code 3
when they differ.`,
		Example: `  gitopsctl env diff backend processor`,
		Args:    cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			dir, err := f.configsDir()
			if err != nil {
				return err
			}
			a, err := f.envLayer(cmd, args[0], nil)
			if err != nil {
				return err
			}
			b, err := f.envLayer(cmd, args[1], nil)
			if err != nil {
				return err
			}
			res, err := env.Diff(dir, a, b)
			if err != nil {
				return err
			}
			err = printData(f, res, func(w *strings.Builder) {
				for _, k := range res.OnlyA {
					fmt.Fprintf(w, "- %s (%s): only in %s\n", k.Key, k.Kind, res.A)
				}
				for _, k := range res.OnlyB {
					fmt.Fprintf(w, "+ %s (%s): only in %s\n", k.Key, k.Kind, res.B)
				}
				for _, k := range res.KindDiffers {
					fmt.Fprintf(w, "~ %s: config in one, secret in the other\n", k)
				}
				fmt.Fprintf(w, "%d %s in common\n", res.Common, plural(res.Common, "key", "keys"))
			})
			if err != nil {
				return err
			}
			if !res.Same() {
				return SilentExit(ExitProblems)
			}
			return nil
		},
	}
}
