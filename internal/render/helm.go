package render

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"

	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chart/loader"
	"helm.sh/helm/v3/pkg/chartutil"
	"helm.sh/helm/v3/pkg/engine"
	"helm.sh/helm/v3/pkg/ignore"
	"helm.sh/helm/v3/pkg/release"
	"helm.sh/helm/v3/pkg/releaseutil"
	"helm.sh/helm/v3/pkg/strvals"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"

	"github.com/gitopsctl/gitopsctl/internal/argo"
	"github.com/gitopsctl/gitopsctl/internal/charts"
	"github.com/gitopsctl/gitopsctl/internal/gitrepo"
	"github.com/gitopsctl/gitopsctl/internal/manifest"
	"github.com/gitopsctl/gitopsctl/internal/safeyaml"
)

type chartKey struct {
	repo *gitrepo.Repo
	dir  string
}

type chartEntry struct {
	done  chan struct{}
	chart *chart.Chart
	files []string // root-relative paths of every file loaded (and link targets)
	err   error
}

type valuesKey struct {
	repo *gitrepo.Repo
	path string
}

type valuesEntry struct {
	done chan struct{}
	vals map[string]any
	err  error
}

// loadChart loads the chart at dir once per repository view.
func (ws *Workspace) loadChart(r *gitrepo.Repo, dir string) (*chart.Chart, error) {
	e := ws.chartEntry(r, dir)
	return e.chart, e.err
}

func (ws *Workspace) chartEntry(r *gitrepo.Repo, dir string) *chartEntry {
	k := chartKey{r, dir}
	ws.mu.Lock()
	e, ok := ws.charts[k]
	if !ok {
		e = &chartEntry{done: make(chan struct{})}
		ws.charts[k] = e
	}
	ws.mu.Unlock()
	if ok {
		<-e.done
		return e
	}
	e.chart, e.files, e.err = readChart(r, dir)
	close(e.done)
	return e
}

type fakeInfo struct {
	name string
	dir  bool
}

func (f fakeInfo) Name() string { return f.name }
func (f fakeInfo) Size() int64  { return 0 }
func (f fakeInfo) Mode() fs.FileMode {
	if f.dir {
		return fs.ModeDir | 0o755
	}
	return 0o644
}
func (f fakeInfo) ModTime() time.Time { return time.Time{} }
func (f fakeInfo) IsDir() bool        { return f.dir }
func (f fakeInfo) Sys() any           { return nil }

// chartListEntry is one file of a chart directory: rel to the chart, full to
// the repository root.
type chartListEntry struct{ rel, full string }

// listChart walks a chart directory like Helm's directory loader (with
// .helmignore and its defaults, links followed inside the repository)
// without reading any file. It returns the chart's files and every
// repository path they depend on (link targets included).
func listChart(r *gitrepo.Repo, dir string) ([]chartListEntry, []string, error) {
	rules := ignore.Empty()
	ignFile := path.Join(dir, ignore.HelmIgnore)
	if data, err := r.ReadFile(ignFile); err == nil {
		rr, err := ignore.Parse(bytes.NewReader(data))
		if err != nil {
			return nil, nil, at(r.Root, ignFile, 0, err)
		}
		rules = rr
	}
	rules.AddDefaults()
	if !r.Exists(path.Join(dir, "Chart.yaml")) {
		return nil, nil, at(r.Root, dir, 0, fmt.Errorf("%s: no Chart.yaml: not a Helm chart", dir))
	}
	var files []chartListEntry
	var paths []string
	skip := func(rel string) bool { return rules.Ignore(rel, fakeInfo{name: path.Base(rel), dir: true}) }
	err := r.Walk(dir, gitrepo.WalkOptions{Recurse: true, FollowDirLinks: true, SkipDir: skip}, func(rel, full string) error {
		if rules.Ignore(rel, fakeInfo{name: path.Base(rel)}) {
			return nil
		}
		files = append(files, chartListEntry{rel: rel, full: full})
		paths = append(paths, full)
		if rp, err := r.Resolve(full); err == nil && rp != full {
			paths = append(paths, rp)
		}
		return nil
	})
	if err != nil {
		return nil, nil, at(r.Root, dir, 0, fmt.Errorf("read chart %s: %w", dir, err))
	}
	return files, paths, nil
}

