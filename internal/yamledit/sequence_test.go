package yamledit

import (
	"strings"
	"testing"
)

func TestAppendItem(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		path      []string
		item      string
		want, err string
	}{
		{"new top-level key", "# head\na: 1 # keep\n", []string{"clusters"}, "name: prod\nserver: https://p\n",
			"# head\na: 1 # keep\nclusters:\n  - name: prod\n    server: https://p\n", ""},
		{"no final newline", "a: 1", []string{"l"}, "x", "a: 1\nl:\n  - x\n", ""},
		{"existing block sequence", "l:\n- name: a   # first\n  x: 1\n\n# tail\nb: 2\n", []string{"l"}, "name: b\nx: 2",
			"l:\n- name: a   # first\n  x: 1\n- name: b\n  x: 2\n\n# tail\nb: 2\n", ""},
		{"nested indented sequence", "spec:\n  destinations:\n    - server: a\n      namespace: '*'\n  other: 1\n", []string{"spec", "destinations"}, "server: b\nnamespace: \"*\"",
			"spec:\n  destinations:\n    - server: a\n      namespace: '*'\n    - server: b\n      namespace: \"*\"\n  other: 1\n", ""},
		{"empty key", "spec:\n  destinations:\n  other: 1\n", []string{"spec", "destinations"}, "x",
			"spec:\n  destinations:\n    - x\n  other: 1\n", ""},
		{"flow sequence refused", "l: [a]\n", []string{"l"}, "b", "", "flow sequence"},
		{"scalar refused", "l: a\n", []string{"l"}, "b", "", "must be a sequence"},
		{"missing parent", "a: 1\n", []string{"spec", "destinations"}, "b", "", "no mapping spec"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, err := Parse("f.yaml", []byte(tc.src))
			if err != nil {
				t.Fatal(err)
			}
			out, err := d.AppendItem(tc.path, tc.item)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want %s", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if string(out) != tc.want {
				t.Errorf("got\n%s\nwant\n%s", out, tc.want)
			}
		})
	}
}

func TestAppendItemsAt(t *testing.T) {
	src := "spec:\n  sources:\n    - path: charts/x\n      helm:\n        valueFiles:\n          - values.yaml # base\n          - $configs/x/secrets.yaml\n    - ref: configs\n"
	d, err := Parse("app.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	out, err := d.AppendItemsAt("$.spec.sources[0].helm.valueFiles", "$configs/x/clusters/a/config.yaml", "$configs/x/clusters/a/secrets.yaml")
	if err != nil {
		t.Fatal(err)
	}
	want := "spec:\n  sources:\n    - path: charts/x\n      helm:\n        valueFiles:\n          - values.yaml # base\n          - $configs/x/secrets.yaml\n          - \"$configs/x/clusters/a/config.yaml\"\n          - \"$configs/x/clusters/a/secrets.yaml\"\n    - ref: configs\n"
	if string(out) != want {
		t.Errorf("got\n%s\nwant\n%s", out, want)
	}
	if _, err := d.AppendItemsAt("$.spec.sources[1].helm.valueFiles", "y"); err == nil {
		t.Error("missing sequence: no error")
	}
}
