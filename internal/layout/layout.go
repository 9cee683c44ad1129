// Package layout names the files of the two repositories gitopsctl manages,
// so that every command agrees on where things live.
package layout

import (
	"path"
	"path/filepath"
	"strings"
)

const (
	// ConfigFileName is the tool config at the gitops-repo root.
	ConfigFileName = ".gitopsctl.yaml"
	// RootAppFile is the App of Apps manifest at the gitops-repo root.
	RootAppFile = "root-app.yaml"
	// AppsDir holds every Application and AppProject manifest.
	AppsDir = "argo-apps"
	// ProjectsDir holds the AppProjects, relative to the gitops-repo root.
	ProjectsDir = "argo-apps/projects"
	// ChartsDir holds one chart per service.
	ChartsDir = "charts"

	// ServiceConfigFile is the plain env var values file of a service in the configs-repo.
	ServiceConfigFile = "config.yaml"
	// ServiceSecretsFile is the sealed env var values file of a service in the configs-repo.
	ServiceSecretsFile = "secrets.yaml"
	// PlaintextFile is the git-ignored dotenv file holding a service's
	// plaintext secrets on the machine of whoever seals them.
	PlaintextFile = "secrets.local.env"
	// SealStateFile is the git-ignored file next to PlaintextFile that lets
	// seal skip keys whose inputs did not change.
	SealStateFile = "secrets.local.state"
	// ConfigsGitignore is the content init writes to the configs-repo's
	// .gitignore; the patterns keep plaintext and seal state out of git.
	ConfigsGitignore = "# gitopsctl: plaintext secrets live only on the machine that seals them.\n" +
		"*.local.env\n" +
		"*.local.state\n" +
		"*.local.env.tmp-*\n" +
		"*.local.state.tmp-*\n"
)

// Projects are the AppProjects of the seed layout.
var Projects = []string{"app", "monitoring", "tools"}

// ChartDir is charts/<service> under the gitops-repo root.
func ChartDir(repo, service string) string { return filepath.Join(repo, ChartsDir, service) }

// ValuesFile is charts/<service>/values.yaml under the gitops-repo root.
func ValuesFile(repo, service string) string {
	return filepath.Join(ChartDir(repo, service), "values.yaml")
}

// ServiceDir is <service>/ in the configs-repo.
func ServiceDir(configs, service string) string { return filepath.Join(configs, service) }

// ConfigValuesFile is <service>/config.yaml in the configs-repo.
func ConfigValuesFile(configs, service string) string {
	return filepath.Join(configs, service, ServiceConfigFile)
}

// SecretsValuesFile is <service>/secrets.yaml in the configs-repo.
func SecretsValuesFile(configs, service string) string {
	return filepath.Join(configs, service, ServiceSecretsFile)
}

// PlaintextPath is <service>/secrets.local.env in the configs-repo.
func PlaintextPath(configs, service string) string {
	return filepath.Join(configs, service, PlaintextFile)
}

// SealStatePath is <service>/secrets.local.state in the configs-repo.
func SealStatePath(configs, service string) string {
	return filepath.Join(configs, service, SealStateFile)
}

// LocalPatterns are the base-name globs of the git-ignored files that hold
// plaintext secrets or seal state on the machine of whoever seals them
// (ConfigsGitignore lists the same patterns): first the files themselves,
// then the temporary files they are written through.
var LocalPatterns = []string{"*.local.env", "*.local.state", "*.local.env.tmp-*", "*.local.state.tmp-*"}

// IsLocalFile reports whether p (a slash or OS path, absolute or relative)
// names a local plaintext file or lies below a directory named like one:
// some component matches a LocalPatterns glob, compared case-insensitively
// (so a case-insensitive file system cannot be used to slip past it).
// Reading commands (render, diff, check) never read such a file, seal
// refuses to run while git tracks one, and check reports one git tracks.
func IsLocalFile(p string) bool { return LocalPattern(p) != "" }

// LocalPattern returns the LocalPatterns glob that makes p a local file
// (see IsLocalFile), or "" when p is none.
func LocalPattern(p string) string {
	// Every pattern needs ".local." in a component: most paths have none
	// and are answered without splitting or matching.
	if !containsFold(p, ".local.") {
		return ""
	}
	for _, c := range strings.FieldsFunc(filepath.ToSlash(p), func(r rune) bool { return r == '/' }) {
		c = strings.ToLower(c)
		for _, pat := range LocalPatterns {
			if ok, _ := path.Match(pat, c); ok {
				return pat
			}
		}
	}
	return ""
}

// containsFold reports whether s contains the lower-case ASCII sub,
// ignoring the case of ASCII letters in s (non-ASCII bytes never fold to
// ASCII ones that matter here: the patterns are ASCII).
func containsFold(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		j := 0
		for j < len(sub) {
			c := s[i+j]
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			if c != sub[j] {
				break
			}
			j++
		}
		if j == len(sub) {
			return true
		}
	}
	return false
}
