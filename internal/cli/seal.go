package cli

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/gitopsctl/gitopsctl/internal/config"
	"github.com/gitopsctl/gitopsctl/internal/render"
	"github.com/gitopsctl/gitopsctl/internal/seal"
)

// sealFlags are the flags of every command that seals.
type sealFlags struct {
	cert      string
	scope     string
	name      string
	namespace string
	timeout   time.Duration
	// cluster is --cluster: seal that cluster's value layer with its cert.
	cluster string
}

func addSealFlags(cmd *cobra.Command, sf *sealFlags) {
	fl := cmd.Flags()
	fl.StringVar(&sf.cert, "cert", "", "sealing certificate: a PEM file or an https URL (default: sealing.cert in .gitopsctl.yaml)")
	enumFlag(cmd, fl, &sf.scope, "scope", "", "", seal.Scopes, "sealing scope: strict, namespace-wide or cluster-wide (default: sealing.scope, else strict)")
	fl.StringVar(&sf.name, "name", "", "SealedSecret name (default: <release>-secrets from the service's Application)")
	fl.StringVar(&sf.namespace, "namespace", "", "SealedSecret namespace (default: the Application's destination namespace)")
	fl.DurationVar(&sf.timeout, "timeout", seal.DefaultFetchTimeout, "how long fetching the cert from an https URL may take")
}

// locator says where a service's SealedSecret lives: it renders the
// service's Application (working tree of both repos) as Argo CD would,
// ciphertexts masked, so that a service whose inputs did not change (a
// reseal changes only ciphertexts) renders nothing: the seal state or the
// render cache knows where it is.
func (f *Factory) locator(cfg *config.Loaded) seal.Locator {
	return seal.RenderLocator(func(ctx context.Context) (*render.Workspace, error) {
		o := f.withCache(render.Options{Config: cfg})
		// The digest a location is recorded under in the seal state names
		// the build, render cache or not.
		o.CacheSalt = cacheSalt()
		return render.Open(ctx, seal.LocateOptions(o))
	})
}

// sealer builds the sealer from the flags over the config (seal.NewSealer
// resolves, loads and checks the cert).
func (f *Factory) sealer(ctx context.Context, sf sealFlags) (*seal.Sealer, error) {
	cfg, err := f.Config()
	if err != nil {
		return nil, err
	}
	if sf.timeout < 0 {
		return nil, usageError("--timeout must be positive, not %s", sf.timeout)
	}
	wd, err := os.Getwd()
	if err != nil {
		return nil, err
	}
	return seal.NewSealer(ctx, seal.Setup{
		ConfigsDir: cfg.ConfigsDir,
		Cert:       sf.cert, ConfigCert: clusterCert(cfg, sf.cluster),
		WorkDir: wd, RepoDir: cfg.RepoDir,
		Scope: sf.scope, ConfigScope: cfg.Sealing.Scope,
		Name: sf.name, Namespace: sf.namespace,
		Timeout: sf.timeout,
		Locate:  f.locator(cfg),
		// --no-cache: locate again rather than trust the seal state.
		Relocate: f.v.GetBool("no-cache"),
		Now:      f.Now(),
	})
}

// warn prints warnings to stderr, each once and in order: a package's
// result lists every warning of the run (the cert's expiry included) once.
func (f *Factory) warn(msgs ...string) {
	for _, msg := range msgs {
		if msg != "" {
			fmt.Fprintf(f.IO.ErrOut, "Warning: %s\n", msg)
		}
	}
}

type sealCmdOptions struct {
	flags  sealFlags
	all    bool
	force  bool
	prune  bool
	check  bool
	rotate bool
}

