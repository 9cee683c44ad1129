package argo

import (
	"testing"
)

func TestMatch(t *testing.T) {
	for _, tc := range []struct {
		pattern, text string
		seps          []rune
		want          bool
	}{
		// Directory include/exclude: no separator, "*" crosses "/".
		{"*.yaml", "a.yaml", nil, true},
		{"*.yaml", "sub/a.yaml", nil, true},
		{"sub/*", "sub/x/y.yaml", nil, true},
		{"{a,b}/*.yaml", "b/c.yaml", nil, true},
		{"{a,b}/*.yaml", "c/c.yaml", nil, false},
		{"?.yaml", "ab.yaml", nil, false},
		{"[ab].yaml", "b.yaml", nil, true},
		{"[!ab].yaml", "b.yaml", nil, false},
		{"[!ab].yaml", "c.yaml", nil, true},
		{`a\*`, "a*", nil, true},
		{`a\*`, "ab", nil, false},
		{"prod.yaml", "prod.yaml", nil, true},
		{"prod.yaml", "prodxyaml", nil, false},
		{"*.YAML", "a.yaml", nil, false}, // case-sensitive
		// With "/" as separator (sourceRepos): "*" and "?" stop at it, "**" crosses it.
		{"https://github.com/acme/*", "https://github.com/acme/x", []rune{'/'}, true},
		{"https://github.com/acme/*", "https://github.com/acme/x/y", []rune{'/'}, false},
		{"https://github.com/acme/**", "https://github.com/acme/x/y", []rune{'/'}, true},
		{"https://github.com/acme/?", "https://github.com/acme//", []rune{'/'}, false},
		// A pattern that does not compile matches nothing, not even itself.
		{"[a", "[a", nil, false},
		{"{a", "{a", nil, false},
	} {
		if got := Match(tc.pattern, tc.text, tc.seps...); got != tc.want {
			t.Errorf("Match(%q, %q, %q) = %v, want %v", tc.pattern, tc.text, string(tc.seps), got, tc.want)
		}
	}
}

