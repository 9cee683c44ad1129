package render

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io/fs"
	"path"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/gitopsctl/gitopsctl/internal/argo"
	"github.com/gitopsctl/gitopsctl/internal/gitrepo"
	"github.com/gitopsctl/gitopsctl/internal/manifest"
	"github.com/gitopsctl/gitopsctl/internal/rendercache"
)

// RenderCache is what a Workspace needs of the render cache
// (*rendercache.Cache).
type RenderCache interface {
	Get(key string) ([]byte, bool)
	Put(key string, content []byte) error
	Evict() (int, error)
}

var _ RenderCache = (*rendercache.Cache)(nil)

// CacheStats counts what the render cache did for a workspace.
type CacheStats struct {
	Hits, Misses, Uncacheable int
}

// CacheStats reports the render cache's hits and misses so far.
func (ws *Workspace) CacheStats() CacheStats {
	return CacheStats{Hits: int(ws.hits.Load()), Misses: int(ws.misses.Load()), Uncacheable: int(ws.uncacheable.Load())}
}

type cacheCounters struct {
	hits, misses, uncacheable, puts atomic.Int64

	printedMu sync.Mutex
	printed   map[*unstructured.Unstructured][]byte

	cfgOnce sync.Once
	cfgJSON []byte
	cfgErr  error
}

// configJSON is the config as every InputDigest hashes it, marshalled once.
func (ws *Workspace) configJSON() ([]byte, error) {
	ws.cfgOnce.Do(func() { ws.cfgJSON, ws.cfgErr = json.Marshal(ws.cfg) })
	return ws.cfgJSON, ws.cfgErr
}

// Printed returns the YAML of an object this workspace rendered, as
// MarshalYAML prints it, when the render cache had it (or kept it) with
// Options.PrintsYAML; false otherwise. Rendered objects are never
// modified afterwards (Masked copies a Secret), so the printed form stays
// that of the object.
func (ws *Workspace) Printed(u *unstructured.Unstructured) ([]byte, bool) {
	ws.printedMu.Lock()
	defer ws.printedMu.Unlock()
	b, ok := ws.printed[u]
	return b, ok
}

func (ws *Workspace) keepPrinted(objs []manifest.Object, printed [][]byte) {
	ws.printedMu.Lock()
	defer ws.printedMu.Unlock()
	if ws.printed == nil {
		ws.printed = map[*unstructured.Unstructured][]byte{}
	}
	for i, b := range printed {
		if b != nil {
			ws.printed[objs[i].Object] = b
		}
	}
}

// renderAppCached renders a, through the render cache when the workspace
// has one and a's output is known to depend only on what InputDigest
// hashes. Failed renders are not cached.
func (ws *Workspace) renderAppCached(a *App) Result {
	c := ws.opts.RenderCache
	if c == nil {
		return ws.renderApp(a)
	}
	key, ok := ws.InputDigest(a)
	if !ok {
		ws.uncacheable.Add(1)
		return ws.renderApp(a)
	}
	if data, hit := c.Get(key); hit {
		if res, printed, err := decodeResult(a, data, ws.opts.PrintsYAML); err == nil {
			ws.hits.Add(1)
			if printed != nil {
				ws.keepPrinted(res.Objects, printed)
			}
			return res
		}
	}
	ws.misses.Add(1)
	res := ws.renderApp(a)
	if res.Err == nil && !rendersApps(res) && !ws.replay.loadsOutside(a) {
		if data, printed, err := encodeResult(res, ws.opts.PrintsYAML); err == nil {
			if printed != nil {
				ws.keepPrinted(res.Objects, printed)
			}
			if c.Put(key, data) == nil {
				ws.puts.Add(1)
			}
		}
	}
	return res
}

// evictIfWritten bounds the cache after renders that wrote to it.
func (ws *Workspace) evictIfWritten() {
	if ws.opts.RenderCache != nil && ws.puts.Swap(0) > 0 {
		_, _ = ws.opts.RenderCache.Evict()
	}
}

// rendersApps: the result holds Applications or AppProjects, whose
// definitions discovery locates from the render itself (not cached).
func rendersApps(res Result) bool {
	for _, o := range res.Objects {
		if u := o.Object.Object; argo.IsApplication(u) || argo.IsAppProject(u) || isAppSet(u) {
			return true
		}
	}
	return false
}

// The stored form of a Result (see objcodec.go for values):
//
//	uvarint length of the head, then the head:
//	  uvarint count, then count × warning string
//	  uvarint count, then count × (source string, uvarint printed, object value)
//	then the printed objects' YAML, one after the other
//
// where printed is the length of the object's YAML + 1 (0: not kept).
const resultFormat = "gitopsctl result 3\n"

