package safeyaml

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	goyaml "github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
	sigsyaml "sigs.k8s.io/yaml"
)

// nestingBomb is n levels of open flow sequences.
func nestingBomb(n int) string { return strings.Repeat("[", n) }

// blockNest is n levels of block mappings, each indented one more column.
func blockNest(n int) string {
	var b strings.Builder
	for i := range n {
		b.WriteString(strings.Repeat(" ", i) + "a:\n")
	}
	b.WriteString(strings.Repeat(" ", n) + "b\n")
	return b.String()
}

// laughs is the classic alias bomb: n levels, each aliasing the one
// before nine times.
func laughs(n int) string {
	var b strings.Builder
	b.WriteString("a0: &a0 [x,x,x,x,x,x,x,x,x]\n")
	for i := 1; i < n; i++ {
		refs := strings.TrimSuffix(strings.Repeat(fmt.Sprintf("*a%d,", i-1), 9), ",")
		fmt.Fprintf(&b, "a%d: &a%d [%s]\n", i, i, refs)
	}
	return b.String()
}

func wantLimit(t *testing.T, err error, line int, msg string) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("err = %v, want a limit error", err)
	}
	if e.File != "f.yaml" || e.Line != line || !strings.Contains(e.Msg, msg) {
		t.Fatalf("err = %q (line %d), want f.yaml line %d containing %q", err, e.Line, line, msg)
	}
}

func TestBombsAreRefused(t *testing.T) {
	chain := "b: &b [x, x, x, x, x, x, x, x, x, x]\n"
	for i := range 8 {
		chain += fmt.Sprintf("c%d: &b [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n", i)
	}
	for _, tc := range []struct {
		name, src string
		line      int
		msg       string
	}{
		{"flow sequences 100k", nestingBomb(100_000), 1, "nested more than 1000 levels"},
		{"flow maps", strings.Repeat("{a: ", 20_000), 1, "nested more than 1000 levels"},
		{"block maps", blockNest(1200), 1001, "nested more than 1000 levels"},
		{"sequence entries", strings.Repeat("- ", 20_000) + "x\n", 1, "nested more than 1000 levels"},
		{"nested under a document", "---\nx: 1\n---\n" + nestingBomb(2000), 4, "nested more than 1000 levels"},
		{"billion laughs", laughs(9), 6, "aliases expand to more than 100000 nodes"},
		{"anchor chain", chain, 5, "aliases expand to more than 100000 nodes"},
		{"too large", "a: " + strings.Repeat("x", 8<<20) + "\n", 0, "larger than 8 MiB"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantLimit(t, Check("f.yaml", []byte(tc.src)), tc.line, tc.msg)
		})
	}
}

// Depth is counted exactly for the usual shapes: a file exactly at the
// limit passes and one level more fails.
func TestDepthIsExact(t *testing.T) {
	l := Limits{MaxBytes: 1 << 20, MaxDepth: 4, MaxAliasNodes: 100}
	for _, tc := range []struct{ at, over string }{
		{"a:\n b:\n  c:\n   d: x\n", "a:\n b:\n  c:\n   d:\n    e: x\n"},
		{"a:\n- b:\n  - x\n", "a:\n- b:\n  - c: x\n"},
		{"a:\n  - b:\n      - x\nz: 1\n", "a:\n  - b:\n      - [x]\nz: 1\n"},
		{"- - - - x\n", "- - - - - x\n"},
		{"a: {b: [c, {d: e}]}\n", "a: {b: [c, {d: [e]}]}\n"},
		{"[[[[x]]]]\n", "[[[[[x]]]]]\n"},
		{"a:\n- x\nb:\n- c: [e]\n", "a:\n- x\nb:\n- c: [[e]]\n"},
		{"k: |\n  [[[[[[[[[[\n  - - - - - - -\n", "k: |\n  x\nl: [[[[[x]]]]]\n"},
		{"k: \"[[[[[[[[\" # [[[[[[[[\n", "# [[[[\nk: '[[[[[[[' \nl: [[[[x]]]]\n"},
	} {
		if err := l.Check("f.yaml", []byte(tc.at)); err != nil {
			t.Errorf("%q: %v, want it accepted", tc.at, err)
		}
		if err := l.Check("f.yaml", []byte(tc.over)); err == nil || !strings.Contains(err.Error(), "nested more than 4 levels") {
			t.Errorf("%q: %v, want it refused", tc.over, err)
		}
		if _, err := parser.ParseBytes([]byte(tc.over), 0); err != nil {
			t.Errorf("%q does not parse: %v", tc.over, err)
		}
	}
}

