// Package yamledit changes one scalar of a YAML document byte-exactly.
//
// The document is parsed with goccy/go-yaml only to locate the value; the
// edit itself splices the bytes of that one scalar (or inserts one minimal
// key line), so comments, blank lines, indentation, key order, anchors,
// quoting of other values, CRLF line endings and a missing final newline
// all stay as they were. Every result is re-parsed and compared with the
// original before it is returned: exactly the one value may differ, else
// the edit is refused.
package yamledit

import (
	"bytes"
	"errors"
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
	"github.com/goccy/go-yaml/token"

	"github.com/gitopsctl/gitopsctl/internal/safeyaml"
)

// Path is a key path into nested maps, e.g. {"image", "tag"}.
type Path []string

// ParsePath splits a dotted key path ("image.tag"). Empty segments are errors.
func ParsePath(s string) (Path, error) {
	if s == "" {
		return nil, errors.New("empty key path")
	}
	p := Path(strings.Split(s, "."))
	for _, k := range p {
		if k == "" {
			return nil, fmt.Errorf("key path %q has an empty segment", s)
		}
	}
	return p, nil
}

// String is the dotted form of p.
func (p Path) String() string { return strings.Join(p, ".") }

// Style is how a scalar is written.
type Style int

const (
	// Missing means the key did not exist (or had an empty value).
	Missing Style = iota
	// Plain is an unquoted scalar.
	Plain
	// SingleQuoted is a 'single-quoted' scalar.
	SingleQuoted
	// DoubleQuoted is a "double-quoted" scalar.
	DoubleQuoted
)

func (s Style) String() string {
	switch s {
	case Plain:
		return "plain"
	case SingleQuoted:
		return "single-quoted"
	case DoubleQuoted:
		return "double-quoted"
	}
	return "missing"
}

// Error is a problem with the document or the path, at a 1-based line
// (0 when no line applies). File is set by Parse (Doc's errors); Set and
// Get leave it empty and their callers prefix the file name.
type Error struct {
	File string
	Line int
	Msg  string
}

func (e *Error) Error() string {
	switch {
	case e.File != "" && e.Line > 0:
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	case e.File != "":
		return fmt.Sprintf("%s: %s", e.File, e.Msg)
	case e.Line > 0:
		return fmt.Sprintf("line %d: %s", e.Line, e.Msg)
	}
	return e.Msg
}

func errAt(line int, format string, a ...any) error {
	return &Error{Line: line, Msg: fmt.Sprintf(format, a...)}
}

// Scalar is what Get finds at a path.
type Scalar struct {
	// Value is the scalar's value as text ("1.10" for a plain 1.10).
	Value string
	// Found is false when the key (or one of its parents) does not exist,
	// or when its value is empty (`tag:`).
	Found bool
	// Style is how the scalar is written.
	Style Style
	// IsString reports whether YAML reads the value as a string (a plain
	// 1.10 is a float, "1.10" a string).
	IsString bool
	// Line is the 1-based line of the scalar (or of its key when empty).
	Line int
}

// Change describes what Set did.
type Change struct {
	Path Path
	// Old is the previous scalar (Found false when the key was created).
	Old Scalar
	// New is the value written.
	New string
	// Changed is false when the value was already New and read as a string.
	Changed bool
	// Inserted is true when a key line (or flow entry) was added.
	Inserted bool
	// Line is the 1-based line of the new value.
	Line int
}

// Get returns the scalar at path. A path that crosses a non-map, ends at a
// non-scalar, or a document that does not parse, is an error.
func Get(src []byte, path Path) (Scalar, error) {
	d, err := load(src)
	if err != nil {
		return Scalar{}, err
	}
	loc, err := d.locate(path)
	if err != nil {
		return Scalar{}, err
	}
	if loc.scalar == nil {
		return Scalar{Line: loc.line}, nil
	}
	return loc.scalar.info(d), nil
}

