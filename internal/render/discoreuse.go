package render

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/gitopsctl/gitopsctl/internal/gitrepo"
)

// The work-tree side of a diff takes the base side's discovery when the
// differences between the two change nothing that discovery read.
//
// A side at a commit that works its discovery out records every question
// it asks of the gitops-repo and configs-repo views (gitrepo.Log: resolve
// this path, list this directory, read this file, ...) and stores the
// questions and their answers with the discovery. The work-tree side then
// checks the questions about the paths that differ between the sides (git
// status's changes and the ignored entries, a superset of what differs)
// and their parent directories, and every question whose answer followed
// a symbolic link, by asking its own views again. When every answer is the
// same, its discovery is the base's: discovery reads the repositories only
// through those views, so the same answers make the same reads and the
// same result. Everything else discovery depends on (the config, the
// options, the roots, the branches under review, the remotes) is in the
// context key both sides compare, and the sides must be at the same
// commits (ARGOCD_APP_REVISION may be substituted in what discovery
// reads). A repository with submodules is not taken (a commit's view
// cannot read inside one, and git status does not report a clean one).
//
// Editing a value file, the developer's loop, asks again only whether the
// file still resolves to itself: the work-tree side neither parses the
// thousand Application manifests nor works out the thousand apps' inputs
// again, and stores nothing.

// baseHandoff passes the base side's discovery to the work-tree side.
type baseHandoff struct {
	expect bool // ExpectBase was called: a DiffBase side will open
	once   sync.Once
	done   chan struct{}
	snap   *discoSnap
	// commits are the base side's gitops-repo and configs-repo commits.
	commits [2]string
}

// ExpectBase tells s that a side opened with Options.DiffBase will hand
// its discovery over: the work-tree side waits for it. Call it before
// opening the sides, and open the base side whatever happens (a side
// opened with DiffBase hands over nothing when it fails).
func (s *Shared) ExpectBase() {
	s.base.expect = true
	s.base.done = make(chan struct{})
}

// giveBase hands snap over (nil: nothing); only the first call counts.
func (s *Shared) giveBase(snap *discoSnap, commits [2]string) {
	if !s.base.expect {
		return
	}
	s.base.once.Do(func() {
		s.base.snap, s.base.commits = snap, commits
		close(s.base.done)
	})
}

// waitBase returns the base side's discovery once handed over; nil when
// none is expected or handed over, or ctx ends first.
func (s *Shared) waitBase(ctx context.Context) (*discoSnap, [2]string) {
	if !s.base.expect {
		return nil, [2]string{}
	}
	select {
	case <-s.base.done:
		return s.base.snap, s.base.commits
	case <-ctx.Done():
		return nil, [2]string{}
	}
}

// sideViews returns the gitops-repo and configs-repo views.
func (ws *Workspace) sideViews() ([2]*gitrepo.Repo, bool) {
	var v [2]*gitrepo.Repo
	for i, e := range []*repoEntry{ws.gitops, ws.configs} {
		r, err := e.open()
		if err != nil {
			return v, false
		}
		v[i] = r
	}
	return v, true
}

// handOver gives the base side's discovery to the other side.
func (ws *Workspace) handOver(snap *discoSnap) {
	s := ws.opts.Shared
	if s == nil || !ws.opts.DiffBase {
		return
	}
	v, ok := ws.sideViews()
	if !ok {
		s.giveBase(nil, [2]string{})
		return
	}
	s.giveBase(snap, [2]string{v[0].Commit, v[1].Commit})
}

// recordReads makes a side at a commit that may store its discovery
// record what is asked of its two repositories' views, from before the
// other side of the diff can ask anything of them (noteCommitViews): the
// record is then complete, whichever side asked.
func (ws *Workspace) recordReads() {
	if ws.opts.Shared == nil || ws.opts.RenderCache == nil {
		return
	}
	v, ok := ws.sideViews()
	if !ok || !isCommitView(v[0]) || !isCommitView(v[1]) {
		return
	}
	for i, r := range v {
		ws.readLogs[i] = gitrepo.NewLog()
		r.SetLog(ws.readLogs[i])
	}
}

// stopRecording ends recordReads: the discovery is stored, or came from
// the cache (the logs keep what they hold).
func (ws *Workspace) stopRecording() {
	v, ok := ws.sideViews()
	if !ok {
		return
	}
	for i, l := range ws.readLogs {
		if l != nil {
			v[i].SetLog(nil)
		}
	}
}

// discoSeen is a question discovery asked of a repository's view: Repo is
// 0 for the gitops-repo, 1 for the configs-repo.
type discoSeen struct {
	Repo int
	gitrepo.Seen
}

