package gitx

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/transport"

	"github.com/gitopsctl/gitopsctl/internal/fsutil"
)

// PushOptions configure Push.
type PushOptions struct {
	// Remote is the remote's name (default "origin").
	Remote string
	// Branch is the remote branch (default: the branch HEAD is on).
	Branch string
	// Retries is how often a rejected push is redone on the new remote tip.
	Retries int
	// Auth overrides the credentials found by Auth.
	Auth transport.AuthMethod
	// Getenv reads tokens and SSH settings (see Auth).
	Getenv func(string) string
	// Redo re-applies the change on top of a newer commit: read gives the
	// files at that commit; it returns the commit to make there, or one
	// without Files when the change is already in.
	Redo func(read func(rel string) ([]byte, error)) (CommitOptions, error)
	// Timeout bounds every network call (each push and fetch); default
	// DefaultTimeout.
	Timeout time.Duration
	// AllowInsecureHTTP lets credentials go to a plain http:// remote.
	AllowInsecureHTTP bool
	// Sleep and Rand drive the jittered backoff (injected for tests;
	// default a timer that ctx cancels, and math/rand/v2.Float64).
	Sleep func(time.Duration)
	Rand  func() float64
}

// DefaultTimeout bounds one network call when PushOptions.Timeout is 0.
const DefaultTimeout = 60 * time.Second

// ErrTimeout marks a network call that got no answer in time.
var ErrTimeout = errors.New("timed out")

// PushResult says what Push did.
type PushResult struct {
	// Commit is what the remote branch now holds from us (the remote tip
	// when the change was already there).
	Commit plumbing.Hash
	// Pushed is true when our commit was pushed.
	Pushed bool
	// AlreadyThere is true when the remote already had the change.
	AlreadyThere bool
	// Attempts is the number of pushes tried.
	Attempts int
}

