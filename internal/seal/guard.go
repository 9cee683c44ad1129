package seal

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/gitopsctl/gitopsctl/internal/fsutil"
	"github.com/gitopsctl/gitopsctl/internal/gitx"
	"github.com/gitopsctl/gitopsctl/internal/layout"
)

// TrackedPlaintext lists the plaintext and seal-state files under
// configsDir that git tracks: staged in the index or committed in HEAD.
// Paths are relative to configsDir. A directory that is not in a git
// repository has none.
func TrackedPlaintext(configsDir string) ([]string, error) {
	repo, err := git.PlainOpenWithOptions(configsDir, &git.PlainOpenOptions{DetectDotGit: true, EnableDotGitCommonDir: true})
	if errors.Is(err, git.ErrRepositoryNotExists) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("open git repository at %s: %w", configsDir, err)
	}
	wt, err := repo.Worktree()
	if err != nil {
		return nil, nil // bare repository: nothing checked out
	}
	root, err := filepath.EvalSymlinks(wt.Filesystem.Root())
	if err != nil {
		return nil, err
	}
	dir, err := filepath.EvalSymlinks(configsDir)
	if err != nil {
		return nil, err
	}
	prefix, err := filepath.Rel(root, dir)
	if err != nil {
		return nil, err
	}
	prefix = filepath.ToSlash(prefix)
	under := func(name string) (string, bool) {
		if prefix == "." {
			return name, true
		}
		rel, ok := strings.CutPrefix(name, prefix+"/")
		return rel, ok
	}
	found := map[string]string{}
	names, err := indexNames(repo, root)
	if err != nil {
		return nil, err
	}
	for _, name := range names {
		if rel, ok := under(name); ok && layout.IsLocalFile(name) {
			found[rel] = "staged or tracked"
		}
	}
	head, err := repo.Head()
	switch {
	case errors.Is(err, plumbing.ErrReferenceNotFound):
	case err != nil:
		return nil, fmt.Errorf("read HEAD of %s: %w", root, err)
	default:
		commit, err := repo.CommitObject(head.Hash())
		if err != nil {
			return nil, err
		}
		tree, err := commit.Tree()
		if err != nil {
			return nil, err
		}
		// Walk only the configs-repo's part of the tree.
		if prefix != "." {
			tree, err = tree.Tree(prefix)
		}
		switch {
		case errors.Is(err, object.ErrDirectoryNotFound):
		case err != nil:
			return nil, err
		default:
			err = tree.Files().ForEach(func(f *object.File) error {
				if layout.IsLocalFile(f.Name) {
					if _, dup := found[f.Name]; !dup {
						found[f.Name] = "committed"
					}
				}
				return nil
			})
			if err != nil {
				return nil, err
			}
		}
	}
	out := make([]string, 0, len(found))
	for p := range found {
		out = append(out, p)
	}
	sort.Strings(out)
	return out, nil
}

// TrackedError is returned when plaintext files are tracked by git.
type TrackedError struct {
	Dir   string
	Files []string
}

func (e *TrackedError) Error() string {
	return fmt.Sprintf("plaintext secrets are tracked by git in %s: %s; refusing to go on. Remove them from git (git rm --cached FILE, and rewrite history if they were pushed) and rotate those secrets",
		e.Dir, strings.Join(e.Files, ", "))
}

// GuardPlaintext fails with a *TrackedError when any plaintext file is
// tracked or staged.
func GuardPlaintext(configsDir string) error {
	files, err := TrackedPlaintext(configsDir)
	if err != nil {
		return err
	}
	if len(files) > 0 {
		return &TrackedError{Dir: configsDir, Files: files}
	}
	return nil
}

// EnsureGitignore makes sure the configs-repo .gitignore ignores plaintext
// and seal state, appending the missing rules. It reports whether it wrote.
func EnsureGitignore(configsDir string) (bool, error) {
	p := filepath.Join(configsDir, ".gitignore")
	data, err := readRepoFile(configsDir, p)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return false, err
	}
	have := map[string]bool{}
	for _, l := range strings.Split(string(data), "\n") {
		have[strings.TrimSpace(l)] = true
	}
	var missing []string
	for _, l := range strings.Split(layout.ConfigsGitignore, "\n") {
		if l != "" && !strings.HasPrefix(l, "#") && !have[l] {
			missing = append(missing, l)
		}
	}
	if len(missing) == 0 {
		return false, nil
	}
	out := string(data)
	if out != "" && !strings.HasSuffix(out, "\n") {
		out += "\n"
	}
	if len(data) == 0 {
		out = layout.ConfigsGitignore
	} else {
		out += "# gitopsctl: plaintext secrets live only on the machine that seals them.\n" + strings.Join(missing, "\n") + "\n"
	}
	lk, err := fsutil.LockFile(context.Background(), filepath.Join(configsDir, LockName), DefaultLockWait)
	if err != nil {
		return false, fmt.Errorf("update %s: %w", p, err)
	}
	defer lk.Unlock()
	if _, err := fsutil.CleanTemp(configsDir); err != nil {
		return false, err
	}
	// Re-read under the lock: another run may have just added the rules.
	if again, err := readRepoFile(configsDir, p); err == nil && !bytes.Equal(again, data) {
		lk.Unlock()
		return EnsureGitignore(configsDir)
	}
	return true, fsutil.WriteFileAtomic(p, []byte(out), 0o644)
}

// indexNames lists the paths in the git index. go-git reads index versions
// 2 to 4; for what it cannot read (a split index, say) the git CLI answers.
func indexNames(repo *git.Repository, root string) ([]string, error) {
	idx, err := repo.Storer.Index()
	if err == nil {
		names := make([]string, 0, len(idx.Entries))
		for _, e := range idx.Entries {
			names = append(names, e.Name)
		}
		return names, nil
	}
	if _, lookErr := exec.LookPath("git"); lookErr != nil {
		return nil, fmt.Errorf("read the git index of %s: %w", root, err)
	}
	out, cliErr := gitx.CLI(root, "ls-files", "-z", "--cached", "--full-name").Output()
	if cliErr != nil {
		return nil, fmt.Errorf("read the git index of %s: %v (and git ls-files: %v)", root, err, cliErr)
	}
	var names []string
	for _, n := range strings.Split(string(out), "\x00") {
		if n != "" {
			names = append(names, n)
		}
	}
	return names, nil
}
