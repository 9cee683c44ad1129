package argo

import (
	"net/url"
	"path"
	"regexp"
	"strings"
	"sync"

	"github.com/gobwas/glob"
)

// This file holds the pattern rules Argo CD applies to Directory
// include/exclude and to AppProject sourceRepos, destinations and resource
// lists, so that every command judges them alike and as Argo CD does.

type globKey struct {
	pattern string
	seps    string
}

// globs caches compiled patterns (nil for one that does not compile).
var globs sync.Map // globKey -> glob.Glob

// Match reports whether text matches pattern with the glob engine Argo CD
// uses (gobwas/glob): "*" is any run of characters that holds no separator,
// "**" any run at all, "?" one character other than a separator, "[...]" a
// class ("[!...]" negated), "{a,b}" alternatives and "\" escapes the next
// character. With no separators, "*" crosses "/". A pattern that does not
// compile matches nothing.
func Match(pattern, text string, separators ...rune) bool {
	k := globKey{pattern, string(separators)}
	v, ok := globs.Load(k)
	if !ok {
		g, err := glob.Compile(pattern, separators...)
		if err != nil {
			g = nil
		}
		v, _ = globs.LoadOrStore(k, g)
	}
	g, _ := v.(glob.Glob)
	return g != nil && g.Match(text)
}

// isDeny reports whether an AppProject pattern denies what it matches.
func isDeny(pattern string) bool { return strings.HasPrefix(pattern, "!") }

// projectMatch matches val against an AppProject pattern: "*" alone admits
// anything, and with allowDeny a "!" pattern holds for what its remainder
// does not match.
func projectMatch(pattern, val string, allowDeny bool, separators ...rune) bool {
	if allowDeny && isDeny(pattern) {
		return !Match(pattern[1:], val, separators...)
	}
	return pattern == "*" || Match(pattern, val, separators...)
}

// scpLikeRE is what Argo CD takes for an SSH repository URL: an optional
// ssh:// scheme, then user@host... with no "/" or ":" in the user part.
var scpLikeRE = regexp.MustCompile(`^(?:ssh://)?[^/:]*?@[^@]+$`)

// NormalizeGitURL gives the form in which Argo CD compares repository URLs
// and sourceRepos patterns: trimmed and lower-cased, an scp-like
// "user@host:path" read as "user@host/path", a ".git" suffix dropped, and
// the rest as net/url prints it, without an "ssh://" scheme. A trailing
// slash stays, and https and SSH forms of one repository stay different.
// What net/url cannot parse normalizes to "".
func NormalizeGitURL(repo string) string {
	repo = strings.ToLower(strings.TrimSpace(repo))
	if scpLikeRE.MatchString(repo) && !strings.HasPrefix(repo, "ssh://") {
		repo = "ssh://" + strings.Replace(repo, ":", "/", 1)
	}
	u, err := url.Parse(strings.TrimSuffix(repo, ".git"))
	if err != nil {
		return ""
	}
	return strings.TrimPrefix(u.String(), "ssh://")
}

// SourcePermitted reports whether a project admits a source repository, as
// Argo CD's AppProject.IsSourcePermitted does: URL and patterns are
// normalized (NormalizeGitURL), "*" in a pattern stops at "/" while "**"
// crosses it, some pattern must match, and a "!" pattern the URL matches
// denies it whatever else matches.
func SourcePermitted(p *AppProject, repoURL string) bool {
	src := NormalizeGitURL(repoURL)
	matched := false
	for _, pat := range p.Spec.SourceRepos {
		n := NormalizeGitURL(pat)
		if isDeny(pat) {
			n = "!" + NormalizeGitURL(pat[1:])
		}
		switch {
		case projectMatch(n, src, true, '/'):
			matched = true
		case isDeny(n):
			return false
		}
	}
	return matched
}

// InClusterName is the name Argo CD gives the cluster it runs in.
const InClusterName = "in-cluster"

// completeDest fills in what Argo CD knows from its cluster list: the
// in-cluster server URL for its name and the name for its URL.
func completeDest(d ApplicationDestination) ApplicationDestination {
	switch {
	case d.Server == "" && d.Name == InClusterName:
		d.Server = InClusterURL
	case d.Name == "" && d.Server == InClusterURL:
		d.Name = InClusterName
	}
	return d
}

// DestinationPermitted reports whether a project admits a destination, as
// Argo CD's AppProject.isDestinationMatched does: an entry matches when its
// server or name pattern and its namespace pattern match ("*" crossing
// anything); a "!" name or server entry that does not hold denies (when the
// namespace matches, for a server entry), and so does a "!" namespace entry
// that does not hold where the server matches.
func DestinationPermitted(p *AppProject, d ApplicationDestination) bool {
	d = completeDest(d)
	matched := false
	for _, item := range p.Spec.Destinations {
		nameOK := d.Name != "" && projectMatch(item.Name, d.Name, true)
		serverOK := d.Server != "" && projectMatch(item.Server, d.Server, true)
		nsOK := projectMatch(item.Namespace, d.Namespace, true)
		switch {
		case (serverOK || nameOK) && nsOK:
			matched = true
		case !nameOK && isDeny(item.Name):
			return false
		case !serverOK && isDeny(item.Server) && nsOK:
			return false
		case !nsOK && isDeny(item.Namespace) && serverOK:
			return false
		}
	}
	return matched
}

// KindPermitted reports whether a project admits a kind, as Argo CD's
// AppProject.IsGroupKindPermitted does: a namespaced kind needs the
// namespace whitelist (unset admits all, set but empty admits none) and not
// the blacklist; a cluster-scoped kind needs the cluster whitelist (empty
// admits none) and not the blacklist. Group and kind patterns are shell
// patterns (path.Match), not globs.
func KindPermitted(p *AppProject, group, kind string, namespaced bool) bool {
	s := p.Spec
	if namespaced {
		white := s.NamespaceResourceWhitelist == nil || inKindList(group, kind, s.NamespaceResourceWhitelist)
		return white && !inKindList(group, kind, s.NamespaceResourceBlacklist)
	}
	return inKindList(group, kind, s.ClusterResourceWhitelist) && !inKindList(group, kind, s.ClusterResourceBlacklist)
}

func inKindList(group, kind string, list []GroupKind) bool {
	for _, gk := range list {
		if ok, err := path.Match(gk.Kind, kind); !ok || err != nil {
			continue
		}
		if ok, err := path.Match(gk.Group, group); ok && err == nil {
			return true
		}
	}
	return false
}

// DefaultProject is the AppProject Argo CD creates as "default": it admits
// every repository, destination and kind.
func DefaultProject() *AppProject {
	p := &AppProject{}
	p.Kind, p.APIVersion = KindProject, APIVersion
	p.Name = DefaultProj
	p.Spec.SourceRepos = []string{"*"}
	p.Spec.Destinations = []ApplicationDestination{{Server: "*", Namespace: "*", Name: "*"}}
	p.Spec.ClusterResourceWhitelist = []GroupKind{{Group: "*", Kind: "*"}}
	return p
}
