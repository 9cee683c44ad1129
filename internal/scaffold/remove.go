package scaffold

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/gitopsctl/gitopsctl/internal/argo"
	"github.com/gitopsctl/gitopsctl/internal/fsutil"
	"github.com/gitopsctl/gitopsctl/internal/layout"
	"github.com/gitopsctl/gitopsctl/internal/safeyaml"
	"github.com/gitopsctl/gitopsctl/internal/services"
)

// serviceLockName is the lock env and seal hold on a service directory of
// the configs-repo (see seal.LockName); rm-service takes it too.
const serviceLockName = ".gitopsctl-lock.local.state"

// lockWait is how long rm-service waits for another gitopsctl updating the
// service (as env and seal do).
const lockWait = 10 * time.Second

// RemoveOptions configure RemoveService.
type RemoveOptions struct {
	RepoDir    string
	ConfigsDir string
	Name       string
	// Plaintext also removes the service's git-ignored local files in the
	// configs-repo (secrets.local.env, secrets.local.state): plaintext
	// secrets that exist nowhere else. Without it they are kept.
	Plaintext bool
	DryRun    bool
}

// RemoveResult is what RemoveService removed (or, with DryRun, would).
type RemoveResult struct {
	Name         string   `json:"name"`
	Chart        string   `json:"chart,omitempty"`
	Applications []string `json:"applications"`
	// Repo and Configs list the files removed, relative to each root.
	Repo    RepoResult `json:"gitopsRepo"`
	Configs RepoResult `json:"configsRepo"`
	// Kept are configs-repo files left in place: local plaintext without
	// Plaintext, and files rm-service did not create.
	Kept []string `json:"kept"`
	// NotGit names a repository that is not under git (no uncommitted
	// changes could be looked for).
	NotGit []string `json:"notGit,omitempty"`
	DryRun bool     `json:"dryRun,omitempty"`
}

// RemoveService removes a service: its chart directory, its
// Application(s) under argo-apps/clusters/*/*/NAME.yaml, and its
// config.yaml and secrets.yaml in the configs-repo (the local plaintext
// only with Plaintext). It refuses when any of those files has changes git
// does not have in HEAD (modified, staged or untracked), since removing them
// would lose work git cannot give back. Files are removed all or nothing.
func RemoveService(ctx context.Context, o RemoveOptions) (*RemoveResult, error) {
	if msg := dns1123Label(o.Name); msg != "" || strings.ContainsAny(o.Name, `/\.`) {
		return nil, flagError("rm-service: invalid service name %q", o.Name)
	}
	res := &RemoveResult{Name: o.Name, Applications: []string{}, Kept: []string{},
		Repo: RepoResult{Dir: o.RepoDir, Files: []string{}}, Configs: RepoResult{Dir: o.ConfigsDir, Files: []string{}}}

	// What the service has.
	chartDir := path.Join(layout.ChartsDir, o.Name)
	chartFiles, err := filesBelow(o.RepoDir, chartDir)
	if err != nil {
		return nil, fmt.Errorf("rm-service: %w", err)
	}
	if len(chartFiles) > 0 {
		res.Chart = chartDir
	}
	apps, err := serviceApplications(o.RepoDir, o.Name)
	if err != nil {
		return nil, fmt.Errorf("rm-service: %w", err)
	}
	res.Applications = append(res.Applications, apps...)
	configFiles, err := filesBelow(o.ConfigsDir, o.Name)
	if err != nil {
		return nil, fmt.Errorf("rm-service: %w", err)
	}
	var configsRemove []string
	for _, f := range configFiles {
		base := path.Base(f)
		switch {
		case base == layout.ServiceConfigFile || base == layout.ServiceSecretsFile:
			configsRemove = append(configsRemove, f)
		case base == serviceLockName:
		case base == layout.PlaintextFile || base == layout.SealStateFile || fsutil.IsTemp(base) && isLocal(base):
			if o.Plaintext {
				configsRemove = append(configsRemove, f)
			} else {
				res.Kept = append(res.Kept, f)
			}
		default:
			res.Kept = append(res.Kept, f)
		}
	}
	if len(chartFiles)+len(apps)+len(configsRemove) == 0 {
		known, _ := services.List(o.ConfigsDir)
		return nil, &services.UnknownError{Kind: "service", Name: o.Name, Label: "services", Known: known,
			Detail: fmt.Sprintf("no %s, no Application %s.yaml under %s/clusters and no %s/%s in the configs-repo", chartDir, o.Name, layout.AppsDir, o.Name, layout.ServiceConfigFile)}
	}
	repoRemove := append(append([]string{}, chartFiles...), apps...)

	// Uncommitted work in either repository: refuse, listing it. Local
	// plaintext is git-ignored by design and removed only on request.
	var tracked []string
	for _, f := range configsRemove {
		if b := path.Base(f); b == layout.ServiceConfigFile || b == layout.ServiceSecretsFile {
			tracked = append(tracked, f)
		}
	}
	var dirty []string
	for _, r := range []struct {
		name, dir string
		files     []string
	}{{"gitops-repo", o.RepoDir, repoRemove}, {"configs-repo", o.ConfigsDir, tracked}} {
		if len(r.files) == 0 {
			continue
		}
		u, ok, err := uncommittedFiles(r.dir, r.files)
		if err != nil {
			return nil, fmt.Errorf("rm-service: %w", err)
		}
		if !ok {
			res.NotGit = append(res.NotGit, r.name)
		}
		for _, d := range u {
			dirty = append(dirty, fmt.Sprintf("%s (%s, %s)", filepath.Join(r.dir, filepath.FromSlash(d.Path)), r.name, d.State))
		}
	}
	if len(dirty) > 0 {
		return nil, fmt.Errorf("rm-service: %s has %d %s with uncommitted changes that removing would lose:\n  %s\ncommit them (or stash them: git stash --include-untracked) and run it again; --dry-run lists what would be removed",
			o.Name, len(dirty), plural(len(dirty), "file", "files"), strings.Join(dirty, "\n  "))
	}
	res.Repo.Files = append(res.Repo.Files, repoRemove...)
	res.Configs.Files = append(res.Configs.Files, configsRemove...)
	if o.DryRun {
		res.DryRun = true
		return res, nil
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}

	// env and seal lock the service while they update it.
	svcDir := filepath.Join(o.ConfigsDir, o.Name)
	var lock *fsutil.Lock
	if fi, err := os.Stat(svcDir); err == nil && fi.IsDir() {
		if lock, err = fsutil.LockFile(ctx, filepath.Join(svcDir, serviceLockName), lockWait); err != nil {
			var be *fsutil.BusyError
			if errors.As(err, &be) {
				return nil, fmt.Errorf("rm-service: busy: another gitopsctl is updating %s (pid %d); retry", o.Name, be.PID)
			}
			return nil, fmt.Errorf("rm-service: %w", err)
		}
	}
	var chartAbs, all []string
	for _, f := range chartFiles {
		chartAbs = append(chartAbs, filepath.Join(o.RepoDir, filepath.FromSlash(f)))
	}
	for _, f := range repoRemove {
		all = append(all, filepath.Join(o.RepoDir, filepath.FromSlash(f)))
	}
	for _, f := range configsRemove {
		all = append(all, filepath.Join(o.ConfigsDir, filepath.FromSlash(f)))
	}
	err = removeAll(ctx, all)
	if uerr := lock.Unlock(); err == nil && uerr != nil {
		err = uerr
	}
	if err != nil {
		return nil, fmt.Errorf("rm-service: %w", err)
	}
	// Directories left empty: the chart's and the service's in the
	// configs-repo; never charts/ itself or a cluster's directories.
	pruneEmpty(o.RepoDir, chartAbs, []string{layout.ChartsDir})
	pruneEmpty(o.ConfigsDir, []string{filepath.Join(svcDir, serviceLockName)}, nil)
	return res, nil
}

