package render

import (
	"context"
	"io"
	"os"
	"testing"

	"github.com/gitopsctl/gitopsctl/internal/config"
	"github.com/gitopsctl/gitopsctl/internal/manifest"
)

// BenchmarkRenderHeavyDir renders the gitops-repo GITOPSCTL_BENCH_REPO
// names (e.g. one holding big public charts) as `gitopsctl render
// --no-cache` does, output printed to io.Discard. Skipped when unset.
func BenchmarkRenderHeavyDir(b *testing.B) {
	dir := os.Getenv("GITOPSCTL_BENCH_REPO")
	if dir == "" {
		b.Skip("GITOPSCTL_BENCH_REPO is not set")
	}
	cfg, err := config.Load(config.Options{RepoDir: dir})
	if err != nil {
		b.Fatal(err)
	}
	benchRenderAll(b, cfg)
}

func benchRenderAll(b *testing.B, cfg *config.Loaded) {
	b.ReportAllocs()
	for b.Loop() {
		ws, err := Open(context.Background(), Options{Config: cfg})
		if err != nil {
			b.Fatal(err)
		}
		rs, err := ws.Render(context.Background())
		if err != nil {
			b.Fatal(err)
		}
		var objs []manifest.Object
		for _, r := range rs {
			if r.Err != nil {
				b.Fatal(r.Err)
			}
			objs = append(objs, r.Objects...)
		}
		if err := WriteYAML(io.Discard, objs, WriteOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}
