package render

import (
	"fmt"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// fastYAML prints an object the way MarshalYAML's YAML library prints it
// (block style, keys sorted, 2-space indent, sequences in mappings not
// indented, scalars quoted and folded at column 80 by the same rules)
// without building the library's event list, whose growth dominates the
// cost of printing big objects (CRDs). It handles the values a decoded
// manifest holds (maps, lists, strings, int64, float64, bool, nil) with
// strings of printable ASCII and newlines; for anything else (other types,
// other characters, keys longer than 128 bytes or with a newline, a
// literal block that keeps its trailing blank lines) it reports false and
// the caller uses the library. A differential test holds the two equal.
func fastYAML(obj map[string]any) ([]byte, bool) {
	e := yemit{indention: true, whitespace: true, buf: make([]byte, 0, 1024)}
	if len(obj) == 0 {
		return []byte("{}\n"), true
	}
	if !e.mapping(obj, -2) {
		return nil, false
	}
	if !e.indention || e.column > 0 || !e.whitespace {
		e.lineBreak()
	}
	return e.buf, true
}

// yemit is the printer's state: the column and whether the line so far
// is only indentation (indention) and ends in white space (whitespace).
type yemit struct {
	buf        []byte
	column     int
	whitespace bool
	indention  bool
}

const (
	yamlBestWidth = 80
	yamlMaxKey    = 128
)

func (e *yemit) lineBreak() {
	e.buf = append(e.buf, '\n')
	e.column = 0
}

func (e *yemit) writeIndent(indent int) {
	if indent < 0 {
		indent = 0
	}
	if !e.indention || e.column > indent || (e.column == indent && !e.whitespace) {
		e.lineBreak()
	}
	for e.column < indent {
		e.buf = append(e.buf, ' ')
		e.column++
	}
	e.whitespace = true
	e.indention = true
}

func (e *yemit) indicator(s string, needSpace, isSpace, isIndention bool) {
	if needSpace && !e.whitespace {
		e.buf = append(e.buf, ' ')
		e.column++
	}
	e.buf = append(e.buf, s...)
	e.column += len(s)
	e.whitespace = isSpace
	e.indention = e.indention && isIndention
}

// mapping prints a non-empty block mapping whose parent is at indent
// parent (-2 for the document root).
func (e *yemit) mapping(m map[string]any, parent int) bool {
	indent := parent + 2
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		e.writeIndent(indent)
		if len(k) > yamlMaxKey || !e.str(k, indent, true) {
			return false
		}
		e.indicator(":", false, false, false)
		if !e.node(m[k], indent, true) {
			return false
		}
	}
	return true
}

// node prints v as the value of a mapping (inMapping) or an item of a
// sequence whose indent is indent.
func (e *yemit) node(v any, indent int, inMapping bool) bool {
	switch t := v.(type) {
	case map[string]any:
		if len(t) == 0 {
			e.indicator("{", true, true, false)
			e.indicator("}", false, false, false)
			return true
		}
		return e.mapping(t, indent)
	case []any:
		if len(t) == 0 {
			e.indicator("[", true, true, false)
			e.indicator("]", false, false, false)
			return true
		}
		seq := indent + 2
		if inMapping && !e.indention {
			seq = indent
		}
		for _, it := range t {
			e.writeIndent(seq)
			e.indicator("-", true, false, true)
			if !e.node(it, seq, false) {
				return false
			}
		}
		return true
	case string:
		return e.str(t, indent+2, false)
	case int64:
		e.plain(strconv.FormatInt(t, 10), indent+2, false)
	case float64:
		s := strconv.FormatFloat(t, 'g', -1, 64)
		switch {
		case math.IsInf(t, 1):
			s = ".inf"
		case math.IsInf(t, -1):
			s = "-.inf"
		case math.IsNaN(t):
			s = ".nan"
		}
		e.plain(s, indent+2, false)
	case bool:
		e.plain(strconv.FormatBool(t), indent+2, false)
	case nil:
		e.plain("null", indent+2, false)
	default:
		return false
	}
	return true
}

