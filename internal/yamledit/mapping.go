package yamledit

// Doc edits string mappings inside YAML value files (such as config.yaml's
// `config:` and secrets.yaml's `sealedSecrets.encryptedData`) by splicing
// text: every byte outside the edited entry stays as it was, so comments,
// blank lines, quoting style and key order survive. goccy/go-yaml is used
// only to parse and to locate nodes.

import (
	"bytes"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
	"github.com/goccy/go-yaml/token"

	"github.com/gitopsctl/gitopsctl/internal/safeyaml"
)

// Indent is the indentation used for entries this package creates.
const Indent = "  "

// Doc is one parsed YAML file holding a single top-level mapping.
type Doc struct {
	name  string
	src   []byte
	body  *ast.MappingNode // nil for an empty document
	lines []int            // byte offset of each line start
}

// Entry is one key of a mapping with its scalar value.
type Entry struct {
	Key   string
	Value string
	Line  int
}

// Parse parses src; name is used in error messages.
func Parse(name string, src []byte) (*Doc, error) {
	if err := safeyaml.Check(name, src); err != nil {
		return nil, err
	}
	d := &Doc{name: name, src: src}
	d.lines = append(d.lines, 0)
	for i, c := range src {
		if c == '\n' {
			d.lines = append(d.lines, i+1)
		}
	}
	f, err := parser.ParseBytes(src, parser.ParseComments)
	if err != nil {
		var ye yaml.Error
		if errors.As(err, &ye) && ye.GetToken() != nil && ye.GetToken().Position != nil {
			return nil, &Error{File: name, Line: ye.GetToken().Position.Line, Msg: ye.GetMessage()}
		}
		return nil, &Error{File: name, Msg: err.Error()}
	}
	var bodies []ast.Node
	for _, doc := range f.Docs {
		if doc.Body == nil {
			continue
		}
		if _, ok := doc.Body.(*ast.CommentGroupNode); ok {
			continue
		}
		bodies = append(bodies, doc.Body)
	}
	switch len(bodies) {
	case 0:
		return d, nil
	case 1:
	default:
		return nil, d.errAt(bodies[1], "more than one YAML document")
	}
	m, ok := bodies[0].(*ast.MappingNode)
	if !ok {
		return nil, d.errAt(bodies[0], "the top level must be a mapping, found %s", kind(bodies[0]))
	}
	if m.IsFlowStyle {
		return nil, d.errAt(m, "the top level is a flow mapping ({...}); gitopsctl edits block mappings")
	}
	if err := d.checkDuplicates(m); err != nil {
		return nil, err
	}
	d.body = m
	return d, nil
}

// Bytes returns the document's source.
func (d *Doc) Bytes() []byte { return d.src }

func (d *Doc) errAt(n ast.Node, format string, a ...any) error {
	line := 0
	if tk := n.GetToken(); tk != nil && tk.Position != nil {
		line = tk.Position.Line
	}
	return &Error{File: d.name, Line: line, Msg: fmt.Sprintf(format, a...)}
}

func kind(n ast.Node) string {
	switch n.(type) {
	case *ast.MappingNode:
		return "a mapping"
	case *ast.SequenceNode:
		return "a list"
	case *ast.NullNode:
		return "null"
	default:
		return "a scalar"
	}
}

func (d *Doc) checkDuplicates(m *ast.MappingNode) error {
	seen := map[string]int{}
	for _, mv := range m.Values {
		k := entryKey(mv)
		if first, ok := seen[k]; ok {
			return d.errAt(mv.Key, "duplicate key %q (first on line %d)", k, first)
		}
		seen[k] = mv.Key.GetToken().Position.Line
		if sub, ok := mv.Value.(*ast.MappingNode); ok {
			if err := d.checkDuplicates(sub); err != nil {
				return err
			}
		}
	}
	return nil
}

func entryKey(mv *ast.MappingValueNode) string {
	return mv.Key.GetToken().Value
}

// find returns the entry key of m, or nil.
func find(m *ast.MappingNode, key string) *ast.MappingValueNode {
	if m == nil {
		return nil
	}
	for _, mv := range m.Values {
		if entryKey(mv) == key {
			return mv
		}
	}
	return nil
}