// readChart reads and loads a chart directory (see listChart).
func readChart(r *gitrepo.Repo, dir string) (*chart.Chart, []string, error) {
	list, paths, err := listChart(r, dir)
	if err != nil {
		return nil, nil, err
	}
	files := make([]*loader.BufferedFile, 0, len(list))
	for _, f := range list {
		data, err := r.ReadFile(f.full)
		if err != nil {
			return nil, nil, at(r.Root, dir, 0, fmt.Errorf("read chart %s: %w", dir, err))
		}
		files = append(files, &loader.BufferedFile{Name: f.rel, Data: bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF"))})
	}
	ch, err := loader.LoadFiles(files)
	if err != nil {
		return nil, nil, at(r.Root, dir, 0, fmt.Errorf("load chart %s: %w", dir, err))
	}
	return ch, paths, nil
}

// cloneChart copies the parts of a chart tree that rendering mutates
// (metadata, dependency list, values), sharing file contents.
func cloneChart(c *chart.Chart) *chart.Chart {
	n := *c
	if c.Metadata != nil {
		md := *c.Metadata
		// A nil list stays nil: Helm's dependency processing stops at a
		// chart whose Chart.yaml lists no dependencies, and an empty list
		// would make it go on into the chart's subcharts.
		if c.Metadata.Dependencies != nil {
			md.Dependencies = make([]*chart.Dependency, len(c.Metadata.Dependencies))
			for i, d := range c.Metadata.Dependencies {
				dd := *d
				md.Dependencies[i] = &dd
			}
		}
		n.Metadata = &md
	}
	n.Values = deepCopyMap(c.Values)
	deps := c.Dependencies()
	kids := make([]*chart.Chart, len(deps))
	for i, d := range deps {
		kids[i] = cloneChart(d)
	}
	n.SetDependencies(kids...)
	return &n
}

func deepCopyMap(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = deepCopy(v)
	}
	return out
}

func deepCopy(v any) any {
	switch t := v.(type) {
	case map[string]any:
		return deepCopyMap(t)
	case []any:
		out := make([]any, len(t))
		for i, x := range t {
			out[i] = deepCopy(x)
		}
		return out
	default:
		return v
	}
}

// mergeMaps merges b over a like helm's --values handling: nested maps
// merge, anything else replaces. It never modifies a or b.
func mergeMaps(a, b map[string]any) map[string]any {
	out := make(map[string]any, len(a)+len(b))
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		if bm, ok := v.(map[string]any); ok {
			if am, ok := out[k].(map[string]any); ok {
				out[k] = mergeMaps(am, bm)
				continue
			}
		}
		out[k] = v
	}
	return out
}

// readValues parses a value file once per repository view.
func (ws *Workspace) readValues(vf valueFile) (map[string]any, error) {
	k := valuesKey{vf.repo, vf.path}
	ws.mu.Lock()
	e, ok := ws.values[k]
	if !ok {
		e = &valuesEntry{done: make(chan struct{})}
		ws.values[k] = e
	}
	ws.mu.Unlock()
	if ok {
		<-e.done
		return e.vals, e.err
	}
	data, err := vf.repo.ReadFile(vf.path)
	if err == nil {
		if err = safeyaml.Check("", data); err != nil {
			err = at(vf.repo.Root, vf.path, safeyaml.LineOf(err), err)
		}
	}
	if err == nil {
		var fast bool
		if e.vals, fast = fastValues(data); !fast {
			e.vals = map[string]any{}
			if perr := yaml.Unmarshal(data, &e.vals); perr != nil {
				err = at(vf.repo.Root, vf.path, yamlErrLine(perr), fmt.Errorf("failed to parse value file %s: %w", vf.path, perr))
			}
		}
	} else {
		err = at(vf.repo.Root, vf.path, 0, err)
	}
	e.err = err
	close(e.done)
	return e.vals, e.err
}

