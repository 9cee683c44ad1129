package scaffold

import (
	"strings"
	"testing"
)

func TestValidTag(t *testing.T) {
	for tag, want := range map[string]bool{
		"1.2.3":                  true,
		"v1_rc.2-x":              true,
		strings.Repeat("a", 128): true,
		strings.Repeat("a", 129): false,
		"":                       false,
		".hidden":                false,
		"-x":                     false,
		"a/b":                    false,
		"_ok":                    true,
		"a:b":                    false,
		strings.Repeat("é", 10):  false,
	} {
		if got := validTag(tag); got != want {
			t.Errorf("validTag(%q) = %v, want %v", tag, got, want)
		}
	}
}
