package kustomize

import (
	"bytes"
	"errors"
	"fmt"
	"github.com/Masterminds/sprig/v3"
	"path"
	"path/filepath"
	"strings"
	"text/template"

	"sigs.k8s.io/kustomize/api/konfig"
	"sigs.k8s.io/kustomize/api/provider"
	"sigs.k8s.io/kustomize/api/resmap"
	"sigs.k8s.io/kustomize/api/resource"
	"sigs.k8s.io/kustomize/api/types"
	kyaml "sigs.k8s.io/kustomize/kyaml/yaml"
	"sigs.k8s.io/kustomize/kyaml/yaml/merge2"
	"sigs.k8s.io/yaml"

	"github.com/gitopsctl/gitopsctl/internal/gitrepo"
)

// Helm inflates helmCharts entries in-process (kustomize's
// HelmChartInflationGenerator runs the helm binary instead): the render
// package provides it, with its own Helm rendering and chart cache.
type Helm interface {
	// Pull stands for "helm pull": the repository view and directory of
	// chart name from repo at version ("" for the latest; devel admits
	// prereleases), from a local copy or the chart cache, never written
	// to the source's repository.
	Pull(repo, name, version string, devel bool) (*gitrepo.Repo, string, error)
	// Template stands for "helm template": the printed stream.
	Template(t Template) ([]byte, error)
}

// Template is one "helm template" run of a helmCharts entry, with the
// flags kustomize passes (types.HelmChart.AsHelmArgs).
type Template struct {
	// Repo and Dir locate the chart directory.
	Repo *gitrepo.Repo
	Dir  string
	// Values are the -f files in order.
	Values []ValuesFile
	// ReleaseName is the release name (already chosen: see releaseName).
	ReleaseName string
	// Namespace is --namespace ("" for none).
	Namespace   string
	IncludeCRDs bool // --include-crds
	SkipTests   bool // --skip-tests
	SkipHooks   bool // --no-hooks
	// KubeVersion is --kube-version ("" for helm's default).
	KubeVersion string
	// APIVersions are --api-versions.
	APIVersions []string
}

// ValuesFile is one -f file: its name for messages and its content.
type ValuesFile struct {
	Name string
	Data []byte
}

// helmKust is a kustomization with helmCharts, as scan found it.
type helmKust struct {
	dir, file string
	k         *types.Kustomization
	// parentNS is the namespace handed down by the kustomizations above.
	parentNS string
}

// inherits reports whether a chart of h takes the namespace handed down.
func (h *helmKust) inherits() bool {
	if h.k.Namespace != "" {
		return false
	}
	for _, c := range h.k.HelmCharts {
		if c.Namespace == "" {
			return true
		}
	}
	return false
}

// helmOutput is the file, next to the kustomization, that holds the
// inflated charts: a name no repository uses, like mountDir.
const helmOutput = "@helmCharts.yaml"

// inflate renders every helmCharts entry of h and rewrites the
// kustomization in the overlay: the charts' objects become a resource
// file of their own, marked as helm-generated as kustomize marks them (so
// a namespace: above leaves them alone), and helmCharts is dropped.
//
// kustomize adds the generated objects after the resources and the
// configMapGenerator and secretGenerator objects of the same
// kustomization; here they follow the resources. The build's default
// (legacy) order sorts objects by kind and name, so the output is the
// same; only sortOptions: fifo shows the difference.
func (f *repoFS) inflate(h *helmKust, req *Request, charts map[string]bool) ([]string, error) {
	var warns []string
	var out bytes.Buffer
	rf := provider.NewDefaultDepProvider().GetResourceFactory()
	for i, c := range h.k.HelmCharts {
		where := fmt.Sprintf("%s: helmCharts[%d] (%s)", h.file, i, c.Name)
		t, warn, err := f.helmTemplate(h, c, req, charts)
		if err != nil {
			return warns, fmt.Errorf("%s: %w", where, err)
		}
		if warn != "" {
			warns = append(warns, where+": "+warn)
		}
		if req.Helm == nil {
			return warns, fmt.Errorf("%s: helmCharts are not inflated here", where)
		}
		printed, err := req.Helm.Template(*t)
		if err != nil {
			return warns, fmt.Errorf("%s: %w", where, err)
		}
		rs, err := rf.SliceFromBytes(printed)
		if err != nil {
			return warns, fmt.Errorf("%s: reading the chart's output: %w", where, err)
		}
		for _, r := range rs {
			if err := r.RNode.PipeE(kyaml.SetAnnotation(konfig.HelmGeneratedAnnotation, "true")); err != nil {
				return warns, fmt.Errorf("%s: %w", where, err)
			}
			y, err := r.AsYAML()
			if err != nil {
				return warns, fmt.Errorf("%s: %w", where, err)
			}
			out.WriteString("---\n")
			out.Write(y)
		}
	}
	k := *h.k
	k.HelmCharts, k.HelmGlobals, k.HelmChartInflationGenerator = nil, nil, nil
	if out.Len() > 0 {
		name := helmOutput
		if err := f.WriteFile(f.abs(path.Join(h.dir, name)), out.Bytes()); err != nil {
			return warns, err
		}
		k.Resources = append(append([]string(nil), k.Resources...), name)
	}
	data, err := yaml.Marshal(&k)
	if err != nil {
		return warns, err
	}
	return warns, f.WriteFile(f.abs(h.file), data)
}