// fastValues reads a values file as sigs.k8s.io/yaml reads it into a map
// (YAML, then JSON written and read again: every number a float64, an
// empty or null file an empty map), in one YAML pass. ok is false for
// anything that round trip could change or refuse (see jsonNumbers) and
// for a file that is not a mapping; the caller then reads it the slow way,
// which also words the error.
func fastValues(data []byte) (vals map[string]any, ok bool) {
	vals, null, ok := jsonNumbers(false).object(data)
	if null {
		return map[string]any{}, true
	}
	return vals, ok
}

var yamlLineRE = regexp.MustCompile(`line (\d+)`)

func yamlErrLine(err error) int {
	if m := yamlLineRE.FindStringSubmatch(err.Error()); m != nil {
		n, _ := strconv.Atoi(m[1])
		return n
	}
	return 0
}

// escapeSetValue escapes unescaped commas in a --set value unless it is a
// {...} list, as Argo CD does before calling helm.
func escapeSetValue(v string) string {
	if strings.HasPrefix(v, "{") && strings.HasSuffix(v, "}") {
		return v
	}
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		if v[i] == ',' && (i == 0 || v[i-1] != '\\') {
			b.WriteString(`\,`)
			continue
		}
		b.WriteByte(v[i])
	}
	return b.String()
}

// helmValues builds the user-supplied values: value files in order, then
// valuesObject (or values), then parameters (--set), forceString
// parameters (--set-string) and fileParameters (--set-file).
func (s *source) helmValues(h *argo.ApplicationSourceHelm) (map[string]any, []valueFile, error) {
	vals := map[string]any{}
	if h == nil {
		return vals, nil, nil
	}
	vfs, err := s.resolveValueFiles(h.ValueFiles, h.IgnoreMissingValueFiles)
	if err != nil {
		return nil, nil, err
	}
	for _, vf := range vfs {
		m, err := s.ws.readValues(vf)
		if err != nil {
			return nil, nil, err
		}
		vals = mergeMaps(vals, m)
	}
	inline, field := []byte(nil), ""
	if h.ValuesObject != nil && len(h.ValuesObject.Raw) > 0 && string(h.ValuesObject.Raw) != "null" {
		inline, field = h.ValuesObject.Raw, ".helm.valuesObject"
	} else if h.Values != "" {
		inline, field = []byte(h.Values), ".helm.values"
	}
	if inline != nil {
		m := map[string]any{}
		if err := yaml.Unmarshal(inline, &m); err != nil {
			return nil, nil, s.errAt(field, fmt.Errorf("parse %s: %w", strings.TrimPrefix(field, "."), err))
		}
		vals = mergeMaps(vals, m)
	}
	vals = deepCopyMap(vals)
	set, setString := map[string]string{}, map[string]string{}
	for _, p := range h.Parameters {
		if p.ForceString {
			setString[p.Name] = p.Value
		} else {
			set[p.Name] = p.Value
		}
	}
	for _, name := range sortedKeys(set) {
		if err := strvals.ParseInto(name+"="+escapeSetValue(Envsubst(set[name], s.env)), vals); err != nil {
			return nil, nil, s.errAt(".helm.parameters", fmt.Errorf("parameter %s: %w", name, err))
		}
	}
	for _, name := range sortedKeys(setString) {
		if err := strvals.ParseIntoString(name+"="+escapeSetValue(Envsubst(setString[name], s.env)), vals); err != nil {
			return nil, nil, s.errAt(".helm.parameters", fmt.Errorf("parameter %s: %w", name, err))
		}
	}
	files := map[string]string{}
	for _, fp := range h.FileParameters {
		files[fp.Name] = fp.Path
	}
	for i, name := range sortedKeys(files) {
		vf, err := s.resolveFile(files[name])
		if err == nil {
			var data []byte
			if data, err = vf.repo.ReadFile(vf.path); err == nil {
				err = strvals.ParseIntoFile(name+"="+vf.path, vals, func([]rune) (any, error) { return string(data), nil })
			}
			vfs = append(vfs, vf)
		}
		if err != nil {
			return nil, nil, s.errAt(fmt.Sprintf(".helm.fileParameters[%d]", i), fmt.Errorf("file parameter %s (%s): %w", name, files[name], err))
		}
	}
	return vals, vfs, nil
}

