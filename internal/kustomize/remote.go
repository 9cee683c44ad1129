package kustomize

import (
	"fmt"
	"net/url"
	"path"
	"strings"

	"github.com/gitopsctl/gitopsctl/internal/gitrepo"
)

// RemoteRepos serves remote bases from local checkouts: it returns the view
// of the git repository at url (as a kustomization names it) at revision
// rev ("" for the default), or nil when no local checkout of url is known.
type RemoteRepos func(url, rev string) (*gitrepo.Repo, error)

// parseRemote splits a remote kustomize base (kustomize's documented
// forms: [git::][scheme://][user@]host/org/repo[.git][//dir][?ref=REV],
// "user@host:org/repo", "github.com/org/repo/dir") into the repository URL,
// the directory in it and the revision.
func parseRemote(ref string) (repoURL, dir, rev string, err error) {
	s := strings.TrimSpace(ref)
	if len(s) >= 5 && strings.EqualFold(s[:5], "git::") {
		s = s[5:]
	}
	s, query, _ := strings.Cut(s, "?")
	q, _ := url.ParseQuery(query)
	rev = q.Get("ref")
	if rev == "" {
		rev = q.Get("version")
	}
	scheme := ""
	for _, p := range []string{"https://", "http://", "ssh://", "file://"} {
		if len(s) >= len(p) && strings.EqualFold(s[:len(p)], p) {
			scheme, s = s[:len(p)], s[len(p):]
			break
		}
	}
	if strings.EqualFold(scheme, "file://") {
		return "", "", "", fmt.Errorf("a file:// base is a local path: refer to it by path")
	}
	var host, p string
	switch {
	case scheme == "" && (userAtRE.MatchString(s) || strings.HasPrefix(strings.ToLower(s), "github.com:")):
		h, rest, ok := strings.Cut(s, ":")
		if !ok {
			return "", "", "", fmt.Errorf("no repository path after the host")
		}
		host, p = h+":", rest
	default:
		h, rest, _ := strings.Cut(s, "/")
		host, p = h+"/", rest
	}
	var repoPath string
	switch {
	case strings.Contains(p, "//"):
		repoPath, dir, _ = strings.Cut(p, "//")
	case strings.Contains(p, ".git/"):
		i := strings.Index(p, ".git/")
		repoPath, dir = p[:i+4], p[i+5:]
	case strings.HasSuffix(p, ".git"):
		repoPath = p
	default:
		segs := strings.Split(strings.Trim(p, "/"), "/")
		if len(segs) < 2 {
			return "", "", "", fmt.Errorf("no org/repo path")
		}
		repoPath, dir = strings.Join(segs[:2], "/"), strings.Join(segs[2:], "/")
	}
	if strings.Trim(repoPath, "/") == "" {
		return "", "", "", fmt.Errorf("no repository path")
	}
	if scheme == "" && !strings.HasSuffix(host, ":") {
		scheme = "https://"
	}
	dir = gitrepo.Clean(dir)
	if dir == ".." || strings.HasPrefix(dir, "../") {
		return "", "", "", fmt.Errorf("the directory leaves the repository")
	}
	return scheme + host + repoPath, dir, rev, nil
}

// serveRemote mounts the local checkout of a remote base and returns the
// reference to use instead, relative to the kustomization directory kdir;
// "" when no checkout is known.
func (f *repoFS) serveRemote(kdir, ref string) (string, error) {
	if f.remoteRepos == nil {
		return "", nil
	}
	if p, _, _ := strings.Cut(ref, "?"); strings.Contains(".yaml.yml.json", strings.ToLower(path.Ext(p))) && path.Ext(p) != "" {
		return "", nil // a file over http(s), not a repository
	}
	u, dir, rev, err := parseRemote(ref)
	if err != nil {
		return "", err
	}
	r, err := f.remoteRepos(u, rev)
	if err != nil || r == nil {
		return "", err
	}
	if fi, err := r.Stat(dir); err != nil || !fi.IsDir() {
		return "", fmt.Errorf("directory %s does not exist in %s", dir, r)
	}
	return relTo(kdir, path.Join(f.mount(r), dir)), nil
}