// scalarInfo is what the style of a string depends on.
type scalarInfo struct {
	multiline    bool
	special      bool // has characters printed escaped (double-quoted)
	plainOK      bool // block plain style allowed
	blockOK      bool // literal style allowed
	leadingBlank bool // starts with a space or a line break
}

func analyze(s string) (scalarInfo, bool) {
	var in scalarInfo
	if s == "" {
		return scalarInfo{plainOK: true}, true
	}
	indicators := strings.HasPrefix(s, "---") || strings.HasPrefix(s, "...")
	var leadSpace, leadBreak, trailSpace, trailBreak, spaceBreak bool
	prevSpace := false
	precededByBlank := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x80 {
			w, k := classifyRune(s[i:])
			switch {
			case k == runeUnsupported || k == runeSpecial && i == 0 && s[i:i+w] == "\ufeff":
				return in, false
			case k == runeSpecial:
				in.special = true
			}
			i += w - 1
			prevSpace, precededByBlank = false, false
			continue
		}
		if c != '\n' && (c < 0x20 || c > 0x7e) {
			// Control characters: printed double-quoted, escaped.
			in.special = true
			prevSpace, precededByBlank = false, false
			continue
		}
		followedByBlank := i+1 >= len(s) || s[i+1] == ' '
		if i == 0 {
			switch c {
			case '#', ',', '[', ']', '{', '}', '&', '*', '!', '|', '>', '\'', '"', '%', '@', '`':
				indicators = true
			case '?', ':', '-':
				if followedByBlank {
					indicators = true
				}
			}
		} else {
			switch c {
			case ':':
				if followedByBlank {
					indicators = true
				}
			case '#':
				if precededByBlank {
					indicators = true
				}
			}
		}
		switch c {
		case ' ':
			if i == 0 {
				leadSpace = true
			}
			if i == len(s)-1 {
				trailSpace = true
			}
			prevSpace = true
		case '\n':
			in.multiline = true
			if i == 0 {
				leadBreak = true
			}
			if i == len(s)-1 {
				trailBreak = true
			}
			if prevSpace {
				spaceBreak = true
			}
			prevSpace = false
		default:
			prevSpace = false
		}
		precededByBlank = c == ' ' || c == '\n'
	}
	in.plainOK = !(leadSpace || leadBreak || trailSpace || trailBreak || spaceBreak || in.multiline || indicators || in.special)
	in.blockOK = !(trailSpace || spaceBreak || in.special)
	in.leadingBlank = leadSpace || leadBreak
	return in, true
}

// str prints a string scalar at indent; a key (simple key context) is
// never folded and never a block scalar.
func (e *yemit) str(s string, indent int, key bool) bool {
	in, ok := analyze(s)
	if !ok || key && (in.multiline || strings.IndexByte(s, '\r') >= 0) {
		return false
	}
	switch {
	case in.special:
		e.doubleQuoted(s, indent, !key)
	case in.multiline:
		if !in.blockOK {
			e.doubleQuoted(s, indent, !key)
			return true
		}
		return e.literal(s, indent, in)
	case !plainSafe(s):
		e.doubleQuoted(s, indent, !key)
	case in.plainOK:
		e.plain(s, indent, !key)
	default:
		e.singleQuoted(s, indent, !key)
	}
	return true
}

func (e *yemit) plain(s string, indent int, breaks bool) {
	if !e.whitespace {
		e.buf = append(e.buf, ' ')
		e.column++
	}
	spaces := false
	for i := 0; i < len(s); i++ {
		if s[i] == ' ' {
			if breaks && !spaces && e.column > yamlBestWidth && !(i+1 < len(s) && s[i+1] == ' ') {
				e.writeIndent(indent)
			} else {
				e.buf = append(e.buf, ' ')
				e.column++
			}
			spaces = true
			continue
		}
		e.buf = append(e.buf, s[i])
		e.column += runeStart(s[i])
		e.indention = false
		spaces = false
	}
	e.whitespace = false
	e.indention = false
}

