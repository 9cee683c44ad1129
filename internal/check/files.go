package check

import (
	"bytes"
	"fmt"
	"path"
	"strings"

	"sigs.k8s.io/yaml"

	"github.com/gitopsctl/gitopsctl/internal/argo"
	"github.com/gitopsctl/gitopsctl/internal/layout"
)

// PlaintextProblems reports, among paths that git tracks or has staged, the
// local files holding plaintext secrets or seal state (layout.LocalPattern).
func PlaintextProblems(repo string, paths []string, how string) []Problem {
	var out []Problem
	for _, p := range paths {
		if pat := layout.LocalPattern(p); pat != "" {
			out = append(out, Problem{Class: ClassPlaintext, Repo: repo, File: p,
				Message: fmt.Sprintf("plaintext secrets file is %s by git; unstage it (git rm --cached %s) and keep it ignored (%s in .gitignore)", how, p, pat)})
		}
	}
	return out
}

// manifestFile reports whether a path may hold Kubernetes manifests that
// Argo CD or a person would apply: YAML or JSON outside a chart's templates/
// directory (chart templates render through Helm and are checked rendered).
func manifestFile(p string) bool {
	switch strings.ToLower(path.Ext(p)) {
	case ".yaml", ".yml", ".json":
	default:
		return false
	}
	for _, seg := range strings.Split(path.Dir(p), "/") {
		if seg == "templates" {
			return false
		}
	}
	return true
}

// SecretFileProblems reports plain kind: Secret objects in a tracked
// manifest file: their values are only base64-encoded, i.e. in plaintext.
// data is the file's content.
func SecretFileProblems(repo, file string, data []byte) []Problem {
	if !manifestFile(file) || !bytes.Contains(data, []byte("Secret")) {
		return nil
	}
	var out []Problem
	for _, d := range argo.SplitDocuments(data) {
		var head struct {
			APIVersion string `json:"apiVersion"`
			Kind       string `json:"kind"`
			Metadata   struct {
				Name string `json:"name"`
			} `json:"metadata"`
		}
		if err := yaml.Unmarshal(d.Data, &head); err != nil {
			continue
		}
		if head.Kind != "Secret" || head.APIVersion != "v1" {
			continue
		}
		line := d.Start
		if l := lineOfKind(d.Data); l > 0 {
			line = d.Start + l - 1
		}
		out = append(out, Problem{Class: ClassSecret, Repo: repo, File: file, Line: line,
			Message: fmt.Sprintf("plain Secret %q committed in git: its values are only base64-encoded; seal it (gitopsctl env set / seal) and delete this file", head.Metadata.Name)})
	}
	return out
}

// lineOfKind finds the line of the kind field in a document.
func lineOfKind(text []byte) int {
	for i, l := range bytes.Split(text, []byte("\n")) {
		t := bytes.TrimSpace(l)
		if bytes.HasPrefix(l, []byte("kind:")) || bytes.HasPrefix(t, []byte(`"kind"`)) {
			return i + 1
		}
	}
	return 0
}
