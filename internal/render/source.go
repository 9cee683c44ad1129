package render

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path"
	"regexp"
	"sort"
	"strings"

	"github.com/bmatcuk/doublestar/v4"
	jsonpatch "github.com/evanphx/json-patch"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"

	"github.com/gitopsctl/gitopsctl/internal/argo"
	"github.com/gitopsctl/gitopsctl/internal/gitrepo"
	"github.com/gitopsctl/gitopsctl/internal/layout"
	"github.com/gitopsctl/gitopsctl/internal/manifest"
	"github.com/gitopsctl/gitopsctl/internal/safeyaml"
)

// recordDef remembers where an Application or AppProject object came from.
func (ws *Workspace) recordDef(u *unstructured.Unstructured, d objDef) {
	ws.mu.Lock()
	if ws.defs == nil {
		ws.defs = map[*unstructured.Unstructured]objDef{}
	}
	ws.defs[u] = d
	ws.mu.Unlock()
}

// objDef remembers where a source read an Application or AppProject from.
type objDef struct {
	doc         []byte
	file        string
	start, line int
	repoDir     string
}

var refNameRE = regexp.MustCompile(`^[a-zA-Z0-9_-]+$`)

// refTarget is a source registered as $<ref>.
type refTarget struct {
	src  argo.ApplicationSource
	repo *gitrepo.Repo
}

// source is one source of an app being rendered.
type source struct {
	ws    *Workspace
	app   *App
	index int
	multi bool
	src   argo.ApplicationSource
	entry *repoEntry
	repo  *gitrepo.Repo
	dir   string
	refs  map[string]*refTarget
	env   map[string]string
	// warnings are non-fatal findings of this source's render.
	warnings []string
}

// fieldPath is the YAML path of the source in the manifest.
func (s *source) fieldPath() string {
	if s.multi {
		return fmt.Sprintf("$.spec.sources[%d]", s.index)
	}
	return "$.spec.source"
}

// errAt locates err at a field of the source in the app manifest.
func (s *source) errAt(field string, err error) error {
	return at(s.app.RepoDir, s.app.File, s.app.FieldLine(s.fieldPath()+field), err)
}

// renderApp renders every source of an app and post-processes the result.
func (ws *Workspace) renderApp(a *App) Result {
	res := Result{App: a}
	objs, warns, err := ws.renderSources(a)
	res.Warnings = warns
	if err != nil {
		res.Err = appError(a, err)
		return res
	}
	res.Objects = objs
	return res
}

func (ws *Workspace) renderSources(a *App) ([]manifest.Object, []string, error) {
	spec := a.Application.Spec
	if len(a.Sources) == 0 {
		//lint:ignore ST1005 the message starts with the kind name Application
		return nil, nil, at(a.RepoDir, a.File, a.Line, errors.New("Application has no source"))
	}
	multi := spec.HasMultipleSources()
	srcs := make([]*source, len(a.Sources))
	refs := map[string]*refTarget{}
	for i, src := range a.Sources {
		s := &source{ws: ws, app: a, index: i, multi: multi, src: src, dir: gitrepo.Clean(src.Path), refs: refs}
		srcs[i] = s
		if !multi || src.Ref == "" {
			continue
		}
		if !refNameRE.MatchString(src.Ref) {
			return nil, nil, s.errAt(".ref", fmt.Errorf("source ref %q is invalid: it must match %s", src.Ref, refNameRE))
		}
		if src.Chart != "" {
			return nil, nil, s.errAt(".ref", fmt.Errorf("source has a ref (%q) and a chart: a ref source must be a git repository", src.Ref))
		}
		if _, dup := refs["$"+src.Ref]; dup {
			return nil, nil, s.errAt(".ref", fmt.Errorf("source ref %q is defined more than once", src.Ref))
		}
		_, r, err := ws.sourceRepo(src)
		if err != nil {
			return nil, nil, s.errAt(".repoURL", err)
		}
		refs["$"+src.Ref] = &refTarget{src: src, repo: r}
	}
	var objs []manifest.Object
	for _, s := range srcs {
		if s.src.Ref != "" && s.src.Path == "" && multi {
			continue // a ref-only source produces nothing
		}
		o, err := s.render()
		if err != nil {
			return nil, nil, err
		}
		objs = append(objs, o...)
	}
	objs, warns := ws.postProcess(a, objs)
	for _, s := range srcs {
		warns = append(s.warnings, warns...)
	}
	return objs, warns, nil
}