// Ordinary use of anchors passes; the count is of what aliases add.
func TestAliasesWithinLimit(t *testing.T) {
	l := Limits{MaxBytes: 1 << 20, MaxDepth: 100, MaxAliasNodes: 10}
	// The anchored list is 4 nodes; two uses add 8.
	ok := "a: &a [x, y, z]\nb: *a\nc: *a\n"
	if err := l.Check("f.yaml", []byte(ok)); err != nil {
		t.Fatal(err)
	}
	wantLimitL(t, l.Check("f.yaml", []byte(ok+"d: *a\n")), 4)
	// Anchors are per document.
	two := "a: &a [x, y, z]\nb: *a\nc: *a\n---\na: &a [x, y, z]\nb: *a\nc: *a\n"
	if err := l.Check("f.yaml", []byte(two)); err == nil {
		t.Fatal("the second document's aliases count too: want refused")
	}
}

func wantLimitL(t *testing.T, err error, line int) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) || e.Line != line {
		t.Fatalf("err = %v, want a limit error on line %d", err, line)
	}
}

// A realistic values file with merge keys, tags, block scalars, comments and
// several documents is accepted.
func TestRealisticFile(t *testing.T) {
	src := `# values
defaults: &defaults
  resources:
    limits: {cpu: 500m, memory: 256Mi}
    requests: {cpu: 100m, memory: 128Mi}
image:
  repository: registry.example.com/team/api
  tag: "1.2.3"
services:
  - name: a
    <<: *defaults
  - name: b
    <<: *defaults
config: !!map
  script: |
    if [ -f x ]; then
      echo "[[[["
    fi
  ? complex key
  : value
---
second: doc
`
	if err := Check("values.yaml", []byte(src)); err != nil {
		t.Fatal(err)
	}
}

// Syntax errors are left to the reader.
func TestSyntaxErrorIsNotALimit(t *testing.T) {
	if err := Check("f.yaml", []byte("a: [b\n  c: d: e\n")); err != nil {
		t.Fatalf("err = %v, want nil (the reader reports syntax)", err)
	}
}