func sortedKeys(m map[string]string) []string {
	k := make([]string, 0, len(m))
	for n := range m {
		k = append(k, n)
	}
	sort.Strings(k)
	return k
}

// releaseName is helm.releaseName, else the app name without an "<ns>_" prefix.
func (s *source) releaseName() string {
	if h := s.src.Helm; h != nil && h.ReleaseName != "" {
		return h.ReleaseName
	}
	name := s.app.Name
	if i := strings.LastIndex(name, "_"); i >= 0 {
		name = name[i+1:]
	}
	return name
}

// namespace is helm.namespace, else the destination namespace, else
// "default" (helm's namespace when none is passed).
func (s *source) namespace() string {
	if h := s.src.Helm; h != nil && h.Namespace != "" {
		return h.Namespace
	}
	if ns := s.app.Application.Spec.Destination.Namespace; ns != "" {
		return ns
	}
	return "default"
}

// capabilities builds what .Capabilities shows: Helm's defaults with the
// kube version of helm.kubeVersion or the destination cluster's profile,
// and the API versions of helm.apiVersions (else the profile) appended.
func (s *source) capabilities() (*chartutil.Capabilities, error) {
	caps := chartutil.DefaultCapabilities.Copy()
	// The profile of the app's destination cluster (the default cluster's
	// when the destination is not declared).
	dest := s.app.Application.Spec.Destination
	cl, _ := s.ws.cfg.ClusterFor(dest.Server, dest.Name)
	kv := cl.Capabilities.KubeVersion
	apis := cl.Capabilities.APIVersions
	if h := s.src.Helm; h != nil {
		if h.KubeVersion != "" {
			kv = h.KubeVersion
		}
		if len(h.APIVersions) > 0 {
			apis = h.APIVersions
		}
	}
	if kv != "" {
		v, err := chartutil.ParseKubeVersion(kv)
		if err != nil {
			return nil, fmt.Errorf("invalid kube version %q: %w", kv, err)
		}
		caps.KubeVersion = *v
	}
	caps.APIVersions = append(caps.APIVersions, apis...)
	return caps, nil
}

var (
	tplErrRE  = regexp.MustCompile(`template: ([^:\s]+):(\d+):(\d+)`)
	tplErr2RE = regexp.MustCompile(`template: ([^:\s]+):(\d+)`)
	yamlOnRE  = regexp.MustCompile(`(?:YAML parse error on|error converting YAML to JSON.*?in) ([^:\s]+)`)
)

// chartFile maps a Helm template name ("<chart>/templates/x.yaml",
// "<chart>/charts/<sub>/templates/y.yaml") to its repository path.
func chartFile(dir, tpl string) string {
	_, rest, ok := strings.Cut(tpl, "/")
	if !ok {
		return dir
	}
	if dir == "." {
		return rest
	}
	return path.Join(dir, rest)
}

// locateHelmErr finds the template file and line a Helm error names.
func (s *source) locateHelmErr(err error) error {
	msg := err.Error()
	if m := tplErrRE.FindStringSubmatch(msg); m != nil {
		n, _ := strconv.Atoi(m[2])
		return at(s.repo.Root, chartFile(s.dir, m[1]), n, err)
	}
	if m := tplErr2RE.FindStringSubmatch(msg); m != nil {
		n, _ := strconv.Atoi(m[2])
		return at(s.repo.Root, chartFile(s.dir, m[1]), n, err)
	}
	if m := yamlOnRE.FindStringSubmatch(msg); m != nil {
		return at(s.repo.Root, chartFile(s.dir, m[1]), 0, err)
	}
	return at(s.repo.Root, path.Join(s.dir, "Chart.yaml"), 0, err)
}