func TestNormalizeGitURL(t *testing.T) {
	for in, want := range map[string]string{
		"https://github.com/acme/x.git":        "https://github.com/acme/x",
		"https://GitHub.com/ACME/x":            "https://github.com/acme/x",
		"  https://github.com/acme/x.git\n":    "https://github.com/acme/x",
		"https://github.com/acme/x/":           "https://github.com/acme/x/", // a trailing slash stays
		"https://github.com/acme/x.git/":       "https://github.com/acme/x.git/",
		"git@github.com:acme/x.git":            "git@github.com/acme/x", // scp-like
		"ssh://git@github.com/acme/x.git":      "git@github.com/acme/x",
		"ssh://git@github.com:2222/acme/x.git": "git@github.com:2222/acme/x",
		"git@github.com:x":                     "git@github.com/x",
		"https://token@github.com/acme/x":      "https://token@github.com/acme/x", // not SSH: the user part has "https:"
		"https://github.com/acme/*":            "https://github.com/acme/*",
		"https://github.com/acme/{a,b}":        "https://github.com/acme/%7Ba,b%7D", // net/url escapes braces
		"*":                                    "*",
		"ssh://git@github.com:acme/x":          "", // not a URL (port "acme")
		"https://{github,gitlab}.com/acme/x":   "", // not a URL (host)
	} {
		if got := NormalizeGitURL(in); got != want {
			t.Errorf("NormalizeGitURL(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestSourcePermittedParity lists how Argo CD's AppProject.IsSourcePermitted
// judges sourceRepos patterns, case by case.
func TestSourcePermittedParity(t *testing.T) {
	for _, tc := range []struct {
		name     string
		patterns []string
		repo     string
		want     bool
	}{
		{"star admits all", []string{"*"}, "https://github.com/acme/x.git", true},
		{"exact", []string{"https://github.com/acme/x.git"}, "https://github.com/acme/x.git", true},
		{"pattern without .git", []string{"https://github.com/acme/x"}, "https://github.com/acme/x.git", true},
		{"repo without .git", []string{"https://github.com/acme/x.git"}, "https://github.com/acme/x", true},
		{"other case in pattern", []string{"https://GitHub.com/ACME/X"}, "https://github.com/acme/x.git", true},
		{"other case in repo", []string{"https://github.com/acme/*"}, "HTTPS://GITHUB.COM/ACME/X.GIT", true},
		{"glob in the owner's repos", []string{"https://github.com/acme/*"}, "https://github.com/acme/x.git", true},
		{"* stops at /", []string{"https://github.com/acme/*"}, "https://github.com/acme/team/x.git", false},
		{"*/* reaches one level down", []string{"https://github.com/acme/*/*"}, "https://github.com/acme/team/x.git", true},
		{"** crosses /", []string{"https://github.com/acme/**"}, "https://github.com/acme/team/x.git", true},
		{"* does not cross the owner", []string{"https://github.com/acme/*"}, "https://github.com/acmex/x.git", false},
		{"prefix is no match", []string{"https://github.com/acme/x"}, "https://github.com/acme/x1", false},
		{"*.git pattern", []string{"https://github.com/acme/*.git"}, "https://github.com/acme/x", true},
		{"? one character", []string{"https://github.com/acme/team-?"}, "https://github.com/acme/team-a.git", true},
		{"class", []string{"https://github.com/acme/[xy]"}, "https://github.com/acme/y", true},
		// net/url escapes braces in the path, so {a,b} there matches nothing.
		{"{a,b} in the path", []string{"https://github.com/acme/{x,y}"}, "https://github.com/acme/x.git", false},
		// A trailing slash is kept on both sides.
		{"trailing slash on the repo", []string{"https://github.com/acme/*"}, "https://github.com/acme/x/", false},
		{"trailing slash on the pattern", []string{"https://github.com/acme/x/"}, "https://github.com/acme/x", false},
		{"trailing slash on both", []string{"https://github.com/acme/x/"}, "https://github.com/acme/x/", true},
		{"trailing slash with **", []string{"https://github.com/acme/**"}, "https://github.com/acme/x/", true},
		// SSH and https forms of one repository differ.
		{"https pattern, scp repo", []string{"https://github.com/acme/*"}, "git@github.com:acme/x.git", false},
		{"scp pattern, https repo", []string{"git@github.com:acme/*"}, "https://github.com/acme/x.git", false},
		{"scp pattern, scp repo", []string{"git@github.com:acme/*"}, "git@github.com:acme/x.git", true},
		{"ssh:// pattern, scp repo", []string{"ssh://git@github.com/acme/x"}, "git@github.com:acme/x.git", true},
		{"scp pattern, ssh:// repo", []string{"git@GitHub.com:acme/x.git"}, "ssh://git@github.com/acme/x", true},
		{"ssh port kept", []string{"ssh://git@github.com/acme/x"}, "ssh://git@github.com:2222/acme/x", false},
		{"any of several", []string{"https://github.com/a/x.git", "https://github.com/b/x.git"}, "https://github.com/b/x.git", true},
		{"none of several", []string{"https://github.com/a/x.git", "https://github.com/b/x.git"}, "https://github.com/c/x.git", false},
		{"no patterns", nil, "https://github.com/acme/x.git", false},
		// "!" denies what it matches; one that does not match counts as a match.
		{"deny matches", []string{"https://github.com/acme/*", "!https://github.com/acme/secret"}, "https://github.com/acme/secret.git", false},
		{"deny does not match", []string{"https://github.com/acme/*", "!https://github.com/acme/secret"}, "https://github.com/acme/x.git", true},
		{"deny alone admits the rest", []string{"!https://github.com/acme/secret"}, "https://github.com/evil/x", true},
		{"deny wins over *", []string{"*", "!https://github.com/acme/*"}, "https://github.com/acme/x", false},
		{"deny before *", []string{"!https://github.com/acme/*", "*"}, "https://github.com/acme/x", false},
		{"deny normalized", []string{"*", "!https://GitHub.com/acme/Secret.git"}, "https://github.com/acme/secret", false},
		{"deny with **", []string{"*", "!https://github.com/acme/**"}, "https://github.com/acme/a/b", false},
	} {
		p := &AppProject{Spec: AppProjectSpec{SourceRepos: tc.patterns}}
		if got := SourcePermitted(p, tc.repo); got != tc.want {
			t.Errorf("%s: SourcePermitted(%q, %q) = %v, want %v", tc.name, tc.patterns, tc.repo, got, tc.want)
		}
	}
}

func TestDestinationPermittedParity(t *testing.T) {
	const other = "https://other.example.com"
	d := func(server, name, ns string) ApplicationDestination {
		return ApplicationDestination{Server: server, Name: name, Namespace: ns}
	}
	for _, tc := range []struct {
		name  string
		items []ApplicationDestination
		dest  ApplicationDestination
		want  bool
	}{
		{"server and namespace", []ApplicationDestination{d(InClusterURL, "", "backend")}, d(InClusterURL, "", "backend"), true},
		{"namespace differs", []ApplicationDestination{d(InClusterURL, "", "backend")}, d(InClusterURL, "", "kube-system"), false},
		{"in-cluster by name matches its server", []ApplicationDestination{d(InClusterURL, "", "*")}, d("", InClusterName, "backend"), true},
		{"in-cluster by server matches its name", []ApplicationDestination{d("", InClusterName, "*")}, d(InClusterURL, "", "backend"), true},
		{"name glob", []ApplicationDestination{d("", "prod-*", "*")}, d("", "prod-eu", "backend"), true},
		{"unknown name", []ApplicationDestination{d(InClusterURL, "", "*")}, d("", "other", "backend"), false},
		{"server glob", []ApplicationDestination{d("https://*.example.com", "", "*")}, d(other, "", "x"), true},
		{"namespace glob", []ApplicationDestination{d("*", "", "team-*")}, d(other, "", "team-a"), true},
		{"namespace class", []ApplicationDestination{d("*", "", "team-[ab]")}, d(other, "", "team-c"), false},
		{"empty namespace needs an empty pattern", []ApplicationDestination{d("*", "", "")}, d(other, "", ""), true},
		{"deny namespace", []ApplicationDestination{d(InClusterURL, "", "*"), d("*", "", "!kube-system")}, d(other, "", "kube-system"), false},
		{"deny namespace passes others", []ApplicationDestination{d("*", "", "!kube-system")}, d(other, "", "backend"), true},
		{"deny namespace overrides an earlier match", []ApplicationDestination{d("*", "", "*"), d("*", "", "!kube-*")}, d(other, "", "kube-public"), false},
		{"deny server", []ApplicationDestination{d("*", "", "*"), d("!"+other, "", "*")}, d(other, "", "x"), false},
		{"deny server passes others", []ApplicationDestination{d("!"+other, "", "*")}, d(InClusterURL, "", "x"), true},
		{"deny server needs its namespace", []ApplicationDestination{d("*", "", "*"), d("!"+other, "", "team-a")}, d(other, "", "x"), true},
		// A "!" name that does not hold denies whatever the namespace (Argo
		// CD's operator precedence).
		{"deny name, other namespace", []ApplicationDestination{d("", "*", "*"), d("", "!prod", "team-a")}, d("", "prod", "x"), false},
		{"deny name passes others", []ApplicationDestination{d("", "!prod", "*")}, d("", "staging", "x"), true},
		{"no destinations", nil, d(InClusterURL, "", "x"), false},
	} {
		p := &AppProject{Spec: AppProjectSpec{Destinations: tc.items}}
		if got := DestinationPermitted(p, tc.dest); got != tc.want {
			t.Errorf("%s: DestinationPermitted(%+v) = %v, want %v", tc.name, tc.dest, got, tc.want)
		}
	}
}

func TestKindPermitted(t *testing.T) {
	p := &AppProject{Spec: AppProjectSpec{
		NamespaceResourceBlacklist: []GroupKind{{Group: "", Kind: "ResourceQuota"}},
		ClusterResourceWhitelist:   []GroupKind{{Group: "", Kind: "Namespace"}, {Group: "*.k8s.io", Kind: "Cluster*"}},
		ClusterResourceBlacklist:   []GroupKind{{Group: "rbac.authorization.k8s.io", Kind: "ClusterRoleBinding"}},
	}}
	for _, tc := range []struct {
		group, kind string
		namespaced  bool
		want        bool
	}{
		{"", "ConfigMap", true, true}, // no namespace whitelist: all
		{"", "ResourceQuota", true, false},
		{"", "Namespace", false, true},
		{"", "PersistentVolume", false, false},
		{"rbac.authorization.k8s.io", "ClusterRole", false, true}, // shell patterns
		{"rbac.authorization.k8s.io", "ClusterRoleBinding", false, false},
		{"cert-manager.io", "ClusterIssuer", false, false},
	} {
		if got := KindPermitted(p, tc.group, tc.kind, tc.namespaced); got != tc.want {
			t.Errorf("KindPermitted(%s/%s) = %v, want %v", tc.group, tc.kind, got, tc.want)
		}
	}
	// Group and kind are shell patterns, not globs: no {a,b}.
	p.Spec.ClusterResourceWhitelist = []GroupKind{{Group: "", Kind: "{Namespace,Node}"}}
	if KindPermitted(p, "", "Node", false) {
		t.Error("{a,b} admitted a kind")
	}
	// A namespace whitelist that is set but empty admits no namespaced kind.
	p.Spec.NamespaceResourceWhitelist = []GroupKind{}
	if KindPermitted(p, "", "ConfigMap", true) {
		t.Error("empty namespace whitelist admitted a kind")
	}
	d := DefaultProject()
	if !SourcePermitted(d, "git@example.com:x/y") || !DestinationPermitted(d, ApplicationDestination{Server: "https://x", Namespace: "y"}) ||
		!KindPermitted(d, "rbac.authorization.k8s.io", "ClusterRole", false) {
		t.Error("the default project refused something")
	}
}
