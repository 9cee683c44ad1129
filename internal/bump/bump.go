// Package bump sets a service's image tag (and/or digest) in its chart's
// values.yaml byte-exactly, commits exactly those files and optionally
// pushes, re-applying the edit when another job pushed first.
package bump

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing/object"
	"sigs.k8s.io/yaml"

	"github.com/gitopsctl/gitopsctl/internal/fsutil"
	"github.com/gitopsctl/gitopsctl/internal/gitx"
	"github.com/gitopsctl/gitopsctl/internal/layout"
	"github.com/gitopsctl/gitopsctl/internal/services"
	"github.com/gitopsctl/gitopsctl/internal/yamledit"
)

// Defaults for Options.
const (
	DefaultKey       = "image.tag"
	DefaultDigestKey = "image.digest"
	DefaultRemote    = "origin"
	DefaultRetries   = 10
)

// ErrUsage marks invalid options (the CLI exits 2 for them).
var ErrUsage = errors.New("invalid usage")

func usage(format string, a ...any) error {
	return fmt.Errorf("%w: %s", ErrUsage, fmt.Sprintf(format, a...))
}

// Options are the inputs of Run.
type Options struct {
	// RepoDir is the gitops-repo root.
	RepoDir  string
	Services []string
	Tag      string
	Digest   string
	// Key and DigestKey are the dotted key paths written (defaults
	// image.tag and image.digest).
	Key       string
	DigestKey string
	// File replaces charts/<service>/values.yaml (one service only).
	File        string
	AllowLatest bool

	NoCommit bool
	Message  string
	Signoff  bool
	Author   string

	Push    bool
	Remote  string
	Branch  string
	Retries int
	// Timeout bounds each network call of a push (default
	// gitx.DefaultTimeout).
	Timeout time.Duration
	// AllowInsecureHTTP lets credentials go to a plain http:// remote.
	AllowInsecureHTTP bool

	Getenv func(string) string
	Now    func() time.Time
	Sleep  func(time.Duration)
	Rand   func() float64
}

// ServiceResult is one service's outcome.
type ServiceResult struct {
	Service   string `json:"service"`
	File      string `json:"file"`
	Old       string `json:"old"`
	New       string `json:"new"`
	OldDigest string `json:"oldDigest,omitempty"`
	NewDigest string `json:"newDigest,omitempty"`
	Changed   bool   `json:"changed"`
	// Resumed says what this run finished for the service after an
	// earlier, interrupted one: "commit" (the work tree held the edit,
	// uncommitted), "index" (the commit was made but the index entry not
	// updated) or "push" (the bump commit was not pushed).
	Resumed string `json:"resumed,omitempty"`
	Commit  string `json:"commit"`
	Pushed  bool   `json:"pushed"`
}

// Result is what Run did.
type Result struct {
	Services []ServiceResult
	// Commit is the commit made (or, when the remote already had the
	// change, the remote tip); "" when nothing was committed.
	Commit string
	Pushed bool
	// AlreadyOnRemote is true when a push found the change already there.
	AlreadyOnRemote bool
	// Attempts is the number of pushes tried.
	Attempts int
	// Message is the commit message used.
	Message string
	// Branch is the remote branch pushed to.
	Branch string
	// Resumed says what this run finished of an earlier one: "commit"
	// (the edit was in the work tree, not committed) or "push" (the bump
	// commit was made but not pushed); "" otherwise.
	Resumed string
	// UpToDate is true, with --push, when nothing was left to do and the
	// remote-tracking branch already holds HEAD.
	UpToDate bool
}

// Changed reports whether any service's file changed.
func (r *Result) Changed() bool {
	for _, s := range r.Services {
		if s.Changed {
			return true
		}
	}
	return false
}