func newSealCmd(f *Factory) *cobra.Command {
	var o sealCmdOptions
	cmd := &cobra.Command{
		Use:   "seal [SERVICE...] [--all]",
		Args:  cobra.ArbitraryArgs,
		Short: "Seal services' plaintext secrets into their secrets.yaml (no churn)",
		Long: `Seal each service's git-ignored plaintext secrets (<service>/secrets.local.env in
the configs-repo) into <service>/secrets.yaml with the sealed-secrets controller's
public certificate, exactly as kubeseal would (AES-256-GCM + RSA-OAEP, per key).

No churn: a key whose plaintext, SealedSecret name, namespace, scope and
certificate are unchanged keeps its exact ciphertext, so re-running seal with
nothing changed changes no byte. The record that makes this possible is
<service>/secrets.local.state (git-ignored, next to the plaintext): per key an
HMAC of those inputs under a random per-file key, and a hash of the
ciphertext. --force reseals everything.

A key sealed in secrets.yaml but absent from the plaintext file is kept (a
teammate without your plaintext cannot wipe your keys); --prune drops such keys.
When the scope, name or namespace changed, every key is resealed; keys without
plaintext then cannot be, and seal refuses until you add their plaintext or
pass --prune.

Key renewal: the sealed-secrets controller makes a new key every 30 days and
keeps the old ones, so ciphertext sealed with an older cert stays valid. A
newer cert alone reseals nothing (resealing changes the pods' checksum/secrets
annotation and starts a blue-green rollout of the service): new and changed
keys are sealed with the current cert, the others keep theirs, with a warning
naming both. The seal state records each key's cert. --rotate reseals, on
purpose, every key of the named services (or --all) that was sealed with
another cert; a key without local plaintext then cannot be, and seal refuses
unless --prune.

The SealedSecret's name and namespace (which strict scope binds the ciphertext
to) come from rendering the service's Application as Argo CD would (the one
root-app.yaml leads to), so releaseName, helm.namespace and the chart's own
naming are honoured. --name and --namespace override them for a single
service. secrets.yaml records the scope, the certificate's SHA-256
fingerprint and the label sealed for (sealedFor), which the chart ignores.

seal refuses to run when a plaintext or state file is tracked or staged in git,
makes sure the configs-repo's .gitignore ignores them, and refuses when git
(git check-ignore) says a .gitignore rule re-includes one. It refuses an expired
certificate or an RSA key under 2048 bits, warns when the cert expires within
30 days, and warns with both fingerprints when it seals keys of a service
whose other keys stay sealed with another cert. A cert URL must be https (redirects too) and answer within
--timeout. A service's secrets must fit one Kubernetes Secret (1 MiB).

Each service is locked while seal (or env) updates it
(<service>/.gitopsctl-lock.local.state); another gitopsctl waits 10 seconds,
then fails with "busy". Services are sealed in parallel; the files of all
services are then written together (temp files renamed into place, old contents
restored on any failure), so an error leaves every file as it was. Temp files
left by a killed run are removed on the next run.

seal --all prints a line for each service whose sealed data changed and one
summary line (keys sealed, in how many services, keys unchanged); naming
services prints a line for each of them.

--check writes nothing: it lists every service whose sealed data is missing,
stale, or sealed under another scope, name or namespace, and any tracked
plaintext, and exits 3 if there is one. Keys sealed with another (older) cert
are listed as notes and do not fail it.

Exit codes: 0 ok, 1 error, 2 usage error (including an unknown service), 3 --check found a problem.`,
		Example: `  # seal one service with the cert from .gitopsctl.yaml
  gitopsctl seal backend

  # seal every service; only changed keys get new ciphertext
  gitopsctl seal --all

  # after the controller renewed its key: fetch the new cert; existing keys
  # stay as they are, new ones are sealed with it
  gitopsctl seal fetch-cert --url https://sealed-secrets.example.com/v1/cert.pem --out sealed-secrets.pem
  gitopsctl seal --all

  # reseal everything with the current cert, on purpose (rolls the services)
  gitopsctl seal --all --rotate

  # CI gate: is everything sealed with the current cert, scope and names?
  gitopsctl seal --check --all --cert https://sealed-secrets.example.com/v1/cert.pem`,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runSeal(cmd.Context(), f, o, args)
		},
	}
	addSealFlags(cmd, &o.flags)
	fl := cmd.Flags()
	fl.BoolVar(&o.all, "all", false, "every service of the configs-repo (with --cluster: every service registered in that cluster)")
	fl.StringVar(&o.flags.cluster, "cluster", "", "seal the services' value layer for this cluster (<service>/clusters/<cluster>/) with the cluster's sealing cert (default: the base <service>/secrets.yaml)")
	fl.BoolVar(&o.force, "force", false, "reseal every key, changed or not")
	fl.BoolVar(&o.prune, "prune", false, "drop sealed keys that the plaintext file lacks")
	fl.BoolVar(&o.check, "check", false, "write nothing; exit 3 if any service needs sealing")
	fl.BoolVar(&o.rotate, "rotate", false, "reseal every key sealed with another cert than the current one")
	cmd.AddCommand(newFetchCertCmd(f))
	return cmd
}