// walk follows path from the top level. It returns the deepest mapping
// reached, the entry holding it (nil for the top level), and how many path
// elements were found. A path element whose value is null or {} counts as
// found with an empty mapping (m == nil, holder set).
func (d *Doc) walk(path []string) (holder *ast.MappingValueNode, m *ast.MappingNode, found int, err error) {
	m = d.body
	for i, p := range path {
		mv := find(m, p)
		if mv == nil {
			return holder, m, i, nil
		}
		switch v := mv.Value.(type) {
		case *ast.MappingNode:
			if v.IsFlowStyle && len(v.Values) > 0 {
				return nil, nil, 0, d.errAt(v, "%s is a flow mapping ({...}); write it as a block mapping", strings.Join(path[:i+1], "."))
			}
			holder, m = mv, v
			if v.IsFlowStyle {
				m = nil
			}
		case *ast.NullNode:
			holder, m = mv, nil
		default:
			return nil, nil, 0, d.errAt(mv.Value, "%s must be a mapping, found %s", strings.Join(path[:i+1], "."), kind(mv.Value))
		}
		if m == nil && i < len(path)-1 {
			return holder, nil, i + 1, nil
		}
	}
	return holder, m, len(path), nil
}

// Entries returns the entries of the mapping at path in file order. A
// missing, null or empty mapping has none. Values must be scalars.
func (d *Doc) Entries(path ...string) ([]Entry, error) {
	_, m, found, err := d.walk(path)
	if err != nil || found < len(path) || m == nil {
		return nil, err
	}
	var out []Entry
	for _, mv := range m.Values {
		v, err := d.scalar(mv, path)
		if err != nil {
			return nil, err
		}
		out = append(out, Entry{Key: entryKey(mv), Value: v, Line: mv.Key.GetToken().Position.Line})
	}
	return out, nil
}

// Get returns the scalar at path + key.
func (d *Doc) Get(path []string, key string) (string, bool, error) {
	_, m, found, err := d.walk(path)
	if err != nil || found < len(path) || m == nil {
		return "", false, err
	}
	mv := find(m, key)
	if mv == nil {
		return "", false, nil
	}
	v, err := d.scalar(mv, path)
	return v, err == nil, err
}

func (d *Doc) scalar(mv *ast.MappingValueNode, path []string) (string, error) {
	switch v := mv.Value.(type) {
	case *ast.StringNode:
		return v.Value, nil
	case *ast.LiteralNode:
		return v.Value.Value, nil
	case *ast.NullNode:
		return "", nil
	case *ast.MappingNode, *ast.SequenceNode, *ast.AnchorNode, *ast.AliasNode, *ast.TagNode, *ast.MappingValueNode:
		return "", d.errAt(mv.Value, "%s must be a plain value, found %s", strings.Join(append(append([]string{}, path...), entryKey(mv)), "."), kind(mv.Value))
	default:
		return v.GetToken().Value, nil
	}
}

// offset converts a token position (1-based line, 1-based rune column) to a
// byte offset in src.
func (d *Doc) offset(p *token.Position) int {
	if p.Line-1 >= len(d.lines) {
		return len(d.src)
	}
	off := d.lines[p.Line-1]
	for col := 1; col < p.Column && off < len(d.src) && d.src[off] != '\n'; col++ {
		_, n := utf8.DecodeRune(d.src[off:])
		off += n
	}
	return off
}

// lastToken returns the last source token of node n.
func lastToken(n ast.Node) *token.Token {
	switch v := n.(type) {
	case *ast.MappingNode:
		if v.IsFlowStyle || len(v.Values) == 0 {
			if v.End != nil {
				return v.End
			}
			return v.GetToken()
		}
		return lastToken(v.Values[len(v.Values)-1])
	case *ast.MappingValueNode:
		return lastToken(v.Value)
	case *ast.SequenceNode:
		if v.IsFlowStyle || len(v.Values) == 0 {
			if v.End != nil {
				return v.End
			}
			return v.GetToken()
		}
		return lastToken(v.Values[len(v.Values)-1])
	case *ast.LiteralNode:
		return v.Value.GetToken()
	case *ast.TagNode:
		return lastToken(v.Value)
	case *ast.AnchorNode:
		return lastToken(v.Value)
	}
	return n.GetToken()
}

// valueEnd returns the offset just after the text of node n (before any
// trailing blanks or comment).
func (d *Doc) valueEnd(n ast.Node) int {
	next := lastToken(n).Next
	end := len(d.src)
	if next != nil && next.Position != nil {
		end = d.offset(next.Position)
	}
	for end > 0 && strings.IndexByte(" \t\r\n", d.src[end-1]) >= 0 {
		end--
	}
	// A document separator or comment token is the next token: back up
	// over blank space only, which the loop did.
	return end
}

// lineEnd returns the offset after the newline ending the line holding off.
func (d *Doc) lineEnd(off int) int {
	if i := bytes.IndexByte(d.src[off:], '\n'); i >= 0 {
		return off + i + 1
	}
	return len(d.src)
}

func (d *Doc) lineStart(off int) int {
	return bytes.LastIndexByte(d.src[:off], '\n') + 1
}

