package check

import (
	"bytes"
	"fmt"
	"path"
	"strings"

	"sigs.k8s.io/yaml"
)

// PlaintextPatterns match plaintext secret files (basename globs): the
// dotenv files seal reads and their temporary copies. They must never be
// tracked or staged.
var PlaintextPatterns = []string{"*.local.env", "*.local.env.tmp-*"}

// IsPlaintextFile reports whether a repository path is a plaintext secrets file.
func IsPlaintextFile(p string) bool {
	base := path.Base(p)
	for _, pat := range PlaintextPatterns {
		if ok, _ := path.Match(pat, base); ok {
			return true
		}
	}
	return false
}

// PlaintextProblems reports plaintext secret files among paths that git
// tracks or has staged.
func PlaintextProblems(repo string, paths []string, how string) []Problem {
	var out []Problem
	for _, p := range paths {
		if IsPlaintextFile(p) {
			out = append(out, Problem{Class: ClassPlaintext, Repo: repo, File: p,
				Message: fmt.Sprintf("plaintext secrets file is %s by git; unstage it (git rm --cached %s) and keep it ignored (*.local.env in .gitignore)", how, p)})
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
	for _, d := range splitDocs(data) {
		var head struct {
			APIVersion string `json:"apiVersion"`
			Kind       string `json:"kind"`
			Metadata   struct {
				Name string `json:"name"`
			} `json:"metadata"`
		}
		if err := yaml.Unmarshal(d.text, &head); err != nil {
			continue
		}
		if head.Kind != "Secret" || head.APIVersion != "v1" {
			continue
		}
		line := d.line
		if l := lineOfKind(d.text); l > 0 {
			line = d.line + l - 1
		}
		out = append(out, Problem{Class: ClassSecret, Repo: repo, File: file, Line: line,
			Message: fmt.Sprintf("plain Secret %q committed in git: its values are only base64-encoded; seal it (gitopsctl env set / seal) and delete this file", head.Metadata.Name)})
	}
	return out
}

type doc struct {
	line int // 1-based first line of the document
	text []byte
}

// splitDocs splits YAML text on "---" separator lines, remembering where
// each document starts.
func splitDocs(data []byte) []doc {
	var out []doc
	lines := bytes.SplitAfter(data, []byte("\n"))
	start, cur := 1, []byte{}
	for i, l := range lines {
		t := bytes.TrimRight(l, "\r\n")
		if bytes.Equal(t, []byte("---")) || bytes.HasPrefix(t, []byte("--- ")) {
			out = append(out, doc{start, cur})
			start, cur = i+2, []byte{}
			continue
		}
		cur = append(cur, l...)
	}
	return append(out, doc{start, cur})
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
