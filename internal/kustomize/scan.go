package kustomize

import (
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"strings"

	"sigs.k8s.io/kustomize/api/konfig"
	"sigs.k8s.io/kustomize/api/types"
	"sigs.k8s.io/yaml"
)

// RemoteError is a kustomization reference that kustomize would fetch over
// the network (a git repository to clone, or an http(s) file). gitopsctl
// renders offline from local checkouts only.
type RemoteError struct {
	// Ref is the reference as written.
	Ref string
	// Field is the kustomization field holding it.
	Field string
	// File is the kustomization file, root-relative ("" for an
	// Application option).
	File string
}

func (e *RemoteError) Error() string {
	where := e.Field
	if e.File != "" {
		where = e.File + ": " + e.Field
	}
	return fmt.Sprintf("%s: remote kustomize base %q is not fetched offline: vendor it into a repository gitopsctl reads and refer to it by path", where, e.Ref)
}

// HelmChartsError is a kustomization with helmCharts while chart inflation
// is off: kustomize refuses to build it ("must specify --enable-helm").
type HelmChartsError struct {
	// File is the kustomization file, root-relative.
	File string
	// Charts are the chart names.
	Charts []string
}

func (e *HelmChartsError) Error() string {
	return fmt.Sprintf("%s: helmCharts (%s) are inflated only with the kustomize build option --enable-helm (kustomize: \"must specify --enable-helm\"), as in Argo CD: set kustomize.buildOptions: --enable-helm in .gitopsctl.yaml", e.File, strings.Join(e.Charts, ", "))
}