// implicitNull reports whether a null node has no text of its own (`key:`).
func (d *Doc) implicitNull(n *ast.NullNode) bool {
	tk := n.GetToken()
	off := d.offset(tk.Position)
	return !bytes.HasPrefix(d.src[off:], []byte(tk.Value)) || d.offset(tk.Position) >= d.lineEnd(d.offset(tk.Position))
}

// Set sets key to value in the mapping at path, creating the mapping (and
// its parents) when missing. It returns the new source; nothing else of the
// file changes.
func (d *Doc) Set(path []string, key, value string) ([]byte, error) {
	return d.SetBefore(path, key, value, "")
}

// SetBefore is Set, except that a new key goes just before the entry
// before (when the mapping has it) instead of at the end.
func (d *Doc) SetBefore(path []string, key, value, before string) ([]byte, error) {
	text, err := FormatScalar(value)
	if err != nil {
		return nil, fmt.Errorf("%s: %s: %w", d.name, key, err)
	}
	ktext, err := FormatScalar(key)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", d.name, err)
	}
	holder, m, found, err := d.walk(path)
	if err != nil {
		return nil, err
	}
	if found == len(path) && m != nil {
		if mv := find(m, key); mv != nil {
			if cur, err := d.scalar(mv, path); err == nil && cur == value {
				if _, isStr := mv.Value.(*ast.StringNode); isStr {
					return d.src, nil
				}
			}
			start := d.offset(mv.Value.GetToken().Position)
			if lit, ok := mv.Value.(*ast.LiteralNode); ok {
				start = d.offset(lit.Start.Position)
			}
			if _, ok := mv.Value.(*ast.NullNode); ok && d.implicitNull(mv.Value.(*ast.NullNode)) {
				start = d.offset(mv.Start.Position) + 1
				return spliceBytes(d.src, start, start, " "+text), nil
			}
			return spliceBytes(d.src, start, d.valueEnd(mv.Value), text), nil
		}
	}
	// Lines to add: the missing path elements, then the entry.
	var b strings.Builder
	depth := 0
	for _, p := range path[found:] {
		pt, err := FormatScalar(p)
		if err != nil {
			return nil, err
		}
		b.WriteString(strings.Repeat(Indent, depth) + pt + ":\n")
		depth++
	}
	b.WriteString(strings.Repeat(Indent, depth) + ktext + ": " + text + "\n")
	add := b.String()

	switch {
	case m != nil && found == len(path) && find(m, before) != nil:
		mv := find(m, before)
		at := d.lineStart(d.offset(mv.Key.GetToken().Position))
		// Keep the comment lines just above the entry with it.
		for at > 0 {
			prev := d.lineStart(at - 1)
			if t := bytes.TrimSpace(d.src[prev:at]); len(t) == 0 || t[0] != '#' {
				break
			}
			at = prev
		}
		indent := strings.Repeat(" ", mv.Key.GetToken().Position.Column-1)
		return insertLines(d.src, at, indentLines(add, indent)), nil
	case m != nil && len(m.Values) > 0:
		// Append after the mapping's last entry, at its indentation.
		indent := strings.Repeat(" ", m.Values[0].Key.GetToken().Position.Column-1)
		at := d.lineEnd(d.valueEnd(m))
		return insertLines(d.src, at, indentLines(add, indent)), nil
	case holder != nil && (found == len(path) || m == nil):
		// The holder's value is null or {}: drop that text, add the entry
		// below the holder's line.
		indent := strings.Repeat(" ", holder.Key.GetToken().Position.Column-1) + Indent
		src := d.src
		colon := d.offset(holder.Start.Position) + 1
		var end int
		switch v := holder.Value.(type) {
		case *ast.NullNode:
			if d.implicitNull(v) {
				end = colon
			} else {
				end = d.valueEnd(v)
			}
		default:
			end = d.valueEnd(v)
		}
		at := d.lineEnd(end)
		src = insertLines(src, at, indentLines(add, indent))
		src = spliceBytes(src, colon, end, "")
		return src, nil
	default:
		// Top level (empty document, or a new top-level key).
		at := len(d.src)
		if d.body != nil && len(d.body.Values) > 0 {
			at = d.lineEnd(d.valueEnd(d.body))
		}
		return insertLines(d.src, at, add), nil
	}
}

// KV is one key and its value.
type KV struct{ Key, Value string }

