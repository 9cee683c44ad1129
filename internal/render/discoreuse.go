package render

import (
	"context"
	"sort"
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
// reads).
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

// recordReads makes a side at a commit record what its discovery asks of
// the two repositories, to be stored with it.
func (ws *Workspace) recordReads() {
	v, ok := ws.sideViews()
	if !ok || !isCommitView(v[0]) || !isCommitView(v[1]) {
		return
	}
	for i, r := range v {
		ws.readLogs[i] = gitrepo.NewLog()
		r.SetLog(ws.readLogs[i])
	}
}

// discoSeen is a question discovery asked of a repository's view: Repo is
// 0 for the gitops-repo, 1 for the configs-repo.
type discoSeen struct {
	Repo   int
	Op     byte
	Path   string
	Answer string
	Linked bool
}

// seenEntries returns the recorded questions, sorted for lookup by path
// (seenLess), and whether every question was recorded.
func (ws *Workspace) seenEntries() ([]discoSeen, bool) {
	var out []discoSeen
	for i, l := range ws.readLogs {
		if l == nil {
			return nil, false
		}
		for _, s := range l.Entries() {
			out = append(out, discoSeen{Repo: i, Op: byte(s.Op), Path: s.Path, Answer: s.Answer, Linked: s.Linked})
		}
	}
	sort.Slice(out, func(i, j int) bool { return seenLess(&out[i], &out[j]) })
	return out, true
}

// seenLess orders questions by repository, then path without case (a
// file system that folds case answers for every spelling of a name), then
// question, then path.
func seenLess(a, b *discoSeen) bool {
	if a.Repo != b.Repo {
		return a.Repo < b.Repo
	}
	fa, fb := strings.ToLower(a.Path), strings.ToLower(b.Path)
	if fa != fb {
		return fa < fb
	}
	if a.Op != b.Op {
		return a.Op < b.Op
	}
	return a.Path < b.Path
}

// adoptBase takes the base side's discovery when this work-tree side
// would find the same (see the comment at the top of the file).
func (ws *Workspace) adoptBase(ctx context.Context, ctxKey string) bool {
	s := ws.opts.Shared
	if s == nil || ws.opts.DiffBase {
		return false
	}
	v, ok := ws.sideViews()
	if !ok || v[0].Rev != "" || v[1].Rev != "" {
		return false
	}
	snap, commits := s.waitBase(ctx)
	if snap == nil || !snap.Observed || snap.Context != ctxKey || commits != [2]string{v[0].Commit, v[1].Commit} {
		return false
	}
	<-s.ready
	if s.cs == nil || s.ignored == nil {
		return false
	}
	ask := map[int]bool{}
	for i := range snap.Seen {
		if snap.Seen[i].Linked {
			ask[i] = true
		}
	}
	for repo, name := range []string{RepoGitops, RepoConfigs} {
		touched := append(append([]string(nil), s.cs.paths[name]...), s.ignored[name]...)
		for _, p := range touched {
			p = strings.ToLower(strings.Trim(p, "/"))
			if p == "" {
				p = "."
			}
			seenRelated(snap.Seen, repo, p, ask)
		}
	}
	for i := range ask {
		o := &snap.Seen[i]
		if v[o.Repo].Ask(gitrepo.Op(o.Op), o.Path) != o.Answer {
			return false
		}
	}
	return ws.restoreSnap(snap, discoFromBase)
}

// seenRelated adds to ask the questions of repo about p (folded), about
// what is below p, and about p's parent directories.
func seenRelated(seen []discoSeen, repo int, p string, ask map[int]bool) {
	// The questions about exactly q, and with below, about q's subtree.
	mark := func(q string, below bool) {
		lo := sort.Search(len(seen), func(i int) bool {
			s := &seen[i]
			return s.Repo > repo || s.Repo == repo && strings.ToLower(s.Path) >= q
		})
		for i := lo; i < len(seen) && seen[i].Repo == repo && strings.ToLower(seen[i].Path) == q; i++ {
			ask[i] = true
		}
		if !below || q == "." {
			if q == "." && below {
				for i := range seen {
					if seen[i].Repo == repo {
						ask[i] = true
					}
				}
			}
			return
		}
		prefix := q + "/"
		lo = sort.Search(len(seen), func(i int) bool {
			s := &seen[i]
			return s.Repo > repo || s.Repo == repo && strings.ToLower(s.Path) >= prefix
		})
		for i := lo; i < len(seen) && seen[i].Repo == repo && strings.HasPrefix(strings.ToLower(seen[i].Path), prefix); i++ {
			ask[i] = true
		}
	}
	mark(p, true)
	for q := p; q != "."; {
		if i := strings.LastIndexByte(q, '/'); i >= 0 {
			q = q[:i]
		} else {
			q = "."
		}
		mark(q, false)
	}
}
