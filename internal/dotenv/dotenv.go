// Package dotenv reads and writes dotenv files (KEY=value lines) without
// losing a byte: values keep their exact content (quotes, '=', backslashes,
// newlines, unicode), and editing a file keeps its comments, blank lines and
// key order.
//
// The accepted syntax:
//
//	# a comment line, and blank lines
//	KEY=value                 unquoted: the rest of the line, surrounding blanks
//	                          and a " # comment" removed; no escapes
//	export KEY=value          an "export " prefix is accepted and kept
//	KEY='single quoted'       literal up to the next ', may span lines
//	KEY="double quoted"       may span lines; \n \r \t \" \\ \$ are escapes,
//	                          any other backslash is kept as it is
//	KEY=                      the empty value
//
// There is no variable expansion: "$HOME" is the five bytes $HOME. Keys must
// be valid environment variable names ([A-Za-z_][A-Za-z0-9_]*) and appear
// once. Errors name the file and the line.
package dotenv

import (
	"bytes"
	"fmt"
	"strings"
)

// ParseError is a syntax error at a line of a dotenv file.
type ParseError struct {
	File string
	Line int
	Msg  string
}

func (e *ParseError) Error() string {
	if e.File == "" {
		return fmt.Sprintf("line %d: %s", e.Line, e.Msg)
	}
	return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
}

