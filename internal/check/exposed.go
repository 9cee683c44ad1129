package check

import (
	"fmt"
	"path"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"

	"github.com/gitopsctl/gitopsctl/internal/dotenv"
	"github.com/gitopsctl/gitopsctl/internal/safeyaml"
	"github.com/gitopsctl/gitopsctl/internal/yamledit"
)

// ClassExposed is a config.yaml key that looks like a secret: it is
// committed in plain text and lands in a ConfigMap.
const ClassExposed Class = "exposed"

// ExposedProblems reports the keys under config: in a service's config.yaml
// that look like secrets (see dotenv.LooksSecret: a name matching one of
// patterns, or a value holding a URL with a password). The message names
// the key and the reason, never the value.
func ExposedProblems(repo, file string, data []byte, patterns []string) []Problem {
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
	svc := path.Dir(file)
	var out []Problem
	for _, kv := range root.Values {
		if kv.Key == nil || kv.Key.String() != "config" {
			continue
		}
		m, ok := yamledit.Unwrap(kv.Value).(*ast.MappingNode)
		if !ok {
			continue // ConfigValueProblems reports it
		}
		for _, e := range m.Values {
			key := e.Key.String()
			if k, ok := yamledit.Unwrap(e.Key).(ast.ScalarNode); ok {
				key = fmt.Sprint(k.GetValue()) // unquoted
			}
			value := ""
			if s, ok := yamledit.Unwrap(e.Value).(ast.ScalarNode); ok {
				value = fmt.Sprint(s.GetValue())
			}
			why := dotenv.LooksSecret(key, value, patterns)
			if why == "" {
				continue
			}
			line := 0
			if tk := e.Key.GetToken(); tk != nil && tk.Position != nil {
				line = tk.Position.Line
			}
			out = append(out, Problem{Class: ClassExposed, Repo: repo, File: file, Line: line,
				Message: fmt.Sprintf("config.%s looks like a secret (%s) and is committed in plain text: seal it (gitopsctl env set %s --secret %s moves it), or adjust sealing.secretPatterns if it is not one", key, why, svc, key)})
		}
	}
	return out
}