// render renders one source.
func (s *source) render() ([]manifest.Object, error) {
	if s.src.Chart != "" {
		return s.renderRepoChart()
	}
	e, r, err := s.ws.sourceRepo(s.src)
	if err != nil {
		return nil, s.errAt(".repoURL", err)
	}
	s.entry, s.repo = e, r
	if _, err := r.Resolve(s.dir); err != nil {
		return nil, s.errAt(".path", err)
	}
	if fi, err := r.Stat(s.dir); err != nil || !fi.IsDir() {
		return nil, s.errAt(".path", fmt.Errorf("path %q does not exist in %s", s.src.Path, r))
	}
	if err := s.applyOverrides(); err != nil {
		return nil, err
	}
	s.env = s.envVars()
	t, err := argo.SourceType(r, s.dir, s.src)
	if err != nil {
		return nil, s.errAt("", err)
	}
	switch t {
	case argo.SourceTypeHelm:
		return s.renderHelm()
	case argo.SourceTypeDirectory:
		return s.renderDirectory()
	case argo.SourceTypeKustomize:
		return s.renderKustomize()
	default:
		return nil, s.errAt("", fmt.Errorf("%s sources are not supported offline", t))
	}
}

// renderRepoChart handles a chart from a Helm repository or an OCI
// registry: a local copy mapped in repos: as "<repoURL>/<chart>" wins,
// else the chart comes from the chart cache (fetched on first use) at the
// version targetRevision selects.
func (s *source) renderRepoChart() ([]manifest.Object, error) {
	if _, err := s.remoteChartRepo(); err != nil {
		return nil, err
	}
	s.env = s.envVars()
	return s.renderHelm()
}

// envVars are the variables Argo CD substitutes in parameters and value file paths.
func (s *source) envVars() map[string]string {
	a := s.app
	rev := ""
	if s.repo != nil {
		rev = s.repo.Commit
	}
	short := func(n int) string {
		if len(rev) > n {
			return rev[:n]
		}
		return rev
	}
	return map[string]string{
		"ARGOCD_APP_NAME":                   a.Name,
		"ARGOCD_APP_NAMESPACE":              a.Application.Spec.Destination.Namespace,
		"ARGOCD_APP_PROJECT_NAME":           a.Project,
		"ARGOCD_APP_REVISION":               rev,
		"ARGOCD_APP_REVISION_SHORT":         short(7),
		"ARGOCD_APP_REVISION_SHORT_8":       short(8),
		"ARGOCD_APP_SOURCE_REPO_URL":        s.src.RepoURL,
		"ARGOCD_APP_SOURCE_PATH":            s.src.Path,
		"ARGOCD_APP_SOURCE_TARGET_REVISION": s.src.TargetRevision,
	}
}

// Envsubst expands $VAR and ${VAR} from env as Argo CD does: unknown
// variables become empty, "$$" is a literal "$".
func Envsubst(s string, env map[string]string) string {
	if !strings.Contains(s, "$") {
		return s
	}
	return os.Expand(s, func(k string) string {
		if k == "$" {
			return "$"
		}
		return env[k]
	})
}

// applyOverrides merges .argocd-source.yaml and then
// .argocd-source-<app>.yaml from the source path into the source, as RFC
// 7386 merge patches applied with the library Argo CD uses; repoURL, path,
// chart and targetRevision are kept.
func (s *source) applyOverrides() error {
	for _, name := range []string{".argocd-source.yaml", ".argocd-source-" + s.app.Name + ".yaml"} {
		p := path.Join(s.dir, name)
		data, err := s.repo.ReadFile(p)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				continue
			}
			return at(s.repo.Root, p, 0, err)
		}
		if err := safeyaml.Check("", data); err != nil {
			return at(s.repo.Root, p, safeyaml.LineOf(err), err)
		}
		patch, err := yaml.YAMLToJSON(data)
		if err != nil {
			return at(s.repo.Root, p, 0, fmt.Errorf("parse override: %w", err))
		}
		orig, err := json.Marshal(s.src)
		if err != nil {
			return err
		}
		merged, err := jsonpatch.MergePatch(orig, patch)
		if err != nil {
			return at(s.repo.Root, p, 0, fmt.Errorf("apply override: %w", err))
		}
		var out argo.ApplicationSource
		if err := json.Unmarshal(merged, &out); err != nil {
			return at(s.repo.Root, p, 0, fmt.Errorf("apply override: %w", err))
		}
		out.RepoURL, out.Path, out.Chart, out.TargetRevision = s.src.RepoURL, s.src.Path, s.src.Chart, s.src.TargetRevision
		s.src = out
	}
	return nil
}

