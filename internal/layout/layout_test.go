package layout

import (
	"strings"
	"testing"
)

func TestIsLocalFile(t *testing.T) {
	for p, want := range map[string]bool{
		"backend/secrets.local.env":              true,
		"/abs/configs/backend/secrets.local.env": true,
		"secrets.local.state":                    true,
		"backend/SECRETS.LOCAL.ENV":              true,
		"backend/x.local.env.tmp-123":            true,
		"backend/x.local.state.tmp-9":            true,
		"dir.local.env/values.yaml":              true,
		"./backend//secrets.local.env":           true,
		"backend/config.yaml":                    false,
		"backend/secrets.yaml":                   false,
		"backend/local.env":                      false,
		"backend/secrets.local.envx":             false,
		"backend/secrets.local.env.bak":          false,
		"":                                       false,
		".":                                      false,
	} {
		if got := IsLocalFile(p); got != want {
			t.Errorf("IsLocalFile(%q) = %v, want %v", p, got, want)
		}
	}
}

// The predicate and the configs-repo .gitignore agree on what is local.
func TestLocalPatternsAreIgnored(t *testing.T) {
	var ignored []string
	for _, l := range strings.Split(ConfigsGitignore, "\n") {
		if l != "" && !strings.HasPrefix(l, "#") {
			ignored = append(ignored, l)
		}
	}
	if strings.Join(ignored, " ") != strings.Join(LocalPatterns, " ") {
		t.Fatalf("ConfigsGitignore patterns %q != LocalPatterns %q", ignored, LocalPatterns)
	}
	for _, p := range []string{PlaintextFile, SealStateFile} {
		if !IsLocalFile(p) {
			t.Errorf("%s is not local", p)
		}
	}
}

func TestLocalPattern(t *testing.T) {
	for p, want := range map[string]string{
		"backend/secrets.local.env":     "*.local.env",
		"backend/secrets.local.state":   "*.local.state",
		"x/.secrets.local.env.tmp-123":  "*.local.env.tmp-*",
		"dir.local.state/values.yaml":   "*.local.state",
		"backend/secrets.local.env.bak": "",
	} {
		if got := LocalPattern(p); got != want {
			t.Errorf("LocalPattern(%q) = %q, want %q", p, got, want)
		}
	}
}

// LocalPattern answers "no" without matching when a path has no ".local.":
// that is sound only while every pattern needs it.
func TestLocalPatternsNeedLocalDot(t *testing.T) {
	for _, p := range LocalPatterns {
		if !strings.Contains(p, ".local.") {
			t.Errorf("pattern %q does not contain .local.: LocalPattern's fast path would miss it", p)
		}
	}
	if !IsLocalFile("a/B.LoCaL.EnV") || IsLocalFile("a/b.locAl-env") {
		t.Error("the case-insensitive fast path is wrong")
	}
}
