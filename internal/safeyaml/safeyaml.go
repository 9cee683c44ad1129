// Package safeyaml bounds the YAML the tool reads before any parser sees it:
// a size limit, a nesting-depth limit and a limit on how many nodes aliases
// may expand to. YAML parsers recurse on nesting and some expand aliases, so
// a small hostile file ("billion laughs") or a deeply nested one can exhaust
// memory or the stack; Check turns such input into an ordinary error that
// names the file and, where there is one, the line.
package safeyaml

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/lexer"
	"github.com/goccy/go-yaml/parser"
	"github.com/goccy/go-yaml/token"
)

// Limits are the bounds Check enforces.
type Limits struct {
	// MaxBytes is the largest file accepted.
	MaxBytes int64
	// MaxDepth is the deepest nesting of collections accepted.
	MaxDepth int
	// MaxAliasNodes is how many nodes all alias uses in one file may expand
	// to in total (an alias of an anchored list of 10 scalars counts 11).
	MaxAliasNodes int64
}

// Default are the limits every reader uses. Real values files are far
// inside them: a large chart's values.yaml is a few hundred KiB, nests a
// few dozen levels and uses aliases sparingly, if at all.
var Default = Limits{
	MaxBytes:      8 << 20,
	MaxDepth:      1000,
	MaxAliasNodes: 100_000,
}

// Manifests are the limits for Kubernetes manifests kept in a repository
// (Argo CD Directory sources): CRD bundles are large, but flat.
var Manifests = Limits{
	MaxBytes:      64 << 20,
	MaxDepth:      Default.MaxDepth,
	MaxAliasNodes: Default.MaxAliasNodes,
}

// Error is input over a limit. With no File, it reads as just the message
// (for callers that name the file themselves).
type Error struct {
	File string
	Line int // 0 when the problem has no line
	Msg  string
}

func (e *Error) Error() string {
	if e.File == "" {
		return e.Msg
	}
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.File, e.Msg)
}

// Check reports whether data, the content of the file name, is within the
// default limits.
func Check(name string, data []byte) error { return Default.Check(name, data) }

// ReadFile reads a file, refusing one over the default size limit without
// reading it whole, and checks its content.
func ReadFile(path string) ([]byte, error) { return Default.ReadFile(path) }

// ReadFile reads a file, refusing one over l.MaxBytes without reading it
// whole, and checks its content.
func (l Limits) ReadFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, l.MaxBytes+1))
	if err != nil {
		return nil, err
	}
	if err := l.Check(path, data); err != nil {
		return nil, err
	}
	return data, nil
}

// Check reports whether data, the content of the file name, is within l.
// Syntax errors are not its business: input it cannot parse is left to the
// reader, which reports them in its own terms.
func (l Limits) Check(name string, data []byte) (err error) {
	if int64(len(data)) > l.MaxBytes {
		return &Error{File: name, Msg: fmt.Sprintf("the file is larger than %s, the limit for a YAML file", size(l.MaxBytes))}
	}
	if withinByIndicators(data, l.MaxDepth) {
		return nil
	}
	return l.lexCheck(name, data)
}

// lexCheck is Check's full answer, from goccy's lexer and parser.
func (l Limits) lexCheck(name string, data []byte) (err error) {
	defer func() {
		// The parsers must not take the process down; input that makes them
		// panic is refused like any other over-limit input.
		if r := recover(); r != nil {
			err = &Error{File: name, Msg: fmt.Sprintf("YAML the parser cannot handle: %v", r)}
		}
	}()
	tokens := lexer.Tokenize(string(data))
	if err := l.checkDepth(name, tokens); err != nil {
		return err
	}
	if !hasAlias(tokens) {
		return nil // nothing can expand
	}
	f, perr := parser.Parse(tokens, 0)
	if perr != nil {
		return nil
	}
	c := counter{limits: l, name: name, anchors: map[string]int64{}}
	for _, doc := range f.Docs {
		clear(c.anchors) // anchors do not cross documents
		if doc != nil && doc.Body != nil {
			c.size(doc.Body)
		}
		if c.err != nil {
			return c.err
		}
	}
	return nil
}

// withinByIndicators answers Check without lexing for most files: with no
// '*' there is no alias to expand, and every level of nesting is opened by
// an indicator of its own ('-' for a block sequence entry, ':' for a block
// mapping value, '[' or '{' for a flow collection), so a file with no more
// of those bytes than maxDepth cannot nest deeper. It never says yes to a
// file the full check would refuse; it says no (lex and look) whenever it
// cannot tell.
func withinByIndicators(data []byte, maxDepth int) bool {
	opens := 0
	for _, c := range data {
		switch c {
		case '*':
			return false
		case '-', ':', '[', '{':
			opens++
		}
	}
	return opens <= maxDepth
}

