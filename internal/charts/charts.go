// Package charts fetches remote Helm charts the way Argo CD does (Helm
// repositories through their index.yaml, OCI registries) with Helm's own
// packages, and keeps them in a content-addressed cache so that later runs
// need no network.
//
// Cache layout under Dir:
//
//	blobs/sha256/<hex>.tgz          chart archives, named by their sha256
//	refs/<key>/<chart>/<version>    "sha256:<hex>": what (repository, chart, version) resolved to
//	refs/<key>/url                  the repository URL the key stands for
//	unpacked/<hex>/<chart>/         an archive expanded once, for rendering
//
// <key> is derived from the original repository URL (never a mirror's), so
// a mirror serves the same cache entries. Every file is written to a
// temporary name and renamed into place: two processes filling the cache
// at once write identical content and the last rename wins.
package charts

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/Masterminds/semver/v3"
	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chart/loader"
	"helm.sh/helm/v3/pkg/chartutil"
	"helm.sh/helm/v3/pkg/registry"

	"github.com/gitopsctl/gitopsctl/internal/rendercache"

	"github.com/gitopsctl/gitopsctl/internal/fsutil"
)

// EnvCacheDir overrides the cache directory.
const EnvCacheDir = rendercache.EnvChartDir

// PullCommand is the command that fills the cache, named in offline errors.
const PullCommand = "gitopsctl charts pull"

// DefaultTimeout bounds every network request.
const DefaultTimeout = 60 * time.Second

// DefaultDir is $GITOPSCTL_CACHE_DIR, else <user cache dir>/gitopsctl/charts.
func DefaultDir() (string, error) { return rendercache.DefaultChartDir() }

// Options configure a Cache.
type Options struct {
	// Dir is the cache directory ("" = DefaultDir).
	Dir string
	// Offline turns any network access into an *OfflineError.
	Offline bool
	// Mirrors maps repository URL prefixes to mirrors (see Mirror).
	Mirrors map[string]string
	// Timeout bounds each network request (0 = DefaultTimeout).
	Timeout time.Duration
	// Settings locate helm's repositories.yaml and registry config; nil =
	// HelmSettings (the environment, else helm's defaults).
	Settings *Settings
}

// Cache is a chart cache. It is safe for concurrent use.
type Cache struct {
	opts     Options
	dir      string
	settings *Settings

	mu      sync.Mutex
	calls   map[string]*call
	used    map[string]*Chart
	repos   *repoFile
	reposOK bool
}

type call struct {
	done chan struct{}
	val  any
	err  error
}

// once runs f once per key for the life of the Cache.
func (c *Cache) once(key string, f func() (any, error)) (any, error) {
	c.mu.Lock()
	cl, ok := c.calls[key]
	if !ok {
		cl = &call{done: make(chan struct{})}
		c.calls[key] = cl
	}
	c.mu.Unlock()
	if ok {
		<-cl.done
		return cl.val, cl.err
	}
	cl.val, cl.err = f()
	close(cl.done)
	return cl.val, cl.err
}

