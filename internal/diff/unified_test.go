package diff

import (
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
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

// TestLineEditsMinimalLarger runs the minimality check on longer inputs, so
// the linear-space search recurses several levels deep (the small cases
// above are mostly settled by prefix and suffix trimming).
func TestLineEditsMinimalLarger(t *testing.T) {
	r := rand.New(rand.NewSource(3))
	for iter := 0; iter < 200; iter++ {
		words := []string{"a", "b", "c", "d", "e", "f"}[:2+r.Intn(5)]
		gen := func(n int) []string {
			out := make([]string, n)
			for i := range out {
				out[i] = words[r.Intn(len(words))]
			}
			return out
		}
		a := gen(r.Intn(150))
		var b []string
		if r.Intn(2) == 0 {
			b = gen(r.Intn(150))
		} else {
			// a with a few scattered edits: long common runs
			b = append([]string(nil), a...)
			for k := r.Intn(10); k > 0 && len(b) > 0; k-- {
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
		}
		checkEdits(t, a, b)
	}
}

// checkEdits fails unless lineEdits(a, b) reproduces both inputs with the
// fewest edits and puts deletions before insertions within a change.
func checkEdits(t *testing.T, a, b []string) {
	t.Helper()
	edits := lineEdits(a, b)
	var ra, rb []string
	eq := 0
	for i, e := range edits {
		switch e.kind {
		case opEqual:
			ra, rb = append(ra, e.line), append(rb, e.line)
			eq++
		case opDelete:
			ra = append(ra, e.line)
			if i > 0 && edits[i-1].kind == opInsert {
				t.Fatalf("%v -> %v: deletion after an insertion at edit %d", a, b, i)
			}
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

// bigObject is a 20,000-line YAML-like text and a copy with 1,000 lines
// changed, spread over the whole text.
func bigObject() (from, to string) {
	var a, b strings.Builder
	for i := 0; i < 20000; i++ {
		line := fmt.Sprintf("  key-%05d: value %d\n", i, i*7919%10007)
		a.WriteString(line)
		if i%20 == 7 {
			line = fmt.Sprintf("  key-%05d: changed %d\n", i, i)
		}
		b.WriteString(line)
	}
	return a.String(), b.String()
}

// TestUnifiedBigObjectLinearMemory checks the large case end to end (the
// patch applies) and bounds what one Unified call allocates: the quadratic
// implementation took over a GiB here; the linear one needs a small
// multiple of the input.
func TestUnifiedBigObjectLinearMemory(t *testing.T) {
	from, to := bigObject()
	var u string
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	u = Unified("a/f", "b/f", from, to)
	runtime.ReadMemStats(&after)
	allocated := after.TotalAlloc - before.TotalAlloc
	in := uint64(len(from) + len(to))
	t.Logf("input %d bytes, allocated %d bytes (%.1fx)", in, allocated, float64(allocated)/float64(in))
	if limit := 32 * in; allocated > limit {
		t.Errorf("Unified of a 20,000-line object allocated %d bytes, want at most %d (32x the input)", allocated, limit)
	}
	if n := strings.Count(u, "\n@@ "); n != 1000 {
		t.Errorf("got %d hunks, want 1000", n)
	}
	if _, err := exec.LookPath("patch"); err != nil {
		return
	}
	dir := t.TempDir()
	f := filepath.Join(dir, "f")
	if err := os.WriteFile(f, []byte(from), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("patch", "-s", "-p1", "--no-backup-if-mismatch", "-F0")
	cmd.Dir = dir
	cmd.Stdin = strings.NewReader(u)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("patch: %v\n%s", err, out)
	}
	if got, _ := os.ReadFile(f); string(got) != to {
		t.Fatal("patched text differs")
	}
}

// BenchmarkUnifiedBigObject: one 20,000-line object with 1,000 changed
// lines. Look at B/op (memory), not ns/op.
func BenchmarkUnifiedBigObject(b *testing.B) {
	from, to := bigObject()
	b.ReportAllocs()
	b.SetBytes(int64(len(from) + len(to)))
	for b.Loop() {
		if Unified("a/f", "b/f", from, to) == "" {
			b.Fatal("no diff")
		}
	}
}