// seenEntries returns the recorded questions, encoded (encodeSeen), and
// whether every question was recorded.
func (ws *Workspace) seenEntries() ([]byte, bool) {
	var logs [2][]gitrepo.Seen
	for i, l := range ws.readLogs {
		if l == nil {
			return nil, false
		}
		logs[i] = l.Entries()
	}
	return encodeSeen(logs), true
}

// The flags of a stored question.
const (
	seenLinked = 1 << iota
	seenItself // the answer is "=" and the path (a path resolving to itself)
)

// encodeSeen encodes questions for the discovery entry in three blocks:
// the questions that followed a link (always asked again), then those of
// the gitops-repo, then those of the configs-repo (asked only when a path
// of that repository changed: a block is skipped whole). In a block the
// questions are sorted by path, each path stored as the length it shares
// with the one before and the rest (a thousand apps ask tens of thousands
// of questions about paths that differ in their last names).
func encodeSeen(logs [2][]gitrepo.Seen) []byte {
	var linked []discoSeen
	w := &discoWriter{}
	var blocks [seenBlocks][]byte
	for repo, entries := range logs {
		block := make([]discoSeen, 0, len(entries))
		for _, s := range entries {
			o := discoSeen{Repo: repo, Seen: s}
			if o.Linked {
				linked = append(linked, o)
			} else {
				block = append(block, o)
			}
		}
		blocks[seenBlockRepo+repo] = encodeSeenBlock(block)
	}
	blocks[seenBlockLinked] = encodeSeenBlock(linked)
	for _, b := range blocks {
		w.bytes(b)
	}
	return w.b
}

// The blocks of encodeSeen.
const (
	seenBlockLinked = 0
	seenBlockRepo   = 1 // + the repository's index
	seenBlocks      = 3
)

func encodeSeenBlock(seen []discoSeen) []byte {
	order := func(a, b discoSeen) int {
		if a.Repo != b.Repo {
			return a.Repo - b.Repo
		}
		if c := strings.Compare(a.Path, b.Path); c != 0 {
			return c
		}
		return int(a.Op) - int(b.Op)
	}
	if !slices.IsSortedFunc(seen, order) { // the logs' entries come sorted
		slices.SortFunc(seen, order)
	}
	size := 16
	for i := range seen {
		size += len(seen[i].Path) + len(seen[i].Answer) + 8
	}
	w := &discoWriter{b: make([]byte, 0, size)}
	w.int(len(seen))
	prev := ""
	for i := range seen {
		o := &seen[i]
		n := 0
		for n < len(prev) && n < len(o.Path) && prev[n] == o.Path[n] {
			n++
		}
		flags := 0
		if o.Linked {
			flags |= seenLinked
		}
		if o.Answer == "="+o.Path {
			flags |= seenItself
		}
		w.int(o.Repo)
		w.int(int(o.Op))
		w.int(flags)
		w.int(n)
		w.string(o.Path[n:])
		if flags&seenItself == 0 {
			w.string(o.Answer)
		}
		prev = o.Path
	}
	return w.b
}

// eachSeen calls fn with every encoded question of the blocks block wants
// whose path interests wants (given the repository and the path, valid
// during the call only), until fn returns false; an error when the
// encoding is damaged.
func eachSeen(data []byte, block func(int) bool, wants func(repo int, linked bool, p []byte) bool, fn func(discoSeen) bool) error {
	r := &discoReader{b: data}
	for b := 0; b < seenBlocks; b++ {
		raw := r.bytes()
		if r.err != nil {
			return r.err
		}
		if !block(b) {
			continue
		}
		more, err := eachSeenIn(raw, wants, fn)
		if err != nil || !more {
			return err
		}
	}
	if len(r.b) > 0 {
		return errors.New("trailing bytes in the questions")
	}
	return nil
}

// eachSeenIn is eachSeen for one block; more is false when fn stopped.
func eachSeenIn(data []byte, wants func(repo int, linked bool, p []byte) bool, fn func(discoSeen) bool) (more bool, err error) {
	r := &discoReader{b: data}
	var path []byte
	for n := r.count(); n > 0 && r.err == nil; n-- {
		repo, op, flags, keep := r.int(), gitrepo.Op(r.int()), r.int(), r.int()
		if r.err == nil && (repo != 0 && repo != 1 || keep < 0 || keep > len(path)) {
			return false, errors.New("discovery entry: bad question")
		}
		path = append(path[:keep], r.bytes()...)
		var answer []byte
		if flags&seenItself == 0 {
			answer = r.bytes()
		}
		if r.err != nil || !wants(repo, flags&seenLinked != 0, path) {
			continue
		}
		o := discoSeen{Repo: repo, Seen: gitrepo.Seen{Op: op, Path: string(path), Linked: flags&seenLinked != 0}}
		if flags&seenItself != 0 {
			o.Answer = "=" + o.Path
		} else {
			o.Answer = string(answer)
		}
		if !fn(o) {
			return false, nil
		}
	}
	if r.err == nil && len(r.b) > 0 {
		r.err = errors.New("trailing bytes in the questions")
	}
	return r.err == nil, r.err
}