var (
	// tagRE without its length bound (at most 128, see validTag): a
	// bounded repetition compiles into 128 copies, at every start.
	tagRE    = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9._-]*$`)
	digestRE = regexp.MustCompile(`^sha256:[a-f0-9]{64}$`)
	// serviceRE is what a chart directory name may be (a DNS label, as the
	// release name derived from it must be).
	serviceRE = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)
)

// Validate checks the options that do not need the file system.
func Validate(o *Options) error {
	if len(o.Services) == 0 {
		return usage("name at least one service")
	}
	seen := map[string]bool{}
	for _, s := range o.Services {
		if seen[s] {
			return usage("service %q given twice", s)
		}
		seen[s] = true
		if o.File == "" && !serviceRE.MatchString(s) {
			return usage("invalid service name %q: use lowercase letters, digits and '-'", s)
		}
	}
	if o.Tag == "" && o.Digest == "" {
		return usage("--tag or --digest is required")
	}
	if o.Tag != "" {
		if !validTag(o.Tag) {
			return usage("invalid tag %q: an image tag is 1-128 characters of [A-Za-z0-9_.-], not starting with '.' or '-'", o.Tag)
		}
		if strings.EqualFold(o.Tag, "latest") && !o.AllowLatest {
			return usage("refusing tag %q: it names no fixed image, so Argo CD cannot see a change; pass --allow-latest to write it anyway", o.Tag)
		}
	}
	if o.Digest != "" && !digestRE.MatchString(o.Digest) {
		return usage("invalid digest %q: want sha256: followed by 64 lowercase hex digits", o.Digest)
	}
	if o.File != "" && len(o.Services) > 1 {
		return usage("--file works with one service only")
	}
	if o.Key == "" {
		o.Key = DefaultKey
	}
	if o.DigestKey == "" {
		o.DigestKey = DefaultDigestKey
	}
	for _, k := range []string{o.Key, o.DigestKey} {
		if _, err := yamledit.ParsePath(k); err != nil {
			return usage("%v", err)
		}
	}
	if o.Key == o.DigestKey && o.Tag != "" && o.Digest != "" {
		return usage("--key and --digest-key are the same")
	}
	if o.Push && o.NoCommit {
		return usage("--push needs a commit; drop --no-commit")
	}
	if o.Author != "" {
		if _, err := gitx.ParseIdentity(o.Author); err != nil {
			return usage("--author: %v", err)
		}
	}
	if o.Retries < 0 {
		return usage("--retries must be 0 or more")
	}
	if o.Timeout < 0 {
		return usage("--timeout must be positive")
	}
	if o.Remote == "" {
		o.Remote = DefaultRemote
	}
	return nil
}

// target is one values file and what to set in it.
type target struct {
	service string
	path    string // file path
	display string // path shown to the user
}

// edit is one (path, value) pair to set.
type edit struct {
	path   yamledit.Path
	value  string
	digest bool
}

func (o *Options) edits() []edit {
	var e []edit
	if o.Tag != "" {
		p, _ := yamledit.ParsePath(o.Key)
		e = append(e, edit{path: p, value: o.Tag})
	}
	if o.Digest != "" {
		p, _ := yamledit.ParsePath(o.DigestKey)
		e = append(e, edit{path: p, value: o.Digest, digest: true})
	}
	return e
}

// apply sets the tag and digest in src and fills in res.
func (o *Options) apply(t target, src []byte, res *ServiceResult) ([]byte, error) {
	out := src
	for _, e := range o.edits() {
		next, ch, err := yamledit.Set(out, e.path, e.value)
		if err != nil {
			var ye *yamledit.Error
			if errors.As(err, &ye) && ye.Line > 0 {
				return nil, fmt.Errorf("%s:%d: %s", t.display, ye.Line, ye.Msg)
			}
			return nil, fmt.Errorf("%s: %w", t.display, err)
		}
		old := ""
		if ch.Old.Found {
			old = ch.Old.Value
		}
		if e.digest {
			res.OldDigest, res.NewDigest = old, e.value
		} else {
			res.Old, res.New = old, e.value
		}
		res.Changed = res.Changed || ch.Changed
		out = next
	}
	return out, nil
}

func (o *Options) targets() ([]target, error) {
	var ts []target
	for _, svc := range o.Services {
		t := target{service: svc}
		if o.File != "" {
			t.path = o.File
			t.display = o.File
			if rel, err := filepath.Rel(o.RepoDir, o.File); err == nil && !strings.HasPrefix(rel, "..") {
				t.display = filepath.ToSlash(rel)
			}
		} else {
			chart := layout.ChartDir(o.RepoDir, svc)
			if fi, err := os.Stat(chart); err != nil || !fi.IsDir() {
				return nil, &services.UnknownError{Kind: "service", Name: svc, Label: "services", Known: known(o.RepoDir, o.Key),
					Detail: "no chart at " + filepath.ToSlash(filepath.Join(layout.ChartsDir, svc))}
			}
			t.path = layout.ValuesFile(o.RepoDir, svc)
			t.display = filepath.ToSlash(filepath.Join(layout.ChartsDir, svc, "values.yaml"))
		}
		// Edit what a symbolic link points at, never replace the link; but
		// never follow one out of the repository.
		if real, err := filepath.EvalSymlinks(t.path); err == nil {
			if real != t.path && lexicallyInside(o.RepoDir, t.path) && !inside(o.RepoDir, real) {
				return nil, fmt.Errorf("%s is a symbolic link to %s, outside the repository; refusing to edit it", t.display, real)
			}
			t.path = real
		}
		ts = append(ts, t)
	}
	return ts, nil
}

// lexicallyInside reports whether path names something below dir, as
// written.
func lexicallyInside(dir, path string) bool {
	rel, err := filepath.Rel(dir, path)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// inside reports whether path is within dir, both taken with symbolic
// links resolved as far as they exist.
func inside(dir, path string) bool {
	if d, err := filepath.EvalSymlinks(dir); err == nil {
		dir = d
	}
	if p, err := filepath.EvalSymlinks(path); err == nil {
		path = p
	} else if p, err := filepath.EvalSymlinks(filepath.Dir(path)); err == nil {
		path = filepath.Join(p, filepath.Base(path))
	}
	rel, err := filepath.Rel(dir, path)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// known lists the services that have charts, for the unknown-service
// error. A chart whose values.yaml reads as YAML but has no top-level key
// of the key path bump sets (a platform wrapper chart, whose image belongs
// to its dependency) is not a service bump can edit and is left out.
func known(repo, key string) []string {
	top, _, _ := strings.Cut(key, ".")
	ents, err := os.ReadDir(filepath.Join(repo, layout.ChartsDir))
	if err != nil {
		return nil
	}
	var names []string
	for _, e := range ents {
		if !e.IsDir() {
			continue
		}
		data, err := os.ReadFile(layout.ValuesFile(repo, e.Name()))
		if err != nil {
			continue
		}
		var m map[string]any
		if err := yaml.Unmarshal(data, &m); err == nil {
			if _, ok := m[top]; !ok {
				continue
			}
		}
		names = append(names, e.Name())
	}
	return names
}

// Run validates, edits every service's values file, and commits and
// pushes as asked. Nothing is written unless every file can be edited, and
// nothing is written before git's index lock is held. A run that finds the
// work of an earlier, interrupted one (the edit made but not committed, or
// committed but not pushed) finishes it.
func Run(ctx context.Context, o Options) (*Result, error) {
	if err := Validate(&o); err != nil {
		return nil, err
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	ts, err := o.targets()
	if err != nil {
		return nil, err
	}
	if o.NoCommit {
		return o.editOnly(ts, true)
	}

	repo, err := gitx.Open(filepath.Dir(ts[0].path))
	if err != nil {
		// Outside git, a file already at the value is not an error.
		if res, rerr := o.editOnly(ts, false); rerr == nil && !res.Changed() {
			return res, nil
		}
		return nil, err
	}
	rels := make([]string, len(ts))
	for i, t := range ts {
		if rels[i], err = repo.Rel(t.path); err != nil {
			return nil, err
		}
	}
	if o.Push {
		if err := repo.CheckPush(o.Remote, o.Branch, o.Getenv, o.AllowInsecureHTTP); err != nil {
			return nil, err
		}
	}
	author, committer, err := repo.Signatures(gitx.IdentityOptions{Author: o.Author, Getenv: o.Getenv, Now: o.Now()})
	if err != nil {
		return nil, err
	}
	lock, err := repo.Lock()
	if err != nil {
		return nil, err
	}
	defer lock.Release()

	// Read, edit and check every file under the lock.
	res := &Result{}
	srcs := make([][]byte, len(ts))
	outs := make([][]byte, len(ts))
	for i, t := range ts {
		if srcs[i], err = readTarget(t); err != nil {
			return nil, err
		}
		sr := ServiceResult{Service: t.service, File: t.display}
		if outs[i], err = o.apply(t, srcs[i], &sr); err != nil {
			return nil, err
		}
		if sr.Changed {
			if err := lock.CheckClean(rels[i]); err != nil {
				return nil, err
			}
		} else if err := o.pending(lock, t, rels[i], &sr); err != nil {
			return nil, err
		}
		if sr.Resumed == "commit" {
			res.Resumed = sr.Resumed
		}
		res.Services = append(res.Services, sr)
	}
	if !res.Changed() {
		if err := lock.Finish(); err != nil {
			return nil, err
		}
		if o.Push {
			return o.pushEarlier(ctx, repo, ts, rels, res)
		}
		return res, nil
	}

	if err := ctx.Err(); err != nil {
		return nil, err // interrupted before writing anything
	}
	written := []int{}
	restore := func() {
		for _, i := range written {
			_ = fsutil.WriteFileAtomic(ts[i].path, srcs[i], 0o644)
		}
	}
	for i, t := range ts {
		if res.Services[i].Changed && res.Services[i].Resumed == "" {
			if err := fsutil.WriteFileAtomic(t.path, outs[i], 0o644); err != nil {
				restore()
				return nil, err
			}
			written = append(written, i)
		}
	}

	if err := ctx.Err(); err != nil {
		restore() // interrupted before the commit: put the files back
		return nil, err
	}
	commitFor := o.commitFor(rels, author, committer)
	co := commitFor(res.Services, outs)
	h, err := lock.Commit(co)
	if err != nil {
		if h.IsZero() {
			// No branch moved: put the files back as they were.
			restore()
		}
		return nil, err
	}
	res.Commit, res.Message = h.String(), co.Message
	if o.Push {
		if err := o.push(ctx, repo, ts, rels, res, commitFor); err != nil {
			return nil, fmt.Errorf("commit %s made locally; %w", h.String()[:12], err)
		}
	}
	res.fill()
	return res, nil
}

// commitFor makes the commit of the changed services' contents.
func (o *Options) commitFor(rels []string, author, committer object.Signature) func([]ServiceResult, [][]byte) gitx.CommitOptions {
	return func(results []ServiceResult, contents [][]byte) gitx.CommitOptions {
		co := gitx.CommitOptions{Author: author, Committer: committer, Signoff: o.Signoff}
		var changed []ServiceResult
		for i, sr := range results {
			if sr.Changed {
				co.Files = append(co.Files, gitx.File{Path: rels[i], Content: contents[i]})
				changed = append(changed, sr)
			}
		}
		co.Message = o.Message
		if co.Message == "" && len(changed) > 0 {
			co.Message = Message(changed)
		}
		return co
	}
}

// fill copies the commit and push outcome into each changed service.
func (r *Result) fill() {
	for i := range r.Services {
		if r.Services[i].Changed {
			r.Services[i].Commit = r.Commit
			r.Services[i].Pushed = r.Pushed
		}
	}
}

func readTarget(t target) ([]byte, error) {
	src, err := os.ReadFile(t.path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%s: no such file", t.display)
		}
		return nil, err
	}
	return src, nil
}

// editOnly is --no-commit: edit the files (when write), nothing else.
func (o *Options) editOnly(ts []target, write bool) (*Result, error) {
	res := &Result{}
	outs := make([][]byte, len(ts))
	for i, t := range ts {
		src, err := readTarget(t)
		if err != nil {
			return nil, err
		}
		sr := ServiceResult{Service: t.service, File: t.display}
		if outs[i], err = o.apply(t, src, &sr); err != nil {
			return nil, err
		}
		res.Services = append(res.Services, sr)
	}
	for i, t := range ts {
		if write && res.Services[i].Changed {
			if err := fsutil.WriteFileAtomic(t.path, outs[i], 0o644); err != nil {
				return nil, err
			}
		}
	}
	return res, nil
}

// pending handles a file that already holds the value: fine when HEAD
// has it too; when the work tree differs from HEAD by exactly this edit
// (an earlier run was stopped before its commit), the service is marked
// Changed and Resumed so it is committed now; any other difference is an
// error, as for a file about to be edited.
func (o *Options) pending(lock *gitx.Lock, t target, rel string, sr *ServiceResult) error {
	st, err := lock.State(rel)
	if err != nil {
		return err
	}
	if st.Head != nil && string(st.Head) == string(st.Work) {
		switch {
		case st.StagedParent:
			// The earlier run moved the branch but was stopped before it
			// wrote the index: finish that.
			sr.Resumed = "index"
			return lock.Restage(rel)
		case st.Staged:
			return fmt.Errorf("%s has staged changes; commit or unstage them first (or use --no-commit)", rel)
		}
		return nil
	}
	if st.Head == nil {
		return fmt.Errorf("%s is not committed in git; commit it first or use --no-commit", rel)
	}
	hr := ServiceResult{Service: sr.Service, File: sr.File}
	fromHead, err := o.apply(t, st.Head, &hr)
	if err != nil || string(fromHead) != string(st.Work) {
		return fmt.Errorf("%s already has the new value but also other uncommitted changes; commit or discard them first (or use --no-commit)", rel)
	}
	if st.Staged && !st.StagedWork {
		return fmt.Errorf("%s has staged changes; commit or unstage them first (or use --no-commit)", rel)
	}
	hr.Resumed = "commit"
	*sr = hr
	return nil
}

// push pushes the commit just made, re-applying the edit on the remote tip
// when another push came first.
func (o *Options) push(ctx context.Context, repo *gitx.Repo, ts []target, rels []string, res *Result, commitFor func([]ServiceResult, [][]byte) gitx.CommitOptions) error {
	res.Branch = o.Branch
	if res.Branch == "" {
		res.Branch = repo.Branch()
	}
	pr, err := repo.Push(ctx, gitx.PushOptions{
		Remote:            o.Remote,
		Branch:            o.Branch,
		Retries:           o.Retries,
		Timeout:           o.Timeout,
		AllowInsecureHTTP: o.AllowInsecureHTTP,
		Getenv:            o.Getenv,
		Sleep:             o.Sleep,
		Rand:              o.Rand,
		Redo: func(read func(string) ([]byte, error)) (gitx.CommitOptions, error) {
			results := make([]ServiceResult, len(ts))
			contents := make([][]byte, len(ts))
			for i, t := range ts {
				results[i] = ServiceResult{Service: t.service, File: t.display}
				src, err := read(rels[i])
				if err != nil {
					return gitx.CommitOptions{}, err
				}
				if contents[i], err = o.apply(t, src, &results[i]); err != nil {
					return gitx.CommitOptions{}, err
				}
			}
			return commitFor(results, contents), nil
		},
	})
	res.Attempts = pr.Attempts
	if err != nil {
		return err
	}
	res.Commit, res.Pushed, res.AlreadyOnRemote = pr.Commit.String(), pr.Pushed, pr.AlreadyThere
	return nil
}

// pushEarlier is --push when every file already holds the value in HEAD:
// if HEAD is the bump commit and the remote-tracking branch does not have
// it (an earlier push failed), push it now.
func (o *Options) pushEarlier(ctx context.Context, repo *gitx.Repo, ts []target, rels []string, res *Result) (*Result, error) {
	branch := o.Branch
	if branch == "" {
		branch = repo.Branch()
	}
	up, err := repo.UpstreamState(o.Remote, branch, rels)
	if err != nil {
		return nil, err
	}
	res.Branch = branch
	if !up.Ahead {
		res.UpToDate = true
		return res, nil
	}
	if !up.HeadTouches {
		if up.Tracking == nil {
			// Nothing tells whether the remote has it; HEAD is not ours.
			return res, nil
		}
		for i, t := range ts {
			src, err := repo.FileAt(up.Tracking, rels[i])
			if err != nil {
				return nil, fmt.Errorf("%s/%s does not have %s; push the branch with git push", o.Remote, branch, rels[i])
			}
			sr := ServiceResult{}
			if _, err := o.apply(t, src, &sr); err != nil || sr.Changed {
				return nil, fmt.Errorf("%s is committed with the new value, but not in HEAD's own commit and %s/%s does not have it yet; push the branch with git push", rels[i], o.Remote, branch)
			}
		}
		res.UpToDate = true
		return res, nil
	}
	author, committer, err := repo.Signatures(gitx.IdentityOptions{Author: o.Author, Getenv: o.Getenv, Now: o.Now()})
	if err != nil {
		return nil, err
	}
	commitFor := o.commitFor(rels, author, committer)
	res.Resumed = "push"
	res.Commit = up.Head.Hash.String()
	res.Message = up.Head.Message
	if err := o.push(ctx, repo, ts, rels, res, commitFor); err != nil {
		return nil, fmt.Errorf("commit %s not pushed; %w", res.Commit[:12], err)
	}
	for i := range res.Services {
		res.Services[i].Commit = res.Commit
		res.Services[i].Pushed = res.Pushed
		res.Services[i].Resumed = "push"
	}
	return res, nil
}

// Message is the default commit message for the changed services.
func Message(changed []ServiceResult) string {
	what := func(s ServiceResult) string {
		switch {
		case s.New != "" && s.NewDigest != "":
			return "bump image tag to " + s.New + " (" + s.NewDigest + ")"
		case s.New != "":
			return "bump image tag to " + s.New
		}
		return "bump image digest to " + s.NewDigest
	}
	if len(changed) == 0 {
		return ""
	}
	if len(changed) == 1 {
		return changed[0].Service + ": " + what(changed[0])
	}
	names := make([]string, len(changed))
	same := true
	for i, s := range changed {
		names[i] = s.Service
		same = same && what(s) == what(changed[0])
	}
	var b strings.Builder
	switch {
	case same && len(changed) <= 3:
		b.WriteString(strings.Join(names, ", ") + ": " + what(changed[0]))
	case same:
		fmt.Fprintf(&b, "%s in %d services", what(changed[0]), len(changed))
	default:
		fmt.Fprintf(&b, "bump image tags of %d services", len(changed))
	}
	b.WriteString("\n\n")
	for _, s := range changed {
		fmt.Fprintf(&b, "- %s: %s\n", s.Service, describe(s))
	}
	return b.String()
}

func describe(s ServiceResult) string {
	var parts []string
	if s.New != "" {
		parts = append(parts, fmt.Sprintf("%s -> %s", orNone(s.Old), s.New))
	}
	if s.NewDigest != "" {
		parts = append(parts, fmt.Sprintf("digest %s -> %s", orNone(s.OldDigest), s.NewDigest))
	}
	return strings.Join(parts, ", ") + " (" + s.File + ")"
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

// validTag: an image tag (at most 128 characters).
func validTag(s string) bool { return len(s) <= 128 && tagRE.MatchString(s) }
