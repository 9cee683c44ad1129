package cli

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/gitopsctl/gitopsctl/internal/bump"
	"github.com/gitopsctl/gitopsctl/internal/config"
	"github.com/gitopsctl/gitopsctl/internal/gitx"
)

func newBumpCmd(f *Factory) *cobra.Command {
	o := bump.Options{}
	cmd := &cobra.Command{
		Use:   "bump SERVICE... --tag TAG",
		Short: "Set a service's image tag in its chart's values.yaml, commit it, and optionally push",
		Long: `bump sets image.tag in charts/SERVICE/values.yaml (or --file) to TAG and commits
exactly that file with git.

Only the bytes of that one value change: comments, blank lines, indentation,
quoting, anchors, key order, CRLF line endings and a missing final newline stay
as they are. The new value keeps the old one's quotes and is always written so
that YAML reads a string (1.10 becomes "1.10"). A missing key is added next to
its siblings. The result is re-read before it is written; if anything but that
one value would change, bump refuses.

--digest sha256:... sets image.digest the same way (--digest-key to change it).
Several services are edited in one commit. Nothing is written unless every file
can be edited, and nothing before git's index lock (.git/index.lock) is held;
when another git process holds it, bump stops with nothing changed. A service
already at TAG is left alone; if all are, bump exits 0 without committing.

A run interrupted after its edit finishes on the next run: when the file already
holds TAG but differs from HEAD by exactly that edit, bump commits it; with
--push, when HEAD is the bump commit and the remote-tracking branch lacks it,
bump pushes it. The output says what it finished.

The branch moves the way git moves it: through <ref>.lock, checked against the
value it had, with a reflog entry; objects are on disk before the branch moves.
A crash leaves the branch at the old commit or the new one, never broken.

The commit holds only the edited files: whatever else is staged or modified in
the work tree stays as it was. bump refuses when a values file itself has
uncommitted changes. Author: --author, else GIT_AUTHOR_NAME/GIT_AUTHOR_EMAIL,
else user.name/user.email from the repository's git config, then the global one
(the committer likewise from GIT_COMMITTER_*, then git config).

--push pushes to --remote (origin) --branch (the current branch), with the SSH
agent for ssh:// remotes or a token from GITOPSCTL_GIT_TOKEN, GITHUB_TOKEN or
GH_TOKEN for https:// remotes. When another job pushed first, bump fetches,
moves onto the remote tip, applies the edit again to the file as it is there,
commits again and retries with jittered backoff, up to --retries times. If the
remote already has the tag it stops with success. It never force-pushes.
Every network call is bounded by --timeout (60s). Credentials are never sent to a
plain http:// remote unless --allow-insecure-http is given; without credentials
an http:// remote is pushed to as is.

Exit codes: 0 done (or nothing to do), 1 error, 2 invalid flags or an unknown service.`,
		Example: `  # CI, after pushing ghcr.io/acme/backend:v1.4.2
  gitopsctl bump backend --tag v1.4.2 --push

  # two services, one commit, pinned by digest too
  gitopsctl bump backend worker --tag v1.4.2 --digest sha256:4f2c...e9 --push -o json

  # edit only, another key, another file
  gitopsctl bump backend --tag 2024.06.1 --key app.image.tag --file ./values-prod.yaml --no-commit`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Services = args
			o.Getenv = f.Getenv
			o.Now = f.Now
			if o.File != "" {
				abs, err := filepath.Abs(o.File)
				if err != nil {
					return err
				}
				o.File = abs
			}
			if err := bump.Validate(&o); err != nil {
				return usageError("%s", strings.TrimPrefix(err.Error(), bump.ErrUsage.Error()+": "))
			}
			l, err := f.Config()
			switch {
			case err == nil:
				o.RepoDir = l.RepoDir
			case o.File != "" && errors.Is(err, config.ErrNotFound):
				if o.RepoDir, err = os.Getwd(); err != nil {
					return err
				}
			default:
				return err
			}
			if o.File != "" {
				if rel, err := filepath.Rel(o.RepoDir, o.File); err == nil && !strings.HasPrefix(rel, "..") {
					o.File = filepath.Join(o.RepoDir, rel)
				}
			}
			res, err := bump.Run(cmd.Context(), o)
			if err != nil {
				if errors.Is(err, bump.ErrUsage) {
					return usageError("%s", strings.TrimPrefix(err.Error(), bump.ErrUsage.Error()+": "))
				}
				return err
			}
			return printData(f, res.Services, func(w *strings.Builder) { bumpText(w, &o, res) })
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&o.Tag, "tag", "", "image tag to set (OCI tag: [A-Za-z0-9_][A-Za-z0-9._-]{0,127})")
	fl.StringVar(&o.Digest, "digest", "", "image digest to set (sha256:<64 hex>)")
	fl.StringVar(&o.Key, "key", bump.DefaultKey, "dotted key path of the tag in the values file")
	fl.StringVar(&o.DigestKey, "digest-key", bump.DefaultDigestKey, "dotted key path of the digest")
	fl.StringVar(&o.File, "file", "", "values file to edit instead of charts/SERVICE/values.yaml (one service)")
	fl.BoolVar(&o.AllowLatest, "allow-latest", false, "allow the tag 'latest'")
	fl.BoolVar(&o.NoCommit, "no-commit", false, "only edit the file(s); do not commit")
	commitFlags(fl, &o, "<service>: bump image tag to <tag>")
	return cmd
}

