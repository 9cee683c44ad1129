// Package golden compares test output with golden files and, when the tests
// run with -update, rewrites those files instead. It is imported by _test.go
// files only; `make golden` runs every package that imports it with -update.
package golden

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files (and testscript cmp targets) instead of comparing with them")

// Update reports whether the tests run with -update.
func Update() bool { return *update }

// Check compares got with the golden file at path. With -update it writes got
// to path, creating its directory, and passes. A missing file or a
// difference fails the test; the message shows the first differing line.
func Check(t testing.TB, path string, got []byte) {
	t.Helper()
	CheckFunc(t, path, got, FirstDiff)
}

// CheckFunc is Check with explain describing how want (the golden file)
// and got differ in the failure message.
func CheckFunc(t testing.TB, path string, got []byte, explain func(want, got []byte) string) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (make golden, or go test -update in this package, creates it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s (check the change, then make golden):\n%s", path, explain(want, got))
	}
}

// FirstDiff describes the first line where want and got differ.
func FirstDiff(want, got []byte) string {
	wl := strings.Split(string(want), "\n")
	gl := strings.Split(string(got), "\n")
	for i := 0; i < len(wl) || i < len(gl); i++ {
		w, g := "<end of file>", "<end of file>"
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			return fmt.Sprintf("line %d:\n  want: %q\n  got:  %q", i+1, w, g)
		}
	}
	return "no difference"
}