// Push pushes HEAD's commit (just made with Commit) to the remote branch.
// When the remote moved on, it fetches, moves the local branch onto the
// remote tip (updating only the files that differ, and refusing if any of
// them has local changes), re-applies the change with Redo, commits again
// and retries with jittered exponential backoff, up to Retries times. It
// never force-pushes.
func (r *Repo) Push(ctx context.Context, o PushOptions) (PushResult, error) {
	var res PushResult
	if o.Remote == "" {
		o.Remote = "origin"
	}
	if o.Rand == nil {
		o.Rand = rand.Float64
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	remote, auth, err := r.remoteAuth(o.Remote, o.Auth, o.Getenv, o.AllowInsecureHTTP)
	if err != nil {
		return res, err
	}
	url := remote.Config().URLs[0]
	head, ref, err := r.Head()
	if err != nil {
		return res, err
	}
	branch := o.Branch
	if branch == "" {
		if !ref.IsBranch() {
			return res, errors.New("push: HEAD is detached; pass --branch")
		}
		branch = ref.Short()
	}
	dst := plumbing.NewBranchReferenceName(branch)
	tracking := plumbing.NewRemoteReferenceName(o.Remote, branch)
	if len(head.ParentHashes) == 0 {
		return res, errors.New("push: HEAD has no parent")
	}
	base := head.ParentHashes[0]
	for {
		res.Attempts++
		err := withTimeout(ctx, o.Timeout, func(ctx context.Context) error {
			return r.pushOnce(ctx, remote, ref, head.Hash, dst, auth)
		})
		if err == nil || errors.Is(err, git.NoErrAlreadyUpToDate) {
			r.setTracking(tracking, head.Hash, head.Committer, "update by push")
			res.Commit, res.Pushed = head.Hash, true
			return res, nil
		}
		if errors.Is(err, ErrTimeout) {
			return res, fmt.Errorf("push to %s %s: %s gave no answer within %s: %w", o.Remote, branch, redactURL(url), o.Timeout, err)
		}
		if !rejected(err) {
			return res, fmt.Errorf("push to %s %s: %w", o.Remote, branch, err)
		}
		if res.Attempts > o.Retries {
			return res, fmt.Errorf("push to %s %s: still rejected after %d attempts: %w", o.Remote, branch, res.Attempts, err)
		}
		if err := sleep(ctx, o.Sleep, Backoff(res.Attempts, o.Rand)); err != nil {
			return res, fmt.Errorf("push to %s %s: %w", o.Remote, branch, err)
		}

		err = withTimeout(ctx, o.Timeout, func(ctx context.Context) error {
			return remote.FetchContext(ctx, &git.FetchOptions{
				RemoteName: o.Remote,
				RefSpecs:   []config.RefSpec{config.RefSpec("+" + dst.String() + ":" + tracking.String())},
				Auth:       auth,
			})
		})
		if errors.Is(err, ErrTimeout) {
			return res, fmt.Errorf("fetch %s %s: %s gave no answer within %s: %w", o.Remote, branch, redactURL(url), o.Timeout, err)
		}
		if err != nil && !errors.Is(err, git.NoErrAlreadyUpToDate) {
			return res, fmt.Errorf("fetch %s %s: %w", o.Remote, branch, err)
		}
		tipRef, err := r.repo.Reference(tracking, true)
		if err != nil {
			return res, fmt.Errorf("fetch %s %s: %w", o.Remote, branch, err)
		}
		tip, err := r.repo.CommitObject(tipRef.Hash())
		if err != nil {
			return res, err
		}
		if ok, err := isAncestor(r, base, tip); err != nil {
			return res, err
		} else if !ok {
			return res, fmt.Errorf("push to %s %s: the local branch has commits that are not on the remote; pull first (commit %s kept)", o.Remote, branch, head.Hash.String()[:12])
		}
		co, err := o.Redo(func(rel string) ([]byte, error) { return r.FileAt(tip, rel) })
		if err != nil {
			return res, fmt.Errorf("re-apply on %s/%s %s: %w", o.Remote, branch, tip.Hash.String()[:12], err)
		}
		h, err := r.redo(ctx, head, tip, ref, o.Remote+"/"+branch, co)
		if err != nil {
			return res, err
		}
		if h.IsZero() {
			res.Commit, res.AlreadyThere = tip.Hash, true
			return res, nil
		}
		if head, err = r.repo.CommitObject(h); err != nil {
			return res, err
		}
		base = tip.Hash
	}
}

// redo moves the branch from head onto tip and commits co there, all
// under one index lock: the files are written only once the lock is held.
// It returns ZeroHash when co has no files (the change is already in).
func (r *Repo) redo(ctx context.Context, head, tip *object.Commit, ref plumbing.ReferenceName, upstream string, co CommitOptions) (plumbing.Hash, error) {
	l, err := r.Lock()
	if err != nil {
		return plumbing.ZeroHash, err
	}
	defer l.Release()
	if err := l.advance(ctx, head, tip, ref, co.Committer, upstream); err != nil {
		return plumbing.ZeroHash, err
	}
	if len(co.Files) == 0 {
		return plumbing.ZeroHash, l.writeIndex()
	}
	for _, f := range co.Files {
		if err := fsutil.WriteFileAtomic(r.Abs(f.Path), f.Content, 0o644); err != nil {
			return plumbing.ZeroHash, err
		}
	}
	return l.Commit(co)
}

// withTimeout runs f with a deadline and returns ErrTimeout when it is
// passed, even if f does not watch its context (f is then left running;
// the process is about to report the error and exit).
func withTimeout(ctx context.Context, d time.Duration, f func(context.Context) error) error {
	cctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- f(cctx) }()
	select {
	case err := <-done:
		if err != nil && errors.Is(cctx.Err(), context.DeadlineExceeded) && ctx.Err() == nil {
			return fmt.Errorf("%w (%v)", ErrTimeout, err)
		}
		return err
	case <-cctx.Done():
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return ErrTimeout
	}
}

