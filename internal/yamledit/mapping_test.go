package yamledit

import (
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

func set(t *testing.T, src string, path []string, k, v string) string {
	t.Helper()
	d, err := Parse("f.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	out, err := d.Set(path, k, v)
	if err != nil {
		t.Fatal(err)
	}
	// What Helm reads must be the value we set.
	var m map[string]any
	if err := yaml.Unmarshal(out, &m); err != nil {
		t.Fatalf("result does not parse: %v\n%s", err, out)
	}
	cur := any(m)
	for _, p := range path {
		cur = cur.(map[string]any)[p]
	}
	if got := cur.(map[string]any)[k]; got != v {
		t.Fatalf("after Set, %s = %#v, want %q\n%s", k, got, v, out)
	}
	return string(out)
}

func TestSet(t *testing.T) {
	cfg := []string{"config"}
	tests := []struct {
		name, src string
		path      []string
		k, v      string
		want      string
	}{
		{"replace keeps comments", "# top\nconfig:\n  # level\n  LOG_LEVEL: info   # inline\n  URL: \"http://x\"\n", cfg, "LOG_LEVEL", "debug",
			"# top\nconfig:\n  # level\n  LOG_LEVEL: debug   # inline\n  URL: \"http://x\"\n"},
		{"append at indentation", "config:\n    A: b\n    C: |\n      multi\n      line\n\n# foot\n", cfg, "NEW", "v",
			"config:\n    A: b\n    C: |\n      multi\n      line\n    NEW: v\n\n# foot\n"},
		{"replace literal block", "config:\n  C: |\n    multi\n    line\n  D: x\n", cfg, "C", "one",
			"config:\n  C: one\n  D: x\n"},
		{"empty flow mapping", "config: {}  # none yet\nother: 1\n", cfg, "A", "b",
			"config:  # none yet\n  A: b\nother: 1\n"},
		{"implicit null", "config:\nother: 1\n", cfg, "A", "b", "config:\n  A: b\nother: 1\n"},
		{"explicit null", "config: ~\n", cfg, "A", "b", "config:\n  A: b\n"},
		{"missing mapping", "other: 1\n", cfg, "A", "b", "other: 1\nconfig:\n  A: b\n"},
		{"empty file", "", cfg, "A", "b", "config:\n  A: b\n"},
		{"no final newline", "config:\n  A: b", cfg, "C", "d", "config:\n  A: b\nC: d\n"},
		{"nested missing", "sealedSecrets:\n  scope: strict\n", []string{"sealedSecrets", "encryptedData"}, "K", "AgB+/=",
			"sealedSecrets:\n  scope: strict\n  encryptedData:\n    K: AgB+/=\n"},
		{"nested empty", "sealedSecrets:\n  scope: strict\n  encryptedData: {}\n  x: 1\n", []string{"sealedSecrets", "encryptedData"}, "K", "v",
			"sealedSecrets:\n  scope: strict\n  encryptedData:\n    K: v\n  x: 1\n"},
		{"quoting", "config:\n  A: b\n", cfg, "A", "multi\nline \"q\" é",
			"config:\n  A: \"multi\\nline \\\"q\\\" é\"\n"},
		{"ambiguous", "config:\n  A: b\n", cfg, "A", "yes", "config:\n  A: \"yes\"\n"},
		{"number-like", "config:\n  A: b\n", cfg, "A", "0x10", "config:\n  A: \"0x10\"\n"},
		{"empty value", "config:\n  A: b\n", cfg, "A", "", "config:\n  A: \"\"\n"},
		{"unicode before comment", "config:\n  U: héllo wörld # c\n", cfg, "U", "x", "config:\n  U: x # c\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.name == "no final newline" {
				tt.want = "config:\n  A: b\n  C: d\n"
			}
			if got := set(t, tt.src, tt.path, tt.k, tt.v); got != tt.want {
				t.Fatalf("got\n%q\nwant\n%q", got, tt.want)
			}
		})
	}
}

func TestSetSameValueNoChange(t *testing.T) {
	src := "config:\n  A:   'b'  # c\n"
	d, _ := Parse("f", []byte(src))
	out, err := d.Set([]string{"config"}, "A", "b")
	if err != nil || string(out) != src {
		t.Fatalf("%q %v", out, err)
	}
}