func TestReadFile(t *testing.T) {
	dir := t.TempDir()
	small, big := filepath.Join(dir, "small.yaml"), filepath.Join(dir, "big.yaml")
	if err := os.WriteFile(small, []byte("a: 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(big, []byte(strings.Repeat("#", 2000)), 0o644); err != nil {
		t.Fatal(err)
	}
	l := Limits{MaxBytes: 1000, MaxDepth: 10, MaxAliasNodes: 10}
	if b, err := l.ReadFile(small); err != nil || string(b) != "a: 1\n" {
		t.Fatalf("ReadFile(small) = %q, %v", b, err)
	}
	_, err := l.ReadFile(big)
	if err == nil || err.Error() != big+": the file is larger than 1000 bytes, the limit for a YAML file" {
		t.Fatalf("ReadFile(big) err = %v", err)
	}
	if !IsLimit(err) {
		t.Fatal("IsLimit = false")
	}
	if _, err := l.ReadFile(filepath.Join(dir, "none.yaml")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("missing file: err = %v, want not-exist", err)
	}
}

// Whatever Check accepts, the parsers the tool uses handle without
// crashing; input just inside the limits is the hardest case.
func TestParsersSurviveWhatCheckAccepts(t *testing.T) {
	chain := "b: &b [x, x, x, x, x, x, x, x, x, x]\n"
	for i := range 3 {
		chain += fmt.Sprintf("c%d: &b [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n", i)
	}
	for name, src := range map[string]string{
		"flow":  strings.Repeat("[", 1000) + strings.Repeat("]", 1000),
		"block": blockNest(999),
		"alias": chain,
	} {
		t.Run(name, func(t *testing.T) {
			if err := Check("f.yaml", []byte(src)); err != nil {
				t.Fatalf("Check: %v", err)
			}
			var v any
			if err := goyaml.Unmarshal([]byte(src), &v); err != nil {
				t.Logf("goccy: %v", err)
			}
			if err := sigsyaml.Unmarshal([]byte(src), &v); err != nil {
				t.Logf("sigs.k8s.io/yaml: %v", err)
			}
		})
	}
}

// FuzzCheck: Check never panics (its recover is a last resort, so hitting
// it fails the fuzz), and what it accepts the parsers the tool uses decode
// without panicking.
func FuzzCheck(f *testing.F) {
	f.Add([]byte(laughs(3)))
	f.Add([]byte("a:\n- b: [c, {d: e}]\n"))
	f.Add([]byte(nestingBomb(50)))
	f.Add([]byte("a: &a [x]\nb: [*a, *a]\n---\nc: !!str d\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		err := Limits{MaxBytes: 1 << 16, MaxDepth: 20, MaxAliasNodes: 100}.Check("f.yaml", b)
		if err != nil {
			if strings.Contains(err.Error(), "the parser cannot handle") {
				t.Fatalf("Check recovered a panic: %v", err)
			}
			return
		}
		if f, err := parser.ParseBytes(b, 0); err == nil {
			for _, d := range f.Docs {
				if got := astDepth(d.Body); got > 20 {
					t.Fatalf("accepted YAML nested %d levels deep (limit 20)", got)
				}
			}
		}
		var v any
		_ = goyaml.Unmarshal(b, &v)
		_ = sigsyaml.Unmarshal(b, &v)
	})
}

// astDepth is the nesting of collections under n.
func astDepth(n ast.Node) int {
	d := 0
	switch n := n.(type) {
	case *ast.MappingNode:
		for _, v := range n.Values {
			d = max(d, astDepth(v.Key), astDepth(v.Value))
		}
		return d + 1
	case *ast.MappingValueNode:
		return 1 + max(astDepth(n.Key), astDepth(n.Value))
	case *ast.SequenceNode:
		for _, v := range n.Values {
			d = max(d, astDepth(v))
		}
		return d + 1
	case *ast.AnchorNode:
		return astDepth(n.Value)
	case *ast.TagNode:
		return astDepth(n.Value)
	case *ast.MappingKeyNode:
		return astDepth(n.Value)
	}
	return 0
}

// The byte count that spares most files the lexer never accepts a file the
// lexer would refuse: every shape the other tests use, at small limits
// where the shortcut is in play, and random YAML-ish text.
func TestIndicatorShortcutNeverAcceptsWhatLexingRefuses(t *testing.T) {
	inputs := []string{
		nestingBomb(5), strings.Repeat("{a: ", 5), blockNest(6), strings.Repeat("- ", 6) + "x\n",
		laughs(3), "a: &a [x, y, z]\nb: *a\nc: *a\nd: *a\n", "k: |\n  [[[[[[\n", "? a\n: b\n",
		"a: !!map {b: {c: d}}\n", "--- [a, [b]]\n--- {c: [d]}\n",
	}
	rng := rand.New(rand.NewPCG(1, 2))
	pieces := []string{"a", ":", " ", "\n", "-", "[", "]", "{", "}", ",", "&x ", "*x", "?", "#", "'", "\"", "|", "  "}
	for range 20_000 {
		var b strings.Builder
		for range rng.IntN(40) {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		inputs = append(inputs, b.String())
	}
	shortcuts := 0
	for _, src := range inputs {
		for depth := 1; depth <= 6; depth++ {
			l := Limits{MaxBytes: 1 << 20, MaxDepth: depth, MaxAliasNodes: 3}
			if !withinByIndicators([]byte(src), depth) {
				continue
			}
			shortcuts++
			if err := l.lexCheck("f.yaml", []byte(src)); err != nil {
				var e *Error
				if errors.As(err, &e) && strings.Contains(e.Msg, "cannot handle") {
					continue // the lexer's own panic, not a limit
				}
				t.Fatalf("%q at depth %d: the shortcut accepts it, the lexer refuses it: %v", src, depth, err)
			}
		}
	}
	if shortcuts < 1000 {
		t.Fatalf("only %d inputs took the shortcut: the test exercises nothing", shortcuts)
	}
}
