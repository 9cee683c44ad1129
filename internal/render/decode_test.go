package render

import (
	"context"
	"reflect"
	"testing"

	"github.com/gitopsctl/gitopsctl/internal/argo"
	"github.com/gitopsctl/gitopsctl/internal/manifest"
)

// sameDecode checks that decodeSection reads text exactly as
// argo.DecodeManifestStream does; it reports whether the direct path was
// taken.
func sameDecode(t *testing.T, text string) bool {
	t.Helper()
	want, werr := argo.DecodeManifestStream([]byte(text))
	got, gerr := decodeSection(text)
	if (werr == nil) != (gerr == nil) || werr != nil && werr.Error() != gerr.Error() {
		t.Fatalf("%q: error %v, want %v", text, gerr, werr)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%q:\ngot  %#v\nwant %#v", text, got, want)
	}
	_, fast := fastDecode(text)
	return fast
}

func TestDecodeSectionMatchesStream(t *testing.T) {
	obj := "---\n# Source: c/templates/x.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n"
	for _, tc := range []struct {
		text string
		fast bool
	}{
		{obj, true},
		{obj + "data:\n  i: 1\n  f: 1.5\n  g: 1.0\n  big: 1e21\n  tiny: 1e-7\n  huge: 9223372036854775807\n  over: 9223372036854775808\n  neg0: -0.0\n  float19: 1.2345678901234567e18\n", false},
		{obj + "data:\n  i: 1\n  f: 1.5\n  g: 1.0\n  big: 1e21\n  tiny: 1e-7\n  huge: 9223372036854775807\n  neg0: -0.0\n  float19: 1.2345678901234567e18\n  t: 2024-01-02\n  bb: yes\n  nn: ~\n", true},
		{obj + "---\n# comment only\n---\n\n---\napiVersion: v1\nkind: Secret\nmetadata: {name: s}\n", true},
		{obj + "anchors: &a {x: 1}\nmerged:\n  <<: *a\n  yy: 2\n", true},
		{obj + "dup: 1\ndup: 2\n", true},
		{obj + "nan: .nan\n", false},
		{obj + "inf: -.inf\n", false},
		{obj + "1: intkey\n", false},
		{obj + "y: yes-is-a-bool-key\n", false},
		{obj + "true: boolkey\n", false},
		{"---\n# Source: l\napiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: ConfigMap, metadata: {name: a}}\n", false},
		{"---\n# Source: l\napiVersion: v1\nkind: ConfigMapList\nitems: null\n", false},
		{"---\n# Source: s\njust a scalar\n", false},
		{"---\n# Source: s\n- a\n- b\n", false},
		{"---\n# Source: s\nmetadata: {name: nokind}\n", false},
		{"---\n# Source: s\nkind: ''\n", false},
		{"---\n# Source: s\nkind: [x\n", false},
		{obj + "--- not a separator\n", false},
		{obj + "---   # separator with a comment\napiVersion: v1\nkind: Namespace\nmetadata: {name: n}\n", true},
		{obj + "bin: !!binary /w==\n", false},
		{"", true},
		{"---\n", true},
	} {
		if fast := sameDecode(t, tc.text); fast != tc.fast {
			t.Errorf("%q: direct path %v, want %v", tc.text, fast, tc.fast)
		}
	}
}

// TestDecodeSectionHeavyCharts: every printed section of the generated
// heavy charts decodes the same both ways, through the direct path.
func TestDecodeSectionHeavyCharts(t *testing.T) {
	if testing.Short() {
		t.Skip("renders 10 big charts")
	}
	ws, err := Open(context.Background(), Options{Config: heavyRepo(t)})
	if err != nil {
		t.Fatal(err)
	}
	rs, err := ws.Render(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	sections := 0
	for _, r := range rs {
		if r.Err != nil {
			t.Fatal(r.Err)
		}
		for _, text := range printedSections(t, r.Objects) {
			sections++
			if !sameDecode(t, text) {
				t.Errorf("%s: a section took the slow path", r.App.Name)
			}
		}
	}
	if sections == 0 {
		t.Fatal("no sections")
	}
}

// printedSections prints objects again as sections to decode.
func printedSections(t *testing.T, objs []manifest.Object) []string {
	var out []string
	for _, o := range objs {
		y, err := MarshalYAML(o.Object)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, "---\n# Source: "+o.Source+"\n"+string(y))
	}
	return out
}
