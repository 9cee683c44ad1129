package seal

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/gitopsctl/gitopsctl/internal/fsutil"
	"github.com/gitopsctl/gitopsctl/internal/gitx"
	"github.com/gitopsctl/gitopsctl/internal/layout"
)

// LockName is the lock file in a service directory of the configs-repo
// while gitopsctl updates that service (and in the configs-repo root while
// it updates .gitignore). Its name ends in .local.state so the configs-repo
// .gitignore already covers it.
const LockName = ".gitopsctl-lock.local.state"

// DefaultLockWait is how long a writer waits for another gitopsctl
// updating the same service before it gives up.
const DefaultLockWait = 10 * time.Second

// PrivateSuffixes are the git-ignored name endings of plaintext and seal
// state; temporary and backup files of such files keep them (see
// fsutil.TempName), so they are git-ignored too.
var PrivateSuffixes = []string{".local.env", ".local.state"}

// NewBatch returns an fsutil.Batch whose temporary and backup files are all
// git-ignored: those of plaintext and state files keep their ending
// (.secrets.tmp-1.local.env), the others get ".local.state" appended
// (.secrets.yaml.tmp-1.local.state), so a run killed midway leaves nothing
// that "git add -A" would pick up.
func NewBatch() *fsutil.Batch {
	return &fsutil.Batch{KeepSuffixes: PrivateSuffixes, OtherSuffix: ".local.state"}
}

// BusyError is returned when another gitopsctl holds a service's lock.
type BusyError struct {
	Service string
	PID     int
}

func (e *BusyError) Error() string {
	pid := "pid unknown"
	if e.PID > 0 {
		pid = fmt.Sprintf("pid %d", e.PID)
	}
	return fmt.Sprintf("busy: another gitopsctl is updating %s (%s); retry", e.Service, pid)
}

// Locks are the service locks a writer holds.
type Locks struct {
	locks []*fsutil.Lock
	// Cleaned lists leftover temporary files of interrupted runs that were
	// removed, relative to the configs-repo.
	Cleaned []string
}

// Release drops every lock.
func (l *Locks) Release() {
	if l == nil {
		return
	}
	for i := len(l.locks) - 1; i >= 0; i-- {
		l.locks[i].Unlock()
	}
	l.locks = nil
}

// LockServices takes the lock of each service (in name order, so writers
// never deadlock), waiting up to wait (0: DefaultLockWait) for another
// gitopsctl, and then removes the temporary files interrupted runs left in
// those service directories.
func LockServices(ctx context.Context, configsDir string, services []string, wait time.Duration) (*Locks, error) {
	if wait == 0 {
		wait = DefaultLockWait
	}
	sorted := append([]string(nil), services...)
	sort.Strings(sorted)
	l := &Locks{}
	for i, svc := range sorted {
		if i > 0 && sorted[i-1] == svc {
			continue
		}
		dir := layout.ServiceDir(configsDir, svc)
		lk, err := fsutil.LockFile(ctx, filepath.Join(dir, LockName), wait)
		if err != nil {
			l.Release()
			var busy *fsutil.BusyError
			if errors.As(err, &busy) {
				return nil, &BusyError{Service: svc, PID: busy.PID}
			}
			return nil, err
		}
		l.locks = append(l.locks, lk)
		removed, err := fsutil.CleanTemp(dir)
		if err != nil {
			l.Release()
			return nil, fmt.Errorf("%s: %w", svc, err)
		}
		for _, r := range removed {
			l.Cleaned = append(l.Cleaned, path.Join(svc, r))
		}
	}
	return l, nil
}

// readRepoFile reads a file of the configs-repo, refusing one that
// resolves (through a symlink) to outside the configs-repo. A missing file
// returns fs.ErrNotExist.
func readRepoFile(configsDir, p string) ([]byte, error) {
	if err := insideRepo(configsDir, p); err != nil {
		return nil, err
	}
	return os.ReadFile(p)
}

func insideRepo(configsDir, p string) error {
	real, err := filepath.EvalSymlinks(p)
	if errors.Is(err, fs.ErrNotExist) {
		if _, lerr := os.Lstat(p); lerr == nil {
			return fmt.Errorf("%s: a symlink to a missing file; refusing to use it", relTo(configsDir, p))
		}
		return nil
	}
	if err != nil {
		return err
	}
	root, err := filepath.EvalSymlinks(configsDir)
	if err != nil {
		return err
	}
	rel, err := filepath.Rel(root, real)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) || filepath.IsAbs(rel) {
		return fmt.Errorf("%s resolved to outside the configs-repo (%s); refusing to read it", relTo(configsDir, p), real)
	}
	return nil
}

