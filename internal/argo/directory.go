package argo

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path"
	"regexp"
	"strings"

	goyaml "github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/parser"
	utiljson "k8s.io/apimachinery/pkg/util/json"
	"sigs.k8s.io/yaml"

	"github.com/gitopsctl/gitopsctl/internal/gitrepo"
	"github.com/gitopsctl/gitopsctl/internal/safeyaml"
)

// Source types, as Argo CD names them.
const (
	SourceTypeHelm      = "Helm"
	SourceTypeKustomize = "Kustomize"
	SourceTypeDirectory = "Directory"
	SourceTypePlugin    = "Plugin"
)

// SkipFileRenderingMarker in a file's content keeps a Directory source from rendering it.
const SkipFileRenderingMarker = "+argocd:skip-file-rendering"

// manifestFileRE is the file names a Directory source reads.
var manifestFileRE = regexp.MustCompile(`\.(yaml|yml|json|jsonnet)$`)

// SourceType decides how a source at dir renders: an explicit helm,
// kustomize, directory or plugin block wins (more than one is an error);
// otherwise the files in dir decide (see DiscoverType). A chart source
// (Helm repository) is Helm.
func SourceType(r *gitrepo.Repo, dir string, s ApplicationSource) (string, error) {
	var set []string
	if s.Helm != nil {
		set = append(set, SourceTypeHelm)
	}
	if s.Kustomize != nil {
		set = append(set, SourceTypeKustomize)
	}
	if s.Directory != nil {
		set = append(set, SourceTypeDirectory)
	}
	if s.Plugin != nil {
		set = append(set, SourceTypePlugin)
	}
	if len(set) > 1 {
		return "", fmt.Errorf("multiple application sources defined: %s", strings.Join(set, ","))
	}
	if len(set) == 1 {
		return set[0], nil
	}
	if s.Chart != "" {
		return SourceTypeHelm, nil
	}
	if r != nil {
		return DiscoverType(r, dir)
	}
	return SourceTypeDirectory, nil
}

// DirectoryFiles lists, in lexical walk order, the manifest files a Directory
// source at dir reads (paths relative to dir): names ending in .yaml, .yml,
// .json or .jsonnet, only the top level unless recurse (links to
// directories are not followed, links to files are), exclude applied
// before include (Match globs on the relative path, without separators:
// "*" crosses "/"; a pattern that does not compile matches nothing).
func DirectoryFiles(r *gitrepo.Repo, dir string, d *ApplicationSourceDirectory) ([]string, error) {
	if d == nil {
		d = &ApplicationSourceDirectory{}
	}
	var out []string
	err := r.Walk(dir, gitrepo.WalkOptions{Recurse: d.Recurse}, func(rel, _ string) error {
		if !manifestFileRE.MatchString(path.Base(rel)) {
			return nil
		}
		if d.Exclude != "" && Match(d.Exclude, rel) {
			return nil
		}
		if d.Include != "" && !Match(d.Include, rel) {
			return nil
		}
		out = append(out, rel)
		return nil
	})
	return out, err
}

// Doc is one document of a YAML stream.
type Doc struct {
	// Start is the 1-based line of the file Data begins on.
	Start int
	// Line is the 1-based line of the document's first content line
	// (comments and blank lines skipped).
	Line int
	// Data is the document's text.
	Data []byte
}

// SplitDocuments splits a YAML stream at "---" separator lines. Every
// document is returned, empty ones included; Line is the first line of the
// document's content (after the separator).
func SplitDocuments(data []byte) []Doc {
	var docs []Doc
	start, startLine := 0, 1
	line := 1
	for i := 0; i <= len(data); {
		end := bytes.IndexByte(data[i:], '\n')
		var l []byte
		next := len(data) + 1
		if end < 0 {
			l = data[i:]
		} else {
			l = data[i : i+end]
			next = i + end + 1
		}
		if isDocSeparator(l) {
			docs = append(docs, Doc{Start: startLine, Line: startLine, Data: data[start:i]})
			start, startLine = min(next, len(data)), line+1
		}
		i = next
		line++
	}
	docs = append(docs, Doc{Start: startLine, Line: startLine, Data: data[start:]})
	for k := range docs {
		docs[k].Line += leadingBlankLines(docs[k].Data)
	}
	return docs
}

func isDocSeparator(l []byte) bool {
	l = bytes.TrimRight(l, "\r")
	if !bytes.HasPrefix(l, []byte("---")) {
		return false
	}
	rest := l[3:]
	return len(rest) == 0 || rest[0] == ' ' || rest[0] == '\t'
}

// leadingBlankLines counts blank and comment lines before a document's content.
func leadingBlankLines(d []byte) int {
	n := 0
	for len(d) > 0 {
		end := bytes.IndexByte(d, '\n')
		if end < 0 {
			return n
		}
		l := bytes.TrimSpace(d[:end])
		if len(l) > 0 && l[0] != '#' {
			return n
		}
		n++
		d = d[end+1:]
	}
	return n
}