func hasAlias(tokens token.Tokens) bool {
	for _, tk := range tokens {
		if tk != nil && tk.Type == token.AliasType {
			return true
		}
	}
	return false
}

func size(n int64) string {
	if n >= 1<<20 && n%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	if n >= 1<<10 && n%(1<<10) == 0 {
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// level is one open block collection: the column of its entries and
// whether it is a sequence.
type level struct {
	col int
	seq bool
}

// checkDepth bounds nesting from the tokens alone, without recursion, so
// that the parser (which recurses) only ever sees bounded input. The count
// errs on the high side: open block collections by indentation plus open
// flow brackets.
func (l Limits) checkDepth(name string, tokens token.Tokens) error {
	var block []level
	flow := 0
	var prev *token.Token
	for _, tk := range tokens {
		if tk == nil || tk.Type == token.CommentType || tk.Type == token.SpaceType {
			continue
		}
		col, line := 0, 0
		if tk.Position != nil {
			col, line = tk.Position.Column, tk.Position.Line
		}
		switch tk.Type {
		case token.DocumentHeaderType, token.DocumentEndType:
			block, flow = block[:0], 0
		case token.SequenceStartType, token.MappingStartType:
			if flow == 0 {
				block = popTo(block, col)
			}
			flow++
		case token.SequenceEndType, token.MappingEndType:
			if flow > 0 {
				flow--
			}
		default:
			if flow > 0 {
				break
			}
			block = popTo(block, col)
			switch tk.Type {
			case token.SequenceEntryType:
				if n := len(block); n == 0 || block[n-1].col < col || !block[n-1].seq {
					block = append(block, level{col: col, seq: true})
				}
			case token.MappingValueType:
				kcol := col
				if prev != nil && prev.Position != nil && prev.Position.Column < col {
					kcol = prev.Position.Column
				}
				for n := len(block); n > 0 && block[n-1].col == kcol && block[n-1].seq; n-- {
					block = block[:n-1]
				}
				if n := len(block); n == 0 || block[n-1].col < kcol {
					block = append(block, level{col: kcol})
				}
			}
		}
		if d := len(block) + flow; d > l.MaxDepth {
			return &Error{File: name, Line: line, Msg: fmt.Sprintf("YAML nested more than %d levels deep", l.MaxDepth)}
		}
		prev = tk
	}
	return nil
}

// popTo closes the block collections indented deeper than col.
func popTo(block []level, col int) []level {
	for len(block) > 0 && block[len(block)-1].col > col {
		block = block[:len(block)-1]
	}
	return block
}

// counter sizes nodes with aliases expanded and totals what alias uses add.
type counter struct {
	limits   Limits
	name     string
	anchors  map[string]int64
	expanded int64
	err      error
}

// size is the number of nodes n stands for once aliases are expanded,
// capped just over the limit so that it cannot overflow. Recursion is
// bounded by checkDepth.
func (c *counter) size(n ast.Node) int64 {
	if n == nil || c.err != nil {
		return 0
	}
	var s int64
	switch n := n.(type) {
	case *ast.AnchorNode:
		s = c.size(n.Value)
		if n.Name != nil {
			c.anchors[n.Name.GetToken().Value] = s
		}
		return s
	case *ast.AliasNode:
		if n.Value != nil {
			s = c.anchors[n.Value.GetToken().Value]
		}
		c.expanded += s
		if c.expanded > c.limits.MaxAliasNodes {
			line := 0
			if tk := n.GetToken(); tk != nil && tk.Position != nil {
				line = tk.Position.Line
			}
			c.err = &Error{File: c.name, Line: line, Msg: fmt.Sprintf("aliases expand to more than %d nodes (an alias bomb?)", c.limits.MaxAliasNodes)}
		}
		return s
	case *ast.TagNode:
		return c.size(n.Value)
	case *ast.MappingKeyNode:
		return c.size(n.Value)
	case *ast.MappingValueNode:
		s = c.size(n.Key) + c.size(n.Value)
	case *ast.MappingNode:
		s = 1
		for _, v := range n.Values {
			s += c.size(v)
		}
	case *ast.SequenceNode:
		s = 1
		for _, v := range n.Values {
			s += c.size(v)
		}
	case *ast.CommentGroupNode:
		return 0
	default:
		return 1
	}
	return min(s, c.limits.MaxAliasNodes+1)
}

// LineOf is the line of a limit error (0 when it has none or err is not
// one), for callers that report the file and line themselves.
func LineOf(err error) int {
	var e *Error
	if errors.As(err, &e) {
		return e.Line
	}
	return 0
}

// IsLimit reports whether err is input over a limit.
func IsLimit(err error) bool {
	var e *Error
	return errors.As(err, &e)
}
