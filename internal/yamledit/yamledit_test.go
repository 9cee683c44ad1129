package yamledit

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/goccy/go-yaml/lexer"
	"github.com/goccy/go-yaml/token"

	"github.com/gitopsctl/gitopsctl/internal/testutil/golden"
)

// editCases are the golden corpus: testdata/edits/<file> edited at path to
// value must equal testdata/edits/golden/<name>.yaml byte for byte.
var editCases = []struct {
	name, file, path, value string
	inserted                bool
}{
	{"basic", "basic.yaml", "image.tag", "v1.4.2", false},
	{"indent4_double", "indent4_double.yaml", "image.tag", "v1.4.2", false},
	{"single_quoted", "single_quoted.yaml", "image.tag", "v1.4.2", false},
	{"seq_indented", "seq_indented.yaml", "image.tag", "v2", false},
	{"seq_nonindented_missing", "seq_nonindented_missing.yaml", "image.tag", "v2", true},
	{"seq_nonindented_missing_root", "seq_nonindented_missing.yaml", "global.imageTag", "v2", true},
	{"anchors", "anchors.yaml", "image.tag", "v1.1.0", false},
	{"anchors_sidecar", "anchors.yaml", "sidecar.tag", "v10", false},
	{"flow_map", "flow_map.yaml", "image.tag", "v1.4.2", false},
	{"flow_missing", "flow_missing.yaml", "image.tag", "v1.4.2", true},
	{"flow_missing_nested", "flow_missing.yaml", "service.image.tag", "v3", true},
	{"crlf", "crlf.yaml", "image.tag", "v1.4.2", false},
	{"crlf_missing", "crlf_missing.yaml", "image.tag", "v1.4.2", true},
	{"missing_tag", "missing_tag.yaml", "image.tag", "v1.4.2", true},
	{"missing_image", "missing_image.yaml", "image.tag", "v1.4.2", true},
	{"number_tag", "number_tag.yaml", "image.tag", "1.10", false},
	{"number_tag_plain", "number_tag.yaml", "image.tag", "v1.10", false},
	{"no_newline", "no_newline.yaml", "image.tag", "v2", false},
	{"no_newline_missing", "no_newline_missing.yaml", "image.tag", "v2", true},
	{"empty_value", "empty_value.yaml", "image.tag", "v2", false},
	{"unicode", "unicode.yaml", "image.tag", "v2", false},
	{"digest", "digest.yaml", "image.digest", "sha256:" + strings.Repeat("ab", 32), false},
	{"digest_plain_missing", "basic.yaml", "image.digest", "sha256:" + strings.Repeat("0f", 32), true},
	{"bool_looking", "basic.yaml", "image.tag", "on", false},
}

