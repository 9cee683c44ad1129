// Package kustomize builds Argo CD Kustomize sources offline with the
// kustomize API (sigs.k8s.io/kustomize/api/krusty, the library behind the
// kustomize v5 CLI that Argo CD ships).
//
// The build reads the repository through a gitrepo view (a git revision or
// the working tree), never the disk directly: links resolve inside the
// repository only, files rendering never reads (see the view's Deny rule)
// stay unread, and references kustomize would fetch over the network
// (remote bases, http files) are an error naming them. The Application's
// kustomize: options are applied as Argo CD applies them (it runs
// "kustomize edit" on a temporary copy of the kustomization, then builds):
// here the kustomization is edited in memory, then built.
package kustomize

import (
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"path"
	"sort"
	"strings"
	"sync"

	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/api/resmap"
	"sigs.k8s.io/kustomize/api/types"
	"sigs.k8s.io/yaml"

	"github.com/gitopsctl/gitopsctl/internal/argo"
	"github.com/gitopsctl/gitopsctl/internal/gitrepo"
)

// Request is one Kustomize source to build.
type Request struct {
	// Repo is the repository view at the source's revision.
	Repo *gitrepo.Repo
	// Dir is the source path, root-relative.
	Dir string
	// Options are the Application's kustomize: block (nil: none).
	Options *Options
	// Build are the configured build flags.
	Build BuildOptions
	// Envsubst expands Argo CD's build environment ($ARGOCD_APP_NAME, ...)
	// in images and commonLabels values (and commonAnnotations values with
	// commonAnnotationsEnvsubst). Nil: no expansion.
	Envsubst func(string) string
	// Repos serves remote bases (resources and components by git URL)
	// from local checkouts; nil: every remote base is an error.
	Repos RemoteRepos
	// Helm inflates helmCharts (with Build.EnableHelm); nil: a
	// kustomization with helmCharts is an error.
	Helm Helm
	// KubeVersion and APIVersions are Argo CD's --helm-kube-version and
	// --helm-api-versions: the capabilities of helmCharts entries that set
	// no kubeVersion / apiVersions of their own.
	KubeVersion string
	APIVersions []string
}

// Result is a built Kustomize source.
type Result struct {
	// Objects are the built objects in kustomize's output order, decoded
	// as Argo CD decodes manifests (whole numbers become int64).
	Objects []map[string]any
	// Kustomizations are the directories (root-relative) of the
	// kustomizations of the source's repository the build reached, the
	// source's own first.
	Kustomizations []string
	// Files are the repository files the build read (root-relative,
	// links resolved), sorted.
	Files []string
	// Charts are the directories (root-relative, links resolved) of the
	// source repository's charts helmCharts inflated, sorted.
	Charts []string
	// Warnings are non-fatal findings.
	Warnings []string
}

// Build edits the kustomization at req.Dir in memory with req.Options and
// builds it with krusty.
func Build(req Request) (*Result, error) {
	if req.Repo == nil {
		return nil, errors.New("kustomize: no repository")
	}
	subst := req.Envsubst
	if subst == nil {
		subst = func(s string) string { return s }
	}
	dir := gitrepo.Clean(req.Dir)
	fsys := newRepoFS(req.Repo)
	fsys.remoteRepos = req.Repos
	res := &Result{}
	if req.Options != nil && req.Options.Version != "" {
		res.Warnings = append(res.Warnings, fmt.Sprintf("kustomize.version %q is ignored: gitopsctl builds with the kustomize v5 API", req.Options.Version))
	}
	if req.Options.edits() {
		if err := edit(fsys, dir, req.Options, subst); err != nil {
			return nil, err
		}
	}
	dirs, helm, err := fsys.scan(dir, req.Build.EnableHelm)
	for _, d := range dirs {
		if !strings.HasPrefix(d, mountDir+"/") {
			res.Kustomizations = append(res.Kustomizations, d)
		}
	}
	if err != nil {
		return res, err
	}
	charts := map[string]bool{}
	for _, h := range helm {
		warns, err := fsys.inflate(h, &req, charts)
		res.Warnings = append(res.Warnings, warns...)
		if err != nil {
			res.Files, res.Charts = fsys.filesRead(), sortedSet(charts)
			return res, err
		}
	}
	res.Charts = sortedSet(charts)
	opts := krusty.MakeDefaultOptions()
	opts.Reorder = krusty.ReorderOptionUnspecified // as the CLI: legacy order
	if req.Build.LoadRestrictionsNone {
		opts.LoadRestrictions = types.LoadRestrictionsNone
	}
	m, err := run(opts, fsys, dir)
	res.Files = fsys.filesRead()
	if err != nil {
		return res, fmt.Errorf("kustomize build %s: %w", dir, err)
	}
	if len(helm) > 0 {
		if err := helmOrigins(m, dir, helm); err != nil {
			return res, fmt.Errorf("kustomize build %s: %w", dir, err)
		}
	}
	for _, r := range m.Resources() {
		y, err := r.AsYAML()
		if err != nil {
			return res, fmt.Errorf("kustomize build %s: %w", dir, err)
		}
		obj, err := argo.DecodeObject(y)
		if err != nil {
			return res, fmt.Errorf("kustomize build %s: %s/%s: %w", dir, r.GetKind(), r.GetName(), err)
		}
		if obj != nil {
			res.Objects = append(res.Objects, obj)
		}
	}
	return res, nil
}