// renderHelm renders a chart as `helm template` does when Argo CD calls it.
func (s *source) renderHelm() ([]manifest.Object, error) {
	ce := s.ws.chartEntry(s.repo, s.dir)
	if ce.err != nil {
		return nil, ce.err
	}
	h := s.src.Helm
	if h == nil {
		h = &argo.ApplicationSourceHelm{}
	}
	vals, _, err := s.helmValues(h)
	if err != nil {
		return nil, err
	}
	ch := cloneChart(ce.chart)
	chartYAML := path.Join(s.dir, "Chart.yaml")
	if req := ch.Metadata.Dependencies; req != nil {
		if err := checkDependencies(ch, req); err != nil {
			// Argo CD then runs `helm dependency build`: file://
			// dependencies are read from the repository, the others come
			// from the chart cache.
			if err := s.addLocalDependencies(ch); err != nil {
				return nil, at(s.repo.Root, chartYAML, 0, err)
			}
			if err := s.addRemoteDependencies(ch); err != nil {
				return nil, at(s.repo.Root, chartYAML, 0, err)
			}
			if err := checkDependencies(ch, req); err != nil {
				return nil, at(s.repo.Root, chartYAML, 0, fmt.Errorf("chart %s: %w (vendor it with 'helm dependency build %s' and commit charts/)", s.dir, err, s.dir))
			}
		}
	}
	caps, err := s.capabilities()
	if err != nil {
		return nil, s.errAt(".helm.kubeVersion", err)
	}
	opts := chartutil.ReleaseOptions{Name: s.releaseName(), Namespace: s.namespace(), Revision: 1, IsInstall: true}
	docs, err := s.helmTemplate(helmRun{
		ch: ch, vals: vals, opts: opts, caps: caps, validate: !h.SkipSchemaValidation,
		includeCRDs: !h.SkipCrds, skipTests: h.SkipTests, warnHooks: true, offlineFix: ": " + schemaFix,
	})
	var te *templateError
	switch {
	case errors.As(err, &te):
		return nil, s.locateHelmErr(te.err)
	case err != nil:
		return nil, at(s.repo.Root, chartYAML, 0, err)
	}
	var out []manifest.Object
	for _, d := range docs {
		objs, err := d.objs, error(nil)
		if !d.decoded {
			objs, err = decodeSection(d.text)
		}
		if err != nil {
			return nil, at(s.repo.Root, chartFile(s.dir, d.source), 0, err)
		}
		for _, o := range objs {
			u := &unstructured.Unstructured{Object: o}
			if argo.IsApplication(o) || argo.IsAppProject(o) {
				s.ws.recordDef(u, objDef{file: chartFile(s.dir, d.source), repoDir: s.repo.Root})
			}
			out = append(out, manifest.Object{App: s.app.Name, Source: d.source, Object: u})
		}
	}
	return out, nil
}

// helmRun is one `helm template` of a chart whose dependencies are in
// place: what renderHelm (Helm sources) and kustomizeHelm (Kustomize's
// helmCharts) share.
type helmRun struct {
	ch          *chart.Chart
	vals        map[string]any
	opts        chartutil.ReleaseOptions
	caps        *chartutil.Capabilities
	validate    bool // check the values against the charts' schemas
	includeCRDs bool
	skipTests   bool
	warnHooks   bool   // warn of hooks with an unknown event (Helm drops them)
	offlineFix  string // what an --offline schema error adds (": <fix>")
}

// templateError is an error of the templates themselves (the engine's),
// which the caller locates in the chart; helmTemplate's other errors are
// the chart's as a whole.
type templateError struct{ err error }