// Set returns src with the scalar at path set to the string value. The value
// keeps the old scalar's quoting style when that style reads as a string,
// else it is double-quoted. A missing key is inserted with the indentation
// of its siblings (or as a flow entry in a flow map). The result is verified
// by re-parsing; src is never modified.
func Set(src []byte, path Path, value string) ([]byte, Change, error) {
	if len(path) == 0 {
		return nil, Change{}, errors.New("empty key path")
	}
	if strings.ContainsAny(value, "\n\r") {
		return nil, Change{}, errors.New("value must be a single line")
	}
	d, err := load(src)
	if err != nil {
		return nil, Change{}, err
	}
	loc, err := d.locate(path)
	if err != nil {
		return nil, Change{}, err
	}
	ch := Change{Path: path, New: value}
	var cands []splice
	if loc.scalar != nil {
		ch.Old = loc.scalar.info(d)
		ch.Line = ch.Old.Line
		if ch.Old.Value == value && ch.Old.IsString {
			return src, ch, nil
		}
		cands, err = d.replaceCandidates(loc.scalar, value)
	} else {
		ch.Old = Scalar{Line: loc.line}
		ch.Inserted = loc.emptyValue == nil
		cands, err = d.insertCandidates(loc, value)
	}
	if err != nil {
		return nil, ch, err
	}
	var lastErr error
	for _, c := range cands {
		out := d.apply(c)
		if err := Verify(src, out, path, value); err != nil {
			lastErr = err
			continue
		}
		ch.Changed = true
		if ch.Line == 0 {
			ch.Line = c.line
		}
		return out, ch, nil
	}
	return nil, ch, fmt.Errorf("%s: refusing the edit: %w", path, lastErr)
}

// doc is a parsed document plus what is needed to map positions to bytes.
type doc struct {
	orig []byte // the input, as given
	lf   []byte // orig with CRLF turned into LF (positions refer to this)
	crs  []int  // offsets in lf before which a '\r' was removed, ascending
	nl   string // the file's line ending
	// lineStart[i] is the byte offset in lf of line i+1.
	lineStart []int
	body      ast.Node
}

func load(src []byte) (*doc, error) {
	if err := safeyaml.Check("", src); err != nil {
		return nil, errAt(safeyaml.LineOf(err), "%v", err)
	}
	d := &doc{orig: src, nl: "\n"}
	if i := bytes.IndexByte(src, '\n'); i > 0 && src[i-1] == '\r' {
		d.nl = "\r\n"
	}
	if bytes.Contains(src, []byte("\r\n")) {
		d.lf = make([]byte, 0, len(src))
		for i := 0; i < len(src); i++ {
			if src[i] == '\r' && i+1 < len(src) && src[i+1] == '\n' {
				d.crs = append(d.crs, len(d.lf))
				continue
			}
			d.lf = append(d.lf, src[i])
		}
	} else {
		d.lf = src
	}
	if bytes.IndexByte(d.lf, '\r') >= 0 {
		return nil, errAt(0, "a bare carriage return (\\r) is not supported as a line break")
	}
	if !utf8.Valid(d.lf) {
		return nil, errAt(0, "not valid UTF-8")
	}
	d.lineStart = []int{0}
	for i, b := range d.lf {
		if b == '\n' {
			d.lineStart = append(d.lineStart, i+1)
		}
	}
	f, err := parser.ParseBytes(d.lf, parser.ParseComments)
	if err != nil {
		return nil, syntaxError(err)
	}
	if err := syntaxCheck(d.lf); err != nil {
		return nil, err
	}
	var docs []*ast.DocumentNode
	for _, dn := range f.Docs {
		if dn == nil || dn.Body == nil {
			continue
		}
		if _, ok := dn.Body.(*ast.CommentGroupNode); ok {
			continue
		}
		docs = append(docs, dn)
	}
	if len(docs) > 1 {
		return nil, errAt(docs[1].Body.GetToken().Position.Line, "more than one YAML document; a values file holds one")
	}
	if len(docs) == 1 {
		d.body = docs[0].Body
	}
	return d, nil
}

// syntaxError turns a goccy parse error into an Error with its line.
func syntaxError(err error) error {
	var te interface {
		GetToken() *token.Token
		GetMessage() string
	}
	if errors.As(err, &te) && te.GetToken() != nil {
		return errAt(te.GetToken().Position.Line, "invalid YAML: %s", te.GetMessage())
	}
	return errAt(0, "invalid YAML: %v", err)
}