// ---- Directory sources

func (s *source) renderDirectory() ([]manifest.Object, error) {
	ds := s.ws.scanDirectory(s.repo, s.dir, s.src.Directory)
	if ds.err != nil {
		return nil, s.errAt(".path", ds.err)
	}
	var out []manifest.Object
	for _, pf := range ds.files {
		full := pf.full
		if pf.err != nil {
			return nil, at(s.repo.Root, full, 0, pf.err)
		}
		for _, fo := range pf.objs {
			u := &unstructured.Unstructured{Object: copyObject(fo.Object)}
			if argo.IsApplication(fo.Object) || argo.IsAppProject(fo.Object) || isAppSet(fo.Object) {
				s.ws.recordDef(u, objDef{doc: fo.Doc, file: full, start: fo.Start, line: fo.Line, repoDir: s.repo.Root})
			}
			out = append(out, manifest.Object{App: s.app.Name, Source: full, Object: u})
		}
	}
	return out, nil
}

// ---- value files

// valueFile is a resolved value file.
type valueFile struct {
	raw  string
	repo *gitrepo.Repo
	path string // root-relative, links not resolved
}

// resolveFile resolves one valueFiles/fileParameters entry without globbing:
// "$ref/..." against the ref repository root, else against the source path
// (a leading "/" meaning the repository root); paths leaving the root
// (through ".." or links) are refused.
func (s *source) resolveFile(raw string) (valueFile, error) {
	if strings.HasPrefix(raw, "$") {
		name, rest, _ := strings.Cut(raw, "/")
		if t, ok := s.refs[name]; ok && s.multi {
			if strings.Trim(rest, "/") == "" {
				return valueFile{}, fmt.Errorf("invalid value file path %q: no file path after the ref name", raw)
			}
			if NormalizeURL(t.src.RepoURL) == NormalizeURL(s.src.RepoURL) && !sameRevision(t.repo, t.src.TargetRevision, s.src.TargetRevision) {
				return valueFile{}, errors.New("cannot reference a different revision of the same repository")
			}
			p := Envsubst("/"+rest, s.env)
			clean := gitrepo.Clean(p)
			if err := resolveReadable(t.repo, clean, p); err != nil {
				return valueFile{}, err
			}
			return valueFile{raw: raw, repo: t.repo, path: clean}, nil
		}
		if s.multi && name != "$" && !strings.HasPrefix(raw, "$$") && !strings.ContainsAny(name, "{}") {
			// Argo CD treats an unmatched $name as an env var; a $name that looks
			// like a ref but names no source is almost always a typo.
			if _, isEnv := s.env[strings.TrimPrefix(name, "$")]; !isEnv {
				return valueFile{}, fmt.Errorf("source referenced %q, which is not one of the available sources (%s)", name, strings.Join(refNames(s.refs), ", "))
			}
		}
	}
	v := Envsubst(raw, s.env)
	if u, err := url.Parse(v); err == nil && u.Scheme != "" && len(u.Scheme) > 1 {
		if u.Scheme == "http" || u.Scheme == "https" {
			return valueFile{}, fmt.Errorf("remote value file %q is not fetched offline", v)
		}
		return valueFile{}, fmt.Errorf("the URL scheme '%s' is not allowed", u.Scheme)
	}
	var p string
	if path.IsAbs(v) {
		p = gitrepo.Clean(v)
	} else {
		p = path.Join(s.dir, v)
	}
	if p == "." {
		return valueFile{}, fmt.Errorf("value file %q resolved to the repository root", v)
	}
	if strings.HasPrefix(p, "../") || p == ".." {
		return valueFile{}, &gitrepo.OutsideError{Path: v}
	}
	if err := resolveReadable(s.repo, p, v); err != nil {
		return valueFile{}, err
	}
	return valueFile{raw: raw, repo: s.repo, path: p}, nil
}

// resolveReadable resolves the root-relative path p (written as raw) in r
// and refuses it when it, or what its links resolve to, leaves the
// repository or is not Readable.
func resolveReadable(r *gitrepo.Repo, p, raw string) error {
	rp, err := r.Resolve(p)
	if err != nil {
		return renameOutside(err, raw)
	}
	if err := Readable(p); err != nil {
		return err
	}
	return Readable(rp)
}

// UnreadableError refuses a repository file that rendering never reads,
// whatever an Application or a chart asks for.
type UnreadableError struct {
	// Path is root-relative.
	Path string
	// Why says what the file is.
	Why string
}