func (e *templateError) Error() string { return e.err.Error() }
func (e *templateError) Unwrap() error { return e.err }

// helmTemplate checks the chart's kubeVersion, applies its dependencies'
// conditions and tags, validates the values as Helm does, renders the
// templates and returns the printed sections of `helm template`.
func (s *source) helmTemplate(r helmRun) ([]printedDoc, error) {
	ch := r.ch
	if ch.Metadata.KubeVersion != "" && !chartutil.IsCompatibleRange(ch.Metadata.KubeVersion, r.caps.KubeVersion.String()) {
		return nil, fmt.Errorf("chart requires kubeVersion: %s which is incompatible with Kubernetes %s", ch.Metadata.KubeVersion, r.caps.KubeVersion.String())
	}
	if err := chartutil.ProcessDependenciesWithMerge(ch, r.vals); err != nil {
		return nil, err
	}
	if r.validate && s.ws.offline() {
		if refs := offlineSchemaRefs(ch); len(refs) > 0 {
			return nil, fmt.Errorf("values schema validation would fetch %s over the network, which --offline forbids%s", strings.Join(refs, ", "), r.offlineFix)
		}
	}
	// The schema check as Helm's, with compiled schemas reused (schemacache.go).
	rv, err := chartutil.ToRenderValuesWithSchemaValidation(ch, r.vals, r.opts, r.caps, true)
	if err == nil && r.validate {
		coalesced, _ := rv["Values"].(chartutil.Values)
		err = validateValues(ch, coalesced)
	}
	if err != nil {
		return nil, schemaNetworkErr(err)
	}
	s.ws.replay.checkChart(ch, r.vals, r.validate, s.app)
	var eng engine.Engine
	files, err := eng.Render(ch, rv)
	if err != nil {
		return nil, &templateError{err}
	}
	for k := range files {
		if strings.HasSuffix(k, "NOTES.txt") {
			delete(files, k)
		}
	}
	if r.warnHooks {
		s.warnings = append(s.warnings, unknownHooks(files)...)
	}
	docs, err := helmPrint(ch, files, r.includeCRDs, r.skipTests)
	if err != nil {
		return nil, &templateError{err}
	}
	return docs, nil
}

// printedDoc is one "# Source:" section of what `helm template` prints.
type printedDoc struct {
	source string // template or CRD file name
	text   string
	hook   bool
	printedObjs
}

// helmPrint reproduces what `helm template --include-crds` prints for the
// rendered files, section by section, because Argo CD parses that printed
// stream, not Helm's rendered strings: Helm splits each template at "---"
// and trims every document, sorts them into resources (ordered by kind) and
// hooks, then prints every CRD file verbatim, every resource and every hook
// as "---\n# Source: <name>\n<document>\n" (CRDs and resources as one block,
// trimmed and followed by a newline). Hooks with an unknown event are
// dropped, as Helm drops them; test hooks too with skipTests.
//
// Every section starts with a "---" line and ends with a newline, and no
// document line starts with "---" (Helm split there), so decoding the
// sections one by one reads the same documents as decoding the whole stream.
func helmPrint(ch *chart.Chart, files map[string]string, includeCRDs, skipTests bool) ([]printedDoc, error) {
	return printSorted(ch, files, includeCRDs, skipTests, true)
}

