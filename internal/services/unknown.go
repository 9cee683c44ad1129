package services

import (
	"fmt"
	"strings"
)

// UnknownError is a service (or app) name that names nothing known. The
// command layer maps it to a usage error.
type UnknownError struct {
	Kind   string   // "service"
	Name   string   // what was asked for
	Detail string   // where it was looked for, e.g. "no chart at charts/x"
	Label  string   // what Known lists, e.g. "services"
	Known  []string // the names that exist
}

func (e *UnknownError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "unknown %s %q", e.Kind, e.Name)
	if e.Detail != "" {
		b.WriteString(": " + e.Detail)
	}
	known := "none"
	if len(e.Known) > 0 {
		known = strings.Join(e.Known, ", ")
	}
	fmt.Fprintf(&b, " (%s: %s)", e.Label, known)
	b.WriteString(DidYouMean(e.Name, e.Known))
	return b.String()
}

// DidYouMean is "; did you mean \"x\"?" naming the known names close to
// name, or "" when none is.
func DidYouMean(name string, known []string) string {
	s := Suggest(name, known)
	if len(s) == 0 {
		return ""
	}
	q := make([]string, len(s))
	for i, n := range s {
		q[i] = fmt.Sprintf("%q", n)
	}
	return "; did you mean " + strings.Join(q, " or ") + "?"
}

// Suggest returns the known names close to name: an edit distance of at
// most 2 (case-insensitive), or name as a prefix. Order follows known.
func Suggest(name string, known []string) []string {
	if name == "" {
		return nil
	}
	var out []string
	ln := strings.ToLower(name)
	for _, k := range known {
		lk := strings.ToLower(k)
		if lk == ln || distance(ln, lk) <= 2 || strings.HasPrefix(lk, ln) {
			out = append(out, k)
		}
	}
	return out
}

// distance is the Levenshtein distance of a and b.
func distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			c := 1
			if ra[i-1] == rb[j-1] {
				c = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+c)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
