package check

import (
	"regexp"
	"strings"

	"github.com/gitopsctl/gitopsctl/internal/argo"
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

func compileGlob(pattern string, sep rune) *regexp.Regexp { return argo.GlobRegexp(pattern, sep) }
