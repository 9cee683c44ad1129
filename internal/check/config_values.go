package check

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"sort"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"

	"github.com/gitopsctl/gitopsctl/internal/layout"
	"github.com/gitopsctl/gitopsctl/internal/safeyaml"
	"github.com/gitopsctl/gitopsctl/internal/yamledit"
)

// ClassConfig is a configs-repo config.yaml whose config: is not a map of
// env vars to plain values.
const ClassConfig Class = "config"

// configProblems checks the configs-repo config.yaml files the given apps
// read: config: must map names to scalars. The chart turns it into a
// ConfigMap, so a list renders keys "0", "1", ... and a nested map renders
// its Go text; both pass Helm silently.
func configProblems(ws Workspace, configsDir string, apps []string, secretPatterns []string) []Problem {
	if configsDir == "" {
		return nil
	}
	seen := map[string]bool{}
	var files []string
	for _, a := range apps {
		in, err := ws.Inputs(a)
		if err != nil {
			continue // the render reports it
		}
		for _, i := range in {
			if i.Repo == RepoConfigs && !i.Glob && path.Base(i.Path) == layout.ServiceConfigFile && !seen[i.Path] {
				seen[i.Path] = true
				files = append(files, i.Path)
			}
		}
	}
	sort.Strings(files)
	var out []Problem
	for _, f := range files {
		data, err := os.ReadFile(filepath.Join(configsDir, filepath.FromSlash(f)))
		if err != nil {
			continue // a missing value file is a render problem
		}
		out = append(out, ConfigValueProblems(RepoConfigs, f, data)...)
		out = append(out, ExposedProblems(RepoConfigs, f, data, secretPatterns)...)
	}
	return out
}

// ConfigValueProblems reports a config: in a service's config.yaml that is
// not a map of names to scalar values. Syntax errors are left to the
// render, which reports them.
func ConfigValueProblems(repo, file string, data []byte) []Problem {
	if safeyaml.Check(file, data) != nil {
		return nil // the render reports it
	}
	f, err := parser.ParseBytes(data, 0)
	if err != nil || len(f.Docs) == 0 || f.Docs[0] == nil {
		return nil
	}
	root, ok := yamledit.Unwrap(f.Docs[0].Body).(*ast.MappingNode)
	if !ok {
		return nil
	}
	problem := func(n ast.Node, format string, a ...any) Problem {
		line := 0
		if tk := n.GetToken(); tk != nil && tk.Position != nil {
			line = tk.Position.Line
		}
		return Problem{Class: ClassConfig, Repo: repo, File: file, Line: line, Message: fmt.Sprintf(format, a...)}
	}
	var out []Problem
	for _, kv := range root.Values {
		if kv.Key == nil || kv.Key.String() != "config" {
			continue
		}
		switch v := yamledit.Unwrap(kv.Value).(type) {
		case nil, *ast.NullNode:
		case *ast.MappingNode:
			for _, e := range v.Values {
				switch yamledit.Unwrap(e.Value).(type) {
				case *ast.MappingNode:
					out = append(out, problem(e.Value, "config.%s is a map: env vars are plain values (set it with gitopsctl env set %s KEY=VALUE)", e.Key.String(), path.Dir(file)))
				case *ast.SequenceNode:
					out = append(out, problem(e.Value, "config.%s is a list: env vars are plain values (set it with gitopsctl env set %s KEY=VALUE)", e.Key.String(), path.Dir(file)))
				}
			}
		case *ast.SequenceNode:
			out = append(out, problem(kv.Value, "config is a list: it must map env var names to values (the ConfigMap would get keys \"0\", \"1\", ...); write KEY: value lines or use gitopsctl env set %s KEY=VALUE", path.Dir(file)))
		default:
			out = append(out, problem(kv.Value, "config is a single value: it must map env var names to values (KEY: value lines)"))
		}
	}
	return out
}