// helmTemplate works out the "helm template" run of one entry as
// kustomize's HelmChartInflationGenerator does (api/internal/builtins in
// sigs.k8s.io/kustomize/api): where the chart is, its values, release name
// and flags. It returns a warning for a release name helm would make up.
func (f *repoFS) helmTemplate(h *helmKust, c types.HelmChart, req *Request, charts map[string]bool) (*Template, string, error) {
	if c.Name == "" {
		return nil, "", errors.New("chart name cannot be empty")
	}
	if strings.HasPrefix(c.ReleaseName, "-") {
		return nil, "", fmt.Errorf("releaseName must not start with '-', got %q", c.ReleaseName)
	}
	if strings.HasPrefix(c.Name, "-") || strings.ContainsAny(c.Name, `/\`) || c.Name == "." || c.Name == ".." {
		return nil, "", fmt.Errorf("invalid chart name %q", c.Name)
	}
	merge := c.ValuesMerge
	switch merge {
	case "":
		merge = "override"
	case "override", "merge", "replace":
	default:
		return nil, "", fmt.Errorf("valuesMerge must be one of [merge override replace], got %q", merge)
	}
	restrict := !req.Build.LoadRestrictionsNone

	// The chart: <chartHome>/<name>, or <chartHome>/<name>-<version>/<name>
	// when both version and repo are set; pulled from repo when absent.
	home := types.HelmDefaultHome
	if h.k.HelmGlobals != nil && h.k.HelmGlobals.ChartHome != "" {
		home = h.k.HelmGlobals.ChartHome
	}
	homeRel, err := f.under(h.dir, home)
	if err != nil {
		return nil, "", fmt.Errorf("chartHome %q: %w", home, err)
	}
	if c.Version != "" && c.Repo != "" {
		homeRel = path.Join(homeRel, c.Name+"-"+c.Version)
	}
	chartRel := path.Join(homeRel, c.Name)
	t := &Template{IncludeCRDs: c.IncludeCRDs, SkipTests: c.SkipTests, SkipHooks: c.SkipHooks}
	var chartValues func() (ValuesFile, error)
	if fi, err := f.stat(chartRel); err == nil && fi.IsDir() {
		rp, err := f.resolve(chartRel)
		if err != nil {
			return nil, "", err
		}
		repo, dir, pre := f.route(rp)
		t.Repo, t.Dir = repo, dir
		if pre == "" {
			charts[rp] = true
		}
		// kustomize reads the chart's values.yaml through its loader, so
		// the load restrictions apply to it.
		chartValues = func() (ValuesFile, error) { return f.loadValuesAt(h.dir, path.Join(chartRel, "values.yaml"), restrict) }
	} else {
		if c.Repo == "" {
			return nil, "", fmt.Errorf("no chart at %s and no repo to pull it from", chartRel)
		}
		if !strings.Contains(c.Repo, "://") {
			// kustomize runs helm pull --repo <repo> (oci://: <repo>/<name>);
			// helm needs the URL's scheme.
			return nil, "", fmt.Errorf("repo %q is not a chart repository URL (https://… or oci://…)", c.Repo)
		}
		if req.Helm == nil {
			return nil, "", errors.New("helmCharts are not inflated here")
		}
		repo, dir, err := req.Helm.Pull(c.Repo, c.Name, c.Version, c.Devel)
		if err != nil {
			v := c.Version
			if v == "" {
				v = "latest"
			}
			return nil, "", fmt.Errorf("chart %s %s from %s is not in %s and could not be pulled: %w (or vendor it: helm pull --untar --untardir %s --repo %s %s%s)",
				c.Name, v, c.Repo, chartRel, err, homeRel, c.Repo, c.Name, versionFlag(c.Version))
		}
		t.Repo, t.Dir = repo, dir
		chartValues = func() (ValuesFile, error) {
			p := path.Join(dir, "values.yaml")
			data, err := repo.ReadFile(p)
			if err != nil {
				return ValuesFile{}, fmt.Errorf("chart %s %s: %w", c.Name, c.Version, err)
			}
			return ValuesFile{Name: fmt.Sprintf("%s/values.yaml (chart %s %s)", c.Name, c.Name, c.Version), Data: data}, nil
		}
	}

	// Values: valuesFile (default: the chart's values.yaml), merged with
	// valuesInline as valuesMerge says, then additionalValuesFiles.
	var vf ValuesFile
	if c.ValuesFile == "" {
		vf, err = chartValues()
	} else {
		vf, err = f.loadValues(h.dir, c.ValuesFile, restrict)
	}
	if err != nil {
		return nil, "", err
	}
	if len(c.ValuesInline) > 0 {
		data, err := inlineValues(vf.Data, c.ValuesInline, merge)
		if err != nil {
			return nil, "", err
		}
		vf = ValuesFile{Name: vf.Name + " with valuesInline", Data: data}
	}
	t.Values = append(t.Values, vf)
	for _, a := range c.AdditionalValuesFiles {
		avf, err := f.loadValues(h.dir, a, restrict)
		if err != nil {
			return nil, "", fmt.Errorf("could not load additionalValuesFile: %w", err)
		}
		t.Values = append(t.Values, avf)
	}

	// Namespace: the entry's, else the kustomization's, else the one
	// handed down (api/internal/target/kusttarget_configplugin.go).
	t.Namespace = c.Namespace
	if t.Namespace == "" {
		t.Namespace = h.k.Namespace
	}
	if t.Namespace == "" {
		t.Namespace = h.parentNS
	}

	// Capabilities: the entry's kubeVersion / apiVersions, else the
	// build's --helm-kube-version / --helm-api-versions. (The generator's
	// Config sets the flags' values first, "CLI args takes precedence",
	// then decodes the entry over them: what the entry sets wins.)
	t.KubeVersion = c.KubeVersion
	if t.KubeVersion == "" {
		t.KubeVersion = req.KubeVersion
	}
	apis := c.ApiVersions
	if len(apis) == 0 {
		apis = req.APIVersions
	}
	for _, a := range apis {
		// helm's --api-versions is a string slice: commas split it.
		for _, p := range strings.Split(a, ",") {
			if p != "" {
				t.APIVersions = append(t.APIVersions, p)
			}
		}
	}

	name, warn, err := releaseName(c)
	if err != nil {
		return nil, "", err
	}
	t.ReleaseName = name
	return t, warn, nil
}

func versionFlag(v string) string {
	if v == "" {
		return ""
	}
	return " --version " + v
}

// releaseName is the name "helm template" gets: releaseName, else
// nameTemplate rendered, else (helm's --generate-name) "<chart>-<unix
// time>", which changes with every build: gitopsctl renders
// "<chart>-0" instead, with a warning.
func releaseName(c types.HelmChart) (string, string, error) {
	switch {
	case c.ReleaseName != "" && c.NameTemplate != "":
		return "", "", errors.New("releaseName and nameTemplate: helm refuses both (cannot set --name-template and also specify a name)")
	case c.ReleaseName != "":
		return c.ReleaseName, "", nil
	case c.NameTemplate != "":
		n, err := templateName(c.NameTemplate)
		if err != nil {
			return "", "", fmt.Errorf("nameTemplate: %w", err)
		}
		return n, "", nil
	}
	base := c.Name
	if i := strings.Index(base, "."); i >= 0 {
		base = base[:i]
	}
	name := base + "-0"
	return name, fmt.Sprintf("no releaseName: helm would name the release %s-<current unix time>, different on every build; rendered as %s (set releaseName)", base, name), nil
}

// inlineValues is the values file kustomize writes for valuesInline:
// override and merge combine it with the values file (kyaml's merge2, the
// file's values winning with merge, the inline ones with override);
// replace uses the inline values alone.
func inlineValues(file []byte, inline map[string]any, mode string) ([]byte, error) {
	vals := inline
	if mode == "override" || mode == "merge" {
		fileNode, err := kyaml.Parse(string(file))
		if err != nil {
			return nil, fmt.Errorf("could not parse values file into rnode: %w", err)
		}
		inNode, err := kyaml.FromMap(inline)
		if err != nil {
			return nil, fmt.Errorf("could not parse values inline into rnode: %w", err)
		}
		var merged *kyaml.RNode
		if mode == "override" {
			merged, err = merge2.Merge(inNode, fileNode.Copy(), kyaml.MergeOptions{})
		} else {
			merged, err = merge2.Merge(fileNode, inNode.Copy(), kyaml.MergeOptions{})
		}
		if err != nil {
			return nil, fmt.Errorf("could not merge values: %w", err)
		}
		if vals, err = merged.Map(); err != nil {
			return nil, fmt.Errorf("could not parse merged values into map: %w", err)
		}
	}
	return yaml.Marshal(vals)
}

// under is the root-relative path of p (absolute, or relative to the
// root-relative directory dir), which must stay in the repository.
func (f *repoFS) under(dir, p string) (string, error) {
	if filepath.IsAbs(p) {
		return f.rel(p)
	}
	r := path.Join(dir, filepath.ToSlash(p))
	if r == ".." || strings.HasPrefix(r, "../") {
		return "", &outsideRef{ref: p}
	}
	return r, nil
}

// loadValues reads a values file named in a kustomization of dir as
// kustomize's loader reads it: relative to the kustomization, and (with
// restrict, the default LoadRestrictionsRootOnly) only in or below its
// directory.
func (f *repoFS) loadValues(dir, p string, restrict bool) (ValuesFile, error) {
	if isRemote(p) {
		return ValuesFile{}, fmt.Errorf("values file %q is fetched over the network: not offline (vendor it into the repository)", p)
	}
	r, err := f.under(dir, p)
	if err != nil {
		return ValuesFile{}, err
	}
	return f.loadValuesAt(dir, r, restrict)
}

// loadValuesAt is loadValues of the root-relative path r.
func (f *repoFS) loadValuesAt(dir, r string, restrict bool) (ValuesFile, error) {
	if restrict {
		root, _, err := f.CleanedAbs(f.abs(dir))
		if err != nil {
			return ValuesFile{}, err
		}
		d, _, err := f.CleanedAbs(f.abs(r))
		if err != nil {
			return ValuesFile{}, err
		}
		if !d.HasPrefix(root) {
			return ValuesFile{}, fmt.Errorf("security; file '%s' is not in or below '%s' (kustomize's load restrictor; --load-restrictor LoadRestrictionsNone lifts it)", r, dir)
		}
	}
	data, err := f.ReadFile(f.abs(r))
	if err != nil {
		return ValuesFile{}, err
	}
	return ValuesFile{Name: r, Data: data}, nil
}

// originKey is kustomize's origin annotation (buildMetadata:
// [originAnnotations]).
const originKey = "config.kubernetes.io/origin"

// helmOrigins gives the objects of inflated charts the origin kustomize
// gives a generator's objects (the kustomization file and the builtin
// HelmChartInflationGenerator) instead of the inflated file's path, when
// the build keeps origin annotations. top is the built directory.
func helmOrigins(m resmap.ResMap, top string, helm []*helmKust) error {
	for _, r := range m.Resources() {
		a := r.GetAnnotations()[originKey]
		if a == "" {
			continue
		}
		var o resource.Origin
		if err := yaml.Unmarshal([]byte(a), &o); err != nil || o.Repo != "" || path.Base(o.Path) != helmOutput {
			continue
		}
		d := path.Dir(o.Path)
		for _, h := range helm {
			if h.dir != path.Join(top, d) {
				continue
			}
			n := resource.Origin{
				ConfiguredIn: path.Join(d, path.Base(h.file)),
				ConfiguredBy: kyaml.ResourceIdentifier{TypeMeta: kyaml.TypeMeta{APIVersion: "builtin", Kind: "HelmChartInflationGenerator"}},
			}
			s, err := n.String()
			if err != nil {
				return err
			}
			if err := r.RNode.PipeE(kyaml.SetAnnotation(originKey, s)); err != nil {
				return err
			}
		}
	}
	return nil
}

// templateName renders a release name template as helm's --name-template
// does: Go text/template with Sprig's functions, no data. (Helm's action
// package, which has this, links the Kubernetes client into every start-up.)
// Unlike helm's flag, the template comes from repository content, so
// Sprig's env and expandenv are left out, as Helm's chart engine leaves
// them out: the user's environment must not reach the output (nor would
// the render cache know of it).
func templateName(tpl string) (string, error) {
	funcs := sprig.TxtFuncMap()
	delete(funcs, "env")
	delete(funcs, "expandenv")
	t, err := template.New("name-template").Funcs(funcs).Parse(tpl)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	if err := t.Execute(&b, nil); err != nil {
		return "", err
	}
	return b.String(), nil
}
