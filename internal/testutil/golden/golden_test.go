package golden

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// recorder is a testing.TB that records failures instead of failing.
type recorder struct {
	testing.TB
	errs  []string
	fatal bool
}

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, args ...any) {
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}
func (r *recorder) Fatalf(format string, args ...any) {
	r.Errorf(format, args...)
	r.fatal = true
}
func (r *recorder) Fatal(args ...any) {
	r.errs = append(r.errs, fmt.Sprint(args...))
	r.fatal = true
}

func TestCheck(t *testing.T) {
	if Update() {
		t.Skip("compares, so it does not run with -update")
	}
	path := filepath.Join(t.TempDir(), "out.txt")
	if err := os.WriteFile(path, []byte("a\nb\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := &recorder{TB: t}
	Check(r, path, []byte("a\nb\n"))
	if len(r.errs) != 0 {
		t.Fatalf("equal output failed: %q", r.errs)
	}
	Check(r, path, []byte("a\nc\n"))
	if len(r.errs) != 1 || !strings.Contains(r.errs[0], `line 2:`) || !strings.Contains(r.errs[0], `"c"`) {
		t.Fatalf("different output: %q, want one failure naming line 2", r.errs)
	}
	r = &recorder{TB: t}
	Check(r, filepath.Join(t.TempDir(), "missing.txt"), []byte("x"))
	if !r.fatal {
		t.Fatal("a missing golden file did not fail the test")
	}
}

func TestFirstDiff(t *testing.T) {
	for _, tc := range []struct{ want, got, diff string }{
		{"a\nb", "a\nb\n", "line 3:\n  want: \"<end of file>\"\n  got:  \"\""},
		{"x\n", "y\n", "line 1:\n  want: \"x\"\n  got:  \"y\""},
		{"same", "same", "no difference"},
	} {
		if d := FirstDiff([]byte(tc.want), []byte(tc.got)); d != tc.diff {
			t.Errorf("FirstDiff(%q, %q) = %q, want %q", tc.want, tc.got, d, tc.diff)
		}
	}
}