func readFile(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "edits", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// changedRegion returns the bytes of a that differ from b, after removing
// their common prefix and suffix.
func changedRegion(a, b []byte) (old, new []byte) {
	old, new, _ = changedAt(a, b)
	return old, new
}

// comments lists the comment tokens of src, in order.
func comments(src []byte) []string {
	var out []string
	for _, tk := range lexer.Tokenize(string(src)) {
		if tk.Type == token.CommentType {
			out = append(out, tk.Value)
		}
	}
	return out
}

// checkOnlyScalar fails unless out differs from in by one contiguous
// region, with every comment and (for a replacement) every line break kept.
func checkOnlyScalar(t testing.TB, in, out []byte, inserted bool) {
	t.Helper()
	oldPart, _ := changedRegion(in, out)
	if !inserted && (bytes.ContainsAny(oldPart, "\n\r") || bytes.Count(in, []byte("\n")) != bytes.Count(out, []byte("\n"))) {
		t.Fatalf("edit changed line breaks: removed %q\nin:  %q\nout: %q", oldPart, in, out)
	}
	if inserted && len(oldPart) != 0 {
		t.Fatalf("insertion removed %q\nin:  %q\nout: %q", oldPart, in, out)
	}
	if a, b := comments(in), comments(out); !reflect.DeepEqual(a, b) {
		t.Fatalf("comments changed: %q -> %q\nin:  %q\nout: %q", a, b, in, out)
	}
}

func changedAt(a, b []byte) (old, new []byte, off int) {
	p := 0
	for p < len(a) && p < len(b) && a[p] == b[p] {
		p++
	}
	s := 0
	for s < len(a)-p && s < len(b)-p && a[len(a)-1-s] == b[len(b)-1-s] {
		s++
	}
	return a[p : len(a)-s], b[p : len(b)-s], p
}

func TestSetGolden(t *testing.T) {
	for _, tc := range editCases {
		t.Run(tc.name, func(t *testing.T) {
			in := readFile(t, tc.file)
			path, err := ParsePath(tc.path)
			if err != nil {
				t.Fatal(err)
			}
			out, ch, err := Set(in, path, tc.value)
			if err != nil {
				t.Fatalf("Set: %v", err)
			}
			if !ch.Changed || ch.Inserted != tc.inserted {
				t.Errorf("change = %+v, want changed, inserted=%v", ch, tc.inserted)
			}
			golden.Check(t, filepath.Join("testdata", "edits", "golden", tc.name+".yaml"), out)
			if err := Verify(in, out, path, tc.value); err != nil {
				t.Error(err)
			}
			got, err := Get(out, path)
			if err != nil || got.Value != tc.value || !got.IsString || got.Line != ch.Line {
				t.Errorf("Get after Set = %+v, %v; want %q as a string at line %d", got, err, tc.value, ch.Line)
			}
			// Only the one scalar changed: the differing region is the old
			// raw scalar (or nothing, for an insertion) and the new text holds
			// the value.
			checkOnlyScalar(t, in, out, ch.Inserted)
			lines := strings.Split(string(out), "\n")
			if ch.Line < 1 || ch.Line > len(lines) || !strings.Contains(lines[ch.Line-1], tc.value) {
				t.Errorf("line %d of the result does not hold the value", ch.Line)
			}
			// Setting it again is a no-op.
			again, ch2, err := Set(out, path, tc.value)
			if err != nil || ch2.Changed || !bytes.Equal(again, out) {
				t.Errorf("second Set changed something: %+v %v", ch2, err)
			}
		})
	}
}

func TestQuotingStyles(t *testing.T) {
	for _, tc := range []struct{ in, value, want, path string }{
		{"tag: v1\n", "v2", "tag: v2\n", ""},
		{"tag: v1\n", "1.10", "tag: \"1.10\"\n", ""},
		{"tag: v1\n", "123", "tag: \"123\"\n", ""},
		{"tag: v1\n", "true", "tag: \"true\"\n", ""},
		{"tag: v1\n", "yes", "tag: \"yes\"\n", ""}, // YAML 1.1 bool for Helm
		{"tag: v1\n", "null", "tag: \"null\"\n", ""},
		{"tag: v1\n", "1e3", "tag: \"1e3\"\n", ""},
		{"tag: v1\n", "0x1F", "tag: \"0x1F\"\n", ""},
		{"tag: 'v1'\n", "it's", "tag: 'it''s'\n", ""},
		{"tag: \"v1\"\n", `a"b\c`, `tag: "a\"b\\c"` + "\n", ""},
		{"tag: 1.9\n", "2.0", "tag: \"2.0\"\n", ""},
		{"tag: !!str 1.9\n", "v2", "tag: !!str v2\n", ""},
		{"tag: v1 # c\n", "v2", "tag: v2 # c\n", ""},
		{"tag: ~\n", "v2", "tag: v2\n", ""},
		{"tag: null\n", "v2", "tag: v2\n", ""},
		// A key that only comes from a merge gets its own entry; the anchor stays.
		{"base: &b\n  tag: v1\nimage:\n  <<: *b\n", "v2", "base: &b\n  tag: v1\nimage:\n  <<: *b\n  tag: \"v2\"\n", "image.tag"},
	} {
		p := Path{"tag"}
		if tc.path != "" {
			p, _ = ParsePath(tc.path)
		}
		out, _, err := Set([]byte(tc.in), p, tc.value)
		if err != nil {
			t.Errorf("Set(%q, %q): %v", tc.in, tc.value, err)
			continue
		}
		if string(out) != tc.want {
			t.Errorf("Set(%q, %q) = %q, want %q", tc.in, tc.value, out, tc.want)
		}
	}
}

func TestSetErrors(t *testing.T) {
	for _, tc := range []struct {
		name, in, path, want string
		line                 int
	}{
		{"malformed", "image:\n  tag: v1\n bad: [\n", "image.tag", "invalid YAML", 3},
		{"tab indent", "image:\n\ttag: v1\n", "image.tag", "invalid YAML", 2},
		{"crosses scalar", "image: nginx\n", "image.tag", "crosses a non-map: image is a scalar", 1},
		{"crosses sequence", "x: 1\nimage:\n  - a\n", "image.tag", "crosses a non-map: image is a sequence", 3},
		{"crosses null", "image:\nx: 1\n", "image.tag", "crosses a non-map: image is null", 1},
		{"target is map", "image:\n  tag:\n    a: b\n", "image.tag", "is a map, not a scalar", 3},
		{"block scalar", "image:\n  tag: |\n    v1\n", "image.tag", "block scalar", 2},
		{"alias target", "t: &t v1\nimage:\n  tag: *t\n", "image.tag", "is an alias", 3},
		{"anchored target used elsewhere", "image:\n  tag: &t v1\nother: *t\n", "image.tag", "shows changes other than image.tag", 0},
		{"through alias", "base: &b {tag: v1}\nimage: *b\n", "image.tag", "crosses an alias", 2},
		{"two documents", "a: 1\n---\nb: 2\n", "a", "more than one YAML document", 3},
		{"multi-line plain", "image:\n  tag: v1\n    continued\n", "image.tag", "spanning lines", 2},
		{"root sequence", "- a\n", "image.tag", "crosses a non-map: the document is a sequence", 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, _ := ParsePath(tc.path)
			out, _, err := Set([]byte(tc.in), p, "v2")
			if err == nil {
				t.Fatalf("no error; output %q", out)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not contain %q", err, tc.want)
			}
			if tc.line > 0 {
				var e *Error
				if !errorsAs(err, &e) || e.Line != tc.line {
					t.Errorf("error %q: want line %d", err, tc.line)
				}
			}
		})
	}
}

func TestParsePath(t *testing.T) {
	if p, err := ParsePath("image.tag"); err != nil || len(p) != 2 || p.String() != "image.tag" {
		t.Errorf("ParsePath = %v, %v", p, err)
	}
	for _, bad := range []string{"", ".", "a..b", "a."} {
		if _, err := ParsePath(bad); err == nil {
			t.Errorf("ParsePath(%q): no error", bad)
		}
	}
}