func runSeal(ctx context.Context, f *Factory, o sealCmdOptions, args []string) error {
	if o.all && len(args) > 0 {
		return usageError("give service names or --all, not both")
	}
	if !o.all && len(args) == 0 && !o.check {
		return usageError("no service given: name services or pass --all")
	}
	if (o.flags.name != "" || o.flags.namespace != "") && (o.all || len(args) != 1) {
		return usageError("--name and --namespace apply to exactly one service")
	}
	if o.check && (o.force || o.prune || o.rotate) {
		return usageError("--check writes nothing: it cannot be combined with --force, --prune or --rotate")
	}
	if o.flags.cluster != "" {
		var err error
		if args, err = f.layerArgs(o.flags.cluster, args); err != nil {
			return err
		}
		if o.all {
			cfg, err := f.Config()
			if err != nil {
				return err
			}
			if args, err = layersOf(cfg, o.flags.cluster); err != nil {
				return err
			}
			o.all = false
		}
	}
	sl, err := f.sealer(ctx, o.flags)
	if err != nil {
		return err
	}
	if o.check {
		rep, err := seal.Check(ctx, seal.CheckOptions{Sealer: *sl, Services: args, Now: f.Now()})
		if err != nil {
			return err
		}
		f.warn(rep.Warnings...)
		if err := printData(f, rep, func(w *strings.Builder) { writeCheckReport(w, rep) }); err != nil {
			return err
		}
		if !rep.OK() {
			return SilentExit(ExitProblems)
		}
		return nil
	}
	sl.Force, sl.Prune, sl.Rotate = o.force, o.prune, o.rotate
	opts := seal.Options{Sealer: *sl, Services: args, All: o.all, Now: f.Now()}
	if f.IO.ErrTTY {
		opts.Progress = func(done, total int) {
			fmt.Fprintf(f.IO.ErrOut, "\rsealing %d/%d services", done, total)
			if done == total {
				fmt.Fprint(f.IO.ErrOut, "\r\033[K")
			}
		}
	}
	res, err := seal.Run(ctx, opts)
	if err != nil {
		return err
	}
	f.cleaned(res.Cleaned)
	f.warn(res.Warnings...)
	return printData(f, res, func(w *strings.Builder) { writeSealResult(w, res, o.all) })
}

// writeSealResult writes a line per service and a summary line; with all
// (seal --all), only the services whose sealed data changed get a line.
func writeSealResult(w *strings.Builder, r *seal.Result, all bool) {
	sealed, unchanged, changedSvcs, older := 0, 0, 0, 0
	for _, s := range r.Services {
		sealed += len(s.Sealed)
		unchanged += len(s.Unchanged)
		older += len(s.OlderCert)
		if len(s.Sealed) > 0 || len(s.Pruned) > 0 {
			changedSvcs++
		} else if all {
			continue
		}
		var parts []string
		if s.NoPlaintext {
			if len(s.SealedOnly) > 0 {
				parts = append(parts, fmt.Sprintf("no local plaintext; %d sealed %s kept", len(s.SealedOnly), plural(len(s.SealedOnly), "key", "keys")))
			} else {
				continue
			}
		} else {
			if len(s.Sealed) > 0 {
				parts = append(parts, "sealed "+strings.Join(s.Sealed, ", "))
			}
			if len(s.Unchanged) > 0 {
				parts = append(parts, fmt.Sprintf("%d unchanged", len(s.Unchanged)))
			}
			if len(s.Pruned) > 0 {
				parts = append(parts, "pruned "+strings.Join(s.Pruned, ", "))
			}
			if len(s.SealedOnly) > 0 {
				parts = append(parts, "kept sealed-only "+strings.Join(s.SealedOnly, ", "))
			}
			if len(s.OlderCert) > 0 {
				parts = append(parts, "older cert kept for "+strings.Join(s.OlderCert, ", "))
			}
			if len(parts) == 0 {
				parts = append(parts, "no secrets")
			}
		}
		target := ""
		if s.Target != nil {
			target = " (" + strings.TrimSuffix(s.Target.String(), "/") + ")"
		}
		fmt.Fprintf(w, "%s: %s%s\n", s.Service, strings.Join(parts, "; "), target)
	}
	in := ""
	if all {
		in = fmt.Sprintf(" in %d of %s", changedSvcs, count(len(r.Services), "service", "services"))
	}
	kept := ""
	if all && older > 0 {
		kept = fmt.Sprintf(" (%d sealed with an older cert, kept; --rotate reseals them)", older)
	}
	fmt.Fprintf(w, "%d %s sealed%s, %d unchanged%s; scope %s, cert %s\n", sealed, plural(sealed, "key", "keys"), in, unchanged, kept, r.Scope, r.Fingerprint)
}

