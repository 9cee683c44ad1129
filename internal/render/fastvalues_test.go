package render

import (
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

// fastValues reads every values file as sigs.k8s.io/yaml reads it into a
// map (how Helm and the slow path read them), or leaves it to that path.
func TestFastValuesMatchesSigsYAML(t *testing.T) {
	cases := []string{
		"", "# only a comment\n", "null\n", "~\n", "a: 1\n", "a: 1.5\nb: 1e21\nc: 9223372036854775807\nd: 18446744073709551616\n",
		"a: -0.0\nb: 0x1F\nc: 0o17\nd: 1_000\n", "a: yes\nb: on\nc: true\nd: 'true'\n", "t: 2024-01-02\n",
		"a: .nan\n", "a: .inf\n", "1: intkey\n", "true: x\n", "- a\n- b\n", "scalar\n", "a: [1, {b: c}]\n",
		"a: &x {k: 1}\nb: *x\nc:\n  <<: *x\n  d: 2\n", "dup: 1\ndup: 2\n", "a: !!binary /w==\n", "a: !!binary aGk=\n",
		"a: [unclosed\n", "a: 1\n---\nb: 2\n", "---\na: 1\n", "a: \"\\xff\"\n", "image:\n  tag: \"1.2.3\"\n  repo: x\nreplicas: 3\n",
		"a: 12345678901234567890123\n", "a: 1.0\nb: 100\nc: 0.000001\nd: 1e-7\n", "a: null\nb:\n",
	}
	rng := rand.New(rand.NewPCG(3, 5))
	pieces := []string{"a", "b", ":", " ", "\n", "  ", "- ", "1", "2.5", "-3", "1e3", "true", "null", "~", "[", "]", "{", "}", ",", "'x'", "\"y\"", "&r ", "*r", "<<: ", "#c", "0x10", ".inf"}
	for range 20_000 {
		var b strings.Builder
		for range rng.IntN(24) {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		cases = append(cases, b.String())
	}
	fast := 0
	for _, src := range cases {
		got, ok := fastValues([]byte(src))
		if !ok {
			continue
		}
		fast++
		want := map[string]any{}
		if err := yaml.Unmarshal([]byte(src), &want); err != nil {
			t.Fatalf("%q: fastValues read it, sigs.k8s.io/yaml refuses it: %v", src, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%q:\ngot  %#v\nwant %#v", src, got, want)
		}
	}
	if fast < 2000 {
		t.Fatalf("only %d inputs took the fast path: the test exercises little", fast)
	}
}
