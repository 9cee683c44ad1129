package charts_test

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/gitopsctl/gitopsctl/internal/charts"
	"github.com/gitopsctl/gitopsctl/internal/charts/chartstest"
)

func newCache(t *testing.T, dir string, offline bool, mirrors map[string]string) *charts.Cache {
	t.Helper()
	s := charts.HelmSettings()
	s.RepositoryConfig = filepath.Join(t.TempDir(), "repositories.yaml")
	s.RegistryConfig = filepath.Join(t.TempDir(), "config.json")
	c, err := charts.New(charts.Options{Dir: dir, Offline: offline, Mirrors: mirrors, Settings: s})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestMaxVersion(t *testing.T) {
	vs := []string{"1.0.0", "1.2.0", "1.2.5", "2.0.0-rc.1", "1.10.0", "not-semver"}
	for _, tc := range []struct {
		c, want string
		ok      bool
	}{
		{"", "1.10.0", true},
		{"*", "1.10.0", true},
		{"1.2.0", "1.2.0", true},
		{"~1.2.0", "1.2.5", true},
		{"^1.0", "1.10.0", true},
		{">=1.0.0 <1.2.0", "1.0.0", true},
		{"1.2.x", "1.2.5", true},
		{">=2.0.0-0", "2.0.0-rc.1", true},
		{"2.0.0-rc.1", "2.0.0-rc.1", true},
		{"not-semver", "not-semver", true},
		{">=3", "", false},
		{"garbage!", "", false},
	} {
		got, ok := charts.MaxVersion(vs, tc.c)
		if got != tc.want || ok != tc.ok {
			t.Errorf("MaxVersion(%q) = %q, %v; want %q, %v", tc.c, got, ok, tc.want, tc.ok)
		}
	}
}

func TestHelmRepoFetchCacheOffline(t *testing.T) {
	hr := chartstest.NewHelmRepo(t)
	hr.Add(t, chartstest.SimpleChart(t, "podinfo", "1.0.0"))
	hr.Add(t, chartstest.SimpleChart(t, "podinfo", "1.1.0"))
	hr.Add(t, chartstest.SimpleChart(t, "podinfo", "2.0.0"))
	dir := t.TempDir()
	ctx := context.Background()

	c := newCache(t, dir, false, nil)
	got, err := c.Get(ctx, charts.Ref{Repo: hr.URL + "/", Chart: "podinfo", Version: "^1.0.0"})
	if err != nil {
		t.Fatal(err)
	}
	if got.Version != "1.1.0" || !got.Fetched || !strings.HasPrefix(got.Digest, "sha256:") {
		t.Fatalf("got %+v", got)
	}
	ch, err := c.Load(got)
	if err != nil || ch.Metadata.Version != "1.1.0" {
		t.Fatalf("load: %v %v", ch, err)
	}
	if _, err := c.Get(ctx, charts.Ref{Repo: hr.URL, Chart: "podinfo", Version: "2.0.0"}); err != nil {
		t.Fatal(err)
	}

	// A new process: exact versions come from the cache without network.
	before := hr.Requests.Load()
	c2 := newCache(t, dir, false, nil)
	again, err := c2.Get(ctx, charts.Ref{Repo: hr.URL, Chart: "podinfo", Version: "2.0.0"})
	if err != nil || again.Fetched {
		t.Fatalf("second get: %+v %v", again, err)
	}
	if n := hr.Requests.Load(); n != before {
		t.Fatalf("an exact cached version made %d requests", n-before)
	}

	// Offline: ranges resolve among cached versions; misses name the fix.
	hr.Close()
	off := newCache(t, dir, true, nil)
	r, err := off.Get(ctx, charts.Ref{Repo: hr.URL, Chart: "podinfo", Version: "^1"})
	if err != nil || r.Version != "1.1.0" || r.Digest != got.Digest {
		t.Fatalf("offline range: %+v %v", r, err)
	}
	_, err = off.Get(ctx, charts.Ref{Repo: hr.URL, Chart: "podinfo", Version: "1.0.0"})
	var oe *charts.OfflineError
	if !errors.As(err, &oe) || !strings.Contains(err.Error(), "chart podinfo version 1.0.0 from "+hr.URL) || !strings.Contains(err.Error(), charts.PullCommand) {
		t.Fatalf("offline miss: %v", err)
	}
	dir2, err := off.Unpack(r)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir2, "templates", "cm.yaml")); err != nil || filepath.Base(dir2) != "podinfo" {
		t.Fatalf("unpacked at %s: %v", dir2, err)
	}
}