// prepareBase returns the base side's discovery decoded for this work-tree
// side, before the changes are known; nil when it cannot be taken.
func (ws *Workspace) prepareBase(ctx context.Context, ctxKey string) *restoredSnap {
	s := ws.opts.Shared
	if s == nil || ws.opts.DiffBase {
		return nil
	}
	v, ok := ws.sideViews()
	if !ok || v[0].Rev != "" || v[1].Rev != "" || hasSubmodules(v[0]) || hasSubmodules(v[1]) {
		return nil
	}
	snap, commits := s.waitBase(ctx)
	if snap == nil || !snap.Observed || snap.Context != ctxKey || commits != [2]string{v[0].Commit, v[1].Commit} {
		return nil
	}
	// Decoded while git status still runs.
	r, ok := ws.prepareSnap(snap, false)
	if !ok {
		return nil
	}
	return r
}

// hasSubmodules reports whether the work tree r may hold submodules: a
// commit's view cannot read inside one and git status does not report a
// clean one, so what the base asked there says nothing of the work tree.
func hasSubmodules(r *gitrepo.Repo) bool {
	_, err := os.Lstat(filepath.Join(r.Root, ".gitmodules"))
	return !errors.Is(err, fs.ErrNotExist)
}

// adoptBase takes the base side's discovery, prepared, when this
// work-tree side would find the same (see the comment at the top of the
// file).
func (ws *Workspace) adoptBase(prepared *restoredSnap) bool {
	s := ws.opts.Shared
	<-s.ready
	if prepared == nil || s.cs == nil || s.ignored == nil {
		return false
	}
	v, ok := ws.sideViews()
	if !ok {
		return false
	}
	var touched [2]*touchedSet
	for repo, name := range []string{RepoGitops, RepoConfigs} {
		touched[repo] = newTouchedSet(s.cs.paths[name], s.ignored[name])
	}
	var fold []byte
	same := true
	err := eachSeen(prepared.snap.Seen, func(b int) bool {
		return b == seenBlockLinked || !touched[b-seenBlockRepo].empty()
	}, func(repo int, linked bool, p []byte) bool {
		if linked {
			return true
		}
		fold = foldPath(fold[:0], p)
		return touched[repo].related(fold)
	}, func(o discoSeen) bool {
		same = v[o.Repo].Ask(o.Op, o.Path) == o.Answer
		return same
	})
	if err != nil || !same {
		return false
	}
	ws.applySnap(prepared, DiscoveryFromBase)
	return true
}

// touchedSet answers whether a question about a path may be answered
// differently after changes to some paths: when it is about one of them,
// one of their parent directories, or what is below one of them. Paths
// compare without regard to case (foldPath: a file system that folds case
// answers for every spelling of a name).
type touchedSet struct {
	self  map[string]bool // the changed paths
	above map[string]bool // their parent directories, "." included
	first map[string]bool // their first names
}

func newTouchedSet(lists ...[]string) *touchedSet {
	t := &touchedSet{self: map[string]bool{}, above: map[string]bool{}, first: map[string]bool{}}
	for _, paths := range lists {
		for _, p := range paths {
			f := string(foldPath(nil, []byte(strings.Trim(p, "/"))))
			if f == "" || f == "." {
				continue
			}
			t.self[f] = true
			first, _, _ := strings.Cut(f, "/")
			t.first[first] = true
			for q := f; ; {
				i := strings.LastIndexByte(q, '/')
				if i < 0 {
					t.above["."] = true
					break
				}
				q = q[:i]
				t.above[q] = true
			}
		}
	}
	return t
}

func (t *touchedSet) empty() bool { return len(t.self) == 0 }

// related reports whether the folded path p is changed, above a change or
// below one.
func (t *touchedSet) related(p []byte) bool {
	if t.empty() {
		return false
	}
	if t.self[string(p)] || t.above[string(p)] {
		return true
	}
	i := 0
	for i < len(p) && p[i] != '/' {
		i++
	}
	if !t.first[string(p[:i])] {
		return false
	}
	for ; i < len(p); i++ {
		if p[i] == '/' && t.self[string(p[:i])] {
			return true
		}
	}
	return false
}

// foldPath appends p without case to dst (ASCII letters lowered; other
// text through strings.ToLower).
func foldPath(dst, p []byte) []byte {
	for _, c := range p {
		if c >= 0x80 {
			return append(dst, strings.ToLower(string(p))...)
		}
	}
	for _, c := range p {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		dst = append(dst, c)
	}
	return dst
}