func relTo(dir, p string) string {
	r, err := filepath.Rel(dir, p)
	if err != nil {
		return p
	}
	return filepath.ToSlash(r)
}

// ReadFile reads a file of the configs-repo like os.ReadFile, refusing one
// that resolves to outside the configs-repo.
func ReadFile(configsDir, p string) ([]byte, error) { return readRepoFile(configsDir, p) }

// TightenPlaintext makes a service's plaintext and seal-state files
// readable by their owner only, and returns a warning for each file it
// changed.
func TightenPlaintext(configsDir, service string) ([]string, error) {
	var warns []string
	for _, p := range []string{layout.PlaintextPath(configsDir, service), layout.SealStatePath(configsDir, service)} {
		fi, err := os.Lstat(p)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return warns, err
		}
		if !fi.Mode().IsRegular() || fi.Mode().Perm()&0o077 == 0 {
			continue
		}
		if err := os.Chmod(p, fi.Mode().Perm()&0o700); err != nil {
			return warns, fmt.Errorf("restrict %s: %w", relTo(configsDir, p), err)
		}
		warns = append(warns, fmt.Sprintf("%s was readable by others (mode %04o); changed it to %04o",
			relTo(configsDir, p), fi.Mode().Perm(), fi.Mode().Perm()&0o700))
	}
	return warns, nil
}

// NotIgnoredError is returned when git would not ignore a plaintext file.
type NotIgnoredError struct {
	Files []string
	// Rules are the .gitignore rules that re-include them, where known.
	Rules []string
}

func (e *NotIgnoredError) Error() string {
	msg := fmt.Sprintf("git does not ignore %s, so plaintext secrets could be committed; refusing to write them", strings.Join(e.Files, ", "))
	if len(e.Rules) > 0 {
		msg += " (re-included by " + strings.Join(e.Rules, ", ") + ")"
	}
	return msg + ": make the configs-repo .gitignore ignore *.local.env and *.local.state without exceptions"
}

// GuardIgnored asks git (git check-ignore) whether the plaintext, state,
// lock and temporary files of services are ignored, and fails with a
// *NotIgnoredError when one is not, e.g. because of a negated .gitignore
// rule. Outside a git repository, or without git, there is nothing to ask.
func GuardIgnored(configsDir string, services []string) error {
	if _, err := exec.LookPath("git"); err != nil {
		return nil
	}
	var paths []string
	for _, svc := range services {
		for _, f := range []string{layout.PlaintextFile, layout.SealStateFile} {
			paths = append(paths, path.Join(svc, f))
			paths = append(paths, path.Join(svc, strings.Replace(fsutil.TempName(f, "tmp", PrivateSuffixes), "*", "0", 1)))
		}
	}
	if len(paths) == 0 {
		return nil
	}
	cmd := gitx.CLI(configsDir, "check-ignore", "--verbose", "--non-matching", "--no-index", "-z", "--stdin")
	cmd.Stdin = strings.NewReader(strings.Join(paths, "\x00") + "\x00")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) && ee.ExitCode() == 1 {
			// No path ignored; the output still lists them.
		} else if strings.Contains(stderr.String(), "not a git repository") {
			return nil
		} else {
			return fmt.Errorf("git check-ignore in %s: %v: %s", configsDir, err, strings.TrimSpace(stderr.String()))
		}
	}
	fields := strings.Split(string(out), "\x00")
	e := &NotIgnoredError{}
	seenRule := map[string]bool{}
	for i := 0; i+3 < len(fields); i += 4 {
		source, line, pattern, p := fields[i], fields[i+1], fields[i+2], fields[i+3]
		if pattern != "" && !strings.HasPrefix(pattern, "!") {
			continue
		}
		e.Files = append(e.Files, p)
		if pattern != "" {
			rule := fmt.Sprintf("%s:%s: %s", source, line, pattern)
			if !seenRule[rule] {
				seenRule[rule] = true
				e.Rules = append(e.Rules, rule)
			}
		}
	}
	if len(e.Files) > 0 {
		return e
	}
	return nil
}

// readSecrets reads a service's secrets.yaml (missing reads as empty).
func readSecrets(configsDir, service string) (*SecretsFile, error) {
	p := layout.SecretsValuesFile(configsDir, service)
	data, err := readRepoFile(configsDir, p)
	exists := err == nil
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	return ParseSecretsFile(p, data, exists)
}

// ReadServiceSecrets reads a service's secrets.yaml (missing reads as
// empty), refusing one that resolves to outside the configs-repo.
func ReadServiceSecrets(configsDir, service string) (*SecretsFile, error) {
	return readSecrets(configsDir, service)
}