func writeCheckReport(w *strings.Builder, r *seal.Report) {
	for _, s := range r.Services {
		for _, n := range s.Notes {
			fmt.Fprintf(w, "%s: note: %s: %s: %s\n", s.Service, n.Kind, strings.Join(n.Keys, ", "), n.Detail)
		}
	}
	noted := ""
	for _, s := range r.Services {
		if len(s.Notes) > 0 {
			noted = " (keys sealed with an older cert noted above)"
		}
	}
	failing := r.Failing()
	for _, s := range failing {
		for _, p := range s.Problems {
			keys := ""
			if len(p.Keys) > 0 {
				keys = " " + strings.Join(p.Keys, ", ") + ":"
			}
			fmt.Fprintf(w, "%s: %s:%s %s\n", s.Service, p.Kind, keys, p.Detail)
		}
	}
	if len(failing) == 0 {
		if len(r.Services) == 1 {
			if noted != "" {
				fmt.Fprintf(w, "%s is sealed with the current scope and names%s\n", r.Services[0].Service, noted)
			} else {
				fmt.Fprintf(w, "%s is sealed with the current cert, scope and names\n", r.Services[0].Service)
			}
		} else if noted != "" {
			fmt.Fprintf(w, "all %d services are sealed with the current scope and names%s\n", len(r.Services), noted)
		} else {
			fmt.Fprintf(w, "all %d services are sealed with the current cert, scope and names\n", len(r.Services))
		}
		return
	}
	fmt.Fprintf(w, "%d of %d services need sealing (gitopsctl seal SERVICE...)\n", len(failing), len(r.Services))
}

func newFetchCertCmd(f *Factory) *cobra.Command {
	var url, out string
	var force bool
	var timeout time.Duration
	cmd := &cobra.Command{
		Use:   "fetch-cert --url URL --out FILE",
		Short: "Save the sealed-secrets controller's public certificate",
		Long: `Download the sealed-secrets controller's public certificate from an https URL
(the controller serves it at /v1/cert.pem), check it (PEM, RSA, not expired) and
save it to FILE atomically. Point sealing.cert in .gitopsctl.yaml at FILE.

Redirects away from https are refused, and the download gives up after
--timeout. An existing FILE that is not a PEM certificate (a config file, say)
is not overwritten unless --force is given; replacing a different cert warns
with both fingerprints.`,
		Example: `  gitopsctl seal fetch-cert --url https://sealed-secrets.example.com/v1/cert.pem --out sealed-secrets.pem`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if url == "" || out == "" {
				return usageError("fetch-cert needs --url and --out")
			}
			if timeout <= 0 {
				return usageError("--timeout must be positive, not %s", timeout)
			}
			fr, err := seal.FetchCert(cmd.Context(), seal.FetchOptions{URL: url, Out: out, Force: force, Timeout: timeout, Now: f.Now()})
			if err != nil {
				return err
			}
			c := fr.Cert
			f.warn(fr.Warning)
			if fr.Replaced != "" {
				f.warn(fmt.Sprintf("%s held another cert (%s); replaced it with %s. Keys sealed with the old cert stay valid while the controller keeps its old key (it does when it renews) and are not resealed; new and changed keys are sealed with the new cert. 'gitopsctl seal --all --rotate' reseals every key (every service then rolls out)", out, fr.Replaced, c.Fingerprint))
			}
			data := map[string]any{"file": out, "certFingerprint": c.Fingerprint, "notAfter": c.X509.NotAfter.UTC()}
			return printData(f, data, func(w *strings.Builder) {
				fmt.Fprintf(w, "saved %s (%s, expires %s)\n", out, c.Fingerprint, c.X509.NotAfter.UTC().Format("2006-01-02"))
			})
		},
	}
	cmd.Flags().StringVar(&url, "url", "", "https URL of the controller's cert (…/v1/cert.pem)")
	cmd.Flags().StringVar(&out, "out", "", "file to write")
	cmd.Flags().BoolVar(&force, "force", false, "overwrite --out even when it is not a PEM certificate")
	cmd.Flags().DurationVar(&timeout, "timeout", seal.DefaultFetchTimeout, "how long the download may take")
	return cmd
}