func TestHelmRepoDigestMismatchRefused(t *testing.T) {
	hr := chartstest.NewHelmRepo(t)
	hr.Add(t, chartstest.SimpleChart(t, "app", "0.1.0"))
	hr.Corrupt.Store(true)
	dir := t.TempDir()
	_, err := newCache(t, dir, false, nil).Get(context.Background(), charts.Ref{Repo: hr.URL, Chart: "app", Version: "0.1.0"})
	if err == nil || !strings.Contains(err.Error(), "refusing it") {
		t.Fatalf("want digest error, got %v", err)
	}
	if ents, _ := os.ReadDir(filepath.Join(dir, "blobs", "sha256")); len(ents) != 0 {
		t.Fatalf("a refused archive was stored: %v", ents)
	}
}

func TestHelmRepoUnknownChartAndVersion(t *testing.T) {
	hr := chartstest.NewHelmRepo(t)
	hr.Add(t, chartstest.SimpleChart(t, "app", "0.1.0"))
	c := newCache(t, t.TempDir(), false, nil)
	_, err := c.Get(context.Background(), charts.Ref{Repo: hr.URL, Chart: "nope", Version: "*"})
	if err == nil || !strings.Contains(err.Error(), `has no chart "nope"`) {
		t.Fatalf("got %v", err)
	}
	_, err = c.Get(context.Background(), charts.Ref{Repo: hr.URL, Chart: "app", Version: ">=1"})
	if err == nil || !strings.Contains(err.Error(), "no version matches (available: 0.1.0)") {
		t.Fatalf("got %v", err)
	}
}

func TestOCIFetchSchemeLessAndMirror(t *testing.T) {
	reg := chartstest.NewRegistry(t)
	reg.Push(t, "charts", chartstest.SimpleChart(t, "ociapp", "0.3.0"))
	reg.Push(t, "charts", chartstest.SimpleChart(t, "ociapp", "0.4.0+build.1"))
	dir := t.TempDir()
	ctx := context.Background()
	c := newCache(t, dir, false, nil)
	a, err := c.Get(ctx, charts.Ref{Repo: "oci://" + reg.Host + "/charts", Chart: "ociapp", Version: "0.3.0"})
	if err != nil {
		t.Fatal(err)
	}
	// Scheme-less is the same repository, so the same cache entry.
	b, err := c.Get(ctx, charts.Ref{Repo: reg.Host + "/charts", Chart: "ociapp", Version: "*"})
	if err != nil || b.Version != "0.4.0+build.1" {
		t.Fatalf("latest: %+v %v", b, err)
	}
	off := newCache(t, dir, true, nil)
	if x, err := off.Get(ctx, charts.Ref{Repo: reg.Host + "/charts/", Chart: "ociapp", Version: "0.3.0"}); err != nil || x.Digest != a.Digest {
		t.Fatalf("offline: %+v %v", x, err)
	}

	// A mirror serves the original URL's cache key.
	mirror := chartstest.NewRegistry(t)
	mirror.Push(t, "proxy/charts", chartstest.SimpleChart(t, "ociapp", "0.5.0"))
	m := newCache(t, t.TempDir(), false, map[string]string{
		"oci://registry.example.com":        "oci://" + mirror.Host + "/wrong",
		"oci://registry.example.com/charts": "oci://" + mirror.Host + "/proxy/charts",
	})
	got, err := m.Get(ctx, charts.Ref{Repo: "registry.example.com/charts", Chart: "ociapp", Version: "0.5.0"})
	if err != nil || got.Version != "0.5.0" {
		t.Fatalf("mirror: %+v %v", got, err)
	}
	if n := reg.Requests.Load(); n == 0 {
		t.Fatal("no request reached the registry")
	}
}

