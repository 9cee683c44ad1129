package render

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gitopsctl/gitopsctl/internal/config"
	"github.com/gitopsctl/gitopsctl/internal/rendercache"
)

// renderCached renders one app through a render cache in cacheDir (none
// when cacheDir is "") and returns its objects as JSON and the cache stats.
func renderCached(t *testing.T, cfg *config.Loaded, cacheDir, app string) (string, CacheStats) {
	t.Helper()
	o := Options{CacheSalt: "test"}
	if cacheDir != "" {
		o.RenderCache = rendercache.New(cacheDir, 0)
	}
	ws := open(t, cfg, o)
	res, err := ws.Render(context.Background(), app)
	if err != nil {
		t.Fatal(err)
	}
	if res[0].Err != nil {
		t.Fatalf("render %s: %v", app, res[0].Err)
	}
	b, err := json.Marshal(res[0].Objects)
	if err != nil {
		t.Fatal(err)
	}
	return string(b), ws.CacheStats()
}

func replaceIn(t *testing.T, file, old, new string) {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), old) {
		t.Fatalf("%s does not contain %q", file, old)
	}
	if err := os.WriteFile(file, []byte(strings.Replace(string(data), old, new, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
}

// The cache never serves a stale render: changing any single kind of input
// changes the next render, which equals an uncached one; unchanged inputs
// are served from the cache with the same output.
func TestRenderCacheInputs(t *testing.T) {
	capsTemplate := "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: caps\ndata:\n  kube: {{ .Capabilities.KubeVersion.Version | quote }}\n  replicas: {{ .Values.replicaCount | quote }}\n"
	for _, tc := range []struct {
		name   string
		change func(t *testing.T, gitops, configs string)
	}{
		{"template", func(t *testing.T, gitops, _ string) {
			replaceIn(t, filepath.Join(gitops, "charts/backend/templates/caps.yaml"), "name: caps", "name: capabilities")
		}},
		{"new template", func(t *testing.T, gitops, _ string) {
			writeFiles(t, gitops, map[string]string{"charts/backend/templates/extra.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: extra\n"})
		}},
		{"value file in the gitops-repo", func(t *testing.T, gitops, _ string) {
			replaceIn(t, filepath.Join(gitops, "charts/backend/values.yaml"), "replicaCount: 2", "replicaCount: 3")
		}},
		{"value file in the configs-repo", func(t *testing.T, _, configs string) {
			replaceIn(t, filepath.Join(configs, "backend/config.yaml"), "LOG_LEVEL: info", "LOG_LEVEL: debug")
		}},
		{"parameter", func(t *testing.T, gitops, _ string) {
			replaceIn(t, filepath.Join(gitops, "argo-apps/clusters/prod/app/backend.yaml"), "        valueFiles:", "        parameters: [{name: replicaCount, value: \"9\"}]\n        valueFiles:")
		}},
		{"override file", func(t *testing.T, gitops, _ string) {
			writeFiles(t, gitops, map[string]string{"charts/backend/.argocd-source-backend.yaml": "helm:\n  parameters: [{name: replicaCount, value: \"4\"}]\n"})
		}},
		{"capabilities", func(t *testing.T, gitops, _ string) {
			replaceIn(t, filepath.Join(gitops, ".gitopsctl.yaml"), "kubeVersion: v1.31.0", "kubeVersion: v1.30.2")
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := seedRepos(t, 15, false)
			writeFiles(t, cfg.RepoDir, map[string]string{"charts/backend/templates/caps.yaml": capsTemplate})
			cache := t.TempDir()
			first, st := renderCached(t, cfg, cache, "backend")
			if st.Misses != 1 || st.Hits != 0 {
				t.Fatalf("first render: %+v", st)
			}
			again, st := renderCached(t, cfg, cache, "backend")
			if st.Hits != 1 || again != first {
				t.Fatalf("second render: %+v, same output %v", st, again == first)
			}
			tc.change(t, cfg.RepoDir, cfg.ConfigsDir)
			cfg, err := config.Load(config.Options{RepoDir: cfg.RepoDir})
			if err != nil {
				t.Fatal(err)
			}
			changed, st := renderCached(t, cfg, cache, "backend")
			if st.Hits != 0 {
				t.Errorf("after the change: served from the cache (%+v)", st)
			}
			if changed == first {
				t.Error("after the change: same output")
			}
			fresh, _ := renderCached(t, cfg, "", "backend")
			if changed != fresh {
				t.Error("after the change: differs from an uncached render")
			}
			if again, st := renderCached(t, cfg, cache, "backend"); st.Hits != 1 || again != fresh {
				t.Errorf("the changed render was not cached: %+v", st)
			}
		})
	}
}

// A damaged entry is rendered again and rewritten.
func TestRenderCacheCorruptEntry(t *testing.T) {
	cfg := seedRepos(t, 15, false)
	cache := t.TempDir()
	first, _ := renderCached(t, cfg, cache, "backend")
	entries, _ := filepath.Glob(filepath.Join(cache, "*", "*"))
	if len(entries) != 1 {
		t.Fatalf("entries: %v", entries)
	}
	data, err := os.ReadFile(entries[0])
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(entries[0], data[:len(data)/2], 0o644); err != nil {
		t.Fatal(err)
	}
	again, st := renderCached(t, cfg, cache, "backend")
	if st.Hits != 0 || st.Misses != 1 || again != first {
		t.Fatalf("truncated entry: %+v, same output %v", st, again == first)
	}
	if _, st := renderCached(t, cfg, cache, "backend"); st.Hits != 1 {
		t.Fatalf("entry not rewritten: %+v", st)
	}
}

// An app whose values schema loads a document from outside the chart is
// validated on every render: the cache key does not cover that document,
// so the render cache does not keep the app.
func TestRenderCacheSkipsOutsideSchemaRefs(t *testing.T) {
	cfg := seedRepos(t, 15, false)
	ext := filepath.Join(t.TempDir(), "replicas.json")
	writeFiles(t, filepath.Dir(ext), map[string]string{"replicas.json": `{"type": "object"}`})
	writeFiles(t, cfg.RepoDir, map[string]string{"charts/backend/values.schema.json": `{"$ref": "file://` + filepath.ToSlash(ext) + `"}`})
	cache := t.TempDir()
	if _, st := renderCached(t, cfg, cache, "backend"); st.Misses != 1 {
		t.Fatalf("first render: %+v", st)
	}
	if _, st := renderCached(t, cfg, cache, "backend"); st.Hits != 0 {
		t.Fatalf("served from the cache: %+v", st)
	}
	// The outside document now rejects the values: the next render says so.
	writeFiles(t, filepath.Dir(ext), map[string]string{"replicas.json": `{"type": "object", "required": ["mustExist"]}`})
	schemas.Clear() // a new process compiles afresh
	ws := open(t, cfg, Options{CacheSalt: "test", RenderCache: rendercache.New(cache, 0)})
	res, err := ws.Render(context.Background(), "backend")
	if err != nil {
		t.Fatal(err)
	}
	if res[0].Err == nil || !strings.Contains(res[0].Err.Error(), "mustExist") {
		t.Errorf("render after the outside schema changed: %v", res[0].Err)
	}
}