func (e *UnreadableError) Error() string {
	return fmt.Sprintf("%s is %s: gitopsctl never reads it when rendering", e.Path, e.Why)
}

// Readable is the one rule for which repository files render, diff and check
// may read (value files, file parameters, chart files, manifests), checked
// on the path as written and as resolved through links: never a local
// plaintext file (layout.IsLocalFile: *.local.env, *.local.state, which hold
// secrets in the clear on the machine that seals them), and never a file in
// git's own directory (.git, which may hold credentials).
func Readable(p string) error {
	if layout.IsLocalFile(p) {
		return &UnreadableError{Path: p, Why: "a local plaintext file (" + strings.Join(layout.LocalPatterns[:2], ", ") + ")"}
	}
	for _, c := range strings.Split(p, "/") {
		if strings.EqualFold(c, ".git") {
			return &UnreadableError{Path: p, Why: "in git's own directory (.git)"}
		}
	}
	return nil
}

func refNames(refs map[string]*refTarget) []string {
	var n []string
	for k := range refs {
		n = append(n, k)
	}
	sort.Strings(n)
	return n
}

func normRev(r string) string {
	if r == "" {
		return "HEAD"
	}
	return r
}

// sameRevision reports whether two targetRevisions of one repository name
// the same commit: equal text, or both resolving to one commit locally.
func sameRevision(r *gitrepo.Repo, a, b string) bool {
	a, b = normRev(a), normRev(b)
	if a == b {
		return true
	}
	ha, err := r.ResolveRevision(a)
	if err != nil {
		return false
	}
	hb, err := r.ResolveRevision(b)
	return err == nil && ha == hb
}

func renameOutside(err error, p string) error {
	var oe *gitrepo.OutsideError
	if errors.As(err, &oe) {
		return &gitrepo.OutsideError{Path: p}
	}
	return err
}

func isGlob(p string) bool { return strings.ContainsAny(p, "*?[") }

// resolveValueFiles resolves helm.valueFiles in order: globs expand sorted
// lexically (an explicitly listed file keeps its own position; files that
// are not Readable are left out), missing files are dropped only with
// ignoreMissingValueFiles.
func (s *source) resolveValueFiles(raws []string, ignoreMissing bool) ([]valueFile, error) {
	field := func(i int) string { return fmt.Sprintf(".helm.valueFiles[%d]", i) }
	explicit := map[string]bool{}
	for _, raw := range raws {
		if vf, err := s.resolveFile(raw); err == nil && !isGlob(vf.path) {
			explicit[vf.repo.Root+"\x00"+vf.path] = true
		}
	}
	var out []valueFile
	seen := map[string]bool{}
	add := func(vf valueFile) {
		k := vf.repo.Root + "\x00" + vf.path
		if !seen[k] {
			seen[k] = true
			out = append(out, vf)
		}
	}
	for i, raw := range raws {
		vf, err := s.resolveFile(raw)
		if err != nil {
			return nil, s.errAt(field(i), fmt.Errorf("value file %q: %w", raw, err))
		}
		if isGlob(vf.path) {
			matches, err := doublestar.Glob(vf.repo.FS(), vf.path, doublestar.WithFilesOnly())
			if err != nil {
				return nil, s.errAt(field(i), fmt.Errorf("value file glob %q: %w", raw, err))
			}
			sort.Strings(matches)
			if len(matches) == 0 {
				if ignoreMissing {
					continue
				}
				return nil, s.errAt(field(i), fmt.Errorf("values file glob %q matched no files", raw))
			}
			for _, m := range matches {
				rp, err := vf.repo.Resolve(m)
				if err != nil {
					return nil, s.errAt(field(i), fmt.Errorf("value file glob %q: match %q: %w", raw, m, renameOutside(err, m)))
				}
				if Readable(m) != nil || Readable(rp) != nil {
					// A glob does not name local plaintext: it is not in git,
					// so Argo CD never sees it either.
					continue
				}
				if !explicit[vf.repo.Root+"\x00"+m] {
					add(valueFile{raw: raw, repo: vf.repo, path: m})
				}
			}
			continue
		}
		if !vf.repo.Exists(vf.path) {
			if ignoreMissing {
				continue
			}
			return nil, s.errAt(field(i), fmt.Errorf("value file %q not found: %s does not exist in %s", raw, vf.path, vf.repo))
		}
		add(vf)
	}
	return out, nil
}
