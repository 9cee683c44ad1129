package argo

import (
	"regexp"
	"strings"
	"sync"
)

type globKey struct {
	sep     rune
	pattern string
}

var globCache sync.Map // globKey -> *regexp.Regexp (nil when invalid)

// GlobRegexp compiles an Argo CD glob (as in Directory include/exclude and
// AppProject patterns) to an anchored regular expression, cached. Without a
// separator (sep 0), "*" and "?" match any characters; with one, "*" and "?"
// stop at sep and "**" crosses it. "[...]" is a class ("[!...]" negated),
// "{a,b}" alternatives, "\x" a literal x. It returns nil for a pattern that
// does not compile.
func GlobRegexp(pattern string, sep rune) *regexp.Regexp {
	key := globKey{sep, pattern}
	if v, ok := globCache.Load(key); ok {
		return v.(*regexp.Regexp)
	}
	re, err := regexp.Compile(globToRegexp(pattern, sep))
	if err != nil {
		re = nil
	}
	v, _ := globCache.LoadOrStore(key, re)
	return v.(*regexp.Regexp)
}

func globToRegexp(pattern string, sep rune) string {
	anyRun, one := ".*", "."
	if sep != 0 {
		anyRun = "[^" + regexp.QuoteMeta(string(sep)) + "]*"
		one = "[^" + regexp.QuoteMeta(string(sep)) + "]"
	}
	var b strings.Builder
	b.WriteString("^")
	depth := 0
	rs := []rune(pattern)
	for i := 0; i < len(rs); i++ {
		switch c := rs[i]; c {
		case '*':
			if i+1 < len(rs) && rs[i+1] == '*' {
				b.WriteString(".*")
				i++
			} else {
				b.WriteString(anyRun)
			}
		case '?':
			b.WriteString(one)
		case '\\':
			if i+1 < len(rs) {
				i++
				b.WriteString(regexp.QuoteMeta(string(rs[i])))
			}
		case '[':
			j := i + 1
			for j < len(rs) && rs[j] != ']' {
				j++
			}
			if j >= len(rs) {
				b.WriteString(regexp.QuoteMeta("["))
				continue
			}
			class := string(rs[i+1 : j])
			if strings.HasPrefix(class, "!") {
				class = "^" + class[1:]
			}
			b.WriteString("[" + strings.ReplaceAll(class, `\`, `\\`) + "]")
			i = j
		case '{':
			depth++
			b.WriteString("(?:")
		case '}':
			if depth > 0 {
				depth--
				b.WriteString(")")
			} else {
				b.WriteString(regexp.QuoteMeta("}"))
			}
		case ',':
			if depth > 0 {
				b.WriteString("|")
			} else {
				b.WriteString(",")
			}
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	b.WriteString("$")
	return b.String()
}