// New opens (without creating) a cache.
func New(o Options) (*Cache, error) {
	dir := o.Dir
	if dir == "" {
		d, err := DefaultDir()
		if err != nil {
			return nil, err
		}
		dir = d
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	s := o.Settings
	if s == nil {
		s = HelmSettings()
	}
	return &Cache{opts: o, dir: dir, settings: s, calls: map[string]*call{}}, nil
}

// Dir is the cache directory.
func (c *Cache) Dir() string { return c.dir }

// Offline reports whether network access is refused.
func (c *Cache) Offline() bool { return c.opts.Offline }

// Ref names a chart as an Application or a Chart.yaml dependency does.
type Ref struct {
	// Repo is the repository URL: https://… (a Helm repository),
	// oci://host/path, or host/path (scheme-less OCI, as Argo CD writes it).
	Repo string
	// Chart is the chart name.
	Chart string
	// Version is an exact version, a semver constraint, or "" / "*" for
	// the latest stable version.
	Version string
}

func (r Ref) String() string {
	v := r.Version
	if v == "" {
		v = "*"
	}
	return fmt.Sprintf("chart %s version %s from %s", r.Chart, v, r.Repo)
}

// IsOCI reports whether a chart repository URL is an OCI registry: the
// oci:// scheme, or no scheme at all (Argo CD's OCI Helm repositories are
// written without one; a Helm repository served over HTTP always has its
// http(s):// scheme).
func IsOCI(repoURL string) bool {
	return registry.IsOCI(repoURL) || !strings.Contains(repoURL, "://")
}

// canonical is the URL the cache keys on: oci:// for OCI, no trailing slash.
func canonical(repoURL string) string {
	u := strings.TrimRight(strings.TrimSpace(repoURL), "/")
	if !strings.Contains(u, "://") {
		u = "oci://" + u
	}
	return u
}

// Chart is a cached chart archive.
type Chart struct {
	Ref Ref `json:"ref"`
	// Version is the resolved version.
	Version string `json:"version"`
	// Digest is "sha256:<hex>" of the archive.
	Digest string `json:"digest"`
	// Path is the archive in the cache.
	Path string `json:"path"`
	// Fetched is true when this call downloaded it.
	Fetched bool `json:"fetched"`
}

// OfflineError is a network access refused by --offline.
type OfflineError struct {
	Ref  Ref
	What string
}

func (e *OfflineError) Error() string {
	return fmt.Sprintf("%s is not in the chart cache and --offline forbids %s: run '%s' with network access first", e.Ref, e.What, PullCommand)
}

// Mirror returns where to fetch repoURL from: the mirror of the longest
// matching prefix in Options.Mirrors, else repoURL itself.
func (c *Cache) Mirror(repoURL string) string {
	u := canonical(repoURL)
	best := ""
	for p := range c.opts.Mirrors {
		cp := canonical(p)
		if (u == cp || strings.HasPrefix(u, cp+"/") || strings.HasSuffix(cp, "/") && strings.HasPrefix(u, cp)) && len(cp) > len(best) {
			best = cp
		}
	}
	if best == "" {
		return u
	}
	var m string
	for p, v := range c.opts.Mirrors {
		if canonical(p) == best {
			m = v
		}
	}
	return canonical(m) + strings.TrimPrefix(u, best)
}

// Get returns the archive of ref from the cache, fetching it first when it
// is missing (unless offline).
func (c *Cache) Get(ctx context.Context, ref Ref) (*Chart, error) {
	if err := checkName(ref.Chart); err != nil {
		return nil, fmt.Errorf("%s: %w", ref, err)
	}
	v, err := c.once("get\x00"+canonical(ref.Repo)+"\x00"+ref.Chart+"\x00"+ref.Version, func() (any, error) {
		return c.get(ctx, ref)
	})
	if err != nil {
		return nil, err
	}
	ch := v.(*Chart)
	c.mu.Lock()
	if c.used == nil {
		c.used = map[string]*Chart{}
	}
	c.used[canonical(ch.Ref.Repo)+"\x00"+ch.Ref.Chart+"\x00"+ch.Version] = ch
	c.mu.Unlock()
	return ch, nil
}

// Used lists every chart Get returned so far, sorted by repository, chart
// and version.
func (c *Cache) Used() []*Chart {
	c.mu.Lock()
	defer c.mu.Unlock()
	keys := make([]string, 0, len(c.used))
	for k := range c.used {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]*Chart, len(keys))
	for i, k := range keys {
		out[i] = c.used[k]
	}
	return out
}

