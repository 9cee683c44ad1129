package gitx

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/format/objfile"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/storage/filesystem"
)

// crashHook, when set (only by tests), is called at named points of a
// write so a test can stop the process there as a crash would.
var crashHook func(point string)

// SetCrashHook is for tests only: f is called at the named points of a
// commit ("ref-lock": the new value is in <ref>.lock, not yet renamed;
// "ref-renamed": the branch moved; "index": before the index is
// replaced), so a test can kill the process there. nil removes it.
func SetCrashHook(f func(point string)) { crashHook = f }

func crashPoint(name string) {
	if crashHook != nil {
		crashHook(name)
	}
}

// ErrLocked marks a lock file held by another process.
var ErrLocked = errors.New("another git process is running")

// lockedError explains a lock file that exists.
func (r *Repo) lockedError(lockPath string) error {
	return fmt.Errorf("%w in %s (%s exists); if none is, remove it", ErrLocked, r.Root, r.displayGitPath(lockPath))
}

// displayGitPath shows a path inside the git directory relative to the
// work tree when it is below it (".git/index.lock").
func (r *Repo) displayGitPath(p string) string {
	if rel, err := filepath.Rel(r.Root, p); err == nil && !strings.HasPrefix(rel, "..") {
		return filepath.ToSlash(rel)
	}
	return p
}

// refPath is where the loose reference name lives: HEAD and other
// per-worktree refs in the work tree's git directory, everything under
// refs/ in the common directory.
func (r *Repo) refPath(name plumbing.ReferenceName) string {
	if strings.HasPrefix(name.String(), "refs/") {
		return filepath.Join(r.commonDir, filepath.FromSlash(name.String()))
	}
	return filepath.Join(r.gitDir, filepath.FromSlash(name.String()))
}

func (r *Repo) logPath(name plumbing.ReferenceName) string {
	if strings.HasPrefix(name.String(), "refs/") {
		return filepath.Join(r.commonDir, "logs", filepath.FromSlash(name.String()))
	}
	return filepath.Join(r.gitDir, "logs", filepath.FromSlash(name.String()))
}

// readRef is the hash name points at: the loose file when there is one,
// else the packed-refs entry, else ZeroHash.
func (r *Repo) readRef(name plumbing.ReferenceName) (plumbing.Hash, error) {
	data, err := os.ReadFile(r.refPath(name))
	if err == nil {
		s := strings.TrimSpace(string(data))
		if strings.HasPrefix(s, "ref: ") {
			return plumbing.ZeroHash, fmt.Errorf("%s is a symbolic reference", name)
		}
		if !plumbing.IsHash(s) {
			return plumbing.ZeroHash, fmt.Errorf("%s: %s does not hold a commit id (%q); repair it with git update-ref", name, r.displayGitPath(r.refPath(name)), s)
		}
		return plumbing.NewHash(s), nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return plumbing.ZeroHash, err
	}
	f, err := os.Open(filepath.Join(r.commonDir, "packed-refs"))
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return plumbing.ZeroHash, nil
		}
		return plumbing.ZeroHash, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' || line[0] == '^' {
			continue
		}
		h, n, ok := strings.Cut(line, " ")
		if ok && n == name.String() && plumbing.IsHash(h) {
			return plumbing.NewHash(h), nil
		}
	}
	return plumbing.ZeroHash, sc.Err()
}

// refUpdate is one reference move.
type refUpdate struct {
	name plumbing.ReferenceName
	old  plumbing.Hash
	new  plumbing.Hash
	// who and msg make the reflog entry.
	who object.Signature
	msg string
	// alsoHEAD logs the move in HEAD's reflog too (HEAD points at name).
	alsoHEAD bool
}

// updateRef moves a reference the way git does: it creates <ref>.lock
// exclusively, checks the reference still holds u.old, writes and fsyncs
// the new value into the lock, appends the reflog entries, and renames the
// lock over the reference. A crash at any point leaves the reference at
// its old value or at the new one, never empty; at worst the lock file
// stays behind, as with git.
func (r *Repo) updateRef(u refUpdate) (err error) {
	path := r.refPath(u.name)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("update %s: %w", u.name, err)
	}
	lock := path + ".lock"
	f, err := os.OpenFile(lock, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if err != nil {
		if errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("update %s: %w", u.name, r.lockedError(lock))
		}
		return fmt.Errorf("update %s: %w", u.name, err)
	}
	done := false
	defer func() {
		if !done {
			f.Close()
			os.Remove(lock)
		}
	}()
	cur, err := r.readRef(u.name)
	if err != nil {
		return fmt.Errorf("update %s: %w", u.name, err)
	}
	if cur != u.old {
		return fmt.Errorf("update %s: it moved from %s to %s meanwhile; run bump again", u.name, short(u.old), short(cur))
	}
	if _, err := f.WriteString(u.new.String() + "\n"); err != nil {
		return fmt.Errorf("update %s: %w", u.name, err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("update %s: %w", u.name, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("update %s: %w", u.name, err)
	}
	crashPoint("ref-lock")
	if err := r.appendReflog(u.name, u); err != nil {
		return err
	}
	if u.alsoHEAD {
		if err := r.appendReflog(plumbing.HEAD, u); err != nil {
			return err
		}
	}
	if err := os.Rename(lock, path); err != nil {
		return fmt.Errorf("update %s: %w", u.name, err)
	}
	done = true
	crashPoint("ref-renamed")
	return syncDir(filepath.Dir(path))
}

// appendReflog adds u's entry to name's reflog in git's format, creating
// the log when git would (branches and HEAD, unless core.logAllRefUpdates
// is false, in which case only an existing log grows).
func (r *Repo) appendReflog(name plumbing.ReferenceName, u refUpdate) error {
	if u.who.Name == "" {
		// go-git's own writes carry no identity; git would log them, but
		// a reflog entry is optional.
		return nil
	}
	path := r.logPath(name)
	flags := os.O_WRONLY | os.O_APPEND
	if r.logAllRefUpdates() && (name == plumbing.HEAD || name.IsBranch() || name.IsRemote()) {
		flags |= os.O_CREATE
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return fmt.Errorf("reflog of %s: %w", name, err)
		}
	}
	f, err := os.OpenFile(path, flags, 0o644)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		return fmt.Errorf("reflog of %s: %w", name, err)
	}
	when := u.who.When
	if when.IsZero() {
		when = time.Now()
	}
	msg := strings.ReplaceAll(strings.TrimRight(u.msg, "\n"), "\n", " ")
	line := fmt.Sprintf("%s %s %s <%s> %d %s\t%s\n", u.old, u.new, oneLine(u.who.Name), oneLine(u.who.Email), when.Unix(), when.Format("-0700"), msg)
	if _, err := f.WriteString(line); err != nil {
		f.Close()
		return fmt.Errorf("reflog of %s: %w", name, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("reflog of %s: %w", name, err)
	}
	return nil
}

