package check

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/gitopsctl/gitopsctl/internal/fsutil"
	"github.com/gitopsctl/gitopsctl/internal/gitx"
)

// HookMarker identifies a pre-commit hook written by gitopsctl.
const HookMarker = "# gitopsctl pre-commit hook"

// HookOptions say where to install (or uninstall) the pre-commit hook.
type HookOptions struct {
	GitopsDir  string
	ConfigsDir string
	// Configs also installs the hook in the configs-repo.
	Configs bool
	// Bin is the gitopsctl command the hook runs (an absolute path, or a
	// name looked up on PATH when the hook runs).
	Bin string
	// Force overwrites a pre-commit hook gitopsctl did not write (it is
	// kept as pre-commit.bak).
	Force bool
}

// HookInstalled is one hook written (or removed).
type HookInstalled struct {
	Repo string `json:"repo"`
	Path string `json:"path"`
	// Action is, for install, "created", "updated" (an older gitopsctl
	// hook) or "replaced" (a foreign hook, backed up to Backup); for
	// uninstall, "removed", "restored" (pre-commit.bak put back, named in
	// Backup) or "absent" (no hook there).
	Action string `json:"action"`
	Backup string `json:"backup,omitempty"`
	// GitopsRepo is, for the configs-repo's hook, where it looks for the
	// gitops-repo (relative to the configs-repo's work tree).
	GitopsRepo string `json:"gitopsRepo,omitempty"`
}

func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// HookScript is the pre-commit hook's text: it runs gitopsctl check on
// what is being committed and lets its exit code decide; --quiet keeps a
// passing commit silent (problems and errors are still printed). No repository
// path is fixed in it: git runs hooks at the top of the work tree being
// committed (a linked worktree too) and hands over the index to commit in
// GIT_INDEX_FILE, and gitopsctl reads both. gitopsRepo is "" for the
// gitops-repo's hook; for the configs-repo's, the gitops-repo's path
// relative to the configs-repo's work tree (absolute when there is no
// relative path), tried from the work tree being committed, then from the
// repository's main work tree (for a linked worktree).
func HookScript(bin, gitopsRepo string) string {
	var b strings.Builder
	b.WriteString("#!/bin/sh\n" + HookMarker + " (written by 'gitopsctl hook install'; remove it with 'gitopsctl hook uninstall').\n")
	b.WriteString("# Blocks the commit when 'gitopsctl check --staged' finds a problem in what is being\n")
	b.WriteString("# committed (the index git hands over in GIT_INDEX_FILE); skip once with 'git commit --no-verify'.\n")
	b.WriteString("# GITOPSCTL_BIN overrides the gitopsctl binary to run.\n")
	b.WriteString("GITOPSCTL=${GITOPSCTL_BIN:-" + shellQuote(bin) + "}\n")
	b.WriteString(`found() { case $1 in */*) [ -f "$1" ] && [ -x "$1" ] ;; *) command -v "$1" >/dev/null 2>&1 ;; esac; }
if ! found "$GITOPSCTL"; then
	if [ -z "$GITOPSCTL_BIN" ] && found gitopsctl; then
		GITOPSCTL=gitopsctl
	else
		echo "gitopsctl pre-commit hook: cannot run '$GITOPSCTL': no such executable (install gitopsctl, set GITOPSCTL_BIN, or skip the check once with 'git commit --no-verify')" >&2
		exit 1
	fi
fi
top=$(pwd -P)
`)
	if gitopsRepo == "" {
		b.WriteString("exec \"$GITOPSCTL\" --quiet --repo \"$top\" check --staged\n")
		return b.String()
	}
	b.WriteString("# The gitops-repo, relative to the top of this repository's work tree (edit it when it moves).\n")
	b.WriteString("GITOPS_REPO=" + shellQuote(filepath.ToSlash(gitopsRepo)) + "\n")
	b.WriteString(`case $GITOPS_REPO in
/*) repo=$GITOPS_REPO ;;
*)
	repo=$top/$GITOPS_REPO
	if [ ! -f "$repo/.gitopsctl.yaml" ]; then
		# A linked worktree: relative to the main work tree.
		common=$(git rev-parse --git-common-dir) && repo=$(cd "$common/.." && pwd -P)/$GITOPS_REPO
	fi ;;
esac
if [ ! -f "$repo/.gitopsctl.yaml" ]; then
	echo "gitopsctl pre-commit hook: no gitops-repo (.gitopsctl.yaml) at '$GITOPS_REPO' from $top: edit GITOPS_REPO in this hook or re-run 'gitopsctl hook install --configs' (skip the check once with 'git commit --no-verify')" >&2
	exit 1
fi
exec "$GITOPSCTL" --quiet --repo "$repo" --configs "$top" check --staged
`)
	return b.String()
}