// encodeResult is the stored form of res, with each object's YAML when
// printed (returned too, to print this run).
func encodeResult(res Result, printed bool) ([]byte, [][]byte, error) {
	var docs [][]byte
	if printed {
		docs = make([][]byte, len(res.Objects))
	}
	w := &objWriter{}
	w.b = binary.AppendUvarint(w.b, uint64(len(res.Warnings)))
	for _, s := range res.Warnings {
		w.str(s)
	}
	w.b = binary.AppendUvarint(w.b, uint64(len(res.Objects)))
	tail := 0
	for i, o := range res.Objects {
		w.str(o.Source)
		n := 0
		// A Secret's printed form is not kept: it is printed masked from a
		// copy unless --show-secrets, and one plaintext copy on disk is enough.
		if printed && !IsSecret(o) {
			y, err := MarshalYAML(o.Object)
			if err != nil {
				return nil, nil, err
			}
			docs[i] = y
			n = len(y) + 1
			tail += len(y)
		}
		w.b = binary.AppendUvarint(w.b, uint64(n))
		if err := w.value(o.Object.Object, 0); err != nil {
			return nil, nil, err
		}
	}
	out := make([]byte, 0, len(resultFormat)+binary.MaxVarintLen64+len(w.b)+tail)
	out = append(out, resultFormat...)
	out = binary.AppendUvarint(out, uint64(len(w.b)))
	out = append(out, w.b...)
	for _, y := range docs {
		out = append(out, y...)
	}
	return out, docs, nil
}

// decodeResult reads a stored Result for a, and the objects' printed forms
// when asked for and kept (nil otherwise).
func decodeResult(a *App, data []byte, wantPrinted bool) (Result, [][]byte, error) {
	rest, ok := bytes.CutPrefix(data, []byte(resultFormat))
	if !ok {
		return Result{}, nil, errors.New("not a stored result")
	}
	hl, k := binary.Uvarint(rest)
	if k <= 0 || hl > uint64(len(rest)-k) {
		return Result{}, nil, errObjTruncated
	}
	tail := rest[k+int(hl):]
	// One copy of the head: the decoded strings share it.
	r := &objReader{s: string(rest[k : k+int(hl)])}
	res := Result{App: a}
	if n := r.count(1); n > 0 {
		res.Warnings = make([]string, n)
		for i := range res.Warnings {
			res.Warnings[i] = r.str()
		}
	}
	n := r.count(3)
	res.Objects = make([]manifest.Object, n)
	var docs [][]byte
	if wantPrinted {
		docs = make([][]byte, n)
	}
	for i := range res.Objects {
		src := r.str()
		printed := r.uvarint()
		obj, _ := r.value(0).(map[string]any)
		if r.err != nil {
			return Result{}, nil, r.err
		}
		if obj == nil {
			return Result{}, nil, errors.New("stored object is not an object")
		}
		res.Objects[i] = manifest.Object{App: a.Name, Source: src, Object: &unstructured.Unstructured{Object: obj}}
		if printed > 0 {
			m := printed - 1
			if m > uint64(len(tail)) {
				return Result{}, nil, errors.New("truncated printed objects")
			}
			if docs != nil {
				docs[i] = tail[:m:m]
			}
			tail = tail[m:]
		}
	}
	if r.err != nil || len(r.s) != 0 {
		return Result{}, nil, errors.New("damaged stored result")
	}
	if len(tail) != 0 {
		return Result{}, nil, errors.New("trailing data after the printed objects")
	}
	if docs != nil && !slices.ContainsFunc(docs, func(d []byte) bool { return d != nil }) {
		docs = nil // none kept
	}
	return res, docs, nil
}

// InputDigest returns the digest of everything a's render depends on, and
// false when a is not cacheable: a Directory or Kustomize source (their
// renders also locate Applications in files, which the cache does not
// keep), a source read at another revision than the repository as opened,
// a glob of value files, a chart whose dependencies are resolved at render
// time, or an input that cannot be read.
//
// The digest covers: the cache format and CacheSalt (the gitopsctl and Helm
// versions), the config (capabilities, repositories), the Application as
// decoded (sources, parameters, values, destination, project), the name
// and content (or absence) of every input file (chart files, value files
// in any repository, .argocd-source overrides), and the revision variables
// when the Application or an override mentions them.
func (ws *Workspace) InputDigest(a *App) (string, bool) {
	ws.mu.Lock()
	d, ok := ws.digests[a]
	ws.mu.Unlock()
	if ok {
		return d.key, d.ok
	}
	key, cacheable := ws.inputDigest(a)
	ws.mu.Lock()
	if ws.digests == nil {
		ws.digests = map[*App]digest{}
	}
	ws.digests[a] = digest{key, cacheable}
	ws.mu.Unlock()
	return key, cacheable
}

type digest struct {
	key string
	ok  bool
}

// Derived returns what a caller stored with StoreDerived under kind for
// a's inputs as they are now (e.g. where a's render puts a resource), so
// that the caller need not render a to work it out again.
func (ws *Workspace) Derived(a *App, kind string) ([]byte, bool) {
	key, ok := ws.derivedKey(a, kind)
	if !ok {
		return nil, false
	}
	return ws.opts.RenderCache.Get(key)
}

