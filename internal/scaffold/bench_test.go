package scaffold

import (
	"context"
	"fmt"
	"testing"
)

// BenchmarkNewService measures one new-service run: render the templates,
// validate them (strict Argo CD decode, Helm engine render) and write both
// repositories.
func BenchmarkNewService(b *testing.B) {
	p := initPairB(b)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		o := p.serviceOpts(fmt.Sprintf("svc-%d", i))
		if _, err := NewService(context.Background(), o); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkInitPlatform measures init with the placeholder platform.
func BenchmarkInitPlatform(b *testing.B) {
	for b.Loop() {
		initPairB(b, func(o *InitOptions) { o.Platform = true })
	}
}

func initPairB(b *testing.B, mod ...func(*InitOptions)) pair {
	root := b.TempDir()
	p := pair{root: root, repo: root + "/gitops-repo", configs: root + "/configs-repo"}
	o := InitOptions{RepoDir: p.repo, Registry: "ghcr.io/acme", Now: testNow, Getenv: func(string) string { return "" }}
	for _, m := range mod {
		m(&o)
	}
	if _, err := Init(context.Background(), o); err != nil {
		b.Fatal(err)
	}
	return p
}