// FileObject is one object read from a manifest file.
type FileObject struct {
	// Start is the 1-based line Doc begins on.
	Start int
	// Line is the 1-based line the object's content starts on.
	Line int
	// Doc is the document's text (for strict decoding with positions).
	Doc []byte
	// Object is the decoded object.
	Object map[string]any
}

// ParseManifestFile reads the objects of one Directory-source file as Argo
// CD does: .json files hold one object; YAML files may hold several
// documents (empty and null ones are dropped). A YAML file that fails to
// parse is ignored unless it looks like a resource (contains "apiVersion:",
// "kind:" and "metadata:"); then, or when some of its documents parsed, it
// is an error. A file carrying SkipFileRenderingMarker yields nothing.
// jsonnet is not evaluated offline: it is an error.
func ParseManifestFile(name string, data []byte) ([]FileObject, error) {
	if bytes.Contains(data, []byte(SkipFileRenderingMarker)) {
		return nil, nil
	}
	if err := safeyaml.Manifests.Check(name, data); err != nil {
		return nil, err
	}
	switch {
	case strings.HasSuffix(name, ".jsonnet"):
		return nil, fmt.Errorf("%s: jsonnet manifests are not supported offline", name)
	case strings.HasSuffix(name, ".json"):
		if !json.Valid(data) {
			var v any
			return nil, fmt.Errorf("%s: failed to unmarshal: %w", name, json.Unmarshal(data, &v))
		}
		obj, err := DecodeObject(data)
		if err != nil {
			return nil, fmt.Errorf("%s: failed to unmarshal: %w", name, err)
		}
		if obj == nil {
			return nil, nil
		}
		return []FileObject{{Start: 1, Line: 1, Doc: data, Object: obj}}, nil
	}
	var out []FileObject
	for _, d := range SplitDocuments(data) {
		obj, err := DecodeObject(d.Data)
		if err != nil {
			looksLike := bytes.Contains(data, []byte("apiVersion:")) && bytes.Contains(data, []byte("kind:")) && bytes.Contains(data, []byte("metadata:"))
			if len(out) > 0 || looksLike {
				return nil, fmt.Errorf("%s:%d: failed to unmarshal: %w", name, d.Line, err)
			}
			return nil, nil
		}
		if obj == nil {
			continue
		}
		out = append(out, FileObject{Start: d.Start, Line: d.Line, Doc: d.Data, Object: obj})
	}
	return out, nil
}

// DecodeObject decodes one YAML/JSON document into a Kubernetes object map
// as Argo CD does (YAML to JSON, then Kubernetes' JSON decoding: whole
// numbers become int64). Empty and null documents give nil; a document
// without kind is an error.
func DecodeObject(doc []byte) (map[string]any, error) {
	j, err := yaml.YAMLToJSON(doc)
	if err != nil {
		return nil, err
	}
	j = bytes.TrimSpace(j)
	if len(j) == 0 || bytes.Equal(j, []byte("null")) || bytes.Equal(j, []byte("{}")) {
		return nil, nil
	}
	if j[0] != '{' {
		return nil, fmt.Errorf("a manifest must be a YAML mapping, got: %s", oneLine(doc))
	}
	var obj map[string]any
	if err := utiljson.Unmarshal(j, &obj); err != nil {
		return nil, err
	}
	if _, ok := obj["kind"]; !ok {
		return nil, fmt.Errorf("Object 'Kind' is missing in '%s'", oneLine(j))
	}
	return obj, nil
}

func oneLine(b []byte) string {
	s := strings.Join(strings.Fields(string(b)), " ")
	if len(s) > 80 {
		s = s[:77] + "..."
	}
	return s
}

// IsApplication reports whether obj is an Argo CD Application.
func IsApplication(obj map[string]any) bool { return isArgoKind(obj, KindApp) }

// IsAppProject reports whether obj is an Argo CD AppProject.
func IsAppProject(obj map[string]any) bool { return isArgoKind(obj, KindProject) }

func isArgoKind(obj map[string]any, kind string) bool {
	k, _ := obj["kind"].(string)
	av, _ := obj["apiVersion"].(string)
	return k == kind && strings.HasPrefix(av, Group+"/")
}

// FieldLine returns the 1-based line, within doc, of the node at a YAML
// path such as "$.spec.sources[0].helm.valueFiles[1]" (0 when not found).
func FieldLine(doc []byte, yamlPath string) int {
	p, err := goyaml.PathString(yamlPath)
	if err != nil {
		return 0
	}
	f, err := parser.ParseBytes(doc, 0)
	if err != nil {
		return 0
	}
	n, err := p.FilterFile(f)
	if err != nil || n == nil || n.GetToken() == nil {
		return 0
	}
	return n.GetToken().Position.Line
}