func (e *yemit) singleQuoted(s string, indent int, breaks bool) {
	e.indicator("'", true, false, false)
	spaces := false
	for i := 0; i < len(s); i++ {
		if s[i] == ' ' {
			if breaks && !spaces && e.column > yamlBestWidth && i > 0 && i < len(s)-1 && s[i+1] != ' ' {
				e.writeIndent(indent)
			} else {
				e.buf = append(e.buf, ' ')
				e.column++
			}
			spaces = true
			continue
		}
		if s[i] == '\'' {
			e.buf = append(e.buf, '\'')
			e.column++
		}
		e.buf = append(e.buf, s[i])
		e.column += runeStart(s[i])
		e.indention = false
		spaces = false
	}
	e.indicator("'", false, false, false)
	e.whitespace = false
	e.indention = false
}

func (e *yemit) doubleQuoted(s string, indent int, breaks bool) {
	e.indicator(`"`, true, false, false)
	spaces := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\n', '"', '\\':
			esc := byte('n')
			if c != '\n' {
				esc = c
			}
			e.buf = append(e.buf, '\\', esc)
			e.column += 2
			spaces = false
		case ' ':
			if breaks && !spaces && e.column > yamlBestWidth && i > 0 && i < len(s)-1 {
				e.writeIndent(indent)
				if s[i+1] == ' ' {
					e.buf = append(e.buf, '\\')
					e.column++
				}
			} else {
				e.buf = append(e.buf, ' ')
				e.column++
			}
			spaces = true
		default:
			if c < 0x20 || c == 0x7f {
				e.escape(rune(c))
			} else if c >= 0x80 {
				w, k := classifyRune(s[i:])
				if k == runeSpecial {
					r, _ := utf8.DecodeRuneInString(s[i:])
					e.escape(r)
				} else {
					e.buf = append(e.buf, s[i:i+w]...)
					e.column++
				}
				i += w - 1
			} else {
				e.buf = append(e.buf, c)
				e.column++
			}
			spaces = false
		}
	}
	e.indicator(`"`, false, false, false)
	e.whitespace = false
	e.indention = false
}

// escape writes r escaped, inside double quotes.
func (e *yemit) escape(r rune) {
	start := len(e.buf)
	e.buf = append(e.buf, '\\')
	switch r {
	case 0:
		e.buf = append(e.buf, '0')
	case 0x07:
		e.buf = append(e.buf, 'a')
	case 0x08:
		e.buf = append(e.buf, 'b')
	case 0x09:
		e.buf = append(e.buf, 't')
	case 0x0b:
		e.buf = append(e.buf, 'v')
	case 0x0c:
		e.buf = append(e.buf, 'f')
	case 0x0d:
		e.buf = append(e.buf, 'r')
	case 0x1b:
		e.buf = append(e.buf, 'e')
	default:
		switch {
		case r <= 0xff:
			e.buf = fmt.Appendf(e.buf, "x%02X", r)
		case r <= 0xffff:
			e.buf = fmt.Appendf(e.buf, "u%04X", r)
		default:
			e.buf = fmt.Appendf(e.buf, "U%08X", r)
		}
	}
	e.column += len(e.buf) - start
}

func (e *yemit) literal(s string, indent int, in scalarInfo) bool {
	chomp := ""
	switch {
	case s[len(s)-1] != '\n':
		chomp = "-"
	case len(s) == 1 || s[len(s)-2] == '\n':
		return false // "|+": the library may then end the document with "..."
	}
	e.indicator("|", true, false, false)
	if in.leadingBlank {
		e.indicator("2", false, false, false)
	}
	if chomp != "" {
		e.indicator(chomp, false, false, false)
	}
	e.lineBreak()
	e.indention = true
	e.whitespace = true
	breaks := true
	for i := 0; i < len(s); i++ {
		if s[i] == '\n' {
			e.lineBreak()
			e.indention = true
			breaks = true
			continue
		}
		if breaks {
			e.writeIndent(indent)
		}
		e.buf = append(e.buf, s[i])
		e.column += runeStart(s[i])
		e.indention = false
		breaks = false
	}
	return true
}

// runeStart is 1 for the first byte of a character, 0 for the others
// (the library counts columns in characters).
func runeStart(c byte) int {
	if c&0xc0 == 0x80 {
		return 0
	}
	return 1
}

