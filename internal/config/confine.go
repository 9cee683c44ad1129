package config

import (
	"fmt"
	"path/filepath"
	"sort"
	"strings"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
)

// The repository directories named in .gitopsctl.yaml (configsRepo.path and
// the values of repos:) come from the repository being read, which on a pull
// request is untrusted: a mapping to "/" would let an Application read any
// file of the machine. So a mapping must resolve (links followed) inside a
// directory the caller chose:
//
//   - the gitops-repo (--repo, or where .gitopsctl.yaml was found) and the
//     directory holding the config file (--config);
//   - --configs, when given;
//   - when --configs is not given, a directory next to the gitops-repo (a
//     child of its parent whose name does not start with "."), or below one:
//     the scaffolded configsRepo.path is ../configs-repo. Passing --configs
//     withdraws this: then only --repo and --configs are read.
//
// In every case a mapping into a .git directory is refused.

// MappedDir resolves a directory named in the config (configsRepo.path, a
// repos: value) to an absolute path: relative paths are relative to the
// gitops-repo root. CheckRepoDirs says whether it may be read.
func (l *Loaded) MappedDir(p string) string {
	if !filepath.IsAbs(p) {
		p = filepath.Join(l.RepoDir, p)
	}
	return filepath.Clean(p)
}

// MappingError reports a repository directory in the config that resolves
// outside the directories gitopsctl may read.
type MappingError struct {
	File string // the config file
	Line int    // 1-based line of the key, 0 when unknown
	Key  string // configsRepo.path, or repos: "<url>"
	Path string // the value as written
	Dir  string // what it resolves to (links followed)
	Why  string // why it is refused and what to do
}

func (e *MappingError) Error() string {
	where := e.File
	if e.Line > 0 {
		where = fmt.Sprintf("%s:%d", e.File, e.Line)
	}
	return fmt.Sprintf("%s: %s: %q resolves to %s, %s", where, e.Key, e.Path, e.Dir, e.Why)
}

// CheckRepoDirs checks that configsRepo.path (unless --configs overrides it)
// and every repos: directory of the config file resolve inside the
// directories the caller chose (see the comment above MappedDir);
// the first offending key is a *MappingError naming the file, the key and
// the fix. A Loaded built in code rather than by Load is trusted as is.
func (l *Loaded) CheckRepoDirs() error {
	if !l.loaded {
		return nil
	}
	if l.configsByKey {
		fix := "pass --configs DIR to name the configs-repo explicitly"
		if err := l.checkMapping(fieldLine(l.data, "configsRepo", "path"), "configsRepo.path", l.ConfigsRepo.Path, fix); err != nil {
			return err
		}
	}
	urls := make([]string, 0, len(l.Repos))
	for u := range l.Repos {
		urls = append(urls, u)
	}
	sort.Strings(urls)
	for _, u := range urls {
		fix := "check that repository out inside the gitops-repo or next to it"
		if l.configsFlag != "" {
			fix = "check that repository out inside the gitops-repo or --configs"
		}
		if err := l.checkMapping(fieldLine(l.data, "repos", u), fmt.Sprintf("repos: %q", u), l.Repos[u], fix); err != nil {
			return err
		}
	}
	return nil
}

func (l *Loaded) checkMapping(line int, key, p, fix string) error {
	dir := resolveExisting(l.MappedDir(p))
	fail := func(why string) error {
		return &MappingError{File: l.File, Line: line, Key: key, Path: p, Dir: dir, Why: why}
	}
	roots := []string{l.RepoDir}
	if l.File != "" {
		roots = append(roots, filepath.Dir(l.File))
	}
	if l.configsFlag != "" {
		roots = append(roots, l.configsFlag)
	}
	for _, r := range roots {
		if rel, ok := within(resolveExisting(r), dir); ok {
			if hasGitDir(rel) {
				return fail("inside git's own directory (.git); " + fix)
			}
			return nil
		}
	}
	parent := resolveExisting(filepath.Dir(l.RepoDir))
	if rel, ok := within(parent, dir); ok && l.configsFlag == "" && rel != "." {
		switch {
		case strings.HasPrefix(rel, "."):
			return fail(fmt.Sprintf("a hidden directory next to the gitops-repo, which gitopsctl does not read; %s", fix))
		case hasGitDir(rel):
			return fail("inside git's own directory (.git); " + fix)
		}
		return nil
	}
	var allowed string
	if l.configsFlag != "" {
		allowed = fmt.Sprintf("outside the gitops-repo (%s) and --configs (%s), the only directories gitopsctl reads when --configs is given; %s", l.RepoDir, l.configsFlag, fix)
	} else {
		allowed = fmt.Sprintf("outside the gitops-repo (%s) and the directories next to it in %s, the only directories gitopsctl reads; %s", l.RepoDir, parent, fix)
	}
	return fail(allowed)
}

// within reports whether p is root or below it, and p relative to root.
func within(root, p string) (string, bool) {
	rel, err := filepath.Rel(root, p)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) || filepath.IsAbs(rel) {
		return "", false
	}
	return rel, true
}

func hasGitDir(rel string) bool {
	for _, c := range strings.Split(filepath.ToSlash(rel), "/") {
		if strings.EqualFold(c, ".git") {
			return true
		}
	}
	return false
}

// resolveExisting follows symbolic links in the longest existing prefix of
// the absolute path p and keeps the rest as written.
func resolveExisting(p string) string {
	p = filepath.Clean(p)
	if r, err := filepath.EvalSymlinks(p); err == nil {
		return r
	}
	parent := filepath.Dir(p)
	if parent == p {
		return p
	}
	return filepath.Join(resolveExisting(parent), filepath.Base(p))
}

// fieldLine is the 1-based line of the key at the end of keys in a YAML
// document (0 when absent).
func fieldLine(data []byte, keys ...string) int {
	f, err := parser.ParseBytes(data, 0)
	if err != nil || len(f.Docs) == 0 {
		return 0
	}
	n, line := f.Docs[0].Body, 0
	for _, k := range keys {
		var next ast.Node
		for _, mv := range mappingValues(n) {
			if tk := mv.Key.GetToken(); tk != nil && tk.Value == k {
				next, line = mv.Value, tk.Position.Line
				break
			}
		}
		if next == nil {
			return 0
		}
		n = next
	}
	return line
}

func mappingValues(n ast.Node) []*ast.MappingValueNode {
	switch t := n.(type) {
	case *ast.MappingNode:
		return t.Values
	case *ast.MappingValueNode:
		return []*ast.MappingValueNode{t}
	}
	return nil
}
