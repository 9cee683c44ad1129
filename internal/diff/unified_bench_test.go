package diff

import (
	"fmt"
	"strings"
	"testing"
)

// BenchmarkUnified20000 is the figure: one 20,000-line object with
// 1,000 changed lines (make bench prints its memory per operation).
func BenchmarkUnified20000(b *testing.B) {
	var from, to strings.Builder
	for i := range 20000 {
		fmt.Fprintf(&from, "  key%05d: value %d\n", i, i)
		if i%20 == 7 {
			fmt.Fprintf(&to, "  key%05d: changed %d\n", i, i)
		} else {
			fmt.Fprintf(&to, "  key%05d: value %d\n", i, i)
		}
	}
	a, c := from.String(), to.String()
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if Unified("a", "b", a, c) == "" {
			b.Fatal("no diff")
		}
	}
}
