package check

import (
	"regexp"
	"strings"
	"sync"
)

// globMatch matches val against an Argo CD project pattern: "*" alone
// matches anything; otherwise "*" matches any run of characters except the
// separator (when one is given), "**" any run including it, "?" one
// character, "[...]" a class and "{a,b}" alternatives. With allowDeny, a
// leading "!" inverts the match.
func globMatch(pattern, val string, allowDeny bool, sep rune) bool {
	if allowDeny && isDeny(pattern) {
		return !globMatch(pattern[1:], val, false, sep)
	}
	if pattern == "*" {
		return true
	}
	re := compileGlob(pattern, sep)
	if re == nil {
		return pattern == val
	}
	return re.MatchString(val)
}

func isDeny(p string) bool { return strings.HasPrefix(p, "!") }

var globCache sync.Map

func compileGlob(pattern string, sep rune) *regexp.Regexp {
	key := string(sep) + "\x00" + pattern
	if v, ok := globCache.Load(key); ok {
		return v.(*regexp.Regexp)
	}
	anyRun := ".*"
	one := "."
	if sep != 0 {
		anyRun = "[^" + regexp.QuoteMeta(string(sep)) + "]*"
		one = "[^" + regexp.QuoteMeta(string(sep)) + "]"
	}
	var b strings.Builder
	b.WriteString("^")
	depth := 0
	rs := []rune(pattern)
	for i := 0; i < len(rs); i++ {
		c := rs[i]
		switch c {
		case '*':
			if i+1 < len(rs) && rs[i+1] == '*' {
				b.WriteString(".*")
				i++
			} else {
				b.WriteString(anyRun)
			}
		case '?':
			b.WriteString(one)
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
		case '\\':
			if i+1 < len(rs) {
				i++
				b.WriteString(regexp.QuoteMeta(string(rs[i])))
			}
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	b.WriteString("$")
	re, err := regexp.Compile(b.String())
	if err != nil {
		return nil
	}
	globCache.Store(key, re)
	return re
}
