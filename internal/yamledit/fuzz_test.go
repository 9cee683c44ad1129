package yamledit

import (
	"bytes"
	"testing"
)

// FuzzSetScalar checks, for any input that parses, that Set either refuses
// or changes exactly the one value: both YAML readers see the same document
// except at the path, the bytes differ in one contiguous region that does
// not swallow a line break or comment, and reading the path back gives the
// value as a string. `go test` runs the seeds (the golden corpus).
func FuzzSetScalar(f *testing.F) {
	for _, tc := range editCases {
		f.Add(readFile(f, tc.file), tc.path, tc.value)
	}
	f.Add([]byte("tag: v1\n"), "tag", "1.10")
	f.Add([]byte("a: {b: [1, 2], c: 'x'}\n"), "a.c", "y")
	f.Add([]byte("- a\n"), "a", "b")
	f.Fuzz(func(t *testing.T, src []byte, pathStr, value string) {
		path, err := ParsePath(pathStr)
		if err != nil || len(path) > 4 {
			return
		}
		out, ch, err := Set(src, path, value)
		if err != nil {
			return
		}
		if !ch.Changed {
			if !bytes.Equal(out, src) {
				t.Fatalf("unchanged result differs from input")
			}
			return
		}
		if err := Verify(src, out, path, value); err != nil {
			t.Fatalf("Set returned an edit that does not verify: %v\nin:  %q\nout: %q", err, src, out)
		}
		checkOnlyScalar(t, src, out, ch.Inserted)
		got, err := Get(out, path)
		if err != nil || !got.Found || got.Value != value || !got.IsString {
			t.Fatalf("Get after Set = %+v, %v; want %q as a string\nout: %q", got, err, value, out)
		}
	})
}