func checkName(n string) error {
	if n == "" || n == "." || n == ".." || strings.ContainsAny(n, `/\`+"\x00") {
		return fmt.Errorf("invalid chart name %q", n)
	}
	return nil
}

func (c *Cache) get(ctx context.Context, ref Ref) (*Chart, error) {
	if exact(ref.Version) {
		if ch, err := c.cached(ref, ref.Version); ch != nil || err != nil {
			return ch, err
		}
		if c.opts.Offline {
			return nil, &OfflineError{Ref: ref, What: "downloading it"}
		}
		return c.fetch(ctx, ref, ref.Version)
	}
	if c.opts.Offline {
		vs, err := c.cachedVersions(ref)
		if err != nil {
			return nil, err
		}
		v, ok := MaxVersion(vs, ref.Version)
		if !ok {
			return nil, &OfflineError{Ref: ref, What: "resolving the version over the network"}
		}
		return c.cached(ref, v)
	}
	vs, err := c.versions(ctx, ref)
	if err != nil {
		return nil, err
	}
	v, ok := MaxVersion(vs, ref.Version)
	if !ok {
		return nil, fmt.Errorf("%s: no version matches (available: %s)", ref, summary(vs))
	}
	if ch, err := c.cached(ref, v); ch != nil || err != nil {
		return ch, err
	}
	return c.fetch(ctx, ref, v)
}

func summary(vs []string) string {
	if len(vs) == 0 {
		return "none"
	}
	s := sortDesc(vs)
	if len(s) > 5 {
		return strings.Join(s[:5], ", ") + ", …"
	}
	return strings.Join(s, ", ")
}

func sortDesc(vs []string) []string {
	out := append([]string(nil), vs...)
	sort.SliceStable(out, func(i, j int) bool {
		a, ea := semver.NewVersion(out[i])
		b, eb := semver.NewVersion(out[j])
		if ea != nil || eb != nil {
			return ea == nil
		}
		return a.GreaterThan(b)
	})
	return out
}

// exact reports whether a targetRevision names one version rather than a
// constraint: a strict semantic version ("1.2.3", "1.2.3-rc.1").
func exact(v string) bool {
	_, err := semver.StrictNewVersion(v)
	return err == nil
}

// MaxVersion picks the version a targetRevision selects among vs, as Argo
// CD does: a version equal to the text itself wins; otherwise the text is a
// semver constraint ("" and "*" mean any stable version) and the highest
// version satisfying it is chosen (versions that are not semver are
// skipped; prereleases only match constraints that mention one).
func MaxVersion(vs []string, constraint string) (string, bool) {
	for _, v := range vs {
		if v == constraint && constraint != "" {
			return v, true
		}
	}
	if constraint == "" {
		constraint = "*"
	}
	cons, err := semver.NewConstraint(constraint)
	if err != nil {
		return "", false
	}
	var best *semver.Version
	bestRaw := ""
	for _, raw := range vs {
		v, err := semver.NewVersion(raw)
		if err != nil || !cons.Check(v) {
			continue
		}
		if best == nil || v.GreaterThan(best) {
			best, bestRaw = v, raw
		}
	}
	return bestRaw, best != nil
}

// ---- cache files

func (c *Cache) refDir(ref Ref) string {
	sum := sha256.Sum256([]byte(canonical(ref.Repo)))
	return filepath.Join(c.dir, "refs", hex.EncodeToString(sum[:16]))
}

func (c *Cache) blobPath(hexsum string) string {
	return filepath.Join(c.dir, "blobs", "sha256", hexsum+".tgz")
}

// cached returns the cached archive of ref at version v, nil when absent.
func (c *Cache) cached(ref Ref, v string) (*Chart, error) {
	if strings.ContainsAny(v, `/\`) || v == "." || v == ".." {
		return nil, fmt.Errorf("%s: invalid version %q", ref, v)
	}
	data, err := os.ReadFile(filepath.Join(c.refDir(ref), ref.Chart, v))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("chart cache: %w", err)
	}
	hexsum, ok := strings.CutPrefix(strings.TrimSpace(string(data)), "sha256:")
	if _, err := hex.DecodeString(hexsum); !ok || len(hexsum) != 64 || err != nil {
		return nil, nil // unreadable entry (never a path): refetch
	}
	p := c.blobPath(hexsum)
	blob, err := os.ReadFile(p)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("chart cache: %w", err)
	}
	if sum := sha256.Sum256(blob); hex.EncodeToString(sum[:]) != hexsum {
		return nil, fmt.Errorf("chart cache: %s does not match its digest sha256:%s: delete it and fetch again", p, hexsum)
	}
	return &Chart{Ref: ref, Version: v, Digest: "sha256:" + hexsum, Path: p}, nil
}

// cachedVersions lists the versions of ref's chart in the cache.
func (c *Cache) cachedVersions(ref Ref) ([]string, error) {
	ents, err := os.ReadDir(filepath.Join(c.refDir(ref), ref.Chart))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("chart cache: %w", err)
	}
	var vs []string
	for _, e := range ents {
		if !e.IsDir() && !fsutil.IsTemp(e.Name()) && !strings.HasPrefix(e.Name(), ".") {
			vs = append(vs, e.Name())
		}
	}
	return vs, nil
}

// store verifies data against want ("sha256:<hex>" or "") and records it
// as ref at version v.
func (c *Cache) store(ref Ref, v string, data []byte, want string) (*Chart, error) {
	sum := sha256.Sum256(data)
	hexsum := hex.EncodeToString(sum[:])
	if want != "" {
		w := strings.TrimPrefix(want, "sha256:")
		if !strings.EqualFold(w, hexsum) {
			return nil, fmt.Errorf("%s: downloaded archive has digest sha256:%s, the repository says %s: refusing it", ref, hexsum, want)
		}
	}
	if _, err := loader.LoadArchive(bytes.NewReader(data)); err != nil {
		return nil, fmt.Errorf("%s version %s: not a chart archive: %w", ref, v, err)
	}
	p := c.blobPath(hexsum)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return nil, fmt.Errorf("chart cache: %w", err)
	}
	if _, err := os.Stat(p); err != nil {
		if err := fsutil.WriteFileAtomic(p, data, 0o644); err != nil {
			return nil, fmt.Errorf("chart cache: %w", err)
		}
	}
	rd := c.refDir(ref)
	if err := os.MkdirAll(filepath.Join(rd, ref.Chart), 0o755); err != nil {
		return nil, fmt.Errorf("chart cache: %w", err)
	}
	if err := fsutil.WriteFileAtomic(filepath.Join(rd, "url"), []byte(canonical(ref.Repo)+"\n"), 0o644); err != nil {
		return nil, fmt.Errorf("chart cache: %w", err)
	}
	if err := fsutil.WriteFileAtomic(filepath.Join(rd, ref.Chart, v), []byte("sha256:"+hexsum+"\n"), 0o644); err != nil {
		return nil, fmt.Errorf("chart cache: %w", err)
	}
	return &Chart{Ref: ref, Version: v, Digest: "sha256:" + hexsum, Path: p, Fetched: true}, nil
}

// Load returns the loaded chart of a cached archive (shared: clone before
// mutating).
func (c *Cache) Load(ch *Chart) (*chart.Chart, error) {
	v, err := c.once("load\x00"+ch.Digest, func() (any, error) {
		l, err := loader.Load(ch.Path)
		if err != nil {
			return nil, fmt.Errorf("%s version %s: %w", ch.Ref, ch.Version, err)
		}
		return l, nil
	})
	if err != nil {
		return nil, err
	}
	return v.(*chart.Chart), nil
}

// Unpack expands a cached archive once into the cache and returns the
// chart's directory.
func (c *Cache) Unpack(ch *Chart) (string, error) {
	v, err := c.once("unpack\x00"+ch.Digest, func() (any, error) {
		hexsum := strings.TrimPrefix(ch.Digest, "sha256:")
		dest := filepath.Join(c.dir, "unpacked", hexsum)
		if _, err := os.Stat(dest); err != nil {
			if err := os.MkdirAll(filepath.Dir(dest), 0o755); err != nil {
				return nil, fmt.Errorf("chart cache: %w", err)
			}
			tmp, err := os.MkdirTemp(filepath.Dir(dest), "."+hexsum[:12]+".tmp-")
			if err != nil {
				return nil, fmt.Errorf("chart cache: %w", err)
			}
			if err := chartutil.ExpandFile(tmp, ch.Path); err != nil {
				os.RemoveAll(tmp)
				return nil, fmt.Errorf("%s version %s: unpack: %w", ch.Ref, ch.Version, err)
			}
			if err := os.Rename(tmp, dest); err != nil {
				os.RemoveAll(tmp)
				if _, serr := os.Stat(dest); serr != nil { // not another process winning the race
					return nil, fmt.Errorf("chart cache: %w", err)
				}
			}
		}
		ents, err := os.ReadDir(dest)
		if err != nil {
			return nil, fmt.Errorf("chart cache: %w", err)
		}
		for _, e := range ents {
			if e.IsDir() {
				return filepath.Join(dest, e.Name()), nil
			}
		}
		return nil, fmt.Errorf("chart cache: %s holds no chart", dest)
	})
	if err != nil {
		return "", err
	}
	return v.(string), nil
}

// ---- network

// repoEntry finds credentials for a Helm repository URL in helm's
// repositories.yaml (matched on the URL, trailing slash ignored).
func (c *Cache) repoEntry(u string) *repoEntry {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.reposOK {
		c.reposOK = true
		if f, err := loadRepoFile(c.settings.RepositoryConfig); err == nil {
			c.repos = f
		}
	}
	if c.repos == nil {
		return nil
	}
	for _, e := range c.repos.Repositories {
		if e != nil && strings.TrimRight(e.URL, "/") == strings.TrimRight(u, "/") {
			return e
		}
	}
	return nil
}

// RepoByName returns the URL of a repository named in helm's
// repositories.yaml ("@name" / "alias:name" dependencies).
func (c *Cache) RepoByName(name string) (string, bool) {
	c.repoEntry("")
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.repos == nil {
		return "", false
	}
	if e := c.repos.get(name); e != nil {
		return e.URL, true
	}
	return "", false
}

func isLoopback(host string) bool {
	h := host
	if hh, _, err := net.SplitHostPort(host); err == nil {
		h = hh
	}
	if h == "localhost" {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// index downloads and parses a Helm repository's index.yaml once.
func (c *Cache) index(ctx context.Context, ref Ref) (*indexFile, error) {
	base := c.Mirror(ref.Repo)
	v, err := c.once("index\x00"+base, func() (any, error) {
		data, err := c.httpGet(ctx, strings.TrimRight(base, "/")+"/index.yaml", base)
		if err != nil {
			//lint:ignore ST1005 the message starts with the proper noun Helm
			return nil, fmt.Errorf("Helm repository %s: fetch index.yaml: %w", base, err)
		}
		idx, err := parseIndex(data, base)
		if err != nil {
			//lint:ignore ST1005 the message starts with the proper noun Helm
			return nil, fmt.Errorf("Helm repository %s: index.yaml: %w", base, err)
		}
		return idx, nil
	})
	if err != nil {
		return nil, err
	}
	return v.(*indexFile), nil
}

func (c *Cache) registryClient(host string) (*registry.Client, error) {
	opts := []registry.ClientOption{
		registry.ClientOptCredentialsFile(c.settings.RegistryConfig),
		registry.ClientOptHTTPClient(&http.Client{Timeout: c.opts.Timeout, Transport: http.DefaultTransport}),
	}
	if isLoopback(host) {
		// A registry on this machine (a test or a local mirror) may speak
		// plain HTTP; any other is reached over TLS only.
		opts = append(opts, registry.ClientOptPlainHTTP())
	}
	return registry.NewClient(opts...)
}

// ociRef is host/path/chart of an OCI chart (no scheme).
func (c *Cache) ociRef(ref Ref) string {
	return strings.TrimPrefix(c.Mirror(ref.Repo), "oci://") + "/" + ref.Chart
}

func ociHost(r string) string {
	h, _, _ := strings.Cut(r, "/")
	return h
}

// versions lists the versions the repository offers for ref's chart.
func (c *Cache) versions(ctx context.Context, ref Ref) ([]string, error) {
	if IsOCI(ref.Repo) {
		r := c.ociRef(ref)
		v, err := c.once("tags\x00"+r, func() (any, error) {
			cl, err := c.registryClient(ociHost(r))
			if err != nil {
				return nil, err
			}
			tags, err := cl.Tags(r)
			if err != nil {
				return nil, fmt.Errorf("%s: list tags of %s: %w", ref, r, err)
			}
			return tags, nil
		})
		if err != nil {
			return nil, err
		}
		return v.([]string), nil
	}
	idx, err := c.index(ctx, ref)
	if err != nil {
		return nil, err
	}
	cvs, ok := idx.Entries[ref.Chart]
	if !ok {
		return nil, fmt.Errorf("%s: the repository has no chart %q", ref, ref.Chart)
	}
	vs := make([]string, 0, len(cvs))
	for _, cv := range cvs {
		vs = append(vs, cv.Version)
	}
	return vs, nil
}

// fetch downloads ref at version v into the cache.
func (c *Cache) fetch(ctx context.Context, ref Ref, v string) (*Chart, error) {
	if IsOCI(ref.Repo) {
		r := c.ociRef(ref) + ":" + strings.ReplaceAll(v, "+", "_")
		cl, err := c.registryClient(ociHost(r))
		if err != nil {
			return nil, err
		}
		res, err := cl.Pull(r, registry.PullOptWithChart(true))
		if err != nil {
			return nil, fmt.Errorf("%s: pull %s: %w", ref, r, err)
		}
		// oras verified every blob against the manifest; check the layer
		// once more as it is stored.
		return c.store(ref, v, res.Chart.Data, res.Chart.Digest)
	}
	idx, err := c.index(ctx, ref)
	if err != nil {
		return nil, err
	}
	var cv *indexVersion
	for _, x := range idx.Entries[ref.Chart] {
		if x.Version == v {
			cv = x
			break
		}
	}
	if cv == nil || len(cv.URLs) == 0 {
		return nil, fmt.Errorf("%s: version %s is not in the repository's index", ref, v)
	}
	base := c.Mirror(ref.Repo)
	href, err := resolveURL(base, cv.URLs[0])
	if err != nil {
		return nil, fmt.Errorf("%s: %w", ref, err)
	}
	// helm's getter sends credentials only to the repository's own host
	// unless repositories.yaml says passCredentialsAll.
	data, err := c.httpGet(ctx, href, base)
	if err != nil {
		return nil, fmt.Errorf("%s: download %s: %w", ref, href, err)
	}
	return c.store(ref, v, data, cv.Digest)
}