// printSorted is helmPrint; with tryPlain false it always sorts through
// Helm's releaseutil (the reference sortResources is tested against).
func printSorted(ch *chart.Chart, files map[string]string, includeCRDs, skipTests, tryPlain bool) ([]printedDoc, error) {
	var resources, hooks []sortedDoc
	plain := false
	if tryPlain {
		resources, hooks, plain = sortResources(files)
	}
	if !plain {
		hks, manifests, err := releaseutil.SortManifests(files, nil, releaseutil.InstallOrder)
		if err != nil {
			return nil, err
		}
		resources = make([]sortedDoc, len(manifests))
		for i, m := range manifests {
			resources[i] = sortedDoc{source: m.Name, content: m.Content}
		}
		hooks = make([]sortedDoc, len(hks))
		for i, h := range hks {
			events := make([]string, len(h.Events))
			for j, e := range h.Events {
				events[j] = e.String()
			}
			hooks[i] = sortedDoc{source: h.Path, content: h.Manifest, isHook: true, hook: strings.Join(events, ",")}
		}
	}
	section := func(name, content string) printedDoc {
		return printedDoc{source: name, text: "---\n# Source: " + name + "\n" + content + "\n"}
	}
	var docs []printedDoc
	if includeCRDs {
		for _, crd := range ch.CRDObjects() {
			docs = append(docs, section(crd.Filename, string(crd.File.Data)))
		}
	}
	for _, r := range resources {
		d := section(r.source, r.content)
		d.printedObjs = r.printedObjs
		docs = append(docs, d)
	}
	if n := len(docs); n > 0 {
		docs[n-1].text = strings.TrimRightFunc(docs[n-1].text, unicode.IsSpace) + "\n"
	}
	for _, hk := range hooks {
		if _, test := classifyHook(hk.hook); skipTests && test {
			continue
		}
		d := section(hk.source, hk.content)
		d.hook = true
		d.printedObjs = hk.printedObjs
		docs = append(docs, d)
	}
	return docs, nil
}

// hookEvents are the hook events Helm knows; a hook with any other event is
// dropped from the output, as Helm drops it.
var hookEvents = map[string]bool{
	"pre-install": true, "post-install": true, "pre-delete": true, "post-delete": true,
	"pre-upgrade": true, "post-upgrade": true, "pre-rollback": true, "post-rollback": true,
	"test": true, "test-success": true,
}

// unknownHooks returns a warning for every document Helm drops because its
// hook annotation names an unknown event (Helm itself only logs it).
// Documents Helm cannot parse are left to its own error.
func unknownHooks(files map[string]string) []string {
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	var warns []string
	for _, name := range names {
		content := files[name]
		if strings.HasPrefix(path.Base(name), "_") || !strings.Contains(content, release.HookAnnotation) {
			continue
		}
		for _, doc := range splitManifests(content) {
			var head releaseutil.SimpleHead
			if err := yaml.Unmarshal([]byte(doc), &head); err != nil || head.Metadata == nil {
				continue
			}
			hook, ok := head.Metadata.Annotations[release.HookAnnotation]
			if known, _ := classifyHook(hook); ok && !known {
				warns = append(warns, fmt.Sprintf("%s: %s/%s skipped: unknown hook %q (as helm does)", name, head.Kind, head.Metadata.Name, hook))
			}
		}
	}
	return warns
}

// addLocalDependencies adds the missing dependencies of ch whose repository
// is file://<path> (relative to the chart), loading them from the repository.
func (s *source) addLocalDependencies(ch *chart.Chart) error {
	have := map[string]bool{}
	for _, d := range ch.Dependencies() {
		have[d.Name()] = true
	}
	for _, d := range ch.Metadata.Dependencies {
		rest, ok := strings.CutPrefix(d.Repository, "file://")
		if have[d.Name] || !ok {
			continue
		}
		dir := path.Join(s.dir, rest)
		if path.IsAbs(rest) {
			return fmt.Errorf("dependency %s: absolute file:// paths are outside the repository: %s", d.Name, d.Repository)
		}
		if _, err := s.repo.Resolve(dir); err != nil {
			return fmt.Errorf("dependency %s: %w", d.Name, renameOutside(err, d.Repository))
		}
		dep, err := s.ws.loadChart(s.repo, dir)
		if err != nil {
			return fmt.Errorf("dependency %s (%s): %w", d.Name, d.Repository, err)
		}
		if dep.Name() != d.Name {
			return fmt.Errorf("dependency %s: the chart at %s is named %q", d.Name, d.Repository, dep.Name())
		}
		ch.AddDependency(cloneChart(dep))
		have[d.Name] = true
	}
	return nil
}

