package render

import (
	"bytes"
	"context"
	"reflect"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/gitopsctl/gitopsctl/internal/config"
	"github.com/gitopsctl/gitopsctl/internal/manifest"
	"github.com/gitopsctl/gitopsctl/internal/rendercache"
)

// renderPrinted renders app through the render cache in cacheDir (none when
// "") as the render command prints it, and says how many of its objects
// were printed from what the cache kept.
func renderPrinted(t *testing.T, cfg *config.Loaded, cacheDir, app string, prints bool) (string, CacheStats, int) {
	t.Helper()
	o := Options{CacheSalt: "test", PrintsYAML: prints}
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
	known := 0
	for _, obj := range res[0].Objects {
		if _, ok := ws.Printed(obj.Object); ok {
			known++
		}
	}
	var b bytes.Buffer
	if err := WriteYAML(&b, res[0].Objects, WriteOptions{Printed: ws.Printed}); err != nil {
		t.Fatal(err)
	}
	return b.String(), ws.CacheStats(), known
}

// The printed form the cache keeps for render is exactly what marshalling
// the object prints, cold or warm; an entry written without it (diff,
// check, seal) is printed by marshalling; a changed input is printed anew.
func TestRenderCachePrinted(t *testing.T) {
	cfg := seedRepos(t, 15, false)
	fresh, _, known := renderPrinted(t, cfg, "", "backend", true)
	if known != 0 {
		t.Fatalf("without a cache, %d objects printed from it", known)
	}
	cache := t.TempDir()
	cold, st, known := renderPrinted(t, cfg, cache, "backend", true)
	if st.Misses != 1 || cold != fresh || known == 0 {
		t.Fatalf("cold: %+v, %d printed objects kept, same output %v", st, known, cold == fresh)
	}
	warm, st, known2 := renderPrinted(t, cfg, cache, "backend", true)
	if st.Hits != 1 || warm != fresh || known2 != known {
		t.Fatalf("warm: %+v, %d printed objects from the cache (cold %d), same output %v", st, known2, known, warm == fresh)
	}
	// An entry kept without the printed form serves a printing render.
	other := t.TempDir()
	if _, st, _ := renderPrinted(t, cfg, other, "backend", false); st.Misses != 1 {
		t.Fatalf("non-printing render: %+v", st)
	}
	out, st, known := renderPrinted(t, cfg, other, "backend", true)
	if st.Hits != 1 || known != 0 || out != fresh {
		t.Fatalf("printing render of a non-printing entry: %+v, %d printed, same output %v", st, known, out == fresh)
	}
	// And a printing entry serves a non-printing render.
	if _, st, known := renderPrinted(t, cfg, cache, "backend", false); st.Hits != 1 || known != 0 {
		t.Fatalf("non-printing render of a printing entry: %+v, %d printed", st, known)
	}
	writeFiles(t, cfg.RepoDir, map[string]string{"charts/backend/templates/extra.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: extra\n"})
	cfg, err := config.Load(config.Options{RepoDir: cfg.RepoDir})
	if err != nil {
		t.Fatal(err)
	}
	changed, st, _ := renderPrinted(t, cfg, cache, "backend", true)
	fresh2, _, _ := renderPrinted(t, cfg, "", "backend", true)
	if st.Hits != 0 || changed == fresh || changed != fresh2 {
		t.Fatalf("after a change: %+v, output changed %v, equals an uncached render %v", st, changed != fresh, changed == fresh2)
	}
}

// A stored result with printed objects decodes to the same objects and
// YAML; a damaged printed part is refused.
func TestCachedResultPrinted(t *testing.T) {
	cfg := seedRepos(t, 15, false)
	ws := open(t, cfg, Options{})
	res, err := ws.Render(context.Background(), "backend")
	if err != nil || res[0].Err != nil {
		t.Fatal(err, res[0].Err)
	}
	data, docs, err := encodeResult(res[0], true)
	if err != nil {
		t.Fatal(err)
	}
	back, got, err := decodeResult(res[0].App, data, true)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(res[0].Objects) || len(back.Objects) != len(got) {
		t.Fatalf("%d objects, %d printed, %d decoded", len(res[0].Objects), len(got), len(back.Objects))
	}
	for i, o := range back.Objects {
		if !reflect.DeepEqual(o.Object.Object, res[0].Objects[i].Object.Object) || o.Source != res[0].Objects[i].Source {
			t.Fatalf("object %d decodes to %v, rendered %v", i, o.Object.Object, res[0].Objects[i].Object.Object)
		}
		y, err := MarshalYAML(o.Object)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(y, got[i]) || !bytes.Equal(y, docs[i]) {
			t.Fatalf("object %d: kept YAML differs from the decoded object's", i)
		}
	}
	if _, none, err := decodeResult(res[0].App, data, false); err != nil || none != nil {
		t.Fatalf("not asked for: %v, %d printed", err, len(none))
	}
	for _, bad := range [][]byte{data[:len(data)-1], append(append([]byte(nil), data...), 'x')} {
		if _, _, err := decodeResult(res[0].App, bad, true); err == nil {
			t.Fatalf("damaged printed part accepted (%d bytes of %d)", len(bad), len(data))
		}
	}
}

// A Secret printed masked is marshalled from its masked copy, never taken
// from what is known of the rendered object; shown, it is printed as known.
func TestWriteYAMLPrintedSecret(t *testing.T) {
	secret := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "v1", "kind": "Secret",
		"metadata":   map[string]any{"name": "s"},
		"stringData": map[string]any{"password": "hunter2"},
	}}
	known, err := MarshalYAML(secret)
	if err != nil {
		t.Fatal(err)
	}
	objs := []manifest.Object{{App: "a", Source: "a/templates/s.yaml", Object: secret}}
	printed := func(u *unstructured.Unstructured) ([]byte, bool) { return known, u == secret }
	var masked, shown bytes.Buffer
	if err := WriteYAML(&masked, objs, WriteOptions{Printed: printed}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(masked.String(), "hunter2") || !strings.Contains(masked.String(), Mask) {
		t.Fatalf("masked:\n%s", masked.String())
	}
	if err := WriteYAML(&shown, objs, WriteOptions{ShowSecrets: true, Printed: printed}); err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(shown.String(), string(known)) {
		t.Fatalf("shown:\n%s", shown.String())
	}
}

// A cache entry keeps no printed form of a Secret (its plaintext is stored
// once, in the object); the other objects keep theirs.
func TestCachedResultNoPrintedSecret(t *testing.T) {
	secret := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "v1", "kind": "Secret",
		"metadata":   map[string]any{"name": "s"},
		"stringData": map[string]any{"password": "hunter2"},
	}}
	cm := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "v1", "kind": "ConfigMap",
		"metadata": map[string]any{"name": "c"},
	}}
	app := &App{Name: "a"}
	res := Result{App: app, Objects: []manifest.Object{{App: "a", Source: "s.yaml", Object: secret}, {App: "a", Source: "c.yaml", Object: cm}}}
	data, _, err := encodeResult(res, true)
	if err != nil {
		t.Fatal(err)
	}
	if n := bytes.Count(data, []byte("hunter2")); n != 1 {
		t.Fatalf("the plaintext is stored %d times", n)
	}
	back, docs, err := decodeResult(app, data, true)
	if err != nil {
		t.Fatal(err)
	}
	if docs[0] != nil || docs[1] == nil || !reflect.DeepEqual(back.Objects[0].Object.Object, secret.Object) {
		t.Fatalf("printed %q", docs)
	}
}
