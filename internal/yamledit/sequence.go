package yamledit

import (
	"fmt"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
)

// AppendItem appends an entry to the block sequence at path (the last
// element names the key holding the sequence; the mappings before it must
// exist, except that a missing top-level key is created at the end of the
// file). item is the entry's YAML text without the leading "- " and without
// indentation, one or more lines. Nothing else of the file changes; the
// result must parse.
func (d *Doc) AppendItem(path []string, item string) ([]byte, error) {
	if len(path) == 0 {
		return nil, fmt.Errorf("%s: empty key path", d.name)
	}
	dotted := strings.Join(path, ".")
	parent, key := path[:len(path)-1], path[len(path)-1]
	_, m, found, err := d.walk(parent)
	if err != nil {
		return nil, err
	}
	if found < len(parent) || (m == nil && len(parent) > 0) {
		return nil, fmt.Errorf("%s: no mapping %s to add %s to", d.name, strings.Join(parent, "."), key)
	}
	lines := strings.Split(strings.TrimRight(item, "\n"), "\n")
	entry := func(indent string) string {
		var b strings.Builder
		for i, l := range lines {
			switch {
			case i == 0:
				b.WriteString(indent + "- " + l + "\n")
			case l == "":
				b.WriteString("\n")
			default:
				b.WriteString(indent + "  " + l + "\n")
			}
		}
		return b.String()
	}
	mv := find(m, key)
	var out []byte
	switch {
	case mv == nil:
		if len(parent) > 0 {
			return nil, fmt.Errorf("%s: no %s to append to", d.name, dotted)
		}
		out = insertLines(d.src, len(d.src), key+":\n"+entry(Indent))
	default:
		switch v := mv.Value.(type) {
		case *ast.SequenceNode:
			if v.IsFlowStyle {
				return nil, d.errAt(v, "%s is a flow sequence ([...]); write it as a block sequence", dotted)
			}
			col := v.GetToken().Position.Column - 1
			at := d.lineEnd(d.valueEnd(v))
			out = insertLines(d.src, at, entry(strings.Repeat(" ", col)))
		case *ast.NullNode:
			if !d.implicitNull(v) {
				return nil, d.errAt(v, "%s is null; write it as an empty key (%s:) or a block sequence", dotted, key)
			}
			keyCol := mv.Key.GetToken().Position.Column - 1
			at := d.lineEnd(d.offset(mv.Key.GetToken().Position))
			out = insertLines(d.src, at, entry(strings.Repeat(" ", keyCol)+Indent))
		default:
			return nil, d.errAt(mv.Value, "%s must be a sequence, found %s", dotted, kind(mv.Value))
		}
	}
	if _, err := Parse(d.name, out); err != nil {
		return nil, fmt.Errorf("%s: refusing the edit of %s: %w", d.name, dotted, err)
	}
	return out, nil
}

// AppendItemsAt appends scalar entries to the block sequence found at a
// YAML path such as "$.spec.sources[0].helm.valueFiles" (goccy/go-yaml path
// syntax). Nothing else of the file changes; the result must parse.
func (d *Doc) AppendItemsAt(yamlPath string, items ...string) ([]byte, error) {
	p, err := yaml.PathString(yamlPath)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", d.name, err)
	}
	f, err := parser.ParseBytes(d.src, parser.ParseComments)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", d.name, err)
	}
	n, err := p.FilterFile(f)
	if err != nil {
		return nil, fmt.Errorf("%s: no %s: %w", d.name, yamlPath, err)
	}
	seq, ok := n.(*ast.SequenceNode)
	if !ok || seq.IsFlowStyle || len(seq.Values) == 0 {
		return nil, d.errAt(n, "%s must be a non-empty block sequence to append to", yamlPath)
	}
	col := seq.GetToken().Position.Column - 1
	var b strings.Builder
	for _, it := range items {
		text, err := FormatScalar(it)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", d.name, err)
		}
		b.WriteString(strings.Repeat(" ", col) + "- " + text + "\n")
	}
	out := insertLines(d.src, d.lineEnd(d.valueEnd(seq)), b.String())
	if _, err := Parse(d.name, out); err != nil {
		return nil, fmt.Errorf("%s: refusing the edit of %s: %w", d.name, yamlPath, err)
	}
	return out, nil
}