// StoreDerived keeps data, worked out from a's render, under kind for a's
// inputs as they are now (best effort: nothing is kept without a cache or
// for an app that is not cacheable).
func (ws *Workspace) StoreDerived(a *App, kind string, data []byte) {
	if key, ok := ws.derivedKey(a, kind); ok {
		_ = ws.opts.RenderCache.Put(key, data)
	}
}

func (ws *Workspace) derivedKey(a *App, kind string) (string, bool) {
	if ws.opts.RenderCache == nil {
		return "", false
	}
	d, ok := ws.InputDigest(a)
	if !ok {
		return "", false
	}
	sum := sha256.Sum256([]byte("derived\x00" + kind + "\x00" + d))
	return hex.EncodeToString(sum[:]), true
}

func (ws *Workspace) inputDigest(a *App) (string, bool) {
	if !ws.cacheable(a) {
		return "", false
	}
	h := sha256.New()
	var num []byte
	part := func(p []byte) {
		num = strconv.AppendInt(num[:0], int64(len(p)), 10)
		num = append(num, ':')
		h.Write(num)
		h.Write(p)
	}
	// field hashes each part as "<length>:<part>", then a newline.
	field := func(parts ...string) {
		for _, p := range parts {
			part([]byte(p))
		}
		h.Write([]byte{'\n'})
	}
	// fieldData is field with a last part that is not copied.
	fieldData := func(data []byte, parts ...string) {
		for _, p := range parts {
			part([]byte(p))
		}
		part(data)
		h.Write([]byte{'\n'})
	}
	field("gitopsctl render cache 3", ws.opts.CacheSalt)
	cfg, err := ws.configJSON()
	if err != nil {
		return "", false
	}
	fieldData(cfg, "config")
	spec, err := json.Marshal(a.Application)
	if err != nil {
		return "", false
	}
	fieldData(spec, "app", a.Name, a.Project, a.File, a.RepoDir)
	ins, envs := ws.inputs(a)
	revVars := bytes.Contains(spec, []byte("ARGOCD_"))
	for _, in := range ins {
		if in.Path == a.File && in.RepoDir == a.RepoDir {
			continue // the manifest: hashed as the decoded app above
		}
		if in.Glob {
			// A source directory pattern: its files are listed one by one.
			if in.Path == "**" || strings.HasSuffix(in.Path, "/**") && !isGlob(strings.TrimSuffix(in.Path, "/**")) {
				continue
			}
			return "", false
		}
		if in.repo == nil {
			return "", false
		}
		data, err := in.repo.ReadFile(in.Path)
		switch {
		case err == nil:
			fieldData(data, "file", in.RepoDir, in.Path)
			if strings.HasPrefix(path.Base(in.Path), ".argocd-source") && bytes.Contains(data, []byte("ARGOCD_")) {
				revVars = true
			}
		case errors.Is(err, fs.ErrNotExist):
			field("missing", in.RepoDir, in.Path)
		default:
			return "", false
		}
	}
	if revVars {
		for _, env := range envs {
			keys := make([]string, 0, len(env))
			for k := range env {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				field("env", k, env[k])
			}
		}
	}
	return hex.EncodeToString(h.Sum(nil)), true
}

// cacheable: every source renders a Helm chart read from the repository as
// opened (or from the chart cache), with dependencies vendored or pinned.
func (ws *Workspace) cacheable(a *App) bool {
	if len(a.Sources) == 0 {
		return false
	}
	multi := a.Application.Spec.HasMultipleSources()
	for i, src := range a.Sources {
		if src.Chart != "" {
			s := &source{ws: ws, app: a, index: i, multi: multi, src: src}
			r, err := s.remoteChartRepo()
			if err != nil || !ws.chartDepsPinned(r, ".") {
				return false
			}
			continue
		}
		main, err := ws.repoFor(src.RepoURL)
		if err != nil {
			return false
		}
		at, err := ws.sourceEntry(src)
		if err != nil || at != main {
			return false
		}
		if multi && src.Ref != "" && src.Path == "" {
			continue
		}
		r, err := at.open()
		if err != nil {
			return false
		}
		dir := gitrepo.Clean(src.Path)
		t, err := argo.SourceType(r, dir, src)
		if err != nil || t != argo.SourceTypeHelm || !ws.chartDepsPinned(r, dir) {
			return false
		}
	}
	return true
}

// chartDepsPinned: the chart's dependencies (if any) do not depend on
// anything outside its files: no file:// dependency, and a Chart.lock
// pinning the others.
func (ws *Workspace) chartDepsPinned(r *gitrepo.Repo, dir string) bool {
	data, err := r.ReadFile(path.Join(dir, "Chart.yaml"))
	if err != nil {
		return false
	}
	if !bytes.Contains(data, []byte("dependencies")) {
		return true
	}
	if bytes.Contains(data, []byte("file://")) {
		return false
	}
	return r.Exists(path.Join(dir, "Chart.lock"))
}
