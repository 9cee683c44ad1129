// Package scaffold creates the gitops-repo + configs-repo pair (init) and new
// services in it (new-service) from the embedded templates. Every run stages
// all files of both repositories, validates them (YAML, Argo CD types, the
// Helm chart rendered by the Helm engine) and only then moves them into
// place, undoing everything on failure.
package scaffold

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"strings"
	"text/template"

	"github.com/gitopsctl/gitopsctl/templates"
)

// file is one file to write, relative to a repository root.
type file struct {
	Path string // slash-separated, relative to the repository root
	Data []byte
}

var plainScalar = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._/:@+-]*$`)

// yamlString renders s as a YAML scalar that always reads back as the string
// s: plain when that is unambiguous, double-quoted otherwise.
func yamlString(s string) string {
	if plainScalar.MatchString(s) && !looksNonString(s) {
		return s
	}
	b, _ := json.Marshal(s) // a JSON string is a valid YAML double-quoted scalar
	return string(b)
}

// looksNonString reports whether a plain scalar would decode as something
// other than a string (number, bool, null, timestamp...).
func looksNonString(s string) bool {
	switch strings.ToLower(s) {
	case "true", "false", "yes", "no", "on", "off", "y", "n", "null", "~":
		return true
	}
	return numberLike.MatchString(s) || strings.Contains(s, ":")
}

var numberLike = regexp.MustCompile(`^[-+]?[0-9._]`)

var funcs = template.FuncMap{"q": yamlString}

// execTemplate renders one ".tmpl" file of the embedded templates.
func execTemplate(name string, data any) ([]byte, error) {
	src, err := fs.ReadFile(templates.FS, name)
	if err != nil {
		return nil, fmt.Errorf("template %s: %w", name, err)
	}
	t, err := template.New(path.Base(name)).Delims(templates.LeftDelim, templates.RightDelim).
		Funcs(funcs).Option("missingkey=error").Parse(string(src))
	if err != nil {
		return nil, fmt.Errorf("template %s: %w", name, err)
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, data); err != nil {
		return nil, fmt.Errorf("template %s: %w", name, err)
	}
	return buf.Bytes(), nil
}

// renderDir renders every file under root of the embedded templates into
// files under dest: ".tmpl" files through execTemplate, the rest verbatim.
func renderDir(root, dest string, data any) ([]file, error) {
	var out []file
	err := fs.WalkDir(templates.FS, root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel := strings.TrimPrefix(p, root+"/")
		var b []byte
		if strings.HasSuffix(p, ".tmpl") {
			rel = strings.TrimSuffix(rel, ".tmpl")
			b, err = execTemplate(p, data)
		} else {
			b, err = fs.ReadFile(templates.FS, p)
		}
		if err != nil {
			return err
		}
		out = append(out, file{Path: path.Join(dest, rel), Data: b})
		return nil
	})
	return out, err
}