func oneLine(s string) string {
	return strings.NewReplacer("\n", " ", "<", "", ">", "").Replace(s)
}

// logAllRefUpdates is core.logAllRefUpdates; unset means true in a
// repository with a work tree, as in git.
func (r *Repo) logAllRefUpdates() bool {
	cfg, err := r.repo.Config()
	if err != nil {
		return true
	}
	v := strings.ToLower(cfg.Raw.Section("core").Option("logallrefupdates"))
	return v != "false" && v != "no" && v != "off" && v != "0"
}

// reflogSubject is the first line of a commit message.
func reflogSubject(msg string) string {
	s, _, _ := strings.Cut(strings.TrimLeft(msg, "\n"), "\n")
	return s
}

func short(h plumbing.Hash) string {
	if h.IsZero() {
		return "(none)"
	}
	return h.String()[:12]
}

// writeObject stores a loose object durably: compressed into a temporary
// file next to its final place, fsynced, then renamed, and the directory
// fsynced, so the object is complete on disk before any reference can
// name it. An object the repository already has is not written again.
func (r *Repo) writeObject(t plumbing.ObjectType, data []byte) (plumbing.Hash, error) {
	h := plumbing.ComputeHash(t, data)
	if err := r.repo.Storer.HasEncodedObject(h); err == nil {
		return h, nil
	}
	hex := h.String()
	dir := filepath.Join(r.commonDir, "objects", hex[:2])
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return h, err
	}
	tmp, err := os.CreateTemp(dir, "tmp_obj_")
	if err != nil {
		return h, err
	}
	ok := false
	defer func() {
		if !ok {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	w := objfile.NewWriter(tmp)
	if err := w.WriteHeader(t, int64(len(data))); err != nil {
		return h, err
	}
	if _, err := w.Write(data); err != nil {
		return h, err
	}
	if err := w.Close(); err != nil {
		return h, err
	}
	if err := tmp.Chmod(0o444); err != nil {
		return h, err
	}
	if err := tmp.Sync(); err != nil {
		return h, err
	}
	if err := tmp.Close(); err != nil {
		return h, err
	}
	final := filepath.Join(dir, hex[2:])
	if _, err := os.Lstat(final); err == nil {
		os.Remove(tmp.Name())
	} else if err := os.Rename(tmp.Name(), final); err != nil {
		return h, err
	}
	ok = true
	return h, syncDir(dir)
}

// encode serialises a tree or commit for writeObject.
func encode(o interface {
	Encode(plumbing.EncodedObject) error
}, t plumbing.ObjectType) ([]byte, error) {
	obj := &plumbing.MemoryObject{}
	obj.SetType(t)
	if err := o.Encode(obj); err != nil {
		return nil, err
	}
	rd, err := obj.Reader()
	if err != nil {
		return nil, err
	}
	defer rd.Close()
	var b bytes.Buffer
	if _, err := b.ReadFrom(rd); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// syncDir fsyncs a directory so a rename in it is durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, os.ErrInvalid) {
		return err
	}
	return nil
}

// safeRefs is the repository's storage with reference writes done by
// updateRef: through a lock file and a rename, never by rewriting the
// reference file in place, so go-git's own writes (remote-tracking
// branches after a fetch) cannot leave an empty reference behind.
type safeRefs struct {
	*filesystem.Storage
	r *Repo
}

func (s *safeRefs) SetReference(ref *plumbing.Reference) error {
	if ref.Type() != plumbing.HashReference {
		return s.Storage.SetReference(ref)
	}
	cur, err := s.r.readRef(ref.Name())
	if err != nil {
		return err
	}
	return s.set(ref, cur)
}

func (s *safeRefs) CheckAndSetReference(ref, old *plumbing.Reference) error {
	if old == nil || ref.Type() != plumbing.HashReference {
		if ref.Type() != plumbing.HashReference {
			return s.Storage.CheckAndSetReference(ref, old)
		}
		return s.SetReference(ref)
	}
	return s.set(ref, old.Hash())
}

func (s *safeRefs) set(ref *plumbing.Reference, old plumbing.Hash) error {
	if old == ref.Hash() {
		return nil
	}
	return s.r.updateRef(refUpdate{name: ref.Name(), old: old, new: ref.Hash()})
}