var userAtRE = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9-]*@`)

// isRemote reports whether kustomize would treat a reference as remote: a
// git repository (kustomize's repospec: an ssh://, https://, http:// or
// file:// URL, "user@host:..." or "github.com/...", optionally after a
// "git::" prefix) or an http(s) file. Any other "scheme://" counts too. It
// errs on the side of remote: kustomize tries a reference as remote before
// it looks on disk.
func isRemote(ref string) bool {
	s := strings.TrimSpace(ref)
	if len(s) >= 5 && strings.EqualFold(s[:5], "git::") {
		s = s[5:]
	}
	l := strings.ToLower(s)
	if strings.Contains(l, "://") || userAtRE.MatchString(s) {
		return true
	}
	return strings.HasPrefix(l, "github.com/") || strings.HasPrefix(l, "github.com:")
}

// kustomizationFile finds the kustomization file of the root-relative
// directory dir: its name, or an error when there is none or more than
// one (kustomize refuses both).
func (f *repoFS) kustomizationFile(dir string) (string, error) {
	var found []string
	for _, n := range konfig.RecognizedKustomizationFileNames() {
		fi, err := f.stat(path.Join(dir, n))
		if err == nil && !fi.IsDir() {
			found = append(found, n)
		}
	}
	switch len(found) {
	case 0:
		return "", fmt.Errorf("%s: no kustomization file (%s): %w", dir, strings.Join(konfig.RecognizedKustomizationFileNames(), ", "), fs.ErrNotExist)
	case 1:
		return found[0], nil
	}
	return "", fmt.Errorf("%s: found multiple kustomization files (%s); kustomize needs exactly one", dir, strings.Join(found, ", "))
}

// readKustomization decodes the kustomization of dir as kustomize does
// (strict fields, then FixKustomization).
func (f *repoFS) readKustomization(dir string) (*types.Kustomization, string, error) {
	name, err := f.kustomizationFile(dir)
	if err != nil {
		return nil, "", err
	}
	file := path.Join(dir, name)
	data, err := f.ReadFile(f.abs(file))
	if err != nil {
		return nil, file, err
	}
	var k types.Kustomization
	if err := k.Unmarshal(data); err != nil {
		return nil, file, fmt.Errorf("%s: %w", file, err)
	}
	k.FixKustomization()
	return &k, file, nil
}

// scan walks the kustomizations a build of dir reaches (resources,
// components and the generator, transformer and validator directories)
// before kustomize does, and refuses what kustomize would fetch over the
// network, and helmCharts unless enabled. It returns the directories of
// the kustomizations it read, root-relative, in visiting order, and the
// kustomizations with helmCharts.
func (f *repoFS) scan(dir string, enableHelm bool) (dirs []string, helm []*helmKust, err error) {
	seen := map[string]bool{}
	helmAt := map[string]*helmKust{}
	// parentNS is the namespace kustomize hands down to the helmCharts of
	// a kustomization (api/internal/target/kusttarget.go,
	// accumulateDirectory: the nearest ancestor's namespace).
	var visit func(dir, parentNS string) error
	visit = func(dir, parentNS string) error {
		rd, err := f.resolve(dir)
		if err != nil {
			return err
		}
		if seen[rd] {
			if h := helmAt[rd]; h != nil && h.parentNS != parentNS && h.inherits() {
				return fmt.Errorf("%s: a kustomization with helmCharts reached twice, with the namespaces %q and %q handed down: gitopsctl inflates its charts once", h.file, h.parentNS, parentNS)
			}
			return nil
		}
		seen[rd] = true
		k, file, err := f.readKustomization(dir)
		if err != nil {
			return err
		}
		dirs = append(dirs, dir)
		if len(k.HelmCharts) > 0 && enableHelm {
			h := &helmKust{dir: dir, file: file, k: k, parentNS: parentNS}
			helm = append(helm, h)
			helmAt[rd] = h
		}
		childNS := parentNS
		if k.Namespace != "" {
			childNS = k.Namespace
		}
		if len(k.HelmCharts) > 0 && !enableHelm {
			e := &HelmChartsError{File: file}
			for _, c := range k.HelmCharts {
				e.Charts = append(e.Charts, c.Name)
			}
			return e
		}
		// Remote bases with a local checkout are served from it: the
		// reference is rewritten to the mounted checkout.
		served := false
		for _, fl := range []struct {
			field string
			refs  []string
		}{{"resources", k.Resources}, {"components", k.Components}} {
			for i, r := range fl.refs {
				if !isRemote(r) {
					continue
				}
				local, err := f.serveRemote(dir, r)
				if err != nil {
					return fmt.Errorf("%s: %s: remote kustomize base %q: %w", file, fl.field, r, err)
				}
				if local != "" {
					fl.refs[i], served = local, true
				}
			}
		}
		if served {
			data, err := yaml.Marshal(k)
			if err != nil {
				return err
			}
			if err := f.WriteFile(f.abs(file), data); err != nil {
				return err
			}
		}
		remote := func(field string, refs ...string) error {
			for _, r := range refs {
				if r != "" && isRemote(r) {
					return &RemoteError{Ref: r, Field: field, File: file}
				}
			}
			return nil
		}
		for _, fl := range []struct {
			field string
			refs  []string
		}{
			{"resources", k.Resources},
			{"components", k.Components},
			{"crds", k.Crds},
			{"configurations", k.Configurations},
			{"generators", k.Generators},
			{"transformers", k.Transformers},
			{"validators", k.Validators},
		} {
			if err := remote(fl.field, fl.refs...); err != nil {
				return err
			}
		}
		for _, p := range k.Patches {
			if err := remote("patches", p.Path); err != nil {
				return err
			}
		}
		//lint:ignore SA1019 a kustomization may still use the deprecated field; kustomize builds it
		for _, p := range k.PatchesJson6902 {
			if err := remote("patchesJson6902", p.Path); err != nil {
				return err
			}
		}
		//lint:ignore SA1019 a kustomization may still use the deprecated field; kustomize builds it
		for _, p := range k.PatchesStrategicMerge {
			if err := remote("patchesStrategicMerge", string(p)); err != nil {
				return err
			}
		}
		for _, r := range k.Replacements {
			if err := remote("replacements", r.Path); err != nil {
				return err
			}
		}
		if err := remote("openapi", k.OpenAPI["path"]); err != nil {
			return err
		}
		for _, g := range k.ConfigMapGenerator {
			if err := remoteGenerator("configMapGenerator", file, g.GeneratorArgs); err != nil {
				return err
			}
		}
		for _, g := range k.SecretGenerator {
			if err := remoteGenerator("secretGenerator", file, g.GeneratorArgs); err != nil {
				return err
			}
		}
		// Directories among these are kustomizations of their own.
		for _, refs := range [][]string{k.Resources, k.Components, k.Generators, k.Transformers, k.Validators} {
			for _, r := range refs {
				if strings.Contains(r, "\n") {
					continue // an inline plugin configuration
				}
				sub := path.Join(dir, r)
				if strings.HasPrefix(sub, "../") || sub == ".." {
					return fmt.Errorf("%s: %w", file, &outsideRef{ref: r})
				}
				fi, err := f.stat(sub)
				if err != nil || !fi.IsDir() {
					continue // a file, or missing: kustomize reports it
				}
				if err := visit(sub, childNS); err != nil {
					return err
				}
			}
		}
		return nil
	}
	err = visit(dir, "")
	return dirs, helm, err
}

type outsideRef struct{ ref string }

func (e *outsideRef) Error() string {
	return fmt.Sprintf("%q resolves to outside the repository root", e.ref)
}

func remoteGenerator(field, file string, g types.GeneratorArgs) error {
	refs := append(append([]string(nil), g.FileSources...), g.EnvSources...)
	if g.EnvSource != "" {
		refs = append(refs, g.EnvSource)
	}
	for _, r := range refs {
		// files: may be "key=path".
		if _, p, ok := strings.Cut(r, "="); ok {
			r = p
		}
		if isRemote(r) {
			return &RemoteError{Ref: r, Field: field, File: file}
		}
	}
	return nil
}