// sleep waits d, or until ctx is done.
func sleep(ctx context.Context, inject func(time.Duration), d time.Duration) error {
	if inject != nil {
		inject(d)
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// setTracking points a remote-tracking reference at h, best effort: the
// push has succeeded whatever happens here.
func (r *Repo) setTracking(name plumbing.ReferenceName, h plumbing.Hash, who object.Signature, msg string) {
	cur, err := r.readRef(name)
	if err != nil || cur == h {
		return
	}
	_ = r.updateRef(refUpdate{name: name, old: cur, new: h, who: who, msg: msg})
}

// pushOnce pushes commit to dst. A detached HEAD is pushed through a
// temporary local reference.
func (r *Repo) pushOnce(ctx context.Context, remote *git.Remote, ref plumbing.ReferenceName, commit plumbing.Hash, dst plumbing.ReferenceName, auth transport.AuthMethod) error {
	src := ref
	if !ref.IsBranch() {
		src = plumbing.ReferenceName("refs/gitopsctl/push")
		if err := r.repo.Storer.SetReference(plumbing.NewHashReference(src, commit)); err != nil {
			return err
		}
		defer r.repo.Storer.RemoveReference(src)
	}
	return remote.PushContext(ctx, &git.PushOptions{
		RemoteName: remote.Config().Name,
		RefSpecs:   []config.RefSpec{config.RefSpec(src.String() + ":" + dst.String())},
		Auth:       auth,
	})
}

// rejected reports whether a push failed because the remote branch moved
// (as opposed to failing for auth, network or policy reasons).
func rejected(err error) bool {
	if errors.Is(err, git.ErrForceNeeded) || errors.Is(err, plumbing.ErrObjectNotFound) {
		return true
	}
	msg := err.Error()
	for _, deny := range []string{"declined", "protected", "denied", "permission"} {
		if strings.Contains(msg, deny) {
			return false
		}
	}
	for _, s := range []string{"non-fast-forward", "fetch first", "failed to update ref", "cannot lock ref", "failed to lock", "stale info", "command error on"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

// Backoff is the wait before retry attempt n (1-based): 200ms doubling per
// attempt, at most 5s, scaled by a jitter factor in [0.5, 1.5).
func Backoff(n int, rnd func() float64) time.Duration {
	d := 200 * time.Millisecond
	for i := 1; i < n && d < 5*time.Second; i++ {
		d *= 2
	}
	if d > 5*time.Second {
		d = 5 * time.Second
	}
	return time.Duration(float64(d) * (0.5 + rnd()))
}

func isAncestor(r *Repo, base plumbing.Hash, tip *object.Commit) (bool, error) {
	if base == tip.Hash {
		return true, nil
	}
	b, err := r.repo.CommitObject(base)
	if err != nil {
		return false, err
	}
	return b.IsAncestor(tip)
}

// advance moves ref from commit from to commit to, updating only the
// work-tree files and index entries that differ between the two trees.
// Any of those files with local changes (in the work tree or the index)
// makes it refuse before anything is touched.
func (l *Lock) advance(ctx context.Context, from, to *object.Commit, ref plumbing.ReferenceName, who object.Signature, upstream string) error {
	r := l.r
	ft, err := from.Tree()
	if err != nil {
		return err
	}
	tt, err := to.Tree()
	if err != nil {
		return err
	}
	changes, err := object.DiffTreeWithOptions(ctx, ft, tt, nil)
	if err != nil {
		return err
	}
	idx := l.idx
	type op struct {
		rel  string
		hash plumbing.Hash
		mode filemode.FileMode
	}
	var ops []op
	for _, ch := range changes {
		rel := ch.To.Name
		if rel == "" {
			rel = ch.From.Name
		}
		want := ch.From.TreeEntry.Hash
		var work plumbing.Hash
		if data, err := os.ReadFile(r.Abs(rel)); err == nil {
			work = hashBytes(data)
		} else if !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		var staged plumbing.Hash
		if e, err := idx.Entry(rel); err == nil {
			staged = e.Hash
		}
		if work != want || staged != want {
			return fmt.Errorf("cannot move onto the remote tip: local changes to %s would be overwritten", rel)
		}
		ops = append(ops, op{rel: rel, hash: ch.To.TreeEntry.Hash, mode: ch.To.TreeEntry.Mode})
	}
	for _, o := range ops {
		path := r.Abs(o.rel)
		if o.hash.IsZero() {
			if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return err
			}
			removeEntry(idx, o.rel)
			continue
		}
		blob, err := r.repo.BlobObject(o.hash)
		if err != nil {
			return err
		}
		data, err := readBlob(blob)
		if err != nil {
			return err
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		perm := fs.FileMode(0o644)
		if o.mode == filemode.Executable {
			perm = 0o755
		}
		if o.mode == filemode.Symlink {
			os.Remove(path)
			if err := os.Symlink(string(data), path); err != nil {
				return err
			}
		} else {
			if err := fsutil.WriteFileAtomic(path, data, perm); err != nil {
				return err
			}
			if err := os.Chmod(path, perm); err != nil {
				return err
			}
		}
		if err := r.setEntry(idx, o.rel, o.hash); err != nil {
			return err
		}
	}
	idx.Cache = nil
	if who.When.IsZero() {
		who.When = time.Now()
	}
	return r.updateRef(refUpdate{
		name: ref, old: from.Hash, new: to.Hash,
		who: who, msg: "bump: fast-forward to " + upstream,
		alsoHEAD: ref != plumbing.HEAD,
	})
}

func readBlob(b *object.Blob) ([]byte, error) {
	rd, err := b.Reader()
	if err != nil {
		return nil, err
	}
	defer rd.Close()
	return io.ReadAll(rd)
}

// CheckPush reports early whether Push can work: the remote exists with a
// URL, credentials can be found (and would not go out over plain http),
// and the branch is known.
func (r *Repo) CheckPush(remoteName, branch string, getenv func(string) string, allowInsecureHTTP bool) error {
	if remoteName == "" {
		remoteName = "origin"
	}
	if _, _, err := r.remoteAuth(remoteName, nil, getenv, allowInsecureHTTP); err != nil {
		return err
	}
	if branch == "" && r.Branch() == "" {
		return errors.New("push: HEAD is detached; pass --branch")
	}
	return nil
}

// remoteAuth finds the remote and its credentials, refusing to send
// credentials over plain http unless allowed.
func (r *Repo) remoteAuth(name string, auth transport.AuthMethod, getenv func(string) string, allowInsecureHTTP bool) (*git.Remote, transport.AuthMethod, error) {
	remote, err := r.repo.Remote(name)
	if err != nil {
		return nil, nil, fmt.Errorf("push: no remote %q: %w", name, err)
	}
	urls := remote.Config().URLs
	if len(urls) == 0 {
		return nil, nil, fmt.Errorf("push: remote %q has no URL", name)
	}
	if auth == nil {
		if auth, err = Auth(urls[0], getenv); err != nil {
			return nil, nil, err
		}
	}
	if !allowInsecureHTTP {
		if err := checkPlainHTTP(name, urls[0], auth, getenv); err != nil {
			return nil, nil, err
		}
	}
	return remote, auth, nil
}

// Upstream says how HEAD stands against the remote-tracking branch of
// remote/branch, as of the last fetch or push.
type Upstream struct {
	// Head is HEAD's commit.
	Head *object.Commit
	// Tracking is the remote-tracking commit (nil when there is none).
	Tracking *object.Commit
	// Ahead is true when HEAD is not contained in Tracking (or there is
	// no Tracking to tell).
	Ahead bool
	// HeadTouches is true when HEAD's commit changes any of the files
	// asked about.
	HeadTouches bool
}

// UpstreamState compares HEAD with the remote-tracking branch remote/branch
// (branch "" is the current branch) and tells whether HEAD's own commit
// changed any of rels.
func (r *Repo) UpstreamState(remote, branch string, rels []string) (Upstream, error) {
	var u Upstream
	head, ref, err := r.Head()
	if err != nil {
		return u, err
	}
	u.Head = head
	if branch == "" {
		branch = ref.Short()
	}
	th, err := r.readRef(plumbing.NewRemoteReferenceName(remote, branch))
	if err != nil {
		return u, err
	}
	u.Ahead = true
	if !th.IsZero() {
		if u.Tracking, err = r.repo.CommitObject(th); err != nil {
			return u, fmt.Errorf("read %s/%s: %w", remote, branch, err)
		}
		if th == head.Hash {
			u.Ahead = false
		} else if in, err := head.IsAncestor(u.Tracking); err == nil && in {
			u.Ahead = false
		}
	}
	if len(head.ParentHashes) > 0 {
		parent, err := r.repo.CommitObject(head.ParentHashes[0])
		if err != nil {
			return u, err
		}
		for _, rel := range rels {
			a, err := blobAt(head, rel)
			if err != nil {
				return u, err
			}
			b, err := blobAt(parent, rel)
			if err != nil {
				return u, err
			}
			if a != b {
				u.HeadTouches = true
			}
		}
	}
	return u, nil
}
