// Package check is the pre-commit gate: it renders the Applications of a
// gitops-repo/configs-repo pair and reports every problem that should stop a
// commit: render errors, objects that do not decode strictly into their
// known types, AppProject violations, plain Secrets or plaintext secret
// files in git, mutable image tags, and stale or missing sealed data.
package check

import (
	"fmt"
	"sort"

	"github.com/gitopsctl/gitopsctl/internal/render"
)

// Class is the kind of a problem.
type Class string

const (
	ClassRender    Class = "render"    // template or value-file error
	ClassDecode    Class = "decode"    // object does not decode strictly into its type
	ClassProject   Class = "project"   // AppProject violation
	ClassSecret    Class = "secret"    // a plain kind: Secret manifest tracked in git
	ClassPlaintext Class = "plaintext" // a plaintext secrets file tracked or staged
	ClassImage     Class = "image"     // image tag empty or latest
	ClassNodePort  Class = "nodeport"  // a node port claimed twice in one cluster
	ClassSealed    Class = "sealed"    // sealed data stale or missing
)

// Repo names which repository a file is in.
const (
	RepoGitops  = render.RepoGitops
	RepoConfigs = render.RepoConfigs
)

// Problem is one reason to refuse a commit.
type Problem struct {
	Class Class  `json:"class"`
	App   string `json:"app,omitempty"`
	// Repo and File locate the problem (File relative to the repo root);
	// Line is 1-based, 0 when unknown.
	Repo    string `json:"repo,omitempty"`
	File    string `json:"file,omitempty"`
	Line    int    `json:"line,omitempty"`
	Object  string `json:"object,omitempty"` // "Kind namespace/name" of a rendered object
	Message string `json:"message"`
}

func (p Problem) String() string {
	s := ""
	if p.File != "" {
		s = p.File
		if p.Line > 0 {
			s += fmt.Sprintf(":%d", p.Line)
		}
		s += ": "
	}
	s += string(p.Class) + ": "
	if p.App != "" {
		s += p.App + ": "
	}
	if p.Object != "" {
		s += p.Object + ": "
	}
	return s + p.Message
}

// sortProblems orders problems by repo, file, line, app, class, message.
func sortProblems(ps []Problem) {
	sort.SliceStable(ps, func(i, j int) bool {
		a, b := ps[i], ps[j]
		if a.Repo != b.Repo {
			return a.Repo > b.Repo // gitops before configs
		}
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		if a.App != b.App {
			return a.App < b.App
		}
		if a.Class != b.Class {
			return a.Class < b.Class
		}
		if a.Object != b.Object {
			return a.Object < b.Object
		}
		return a.Message < b.Message
	})
}