func sortedSet(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// quietMu serializes builds while kustomize's own messages are silenced.
var quietMu sync.Mutex

// run builds with krusty. kustomize prints notes of its own while it
// builds: deprecation warnings for fields such as commonLabels straight to
// os.Stderr (api/internal/target/kusttarget.go), others through the
// standard logger. Argo CD keeps a successful build's stderr to itself, and
// gitopsctl prints through its own streams only, so both are silenced for
// the duration of the build; builds take turns for that.
func run(opts *krusty.Options, fsys *repoFS, dir string) (resmap.ResMap, error) {
	quietMu.Lock()
	defer quietMu.Unlock()
	prev, flags := log.Writer(), log.Flags()
	log.SetOutput(io.Discard)
	defer func() {
		log.SetOutput(prev)
		log.SetFlags(flags)
	}()
	if null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0); err == nil {
		stderr := os.Stderr
		os.Stderr = null
		defer func() {
			os.Stderr = stderr
			_ = null.Close()
		}()
	}
	return krusty.MakeKustomizer(opts).Run(fsys, fsys.abs(dir))
}

// edit rewrites the kustomization of dir in fsys's overlay with the
// options applied.
func edit(fsys *repoFS, dir string, o *Options, subst func(string) string) error {
	name, err := fsys.kustomizationFile(dir)
	if err != nil {
		return err
	}
	file := path.Join(dir, name)
	data, err := fsys.ReadFile(fsys.abs(file))
	if err != nil {
		return err
	}
	var k types.Kustomization
	if err := k.Unmarshal(data); err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	e := &editor{
		o:     o,
		subst: subst,
		file:  name,
		componentExists: func(c string) bool {
			_, err := fsys.stat(path.Join(dir, c))
			return err == nil
		},
		glob: func(pattern string) ([]string, error) {
			ms, err := fsys.Glob(fsys.abs(path.Join(dir, pattern)))
			if err != nil {
				return nil, err
			}
			out := make([]string, 0, len(ms))
			for _, m := range ms {
				r, err := fsys.rel(m)
				if err != nil {
					return nil, err
				}
				out = append(out, relTo(dir, r))
			}
			sort.Strings(out)
			return out, nil
		},
	}
	if err := e.apply(&k); err != nil {
		return fmt.Errorf("%s: applying the Application's kustomize options: %w", file, err)
	}
	out, err := yaml.Marshal(&k)
	if err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	return fsys.WriteFile(fsys.abs(file), out)
}

// relTo is the slash path of target relative to dir (both root-relative).
func relTo(dir, target string) string {
	if dir == "." {
		return target
	}
	d := splitSlash(dir)
	t := splitSlash(target)
	i := 0
	for i < len(d) && i < len(t) && d[i] == t[i] {
		i++
	}
	var parts []string
	for range d[i:] {
		parts = append(parts, "..")
	}
	parts = append(parts, t[i:]...)
	if len(parts) == 0 {
		return "."
	}
	return path.Join(parts...)
}

func splitSlash(p string) []string {
	if p == "." || p == "" {
		return nil
	}
	var out []string
	start := 0
	for i := 0; i <= len(p); i++ {
		if i == len(p) || p[i] == '/' {
			out = append(out, p[start:i])
			start = i + 1
		}
	}
	return out
}