// SetAll sets several keys of the mapping at path in one pass (keys already
// there are replaced in place, new ones appended in order). It is Set for
// each, without re-parsing in between.
func (d *Doc) SetAll(path []string, kvs []KV) ([]byte, error) {
	if len(kvs) == 0 {
		return d.src, nil
	}
	_, m, found, err := d.walk(path)
	if err != nil {
		return nil, err
	}
	if found < len(path) || m == nil || len(m.Values) == 0 {
		// Create the mapping with the first key, then set the rest.
		src, err := d.Set(path, kvs[0].Key, kvs[0].Value)
		if err != nil {
			return nil, err
		}
		next, err := Parse(d.name, src)
		if err != nil {
			return nil, err
		}
		return next.SetAll(path, kvs[1:])
	}
	type edit struct {
		start, end int
		text       string
	}
	var edits []edit
	var add strings.Builder
	indent := strings.Repeat(" ", m.Values[0].Key.GetToken().Position.Column-1)
	for _, kv := range kvs {
		text, err := FormatScalar(kv.Value)
		if err != nil {
			return nil, fmt.Errorf("%s: %s: %w", d.name, kv.Key, err)
		}
		mv := find(m, kv.Key)
		if mv == nil {
			ktext, err := FormatScalar(kv.Key)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", d.name, err)
			}
			add.WriteString(indent + ktext + ": " + text + "\n")
			continue
		}
		if sn, ok := mv.Value.(*ast.StringNode); ok && sn.Value == kv.Value {
			continue
		}
		if n, ok := mv.Value.(*ast.NullNode); ok && d.implicitNull(n) {
			at := d.offset(mv.Start.Position) + 1
			edits = append(edits, edit{at, at, " " + text})
			continue
		}
		start := d.offset(mv.Value.GetToken().Position)
		if lit, ok := mv.Value.(*ast.LiteralNode); ok {
			start = d.offset(lit.Start.Position)
		}
		edits = append(edits, edit{start, d.valueEnd(mv.Value), text})
	}
	if add.Len() > 0 {
		at := d.lineEnd(d.valueEnd(m))
		text := add.String()
		if at > 0 && d.src[at-1] != '\n' {
			text = "\n" + text
		}
		edits = append(edits, edit{at, at, text})
	}
	sort.SliceStable(edits, func(i, j int) bool { return edits[i].start > edits[j].start })
	src := d.src
	for _, e := range edits {
		src = spliceBytes(src, e.start, e.end, e.text)
	}
	return src, nil
}

// Delete removes key from the mapping at path and returns the new source and
// whether the key was there. A mapping left empty becomes {}.
func (d *Doc) Delete(path []string, key string) ([]byte, bool, error) {
	holder, m, found, err := d.walk(path)
	if err != nil || found < len(path) || m == nil {
		return d.src, false, err
	}
	mv := find(m, key)
	if mv == nil {
		return d.src, false, nil
	}
	start := d.lineStart(d.offset(mv.Key.GetToken().Position))
	end := d.lineEnd(d.valueEnd(mv.Value))
	src := spliceBytes(d.src, start, end, "")
	if len(m.Values) == 1 && holder != nil {
		colon := d.offset(holder.Start.Position) + 1
		src = spliceBytes(src, colon, colon, " {}")
	}
	return src, true, nil
}

func spliceBytes(src []byte, start, end int, text string) []byte {
	out := make([]byte, 0, len(src)-(end-start)+len(text))
	out = append(out, src[:start]...)
	out = append(out, text...)
	return append(out, src[end:]...)
}

// insertLines inserts whole lines at offset at (a line start or the end),
// adding a newline first when the file does not end with one.
func insertLines(src []byte, at int, lines string) []byte {
	if at > 0 && src[at-1] != '\n' {
		lines = "\n" + lines
	}
	return spliceBytes(src, at, at, lines)
}

func indentLines(s, indent string) string {
	var b strings.Builder
	for _, l := range strings.SplitAfter(s, "\n") {
		if l != "" {
			b.WriteString(indent + l)
		}
	}
	return b.String()
}

// FormatScalar returns value as a YAML scalar that every YAML 1.1 or 1.2
// reader (Helm included) reads back as exactly the string value: plain when
// that is unambiguous, else double-quoted with escapes.
func FormatScalar(value string) (string, error) {
	if !utf8.ValidString(value) {
		return "", fmt.Errorf("value is not valid UTF-8 text")
	}
	if plainSafe(value) {
		return value, nil
	}
	return strconv.Quote(value), nil
}

var ambiguous = map[string]bool{
	"y": true, "n": true, "yes": true, "no": true, "on": true, "off": true,
	"true": true, "false": true, "null": true,
}

func plainSafe(v string) bool {
	if v == "" || ambiguous[strings.ToLower(v)] {
		return false
	}
	c := v[0]
	if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c == '/') {
		return false
	}
	if v[len(v)-1] == ':' {
		return false
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		case strings.IndexByte("_./:@+=,-", c) >= 0:
		default:
			return false
		}
	}
	return true
}
