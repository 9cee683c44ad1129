package seal

import (
	"context"
	"testing"

	"github.com/gitopsctl/gitopsctl/internal/config"
	"github.com/gitopsctl/gitopsctl/internal/render"
	"github.com/gitopsctl/gitopsctl/internal/rendercache"
)

// With a render cache, a SealedSecret located once is located again for
// the same inputs without rendering anything; a changed input renders again.
func TestRenderLocatorCached(t *testing.T) {
	f := newFixture(t, map[string]string{"api": "team-a"})
	cacheDir := t.TempDir()
	locateOnce := func() (Target, render.CacheStats) {
		t.Helper()
		var ws *render.Workspace
		var opened render.CacheStats // discovery's own renders
		loc := RenderLocator(func(ctx context.Context) (*render.Workspace, error) {
			cfg, err := config.Load(config.Options{RepoDir: f.repo})
			if err != nil {
				return nil, err
			}
			ws, err = render.Open(ctx, render.Options{Config: cfg, RenderCache: rendercache.New(cacheDir, 0), CacheSalt: "test"})
			if err == nil {
				opened = ws.CacheStats()
			}
			return ws, err
		})
		l, err := loc(context.Background(), "api", Location{})
		tg := l.Target
		if err != nil {
			t.Fatal(err)
		}
		st := ws.CacheStats()
		return tg, render.CacheStats{Hits: st.Hits - opened.Hits, Misses: st.Misses - opened.Misses, Uncacheable: st.Uncacheable - opened.Uncacheable}
	}
	first, st := locateOnce()
	if first.Namespace != "team-a" || first.Name == "" || st.Misses != 1 {
		t.Fatalf("first: %v %+v", first, st)
	}
	again, st := locateOnce()
	if again != first || st != (render.CacheStats{}) {
		t.Fatalf("second: %v, rendered %+v; want %v without rendering", again, st, first)
	}
	write(t, f.configs+"/api/config.yaml", "config:\n  LOG_LEVEL: debug\n")
	third, st := locateOnce()
	if third != first || st.Misses != 1 {
		t.Fatalf("after a change: %v %+v", third, st)
	}
}