func TestHelmMirrorKeepsKey(t *testing.T) {
	hr := chartstest.NewHelmRepo(t)
	hr.Add(t, chartstest.SimpleChart(t, "app", "1.0.0"))
	dir := t.TempDir()
	c := newCache(t, dir, false, map[string]string{"https://charts.example.com": hr.URL + "/"})
	if got := c.Mirror("https://charts.example.com/stable"); got != hr.URL+"/stable" {
		t.Fatalf("Mirror = %s", got)
	}
	if got := c.Mirror("https://charts.example.community"); got != "https://charts.example.community" {
		t.Fatalf("a prefix must end at a path boundary: %s", got)
	}
	if _, err := c.Get(context.Background(), charts.Ref{Repo: "https://charts.example.com", Chart: "app", Version: "1.0.0"}); err != nil {
		t.Fatal(err)
	}
	off := newCache(t, dir, true, nil)
	if _, err := off.Get(context.Background(), charts.Ref{Repo: "https://charts.example.com/", Chart: "app", Version: "1.0.0"}); err != nil {
		t.Fatalf("the cache key is the original URL: %v", err)
	}
}

func TestConcurrentFill(t *testing.T) {
	hr := chartstest.NewHelmRepo(t)
	hr.Add(t, chartstest.SimpleChart(t, "app", "1.0.0"))
	dir := t.TempDir()
	var wg sync.WaitGroup
	errs := make([]error, 8)
	digests := make([]string, 8)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// separate caches: as separate processes would
			c := newCache(t, dir, false, nil)
			ch, err := c.Get(context.Background(), charts.Ref{Repo: hr.URL, Chart: "app", Version: "1.0.0"})
			if err == nil {
				digests[i] = ch.Digest
				_, err = c.Unpack(ch)
			}
			errs[i] = err
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil || digests[i] != digests[0] {
			t.Fatalf("filler %d: %v %s", i, err, digests[i])
		}
	}
	ents, _ := os.ReadDir(filepath.Join(dir, "unpacked"))
	if len(ents) != 1 {
		t.Fatalf("unpacked holds %d entries, want 1 (no temporaries left)", len(ents))
	}
}

func TestCredentialsNeverOverPlainHTTP(t *testing.T) {
	hr := chartstest.NewHelmRepo(t)
	hr.Add(t, chartstest.SimpleChart(t, "app", "1.0.0"))
	s := charts.HelmSettings()
	s.RepositoryConfig = filepath.Join(t.TempDir(), "repositories.yaml")
	os.WriteFile(s.RepositoryConfig, []byte("apiVersion: v1\nrepositories:\n- name: r\n  url: "+hr.URL+"\n  username: u\n  password: p\n"), 0o600)
	c, err := charts.New(charts.Options{Dir: t.TempDir(), Settings: s})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Get(context.Background(), charts.Ref{Repo: hr.URL, Chart: "app", Version: "1.0.0"})
	if err == nil || !strings.Contains(err.Error(), "never sent over plain http") {
		t.Fatalf("got %v", err)
	}
	if u, ok := c.RepoByName("r"); !ok || u != hr.URL {
		t.Fatalf("RepoByName = %q %v", u, ok)
	}
}

func TestIsOCI(t *testing.T) {
	for u, want := range map[string]bool{"oci://ghcr.io/x": true, "ghcr.io/org/charts": true, "https://charts.example.com": false, "http://x": false} {
		if charts.IsOCI(u) != want {
			t.Errorf("IsOCI(%s) != %v", u, want)
		}
	}
}

// A cache entry whose digest is not hex is never used as a path: the chart
// is fetched again instead of reading a file the entry points at.
func TestCacheEntryIsNeverAPath(t *testing.T) {
	hr := chartstest.NewHelmRepo(t)
	hr.Add(t, chartstest.SimpleChart(t, "podinfo", "1.0.0"))
	dir := t.TempDir()
	ctx := context.Background()
	ref := charts.Ref{Repo: hr.URL, Chart: "podinfo", Version: "1.0.0"}
	if _, err := newCache(t, dir, false, nil).Get(ctx, ref); err != nil {
		t.Fatal(err)
	}
	name := strings.Repeat("x", 58)
	if err := os.WriteFile(filepath.Join(dir, name+".tgz"), []byte("not a chart"), 0o644); err != nil {
		t.Fatal(err)
	}
	n := 0
	err := filepath.WalkDir(filepath.Join(dir, "refs"), func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && d.Name() == "1.0.0" {
			n++
			return os.WriteFile(p, []byte("sha256:../../"+name+"\n"), 0o644)
		}
		return err
	})
	if err != nil || n != 1 {
		t.Fatalf("rewrote %d entries: %v", n, err)
	}
	got, err := newCache(t, dir, false, nil).Get(ctx, ref)
	if err != nil || !got.Fetched {
		t.Fatalf("got %+v, %v; want a fresh fetch", got, err)
	}
}
