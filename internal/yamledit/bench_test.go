package yamledit

import (
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkSet edits a typical chart values file (parse, splice, and the
// verifying re-read with both YAML readers).
func BenchmarkSet(b *testing.B) {
	src, err := os.ReadFile(filepath.Join("testdata", "edits", "basic.yaml"))
	if err != nil {
		b.Fatal(err)
	}
	p := Path{"image", "tag"}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, _, err := Set(src, p, "v1.4.2"); err != nil {
			b.Fatal(err)
		}
	}
}