type hookTarget struct {
	repo, dir, path, script, gitopsRepo string
}

// hookTargets locates the pre-commit hook of the gitops-repo (and of the
// configs-repo with Configs) and the script each should hold.
func hookTargets(o HookOptions) ([]hookTarget, error) {
	targets := []hookTarget{{repo: RepoGitops, dir: o.GitopsDir}}
	if o.Configs {
		targets = append(targets, hookTarget{repo: RepoConfigs, dir: o.ConfigsDir})
	}
	for i := range targets {
		t := &targets[i]
		g, err := gitx.OpenReader(t.dir)
		if err != nil {
			return nil, fmt.Errorf("%s-repo hook: %w", t.repo, err)
		}
		dir, err := g.HooksDir()
		if err != nil {
			return nil, err
		}
		t.path = filepath.Join(dir, "pre-commit")
		rel := ""
		if t.repo == RepoConfigs {
			if rel, err = filepath.Rel(o.ConfigsDir, o.GitopsDir); err != nil {
				rel = o.GitopsDir
			}
		}
		t.script, t.gitopsRepo = HookScript(o.Bin, rel), filepath.ToSlash(rel)
	}
	return targets, nil
}

// InstallHooks writes the pre-commit hook into the gitops-repo (and the
// configs-repo with Configs). It refuses to replace a hook it did not
// write unless Force is set; nothing is written when it refuses.
func InstallHooks(o HookOptions) ([]HookInstalled, error) {
	targets, err := hookTargets(o)
	if err != nil {
		return nil, err
	}
	var plan []HookInstalled
	for _, t := range targets {
		h := HookInstalled{Repo: t.repo, Path: t.path, Action: "created", GitopsRepo: t.gitopsRepo}
		old, err := os.ReadFile(t.path)
		switch {
		case errors.Is(err, fs.ErrNotExist):
		case err != nil:
			return nil, err
		case bytes.Contains(old, []byte(HookMarker)):
			h.Action = "updated"
		case !o.Force:
			return nil, fmt.Errorf("%s already exists and was not written by gitopsctl: not replacing it (use --force to replace it; it is kept as pre-commit.bak), or call 'gitopsctl check --staged' from it yourself", t.path)
		default:
			h.Action, h.Backup = "replaced", t.path+".bak"
		}
		plan = append(plan, h)
	}
	for i, h := range plan {
		if err := os.MkdirAll(filepath.Dir(h.Path), 0o755); err != nil {
			return nil, err
		}
		if h.Backup != "" {
			old, err := os.ReadFile(h.Path)
			if err != nil {
				return nil, err
			}
			if err := fsutil.WriteFileAtomic(h.Backup, old, 0o755); err != nil {
				return nil, err
			}
		}
		if err := fsutil.WriteFileAtomic(h.Path, []byte(targets[i].script), 0o755); err != nil {
			return nil, err
		}
		if err := os.Chmod(h.Path, 0o755); err != nil {
			return nil, err
		}
	}
	return plan, nil
}

// UninstallHooks removes the pre-commit hook gitopsctl wrote in the
// gitops-repo (and the configs-repo with Configs), putting back the
// pre-commit.bak an install --force kept. A hook gitopsctl did not write is
// an error and nothing is removed anywhere.
func UninstallHooks(o HookOptions) ([]HookInstalled, error) {
	targets, err := hookTargets(o)
	if err != nil {
		return nil, err
	}
	var plan []HookInstalled
	for _, t := range targets {
		h := HookInstalled{Repo: t.repo, Path: t.path, Action: "removed"}
		old, err := os.ReadFile(t.path)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			h.Action = "absent"
		case err != nil:
			return nil, err
		case !bytes.Contains(old, []byte(HookMarker)):
			return nil, fmt.Errorf("%s was not written by gitopsctl: leaving it alone (remove it yourself if you mean to)", t.path)
		default:
			if _, err := os.Stat(t.path + ".bak"); err == nil {
				h.Action, h.Backup = "restored", t.path+".bak"
			}
		}
		plan = append(plan, h)
	}
	for _, h := range plan {
		switch h.Action {
		case "removed":
			if err := os.Remove(h.Path); err != nil {
				return nil, err
			}
		case "restored":
			if err := os.Rename(h.Backup, h.Path); err != nil {
				return nil, err
			}
		}
	}
	return plan, nil
}