// ValidKey reports whether k is a valid environment variable name.
func ValidKey(k string) bool {
	if k == "" {
		return false
	}
	for i := 0; i < len(k); i++ {
		c := k[i]
		switch {
		case c == '_', c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z':
		case c >= '0' && c <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
}

// KeyError explains why k is not a valid key ("" when it is).
func KeyError(k string) string {
	if ValidKey(k) {
		return ""
	}
	return fmt.Sprintf("invalid key %q: %s", k, keyRule)
}

const keyRule = "an environment variable name is letters, digits and '_', not starting with a digit"

// entry is one piece of the file: either an assignment (key != "") or
// verbatim text (comments and blank lines).
type entry struct {
	raw    []byte // exact bytes, including the final newline when present
	key    string
	value  string
	line   int
	export bool
}

// File is a parsed dotenv file that can be edited and written back.
type File struct {
	entries []entry
}

// Parse reads a dotenv file. name is used in error messages.
func Parse(name string, data []byte) (*File, error) {
	f := &File{}
	seen := map[string]int{}
	line := 1
	start0 := 0
	if bytes.HasPrefix(data, []byte("\ufeff")) {
		// A byte order mark (some editors add one) is kept, not parsed.
		f.entries = append(f.entries, entry{raw: data[:3], line: 1})
		start0 = 3
	}
	for pos := start0; pos < len(data); {
		start, startLine := pos, line
		eol := indexFrom(data, pos, '\n')
		text := data[pos:eol]
		trimmed := bytes.TrimLeft(text, " \t")
		if len(bytes.TrimSpace(text)) == 0 || trimmed[0] == '#' {
			pos = next(data, eol)
			line++
			f.entries = append(f.entries, entry{raw: data[start:pos], line: startLine})
			continue
		}
		e, end, lines, err := parseAssignment(data, pos+len(text)-len(trimmed), startLine)
		if err != nil {
			err.File = name
			return nil, err
		}
		if first, dup := seen[e.key]; dup {
			return nil, &ParseError{File: name, Line: startLine, Msg: fmt.Sprintf("duplicate key %s (first set on line %d)", e.key, first)}
		}
		seen[e.key] = startLine
		pos = end
		line += lines
		e.raw = data[start:pos]
		e.line = startLine
		f.entries = append(f.entries, e)
	}
	return f, nil
}

func indexFrom(b []byte, from int, c byte) int {
	if i := bytes.IndexByte(b[from:], c); i >= 0 {
		return from + i
	}
	return len(b)
}

func next(b []byte, eol int) int {
	if eol < len(b) {
		return eol + 1
	}
	return eol
}

// parseAssignment parses KEY=value starting at pos (first non-blank byte).
// It returns the entry, the offset after the entry's final newline and the
// number of lines consumed.
func parseAssignment(data []byte, pos, line int) (entry, int, int, *ParseError) {
	var e entry
	fail := func(l int, format string, a ...any) (entry, int, int, *ParseError) {
		return e, 0, 0, &ParseError{Line: l, Msg: fmt.Sprintf(format, a...)}
	}
	eol := indexFrom(data, pos, '\n')
	rest := data[pos:eol]
	if after, ok := bytes.CutPrefix(rest, []byte("export")); ok && len(after) > 0 && (after[0] == ' ' || after[0] == '\t') {
		e.export = true
		trimmed := bytes.TrimLeft(after, " \t")
		pos += len(rest) - len(trimmed)
		rest = trimmed
	}
	eq := bytes.IndexByte(rest, '=')
	if eq < 0 {
		return fail(line, "expected KEY=value, found a line without '=' (not shown: it may hold a secret)")
	}
	key := string(bytes.TrimRight(rest[:eq], " \t"))
	if !ValidKey(key) {
		return fail(line, "invalid key before '=' (not shown: it may hold a secret): %s", keyRule)
	}
	e.key = key
	pos += eq + 1
	// Skip blanks after '='.
	blanks := false
	for pos < eol && (data[pos] == ' ' || data[pos] == '\t') {
		pos++
		blanks = true
	}
	if pos >= eol || (data[pos] != '\'' && data[pos] != '"') {
		v := data[pos:eol]
		v = bytes.TrimSuffix(v, []byte("\r"))
		if i := inlineComment(v, blanks); i >= 0 {
			v = v[:i]
		}
		e.value = string(bytes.TrimRight(v, " \t"))
		return e, next(data, eol), 1, nil
	}
	quote := data[pos]
	var val strings.Builder
	i := pos + 1
	lines := 0
	closed := false
	for i < len(data) {
		c := data[i]
		if c == quote {
			closed = true
			i++
			break
		}
		if c == '\n' {
			lines++
		}
		if quote == '"' && c == '\\' && i+1 < len(data) {
			switch n := data[i+1]; n {
			case 'n':
				val.WriteByte('\n')
			case 'r':
				val.WriteByte('\r')
			case 't':
				val.WriteByte('\t')
			case '"', '\\', '$':
				val.WriteByte(n)
			default:
				val.WriteByte('\\')
				i++
				continue
			}
			i += 2
			continue
		}
		val.WriteByte(c)
		i++
	}
	if !closed {
		return fail(line, "unterminated %c-quoted value of %s (the quote opens here)", quote, key)
	}
	// After the closing quote: blanks, an optional comment, end of line.
	eol = indexFrom(data, i, '\n')
	tail := bytes.TrimRight(data[i:eol], " \t\r")
	if len(tail) > 0 {
		t := bytes.TrimLeft(tail, " \t")
		if t[0] != '#' || len(t) == len(tail) {
			return fail(line+lines, "unexpected text after the closing quote of %s's value (not shown: it may hold a secret); quote the whole value", key)
		}
	}
	e.value = val.String()
	return e, next(data, eol), lines + 1, nil
}

// inlineComment returns the index of a " #" comment in an unquoted value
// (afterBlank: v follows blanks, so a leading '#' starts a comment too).
func inlineComment(v []byte, afterBlank bool) int {
	if afterBlank && len(v) > 0 && v[0] == '#' {
		return 0
	}
	for i := 1; i < len(v); i++ {
		if v[i] == '#' && (v[i-1] == ' ' || v[i-1] == '\t') {
			return i - 1
		}
	}
	return -1
}

// Keys returns the keys in file order.
func (f *File) Keys() []string {
	var out []string
	for _, e := range f.entries {
		if e.key != "" {
			out = append(out, e.key)
		}
	}
	return out
}

// Map returns every key with its value.
func (f *File) Map() map[string]string {
	m := map[string]string{}
	for _, e := range f.entries {
		if e.key != "" {
			m[e.key] = e.value
		}
	}
	return m
}

// Get returns the value of key.
func (f *File) Get(key string) (string, bool) {
	for _, e := range f.entries {
		if e.key == key {
			return e.value, true
		}
	}
	return "", false
}

// Line returns the line where key is set (0 when it is not).
func (f *File) Line(key string) int {
	for _, e := range f.entries {
		if e.key == key {
			return e.line
		}
	}
	return 0
}

// Set sets key to value: an existing assignment is rewritten in place (its
// "export " prefix kept), a new one is appended. It reports whether the file
// changed. key must be valid (see ValidKey).
func (f *File) Set(key, value string) bool {
	for i, e := range f.entries {
		if e.key != key {
			continue
		}
		if e.value == value {
			return false
		}
		f.entries[i].value = value
		f.entries[i].raw = []byte(format(key, value, e.export))
		return true
	}
	if n := len(f.entries); n > 0 {
		last := f.entries[n-1].raw
		if len(last) > 0 && last[len(last)-1] != '\n' {
			f.entries[n-1].raw = append(append([]byte(nil), last...), '\n')
		}
	}
	f.entries = append(f.entries, entry{key: key, value: value, raw: []byte(format(key, value, false))})
	return true
}

// Unset removes key and reports whether it was there.
func (f *File) Unset(key string) bool {
	for i, e := range f.entries {
		if e.key == key {
			f.entries = append(f.entries[:i], f.entries[i+1:]...)
			return true
		}
	}
	return false
}

// Bytes returns the file's content.
func (f *File) Bytes() []byte {
	var b bytes.Buffer
	for _, e := range f.entries {
		b.Write(e.raw)
	}
	return b.Bytes()
}

// Format returns one assignment line KEY=value (with its newline), quoting
// the value only when it needs it, so that Parse reads back the exact value.
func Format(key, value string) string { return format(key, value, false) }

func format(key, value string, export bool) string {
	var b strings.Builder
	if export {
		b.WriteString("export ")
	}
	b.WriteString(key)
	b.WriteByte('=')
	b.WriteString(Quote(value))
	b.WriteByte('\n')
	return b.String()
}

// Quote returns value as it is written after '=': bare when that reads back
// exactly, else single-quoted when the value has no single quote and no
// carriage return, else double-quoted with escapes.
func Quote(value string) string {
	if bare(value) {
		return value
	}
	if !strings.ContainsAny(value, "'\r") {
		return "'" + value + "'"
	}
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(value); i++ {
		switch c := value[i]; c {
		case '\\':
			b.WriteString(`\\`)
		case '"':
			b.WriteString(`\"`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// bare reports whether value can be written unquoted.
func bare(value string) bool {
	for i := 0; i < len(value); i++ {
		c := value[i]
		if c <= ' ' || c == 0x7f || strings.IndexByte("#'\"\\`$", c) >= 0 {
			return false
		}
	}
	return true
}

// Serialize writes m as a dotenv file with keys in the given order.
func Serialize(keys []string, m map[string]string) []byte {
	var b strings.Builder
	for _, k := range keys {
		b.WriteString(Format(k, m[k]))
	}
	return []byte(b.String())
}