func isLocal(base string) bool {
	return strings.HasSuffix(base, ".local.env") || strings.HasSuffix(base, ".local.state")
}

// listFiles lists the regular files and symlinks below dir (relative to
// root), as slash paths relative to root; none when dir does not exist.
func filesBelow(root, dir string) ([]string, error) {
	abs := filepath.Join(root, filepath.FromSlash(dir))
	fi, err := os.Lstat(abs)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("%s is not a directory", abs)
	}
	var out []string
	err = filepath.WalkDir(abs, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		out = append(out, filepath.ToSlash(rel))
		return nil
	})
	sort.Strings(out)
	return out, err
}

// serviceApplications finds the Applications new-service writes for name:
// argo-apps/clusters/<cluster>/<project>/<name>.yaml holding an Application
// named name. A file of that name holding something else is an error: it
// is not rm-service's to remove.
func serviceApplications(repoDir, name string) ([]string, error) {
	matches, err := filepath.Glob(filepath.Join(repoDir, layout.AppsDir, "clusters", "*", "*", name+".yaml"))
	if err != nil {
		return nil, err
	}
	var out []string
	for _, m := range matches {
		data, err := safeyaml.ReadFile(m)
		if err != nil {
			return nil, err
		}
		app, err := argo.DecodeApplication(data)
		if err != nil || app.Kind != "Application" || app.Name != name {
			return nil, fmt.Errorf("%s is not the Application %q that new-service writes; remove it by hand if it belongs to the service", m, name)
		}
		rel, err := filepath.Rel(repoDir, m)
		if err != nil {
			return nil, err
		}
		out = append(out, filepath.ToSlash(rel))
	}
	sort.Strings(out)
	return out, nil
}

// removeAll removes files all or nothing: each is first renamed to a
// backup name next to it; only when every rename succeeded are the backups
// deleted. A failure renames the ones moved back.
func removeAll(ctx context.Context, files []string) error {
	type moved struct{ from, to string }
	var done []moved
	undo := func() {
		for i := len(done) - 1; i >= 0; i-- {
			_ = os.Rename(done[i].to, done[i].from)
		}
	}
	for i, f := range files {
		if err := ctx.Err(); err != nil {
			undo()
			return err
		}
		bak := filepath.Join(filepath.Dir(f), fmt.Sprintf(".%s.bak-%d%d.local.state", filepath.Base(f), os.Getpid(), i))
		if err := os.Rename(f, bak); err != nil {
			undo()
			return fmt.Errorf("remove %s: %w", f, err)
		}
		done = append(done, moved{f, bak})
	}
	var errs []error
	for _, m := range done {
		if err := os.Remove(m.to); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// pruneEmpty removes the directories of files that are now empty, walking
// up to (not including) root and the stop directories (relative to root).
func pruneEmpty(root string, files []string, stop []string) {
	keep := map[string]bool{filepath.Clean(root): true}
	for _, s := range stop {
		keep[filepath.Join(root, filepath.FromSlash(s))] = true
	}
	dirs := map[string]bool{}
	for _, f := range files {
		dirs[filepath.Dir(f)] = true
	}
	var list []string
	for d := range dirs {
		list = append(list, d)
	}
	// Deepest first, so a parent is tried after its children.
	sort.Slice(list, func(i, j int) bool { return len(list[i]) > len(list[j]) })
	for _, d := range list {
		for !keep[d] && strings.HasPrefix(d, filepath.Clean(root)+string(filepath.Separator)) {
			if os.Remove(d) != nil { // not empty (or gone): stop here
				break
			}
			d = filepath.Dir(d)
		}
	}
}