// offset converts a 1-based line and rune column to a byte offset in d.lf.
func (d *doc) offset(line, col int) (int, bool) {
	if line < 1 || line > len(d.lineStart) || col < 1 {
		return 0, false
	}
	off := d.lineStart[line-1]
	for c := 1; c < col; c++ {
		if off >= len(d.lf) || d.lf[off] == '\n' {
			return 0, false
		}
		_, n := utf8.DecodeRune(d.lf[off:])
		off += n
	}
	return off, true
}

// lineOf is the 1-based line of a byte offset in d.lf.
func (d *doc) lineOf(off int) int {
	lo, hi := 0, len(d.lineStart)-1
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if d.lineStart[mid] <= off {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return lo + 1
}

// origOffset maps an offset in d.lf to the same place in d.orig: every
// removed '\r' that sat before a '\n' at a position < off shifts it by one.
// (An offset pointing at a '\n' maps to before its '\r'.)
func (d *doc) origOffset(off int) int {
	return off + sort.SearchInts(d.crs, off)
}

// splice replaces lf[start:end] by text (text uses "\n" line breaks).
type splice struct {
	start, end int
	text       string
	line       int
}

func (d *doc) apply(s splice) []byte {
	text := s.text
	if d.nl != "\n" {
		text = strings.ReplaceAll(text, "\n", d.nl)
	}
	start, end := d.origOffset(s.start), d.origOffset(s.end)
	out := make([]byte, 0, len(d.orig)+len(text))
	out = append(out, d.orig[:start]...)
	out = append(out, text...)
	out = append(out, d.orig[end:]...)
	return out
}

// mapEntries returns the key/value pairs of a mapping node.
func mapEntries(n ast.Node) ([]*ast.MappingValueNode, bool) {
	switch m := n.(type) {
	case *ast.MappingNode:
		return m.Values, true
	case *ast.MappingValueNode:
		return []*ast.MappingValueNode{m}, true
	}
	return nil, false
}

// Unwrap strips anchors and tags from a value node.
func Unwrap(n ast.Node) ast.Node {
	for {
		switch v := n.(type) {
		case *ast.AnchorNode:
			n = v.Value
		case *ast.TagNode:
			n = v.Value
		default:
			return n
		}
	}
}

func keyString(k ast.MapKeyNode) (string, bool) {
	switch kk := Unwrap(k).(type) {
	case *ast.StringNode:
		return kk.Value, true
	case ast.ScalarNode:
		if kk.GetToken() != nil {
			return kk.GetToken().Value, true
		}
	}
	return "", false
}

func kindOf(n ast.Node) string {
	switch Unwrap(n).(type) {
	case *ast.SequenceNode:
		return "a sequence"
	case *ast.MappingNode, *ast.MappingValueNode:
		return "a map"
	case *ast.LiteralNode:
		return "a block scalar"
	case *ast.AliasNode:
		return "an alias"
	case *ast.NullNode:
		return "null"
	case nil:
		return "empty"
	}
	return "a scalar"
}

func nodeLine(n ast.Node) int {
	if n == nil || n.GetToken() == nil {
		return 0
	}
	return n.GetToken().Position.Line
}

// location is where a path ends: either an existing scalar, or the map into
// which the missing rest of the path must be inserted.
type location struct {
	scalar *scalarRef
	// For a missing key: the deepest existing map, the keys still to create,
	// and the line of the map's key.
	parent ast.Node
	rest   Path
	line   int
	// emptyValue is set when the last key exists with an empty value (`tag:`).
	emptyValue *ast.MappingValueNode
}

type scalarRef struct {
	node  ast.Node // unwrapped scalar node
	start int      // byte offsets of its raw text in d.lf
	end   int
	style Style
	line  int
}

func (d *doc) locate(path Path) (location, error) {
	if d.body == nil {
		return location{rest: path}, nil
	}
	cur := Unwrap(d.body)
	curLine := 0
	for i, key := range path {
		where := path[:i].String()
		if where == "" {
			where = "the document"
		}
		if _, ok := cur.(*ast.AliasNode); ok {
			return location{}, errAt(nodeLine(cur), "key path %s crosses an alias at %s; edit the anchored value instead", path, where)
		}
		entries, ok := mapEntries(cur)
		if !ok {
			return location{}, errAt(nodeLine(cur), "key path %s crosses a non-map: %s is %s", path, where, kindOf(cur))
		}
		var found *ast.MappingValueNode
		for _, mv := range entries {
			if k, ok := keyString(mv.Key); ok && k == key {
				found = mv
			}
		}
		if found == nil {
			return location{parent: cur, rest: path[i:], line: curLine}, nil
		}
		curLine = nodeLine(found.Key)
		v := found.Value
		if _, isNull := Unwrap(v).(*ast.NullNode); isNull && i < len(path)-1 {
			return location{}, errAt(curLine, "key path %s crosses a non-map: %s is null", path, path[:i+1])
		}
		if i == len(path)-1 {
			return d.scalarAt(path, found, curLine)
		}
		cur = Unwrap(v)
	}
	panic("unreachable")
}

// scalarAt resolves the raw bytes of the value of mv (the last path key).
func (d *doc) scalarAt(path Path, mv *ast.MappingValueNode, keyLine int) (location, error) {
	v := mv.Value
	if _, ok := v.(*ast.AliasNode); ok {
		return location{}, errAt(keyLine, "%s is an alias; edit the anchored value instead", path)
	}
	u := Unwrap(v)
	switch n := u.(type) {
	case *ast.NullNode:
		tk := n.GetToken()
		if tk.Type == token.ImplicitNullType && u == v {
			return location{emptyValue: mv, line: keyLine, parent: mv}, nil
		}
	case *ast.LiteralNode:
		return location{}, errAt(nodeLine(n), "%s is a block scalar (| or >); only single-line scalars can be edited", path)
	case *ast.MappingNode, *ast.MappingValueNode, *ast.SequenceNode, *ast.AliasNode:
		return location{}, errAt(nodeLine(n), "%s is %s, not a scalar", path, kindOf(n))
	}
	ref, err := d.rawScalar(u)
	if err != nil {
		return location{}, errAt(nodeLine(u), "%s: %v", path, err)
	}
	return location{scalar: ref, line: ref.line}, nil
}

// rawScalar finds the exact bytes of a single-line scalar.
func (d *doc) rawScalar(n ast.Node) (*scalarRef, error) {
	tk := n.GetToken()
	if tk == nil {
		return nil, errors.New("cannot locate the value")
	}
	start, ok := d.offset(tk.Position.Line, tk.Position.Column)
	if !ok {
		return nil, errors.New("cannot locate the value")
	}
	lineEnd := bytes.IndexByte(d.lf[start:], '\n')
	if lineEnd < 0 {
		lineEnd = len(d.lf)
	} else {
		lineEnd += start
	}
	// The parser's column can be off (e.g. after a tag); look for the
	// scalar's first byte from there on, on the same line. Verify catches
	// any mislocation.
	want := []byte(tk.Value)
	switch tk.Type {
	case token.DoubleQuoteType:
		want = []byte{'"'}
	case token.SingleQuoteType:
		want = []byte{'\''}
	}
	if i := bytes.Index(d.lf[start:lineEnd], want); i > 0 {
		start += i
	}
	ref := &scalarRef{node: n, start: start, line: tk.Position.Line}
	switch tk.Type {
	case token.DoubleQuoteType:
		if d.lf[start] != '"' {
			return nil, errors.New("cannot locate the value")
		}
		i := start + 1
		for ; i < lineEnd; i++ {
			if d.lf[i] == '\\' {
				i++
				continue
			}
			if d.lf[i] == '"' {
				break
			}
		}
		if i >= lineEnd {
			return nil, errors.New("a quoted value spanning lines cannot be edited")
		}
		ref.end, ref.style = i+1, DoubleQuoted
	case token.SingleQuoteType:
		if d.lf[start] != '\'' {
			return nil, errors.New("cannot locate the value")
		}
		i := start + 1
		for ; i < lineEnd; i++ {
			if d.lf[i] == '\'' {
				if i+1 < lineEnd && d.lf[i+1] == '\'' {
					i++
					continue
				}
				break
			}
		}
		if i >= lineEnd {
			return nil, errors.New("a quoted value spanning lines cannot be edited")
		}
		ref.end, ref.style = i+1, SingleQuoted
	default:
		raw := tk.Value
		if !bytes.HasPrefix(d.lf[start:lineEnd], []byte(raw)) {
			return nil, errors.New("a plain value spanning lines cannot be edited")
		}
		ref.end, ref.style = start+len(raw), Plain
	}
	return ref, nil
}

func (r *scalarRef) info(d *doc) Scalar {
	tk := r.node.GetToken()
	s := Scalar{Value: tk.Value, Found: true, Style: r.style, Line: r.line}
	s.IsString = r.style != Plain || readsAsString(string(d.lf[r.start:r.end]), tk.Value)
	if _, isStr := r.node.(*ast.StringNode); !isStr {
		s.IsString = false
	}
	return s
}

// quote writes value in style.
func quote(value string, style Style) string {
	switch style {
	case SingleQuoted:
		return "'" + strings.ReplaceAll(value, "'", "''") + "'"
	case Plain:
		return value
	}
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range value {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// styles lists the styles to try for a new value, best first.
func styles(old Style, value string) []Style {
	switch old {
	case DoubleQuoted:
		return []Style{DoubleQuoted}
	case SingleQuoted:
		return []Style{SingleQuoted, DoubleQuoted}
	case Plain:
		if plainCandidate(value) {
			return []Style{Plain, DoubleQuoted}
		}
	}
	return []Style{DoubleQuoted}
}

func (d *doc) replaceCandidates(r *scalarRef, value string) ([]splice, error) {
	var out []splice
	for _, st := range styles(r.style, value) {
		out = append(out, splice{start: r.start, end: r.end, text: quote(value, st), line: r.line})
	}
	return out, nil
}

// insertCandidates builds the minimal insertion of the missing keys.
func (d *doc) insertCandidates(loc location, value string) ([]splice, error) {
	v := quote(value, DoubleQuoted)
	if mv := loc.emptyValue; mv != nil {
		// `tag:` with nothing after the colon: put the value after it.
		colon := mv.Start
		off, ok := d.offset(colon.Position.Line, colon.Position.Column)
		if !ok || d.lf[off] != ':' {
			return nil, errAt(loc.line, "cannot locate the empty value")
		}
		return []splice{{start: off + 1, end: off + 1, text: " " + v, line: colon.Position.Line}}, nil
	}
	if loc.parent == nil {
		return d.appendToEmpty(loc.rest, v)
	}
	if m, ok := loc.parent.(*ast.MappingNode); ok && m.IsFlowStyle {
		return d.insertFlow(m, loc, v)
	}
	entries, _ := mapEntries(loc.parent)
	if len(entries) == 0 {
		return nil, errAt(loc.line, "cannot insert %s into an empty map", loc.rest)
	}
	first := entries[0].Key.GetToken()
	keyOff, ok := d.offset(first.Position.Line, first.Position.Column)
	if !ok {
		return nil, errAt(loc.line, "cannot locate the map to insert %s into", loc.rest)
	}
	if d.isFlowEntry(keyOff) {
		return nil, errAt(first.Position.Line, "cannot insert %s into this map", loc.rest)
	}
	indent := first.Position.Column - 1
	last := entries[len(entries)-1]
	_, lastIsSeq := Unwrap(last.Value).(*ast.SequenceNode)
	lastLine := nodeLine(last.Key)
	end := d.blockEnd(lastLine, indent, lastIsSeq)
	text := d.blockLines(loc.rest, indent, v)
	line := d.lineOf(end) + len(loc.rest) - 1
	if end == len(d.lf) && (len(d.lf) == 0 || d.lf[len(d.lf)-1] != '\n') {
		// No final newline: keep it that way.
		return []splice{{start: end, end: end, text: "\n" + strings.TrimSuffix(text, "\n"), line: line + 1}}, nil
	}
	return []splice{{start: end, end: end, text: text, line: line}}, nil
}

// isFlowEntry reports whether the key at off follows '{' or ',' on its line
// (a map inside a flow collection).
func (d *doc) isFlowEntry(off int) bool {
	for i := off - 1; i >= 0 && d.lf[i] != '\n'; i-- {
		switch d.lf[i] {
		case ' ', '\t':
			continue
		case '{', ',', '[':
			return true
		default:
			return false
		}
	}
	return false
}

// blockEnd is the offset just after the last line that belongs to the
// block map entry starting at line (1-based) whose keys are at indent.
func (d *doc) blockEnd(line, indent int, lastIsSeq bool) int {
	lastContent := line
	for l := line + 1; l <= len(d.lineStart); l++ {
		s := d.lineStart[l-1]
		e := len(d.lf)
		if l < len(d.lineStart) {
			e = d.lineStart[l] - 1
		}
		text := string(d.lf[s:e])
		trimmed := strings.TrimLeft(text, " ")
		if t := strings.TrimSpace(trimmed); t == "" || strings.HasPrefix(t, "#") {
			continue
		}
		ind := len(text) - len(trimmed)
		if ind > indent {
			lastContent = l
			continue
		}
		if ind == indent && lastIsSeq && (trimmed == "-" || strings.HasPrefix(trimmed, "- ")) {
			lastContent = l
			continue
		}
		break
	}
	if lastContent < len(d.lineStart) {
		return d.lineStart[lastContent]
	}
	return len(d.lf)
}

// blockLines renders the missing keys as block lines, each ending in "\n".
func (d *doc) blockLines(keys Path, indent int, value string) string {
	step := d.indentStep()
	var b strings.Builder
	for i, k := range keys {
		b.WriteString(strings.Repeat(" ", indent+i*step))
		b.WriteString(quoteKey(k))
		b.WriteString(":")
		if i == len(keys)-1 {
			b.WriteString(" " + value)
		}
		b.WriteString("\n")
	}
	return b.String()
}

// quoteKey writes a key plainly when that is unambiguous.
func quoteKey(k string) string {
	if plainCandidate(k) && readsAsString(k, k) {
		return k
	}
	return quote(k, DoubleQuoted)
}

// indentStep is the file's indentation unit (the first nested block map's
// extra indentation), 2 when there is none.
func (d *doc) indentStep() int {
	step := 0
	var walk func(n ast.Node)
	walk = func(n ast.Node) {
		if step > 0 || n == nil {
			return
		}
		entries, ok := mapEntries(Unwrap(n))
		if !ok {
			return
		}
		if m, ok := Unwrap(n).(*ast.MappingNode); ok && m.IsFlowStyle {
			return
		}
		for _, mv := range entries {
			inner, ok := mapEntries(Unwrap(mv.Value))
			if m, isMap := Unwrap(mv.Value).(*ast.MappingNode); ok && len(inner) > 0 && !(isMap && m.IsFlowStyle) {
				k, ik := mv.Key.GetToken(), inner[0].Key.GetToken()
				if ik.Position.Line > k.Position.Line && ik.Position.Column > k.Position.Column {
					step = ik.Position.Column - k.Position.Column
					return
				}
			}
		}
		for _, mv := range entries {
			walk(mv.Value)
		}
	}
	walk(d.body)
	if step <= 0 {
		step = 2
	}
	return step
}

// insertFlow adds `key: value` before the closing brace of a flow map.
func (d *doc) insertFlow(m *ast.MappingNode, loc location, value string) ([]splice, error) {
	if m.End == nil {
		return nil, errAt(loc.line, "cannot locate the end of the flow map")
	}
	off, ok := d.offset(m.End.Position.Line, m.End.Position.Column)
	if !ok || d.lf[off] != '}' {
		return nil, errAt(loc.line, "cannot locate the end of the flow map")
	}
	entry := value
	for i := len(loc.rest) - 1; i >= 0; i-- {
		if i == len(loc.rest)-1 {
			entry = quoteKey(loc.rest[i]) + ": " + entry
		} else {
			entry = quoteKey(loc.rest[i]) + ": {" + entry + "}"
		}
	}
	at := off
	for at > 0 && (d.lf[at-1] == ' ' || d.lf[at-1] == '\t') {
		at--
	}
	if at > 0 && d.lf[at-1] == '{' {
		return []splice{{start: at, end: at, text: entry, line: d.lineOf(at)}}, nil
	}
	if at > 0 && d.lf[at-1] == ',' {
		return []splice{{start: at, end: at, text: " " + entry, line: d.lineOf(at)}}, nil
	}
	return []splice{{start: at, end: at, text: ", " + entry, line: d.lineOf(at)}}, nil
}

// appendToEmpty adds the keys at the end of a document without content.
func (d *doc) appendToEmpty(keys Path, value string) ([]splice, error) {
	text := d.blockLines(keys, 0, value)
	end := len(d.lf)
	line := d.lineOf(end) + len(keys) - 1
	if end > 0 && d.lf[end-1] != '\n' {
		text = "\n" + text
		line++
	}
	return []splice{{start: end, end: end, text: text, line: line}}, nil
}