func TestDelete(t *testing.T) {
	tests := []struct{ name, src, key, want string }{
		{"middle", "config:\n  A: 1 # c\n  B: |\n    x\n  C: 3\n", "B", "config:\n  A: 1 # c\n  C: 3\n"},
		{"last leaves {}", "config:\n  A: 1\nother: 2\n", "A", "config: {}\nother: 2\n"},
		{"absent", "config:\n  A: 1\n", "Z", "config:\n  A: 1\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := Parse("f", []byte(tt.src))
			if err != nil {
				t.Fatal(err)
			}
			out, _, err := d.Delete([]string{"config"}, tt.key)
			if err != nil || string(out) != tt.want {
				t.Fatalf("got %q (%v), want %q", out, err, tt.want)
			}
		})
	}
}

func TestEntries(t *testing.T) {
	d, err := Parse("f", []byte("config:\n  B: 2\n  A: 'x y'\n  C: |\n    l1\n  N:\n"))
	if err != nil {
		t.Fatal(err)
	}
	es, err := d.Entries("config")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range es {
		got = append(got, e.Key+"="+e.Value)
	}
	if strings.Join(got, ",") != "B=2,A=x y,C=l1\n,N=" {
		t.Fatalf("%q", got)
	}
}

func TestErrors(t *testing.T) {
	tests := []struct{ src, want string }{
		{"config:\n  A: [1\n", "f.yaml:"},
		{"config:\n  A: b\n  A: c\n", `f.yaml:3: mapping key "A" already defined`},
		{"- a\n", "f.yaml:1: the top level must be a mapping"},
		{"config: [a]\n", "f.yaml:1: config must be a mapping, found a list"},
		{"config:\n  A:\n    B: c\n", "f.yaml:3: config.A must be a plain value"},
		{"a: 1\n---\nb: 2\n", "more than one YAML document"},
	}
	for _, tt := range tests {
		d, err := Parse("f.yaml", []byte(tt.src))
		if err == nil {
			_, err = d.Entries("config")
		}
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q: err = %v, want %q", tt.src, err, tt.want)
		}
	}
}

func TestSetBefore(t *testing.T) {
	src := "s:\n  scope: strict  # c\n  # data\n  encryptedData: {}\n"
	d, _ := Parse("f", []byte(src))
	out, err := d.SetBefore([]string{"s"}, "sealedFor", "a/b", "encryptedData")
	if err != nil {
		t.Fatal(err)
	}
	if want := "s:\n  scope: strict  # c\n  sealedFor: a/b\n  # data\n  encryptedData: {}\n"; string(out) != want {
		t.Fatalf("%q", out)
	}
}

func TestSetAllMatchesSet(t *testing.T) {
	srcs := []string{
		"config:\n  A: 1 # c\n  B: |\n    x\n  C: 3\n# foot\n",
		"config: {}\n",
		"other: 1\n",
		"config:\n  A:\n  B: 2",
	}
	kvs := []KV{{"B", "two"}, {"NEW", "n e w"}, {"A", "1"}, {"Z", "last"}}
	for _, src := range srcs {
		want := []byte(src)
		for _, kv := range kvs {
			d, err := Parse("f", want)
			if err != nil {
				t.Fatal(err)
			}
			if want, err = d.Set([]string{"config"}, kv.Key, kv.Value); err != nil {
				t.Fatal(err)
			}
		}
		d, _ := Parse("f", []byte(src))
		got, err := d.SetAll([]string{"config"}, kvs)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != string(want) {
			t.Errorf("%q:\nSetAll %q\nSet    %q", src, got, want)
		}
	}
}

// BenchmarkSetAll replaces 10 ciphertext-sized values in a secrets.yaml.
func BenchmarkSetAll(b *testing.B) {
	var src strings.Builder
	src.WriteString("sealedSecrets:\n  scope: strict\n  encryptedData:\n")
	var kvs []KV
	for i := 0; i < 10; i++ {
		k := "KEY_" + string(rune('A'+i))
		src.WriteString("    " + k + ": Ag" + strings.Repeat("x", 700) + "\n")
		kvs = append(kvs, KV{k, "Ag" + strings.Repeat("y", 700)})
	}
	data := []byte(src.String())
	for i := 0; i < b.N; i++ {
		d, err := Parse("s.yaml", data)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := d.SetAll([]string{"sealedSecrets", "encryptedData"}, kvs); err != nil {
			b.Fatal(err)
		}
	}
}