func bumpText(w *strings.Builder, o *bump.Options, res *bump.Result) {
	for _, s := range res.Services {
		var parts []string
		if s.New != "" {
			parts = append(parts, fmt.Sprintf("%s %s -> %s", o.Key, bumpOrNone(s.Old), s.New))
		}
		if s.NewDigest != "" {
			parts = append(parts, fmt.Sprintf("%s %s -> %s", o.DigestKey, bumpOrNone(s.OldDigest), s.NewDigest))
		}
		if !s.Changed {
			what := s.New
			if what == "" {
				what = s.NewDigest
			}
			note := ""
			if s.Resumed == "index" {
				note = "; git index entry updated, left stale by an interrupted commit"
			}
			fmt.Fprintf(w, "%s: already at %s (%s%s)\n", s.Service, what, s.File, note)
			continue
		}
		note := ""
		if s.Resumed == "commit" {
			note = "; edit left uncommitted by an earlier run"
		}
		fmt.Fprintf(w, "%s: %s (%s%s)\n", s.Service, strings.Join(parts, ", "), s.File, note)
	}
	switch {
	case res.Resumed == "push" && res.AlreadyOnRemote:
		fmt.Fprintf(w, "%s/%s already has this change at %s; nothing pushed\n", o.Remote, res.Branch, bumpShort(res.Commit))
	case res.Resumed == "push":
		fmt.Fprintf(w, "pushed %s, left unpushed by an earlier run, to %s/%s", bumpShort(res.Commit), o.Remote, res.Branch)
		if res.Attempts > 1 {
			fmt.Fprintf(w, " (after %d attempts)", res.Attempts)
		}
		w.WriteString("\n")
	case !res.Changed() && res.UpToDate:
		fmt.Fprintf(w, "nothing to commit; %s/%s already has it\n", o.Remote, res.Branch)
	case !res.Changed():
		w.WriteString("nothing to commit\n")
	case o.NoCommit:
		w.WriteString("not committed (--no-commit)\n")
	case res.AlreadyOnRemote:
		fmt.Fprintf(w, "%s/%s already has this change at %s; nothing pushed\n", o.Remote, res.Branch, bumpShort(res.Commit))
	case res.Pushed:
		fmt.Fprintf(w, "committed %s and pushed to %s/%s", bumpShort(res.Commit), o.Remote, res.Branch)
		if res.Attempts > 1 {
			fmt.Fprintf(w, " (after %d attempts)", res.Attempts)
		}
		w.WriteString("\n")
	default:
		fmt.Fprintf(w, "committed %s\n", bumpShort(res.Commit))
	}
}

func bumpOrNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

func bumpShort(h string) string {
	if len(h) > 12 {
		return h[:12]
	}
	return h
}

// commitFlags adds the flags of a command that commits and may push through
// bump's path (bump, promote); defaultMessage is the commit message's
// default, for the help text.
func commitFlags(fl *pflag.FlagSet, o *bump.Options, defaultMessage string) {
	fl.StringVarP(&o.Message, "message", "m", "", "commit message (default \""+defaultMessage+"\")")
	fl.BoolVar(&o.Signoff, "signoff", false, "add a Signed-off-by trailer for the committer")
	fl.StringVar(&o.Author, "author", "", "commit author as \"Name <email>\"")
	fl.BoolVar(&o.Push, "push", false, "push the commit, re-applying it on the remote tip if another push came first")
	fl.StringVar(&o.Remote, "remote", bump.DefaultRemote, "remote to push to")
	fl.StringVar(&o.Branch, "branch", "", "remote branch to push to (default: the current branch)")
	fl.IntVar(&o.Retries, "retries", bump.DefaultRetries, "how often to retry a rejected push")
	fl.DurationVar(&o.Timeout, "timeout", gitx.DefaultTimeout, "limit for each network call of a push (fetch or push)")
	fl.BoolVar(&o.AllowInsecureHTTP, "allow-insecure-http", false, "send credentials to a plain http:// remote (they travel unencrypted)")
}