// addRemoteDependencies adds the missing dependencies of ch that live in a
// Helm repository or an OCI registry, from the chart cache (fetched on first
// use), in memory, as `helm dependency build` would put them in charts/:
// at the version Chart.lock pins when it is present (it must then list
// every dependency of Chart.yaml, from the same repository, at a version
// the range allows), else at the highest version the range allows.
// Aliases, conditions and tags are left to Helm's dependency processing.
func (s *source) addRemoteDependencies(ch *chart.Chart) error {
	have := map[string]bool{}
	for _, d := range ch.Dependencies() {
		have[d.Name()] = true
	}
	var locked map[string]string
	if ch.Lock != nil {
		var err error
		if locked, err = lockedVersions(ch); err != nil {
			return fmt.Errorf("chart %s: %w", s.dir, err)
		}
	}
	var cache *charts.Cache
	for _, d := range ch.Metadata.Dependencies {
		if have[d.Name] || d.Repository == "" || strings.HasPrefix(d.Repository, "file://") {
			continue
		}
		if cache == nil {
			c, err := s.ws.chartCache()
			if err != nil {
				return err
			}
			cache = c
		}
		repoURL := d.Repository
		if name, ok := repoName(repoURL); ok {
			u, found := cache.RepoByName(name)
			if !found {
				return fmt.Errorf("dependency %s: repository %q is not in helm's repositories.yaml (add it with 'helm repo add %s URL', or write the URL in Chart.yaml)", d.Name, repoURL, name)
			}
			repoURL = u
		}
		version := d.Version
		if v, ok := locked[d.Name]; ok {
			version = v
		}
		c, err := cache.Get(context.Background(), charts.Ref{Repo: repoURL, Chart: d.Name, Version: version})
		if err != nil {
			return fmt.Errorf("dependency %s of chart %s: %w", d.Name, s.dir, err)
		}
		dep, err := cache.Load(c)
		if err != nil {
			return fmt.Errorf("dependency %s of chart %s: %w", d.Name, s.dir, err)
		}
		if dep.Name() != d.Name {
			return fmt.Errorf("dependency %s: the chart at %s is named %q", d.Name, d.Repository, dep.Name())
		}
		ch.AddDependency(cloneChart(dep))
		have[d.Name] = true
	}
	return nil
}

// repoName is the repository name of a "@name" or "alias:name" dependency
// repository.
func repoName(repo string) (string, bool) {
	if n, ok := strings.CutPrefix(repo, "@"); ok {
		return n, true
	}
	return strings.CutPrefix(repo, "alias:")
}

// lockedVersions are the versions Chart.lock pins, by dependency name. A
// lock that does not cover Chart.yaml's dependencies is out of sync, which
// `helm dependency build` refuses too.
func lockedVersions(ch *chart.Chart) (map[string]string, error) {
	byName := map[string]*chart.Dependency{}
	for _, l := range ch.Lock.Dependencies {
		byName[l.Name] = l
	}
	out := map[string]string{}
	for _, d := range ch.Metadata.Dependencies {
		l, ok := byName[d.Name]
		inSync := ok && strings.TrimSuffix(l.Repository, "/") == strings.TrimSuffix(d.Repository, "/")
		if inSync && d.Version != "" {
			_, inSync = charts.MaxVersion([]string{l.Version}, d.Version)
		}
		if !inSync {
			//lint:ignore ST1005 the message starts with the file name Chart.lock
			return nil, fmt.Errorf("Chart.lock is out of sync with Chart.yaml (dependency %s): run 'helm dependency update' and commit Chart.lock", d.Name)
		}
		out[d.Name] = l.Version
	}
	if len(ch.Lock.Dependencies) != len(ch.Metadata.Dependencies) {
		//lint:ignore ST1005 the message starts with the file name Chart.lock
		return nil, errors.New("Chart.lock is out of sync with Chart.yaml (the dependency lists differ): run 'helm dependency update' and commit Chart.lock")
	}
	return out, nil
}
