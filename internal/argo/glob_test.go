package argo

import "testing"

func TestGlobRegexp(t *testing.T) {
	tests := []struct {
		pattern, name string
		sep           rune
		want          bool
	}{
		{"*.yaml", "a/b.yaml", 0, true},    // Directory globs: * crosses /
		{"*.yaml", "a/b.yaml", '/', false}, // project globs: * stops at the separator
		{"**.yaml", "a/b.yaml", '/', true},
		{"team-?", "team-a", '/', true},
		{"{apps,tools}/*", "tools/x", 0, true},
		{"[!a]*", "apps", 0, false},
		{"[!a]*", "bpps", 0, true},
		{`a\*`, "a*", 0, true},
		{`a\*`, "ab", 0, false},
		{"https://github.com/acme/*", "https://github.com/acme/x.git", '/', true},
		{"https://github.com/acme/*", "https://github.com/acme/x/y.git", '/', false},
	}
	for _, tc := range tests {
		re := GlobRegexp(tc.pattern, tc.sep)
		if re == nil {
			t.Fatalf("%q did not compile", tc.pattern)
		}
		if got := re.MatchString(tc.name); got != tc.want {
			t.Errorf("GlobRegexp(%q, %q).Match(%q) = %v, want %v", tc.pattern, tc.sep, tc.name, got, tc.want)
		}
	}
	if GlobRegexp("[z-a]", 0) != nil {
		t.Error("an invalid class compiled")
	}
	if !MatchGlob("[z-a]", "[z-a]") {
		t.Error("an invalid pattern should fall back to equality")
	}
}
