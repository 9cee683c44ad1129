package dotenv

import (
	"fmt"
	"path"
	"regexp"
)

// credentialURL matches a URL carrying a password: scheme://user:password@
// (anywhere in a value, so jdbc:postgresql://u:p@db and lists of URLs count).
var credentialURL = regexp.MustCompile(`[A-Za-z][A-Za-z0-9+.-]*://[^/?#@\s:]*:[^/?#@\s]+@`)

// HasCredentialURL reports whether value contains a URL with a password
// (scheme://user:password@host).
func HasCredentialURL(value string) bool { return credentialURL.MatchString(value) }

// MatchSecretPattern returns the first glob of patterns (path.Match syntax,
// e.g. *_PASSWORD) that key matches, or "".
func MatchSecretPattern(key string, patterns []string) string {
	for _, p := range patterns {
		if ok, _ := path.Match(p, key); ok {
			return p
		}
	}
	return ""
}

// LooksSecret says why key=value looks like a secret: its name matches one
// of patterns, or the value holds a URL with a password. It returns "" when
// neither holds. The reason never contains the value.
func LooksSecret(key, value string, patterns []string) string {
	if p := MatchSecretPattern(key, patterns); p != "" {
		return fmt.Sprintf("its name matches %s", p)
	}
	if HasCredentialURL(value) {
		return "its value is a URL with a password (scheme://user:password@...)"
	}
	return ""
}
