package diff

import (
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// lcsLen is the textbook dynamic programme, used to check that the edit
// script is minimal.
func lcsLen(a, b []string) int {
	dp := make([][]int, len(a)+1)
	for i := range dp {
		dp[i] = make([]int, len(b)+1)
	}
	for i := len(a) - 1; i >= 0; i-- {
		for j := len(b) - 1; j >= 0; j-- {
			if a[i] == b[j] {
				dp[i][j] = dp[i+1][j+1] + 1
			} else {
				dp[i][j] = max(dp[i+1][j], dp[i][j+1])
			}
		}
	}
	return dp[0][0]
}

func TestLineEditsMinimalAndValid(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	words := []string{"a", "b", "c", "d"}
	gen := func() []string {
		n := r.Intn(12)
		out := make([]string, n)
		for i := range out {
			out[i] = words[r.Intn(len(words))]
		}
		return out
	}
	for iter := 0; iter < 2000; iter++ {
		a, b := gen(), gen()
		edits := lineEdits(a, b)
		var ra, rb []string
		eq := 0
		for _, e := range edits {
			switch e.kind {
			case opEqual:
				ra, rb = append(ra, e.line), append(rb, e.line)
				eq++
			case opDelete:
				ra = append(ra, e.line)
			case opInsert:
				rb = append(rb, e.line)
			}
		}
		if strings.Join(ra, ",") != strings.Join(a, ",") || strings.Join(rb, ",") != strings.Join(b, ",") {
			t.Fatalf("edit script of %v -> %v does not reproduce the inputs", a, b)
		}
		if want := lcsLen(a, b); eq != want {
			t.Fatalf("%v -> %v: %d equal lines, minimal is %d", a, b, eq, want)
		}
	}
}

// TestUnifiedAppliesWithPatch checks the hunks with the real patch tool.
func TestUnifiedAppliesWithPatch(t *testing.T) {
	if _, err := exec.LookPath("patch"); err != nil {
		t.Skip("patch not installed")
	}
	r := rand.New(rand.NewSource(2))
	for iter := 0; iter < 40; iter++ {
		var a []string
		for i := 0; i < 40; i++ {
			a = append(a, "line "+string(rune('a'+r.Intn(26))))
		}
		b := append([]string(nil), a...)
		for k := 0; k < 4; k++ {
			i := r.Intn(len(b))
			switch r.Intn(3) {
			case 0:
				b = append(b[:i], b[i+1:]...)
			case 1:
				b = append(b[:i], append([]string{"new"}, b[i:]...)...)
			default:
				b[i] = "changed"
			}
		}
		from, to := strings.Join(a, "\n")+"\n", strings.Join(b, "\n")+"\n"
		u := Unified("a/f", "b/f", from, to)
		dir := t.TempDir()
		f := filepath.Join(dir, "f")
		os.WriteFile(f, []byte(from), 0o644)
		cmd := exec.Command("patch", "-s", "-p1", "--no-backup-if-mismatch", "-F0")
		cmd.Dir = dir
		cmd.Stdin = strings.NewReader(u)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("patch: %v\n%s\n%s", err, out, u)
		}
		got, _ := os.ReadFile(f)
		if string(got) != to {
			t.Fatalf("patched text differs\n%s", u)
		}
	}
}

func TestUnifiedEqual(t *testing.T) {
	if u := Unified("a", "b", "x\n", "x\n"); u != "" {
		t.Fatalf("want empty, got %q", u)
	}
	got := Unified("a", "b", "", "x\ny\n")
	want := "--- a\n+++ b\n@@ -0,0 +1,2 @@\n+x\n+y\n"
	if got != want {
		t.Fatalf("got %q want %q", got, want)
	}
}
