package check

import (
	"strconv"
	"strings"
	"testing"
)

func TestConfigValueProblems(t *testing.T) {
	for _, tc := range []struct {
		src  string
		want []string // "line: message fragment"
	}{
		{"config:\n  A: b\n  N: 1\n  T: true\n  E:\n  Q: \"x\"\n", nil},
		{"config: {}\n", nil},
		{"config:\n", nil},
		{"# nothing\n", nil},
		{"other: [a]\n", nil},
		{"config: [a, b]\n", []string{`1: config is a list: it must map env var names to values (the ConfigMap would get keys "0", "1", ...)`}},
		{"x: 1\nconfig:\n  - a\n  - b\n", []string{"3: config is a list"}},
		{"config: &c\n  - a\n", []string{"1: config is a list"}},
		{"config: text\n", []string{"1: config is a single value"}},
		{"config:\n  A: b\n  DB:\n    host: x\n  L: [1, 2]\n", []string{"4: config.DB is a map: env vars are plain values (set it with gitopsctl env set backend KEY=VALUE)", "5: config.L is a list"}},
		{"config: [a\n", nil}, // syntax: the render reports it
	} {
		ps := ConfigValueProblems(RepoConfigs, "backend/config.yaml", []byte(tc.src))
		if len(ps) != len(tc.want) {
			t.Errorf("%q: %d problems %v, want %d", tc.src, len(ps), ps, len(tc.want))
			continue
		}
		for i, p := range ps {
			line, msg, _ := strings.Cut(tc.want[i], ": ")
			if p.Class != ClassConfig || p.File != "backend/config.yaml" || p.Repo != RepoConfigs || !strings.Contains(p.Message, msg) || line != strconv.Itoa(p.Line) {
				t.Errorf("%q: problem %+v, want line %s with %q", tc.src, p, line, msg)
			}
		}
	}
}
