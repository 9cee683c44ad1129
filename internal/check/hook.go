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
	"github.com/gitopsctl/gitopsctl/internal/gitdiff"
)

// HookMarker identifies a pre-commit hook written by gitopsctl.
const HookMarker = "# gitopsctl pre-commit hook"

// HookOptions say where to install the pre-commit hook.
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

// HookInstalled is one hook written.
type HookInstalled struct {
	Repo string `json:"repo"`
	Path string `json:"path"`
	// Action is "created", "updated" (an older gitopsctl hook) or
	// "replaced" (a foreign hook, backed up to Backup).
	Action string `json:"action"`
	Backup string `json:"backup,omitempty"`
}

func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// HookScript is the pre-commit hook's text: it runs gitopsctl check on
// what is staged and lets its exit code decide.
func HookScript(bin, gitopsDir, configsDir string) string {
	return "#!/bin/sh\n" + HookMarker + " (written by 'gitopsctl hook install'; edit freely, or remove this file).\n" +
		"# Blocks the commit when 'gitopsctl check --staged' finds a problem; skip once with git commit --no-verify.\n" +
		"GITOPSCTL=" + shellQuote(bin) + "\n" +
		"if [ -n \"$GITOPSCTL_BIN\" ]; then GITOPSCTL=$GITOPSCTL_BIN; fi\n" +
		"exec \"$GITOPSCTL\" --repo " + shellQuote(gitopsDir) + " --configs " + shellQuote(configsDir) + " check --staged\n"
}

// InstallHooks writes the pre-commit hook into the gitops-repo (and the
// configs-repo with Configs). It refuses to replace a hook it did not
// write unless Force is set; nothing is written when it refuses.
func InstallHooks(o HookOptions) ([]HookInstalled, error) {
	type target struct{ repo, dir string }
	targets := []target{{RepoGitops, o.GitopsDir}}
	if o.Configs {
		targets = append(targets, target{RepoConfigs, o.ConfigsDir})
	}
	script := []byte(HookScript(o.Bin, o.GitopsDir, o.ConfigsDir))
	var plan []HookInstalled
	for _, t := range targets {
		g, err := gitdiff.Open(t.dir)
		if err != nil {
			return nil, fmt.Errorf("install hook in %s-repo: %w", t.repo, err)
		}
		dir, err := g.HooksDir()
		if err != nil {
			return nil, err
		}
		p := filepath.Join(dir, "pre-commit")
		h := HookInstalled{Repo: t.repo, Path: p, Action: "created"}
		old, err := os.ReadFile(p)
		switch {
		case errors.Is(err, fs.ErrNotExist):
		case err != nil:
			return nil, err
		case bytes.Contains(old, []byte(HookMarker)):
			h.Action = "updated"
		case !o.Force:
			return nil, fmt.Errorf("%s already exists and was not written by gitopsctl: not replacing it (use --force to replace it; it is kept as pre-commit.bak), or call 'gitopsctl check --staged' from it yourself", p)
		default:
			h.Action, h.Backup = "replaced", p+".bak"
		}
		plan = append(plan, h)
	}
	for _, h := range plan {
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
		if err := fsutil.WriteFileAtomic(h.Path, script, 0o755); err != nil {
			return nil, err
		}
		if err := os.Chmod(h.Path, 0o755); err != nil {
			return nil, err
		}
	}
	return plan, nil
}