const (
	runePrintable   = iota
	runeSpecial     // printed escaped in double quotes
	runeUnsupported // left to the library
)

// classifyRune tells how the library prints the non-ASCII character s
// starts with, and its size: as it is (a printable character of the basic
// multilingual plane), escaped (other characters: C1 controls, the byte
// order mark, noncharacters, characters beyond the basic plane), or, for
// invalid UTF-8 and the Unicode line breaks, not handled here.
func classifyRune(s string) (int, int) {
	r, w := utf8.DecodeRuneInString(s)
	switch {
	case r == utf8.RuneError && w <= 1, r == 0x85, r == 0x2028, r == 0x2029:
		return w, runeUnsupported
	case r < 0xa0, r == 0xfeff, r >= 0xfffe, w > 3:
		return w, runeSpecial
	}
	return w, runePrintable
}

// yamlWords are the plain scalars YAML 1.1 reads as booleans, null or
// special floats (the library's resolver table).
var yamlWords = map[string]bool{
	"y": true, "Y": true, "yes": true, "Yes": true, "YES": true,
	"n": true, "N": true, "no": true, "No": true, "NO": true,
	"true": true, "True": true, "TRUE": true, "false": true, "False": true, "FALSE": true,
	"on": true, "On": true, "ON": true, "off": true, "Off": true, "OFF": true,
	"~": true, "null": true, "Null": true, "NULL": true,
	".nan": true, ".NaN": true, ".NAN": true,
	".inf": true, ".Inf": true, ".INF": true, "+.inf": true, "+.Inf": true, "+.INF": true,
	"-.inf": true, "-.Inf": true, "-.INF": true,
}

var (
	yamlFloatRE  = regexp.MustCompile(`^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`)
	yamlBase60RE = regexp.MustCompile(`^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$`)
)

// plainSafe reports whether s, written plain, reads back as the same
// string (so it need not be double-quoted): not a YAML 1.1 boolean, null,
// number or timestamp, nor a base 60 float.
func plainSafe(s string) bool {
	if s == "" {
		return false
	}
	switch c := s[0]; {
	case strings.IndexByte("yYnNtTfFoO~", c) >= 0:
		return !yamlWords[s]
	case c == '.':
		if yamlWords[s] {
			return false
		}
		_, err := strconv.ParseFloat(s, 64)
		return err != nil
	case c == '+' || c == '-' || c >= '0' && c <= '9':
		if yamlWords[s] || yamlTimestamp(s) {
			return false
		}
		p := strings.ReplaceAll(s, "_", "")
		if _, err := strconv.ParseInt(p, 0, 64); err == nil {
			return false
		}
		if _, err := strconv.ParseUint(p, 0, 64); err == nil {
			return false
		}
		if yamlFloatRE.MatchString(p) {
			if _, err := strconv.ParseFloat(p, 64); err == nil {
				return false
			}
		}
		if b, ok := strings.CutPrefix(p, "0b"); ok {
			if _, err := strconv.ParseInt(b, 2, 64); err == nil {
				return false
			}
			if _, err := strconv.ParseUint(b, 2, 64); err == nil {
				return false
			}
		} else if b, ok := strings.CutPrefix(p, "-0b"); ok {
			if _, err := strconv.ParseInt("-"+b, 2, 64); err == nil {
				return false
			}
		}
		return strings.IndexByte(s, ':') < 0 || !yamlBase60RE.MatchString(s)
	}
	return true
}

var yamlTimeLayouts = []string{
	"2006-1-2T15:4:5.999999999Z07:00",
	"2006-1-2t15:4:5.999999999Z07:00",
	"2006-1-2 15:4:5.999999999",
	"2006-1-2",
}

// yamlTimestamp reports whether s reads as a YAML timestamp (four digits,
// a dash, then one of the layouts the library accepts).
func yamlTimestamp(s string) bool {
	if len(s) < 5 || s[4] != '-' {
		return false
	}
	for i := range 4 {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	for _, l := range yamlTimeLayouts {
		if _, err := time.Parse(l, s); err == nil {
			return true
		}
	}
	return false
}
