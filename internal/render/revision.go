package render

import (
	"fmt"
	"strings"

	"github.com/gitopsctl/gitopsctl/internal/argo"
	"github.com/gitopsctl/gitopsctl/internal/gitrepo"
)

// SourceRead says where, and at which revision, one source of an app was
// read, and why (the targetRevision rule):
//
//   - targetRevision empty or HEAD, or naming the branch under review: the
//     repository as opened (its work tree, or --rev / --configs-rev);
//   - naming a tag, another branch or a commit: that revision, read from the
//     local repository's object store (a branch as the remote has it,
//     refs/remotes/<remote>/<branch>, else the local branch).
//
// The branch under review is the branch checked out in that repository,
// the branch --rev (or --configs-rev) names, and Options.Branches (diff adds
// the branch --base names, the one a change is headed for).
type SourceRead struct {
	RepoURL        string `json:"repoURL"`
	Path           string `json:"path,omitempty"`
	Chart          string `json:"chart,omitempty"`
	Ref            string `json:"ref,omitempty"`
	TargetRevision string `json:"targetRevision,omitempty"`
	// Repo is the local checkout read ("" when unknown).
	Repo string `json:"repo,omitempty"`
	// Revision is what was read: "work tree", "index", or a git revision.
	Revision string `json:"revision,omitempty"`
	// Commit is the commit read (of HEAD for the work tree).
	Commit string `json:"commit,omitempty"`
	// Rule says why that revision was read.
	Rule  string `json:"rule"`
	Error string `json:"error,omitempty"`
}

// Rules of SourceRead.
const (
	RuleHead        = "targetRevision is HEAD or empty: read as opened"
	RuleUnderReview = "targetRevision names the branch under review: read as opened"
	RuleNotGit      = "not a git repository: read as it is"
	RuleChart       = "a Helm repository chart: targetRevision is its version"
)

// branchesUnderReview lists the branch names of e read as opened.
func (ws *Workspace) branchesUnderReview(e *repoEntry) map[string]bool {
	e.reviewOnce.Do(func() {
		e.review = map[string]bool{}
		if b := gitrepo.CurrentBranch(e.dir); b != "" {
			e.review[b] = true
		}
		if e.rev != "" && !strings.HasPrefix(e.rev, ":") {
			if b := gitrepo.BranchOf(e.dir, e.rev); b != "" {
				e.review[b] = true
			}
		}
		if e == ws.gitops || e == ws.configs {
			for _, b := range ws.opts.Branches {
				if b = gitrepo.BranchOf(e.dir, b); b != "" {
					e.review[b] = true
				}
			}
		}
		e.isGit = gitrepo.IsGit(e.dir)
	})
	return e.review
}

// atRevision returns the entry to read a source of repository e from, given
// its targetRevision, and the rule applied (see SourceRead).
func (ws *Workspace) atRevision(e *repoEntry, repoURL, target string) (*repoEntry, string, error) {
	t := strings.TrimSpace(target)
	review := ws.branchesUnderReview(e)
	switch {
	case !e.isGit:
		return e, RuleNotGit, nil
	case t == "" || t == "HEAD":
		return e, RuleHead, nil
	case review[strings.TrimPrefix(t, "refs/heads/")]:
		return e, RuleUnderReview, nil
	}
	remote := gitrepo.RemoteFor(e.dir, func(u string) bool { return NormalizeURL(u) == NormalizeURL(repoURL) })
	rev, kind, err := gitrepo.FindRevision(e.dir, remote, t)
	if err != nil {
		return nil, "", fmt.Errorf("targetRevision %q of %s is not in the local repository %s: fetch it (git -C %s fetch %s %s), or pass --rev %s if it is the branch under review",
			t, repoURL, e.dir, e.dir, remote, t, t)
	}
	key := e.dir + "\x00" + rev
	ws.mu.Lock()
	defer ws.mu.Unlock()
	if ws.revEntries == nil {
		ws.revEntries = map[string]*repoEntry{}
	}
	d, ok := ws.revEntries[key]
	if !ok {
		d = &repoEntry{url: e.url, dir: e.dir, rev: rev, label: e.label + "@" + t, filter: e.filter}
		ws.revEntries[key] = d
	}
	return d, fmt.Sprintf("targetRevision names a %s: read at %s", kind, rev), nil
}

// SourcesRead says, for each source of a, where and at which revision it is
// read.
func (ws *Workspace) SourcesRead(a *App) []SourceRead {
	out := make([]SourceRead, 0, len(a.Sources))
	for _, s := range a.Sources {
		sr := SourceRead{RepoURL: s.RepoURL, Path: s.Path, Chart: s.Chart, Ref: s.Ref, TargetRevision: s.TargetRevision}
		if s.Chart != "" {
			sr.Rule = RuleChart
			out = append(out, sr)
			continue
		}
		e, err := ws.repoFor(s.RepoURL)
		if err == nil {
			var rule string
			if e, rule, err = ws.atRevision(e, s.RepoURL, s.TargetRevision); err == nil {
				sr.Rule, sr.Repo = rule, e.dir
				var r *gitrepo.Repo
				if r, err = e.open(); err == nil {
					sr.Commit = r.Commit
					switch {
					case r.IsIndex():
						sr.Revision = "index"
					case r.Rev == "":
						sr.Revision = "work tree"
					default:
						sr.Revision = r.Rev
					}
				}
			}
		}
		if err != nil {
			sr.Error = err.Error()
		}
		out = append(out, sr)
	}
	return out
}

// sourceEntry resolves the repository and revision a git source is read at.
func (ws *Workspace) sourceEntry(src argo.ApplicationSource) (*repoEntry, error) {
	e, err := ws.repoFor(src.RepoURL)
	if err != nil {
		return nil, err
	}
	e, _, err = ws.atRevision(e, src.RepoURL, src.TargetRevision)
	return e, err
}

// sourceRepo opens the repository view a git source is read at, with the
// entry it came from.
func (ws *Workspace) sourceRepo(src argo.ApplicationSource) (*repoEntry, *gitrepo.Repo, error) {
	e, err := ws.sourceEntry(src)
	if err != nil {
		return nil, nil, err
	}
	r, err := e.open()
	if err != nil {
		return nil, nil, err
	}
	return e, r, nil
}
