package render

import (
	"errors"
	"fmt"
	"strings"

	"helm.sh/helm/v3/pkg/chartutil"
	k8sversion "k8s.io/apimachinery/pkg/util/version"
	"sigs.k8s.io/yaml"

	"github.com/gitopsctl/gitopsctl/internal/charts"
	"github.com/gitopsctl/gitopsctl/internal/config"
	"github.com/gitopsctl/gitopsctl/internal/gitrepo"
	"github.com/gitopsctl/gitopsctl/internal/kustomize"
)

// kustomizeHelm inflates a Kustomize source's helmCharts with the same
// Helm engine, chart loading, chart cache and printing as Helm sources
// (kustomize.Helm).
type kustomizeHelm struct {
	s *source
	// noTemplate makes Template print nothing: listing inputs needs where
	// the charts are, not what they render.
	noTemplate bool
	// pullErr, when set, keeps the first error of Pull.
	pullErr *error
}

var _ kustomize.Helm = kustomizeHelm{}

// Pull finds a chart kustomize would "helm pull": a repos: mapping of
// <repo>/<name> (as for chart: sources), else the chart cache, fetched on
// first use unless --offline.
func (h kustomizeHelm) Pull(repo, name, version string, devel bool) (*gitrepo.Repo, string, error) {
	r, dir, err := h.pull(repo, name, version, devel)
	if err != nil && h.pullErr != nil && *h.pullErr == nil {
		*h.pullErr = fmt.Errorf("helmCharts %s %s from %s: %w", name, version, repo, err)
	}
	return r, dir, err
}

func (h kustomizeHelm) pull(repo, name, version string, devel bool) (*gitrepo.Repo, string, error) {
	if version == "" && devel {
		version = ">0.0.0-0" // helm pull --devel: the latest, prereleases too
	}
	_, r, err := h.s.ws.openRemoteChart(repo, name, version)
	if err != nil {
		return nil, "", err
	}
	return r, ".", nil
}

// Template renders a chart as "helm template" does with the flags
// kustomize passes (see kustomize.Template): -f files merged in order over
// the chart's values, client-only capabilities, and the printed stream of
// helmPrint without hooks when SkipHooks (--no-hooks).
func (h kustomizeHelm) Template(t kustomize.Template) ([]byte, error) {
	if h.noTemplate {
		return nil, nil
	}
	s := h.s
	ce := s.ws.chartEntry(t.Repo, t.Dir)
	if ce.err != nil {
		return nil, ce.err
	}
	vals := map[string]any{}
	for _, vf := range t.Values {
		m := map[string]any{}
		if err := yaml.Unmarshal(vf.Data, &m); err != nil {
			return nil, fmt.Errorf("failed to parse %s: %w", vf.Name, err)
		}
		vals = mergeMaps(vals, m)
	}
	vals = deepCopyMap(vals)
	ch := cloneChart(ce.chart)
	if typ := ch.Metadata.Type; typ != "" && typ != "application" {
		return nil, fmt.Errorf("%s charts are not installable", typ)
	}
	if req := ch.Metadata.Dependencies; req != nil {
		if err := checkDependencies(ch, req); err != nil {
			// kustomize runs helm template without --dependency-update.
			return nil, fmt.Errorf("chart %s: %w (vendor them: helm dependency build, and commit charts/)", ch.Name(), err)
		}
	}
	caps := chartutil.DefaultCapabilities.Copy()
	if t.KubeVersion != "" {
		v, err := chartutil.ParseKubeVersion(t.KubeVersion)
		if err != nil {
			return nil, fmt.Errorf("invalid kube version %q: %w", t.KubeVersion, err)
		}
		caps.KubeVersion = *v
	}
	caps.APIVersions = append(caps.APIVersions, t.APIVersions...)
	if err := chartutil.ValidateReleaseName(t.ReleaseName); err != nil {
		return nil, fmt.Errorf("release name %q: %w", t.ReleaseName, err)
	}
	ns := t.Namespace
	if ns == "" {
		ns = "default" // helm's namespace when none is passed
	}
	docs, err := s.helmTemplate(helmRun{
		ch: ch, vals: vals, caps: caps, validate: true, // kustomize's helm template always validates
		opts:        chartutil.ReleaseOptions{Name: t.ReleaseName, Namespace: ns, Revision: 1, IsInstall: true},
		includeCRDs: t.IncludeCRDs, skipTests: t.SkipTests, warnHooks: !t.SkipHooks,
		offlineFix: " (kustomize's helm template always validates)",
	})
	var te *templateError
	if errors.As(err, &te) {
		err = te.err
	}
	if err != nil {
		return nil, err
	}
	var out strings.Builder
	for _, d := range docs {
		if t.SkipHooks && d.hook {
			continue
		}
		out.WriteString(d.text)
	}
	return []byte(out.String()), nil
}

// kustomizeCapabilities are Argo CD's --helm-kube-version and
// --helm-api-versions for a Kustomize source (reposerver/repository
// GenerateManifests, util/kustomize parseKustomizeBuildOptions): the
// source's kustomize.kubeVersion / apiVersions, else the destination
// cluster's profile; the kube version normalized as Argo CD does.
func (s *source) kustomizeCapabilities(o *kustomize.Options) (string, []string, error) {
	dest := s.app.Application.Spec.Destination
	cl, _ := s.ws.cfg.ClusterFor(dest.Server, dest.Name)
	kv, apis := cl.Capabilities.KubeVersion, cl.Capabilities.APIVersions
	if o != nil && o.KubeVersion != "" {
		kv = o.KubeVersion
	}
	if o != nil && len(o.APIVersions) > 0 {
		apis = o.APIVersions
	}
	if kv != "" {
		v, err := k8sversion.ParseGeneric(kv)
		if err != nil {
			return "", nil, fmt.Errorf("could not parse kubernetes version %s: %w", kv, err)
		}
		kv = v.String()
	}
	return kv, apis, nil
}

// KustomizeHelm is the helmCharts inflation of Kustomize sources on its
// own, outside a workspace: charts are pulled from cache. Tools and tests
// that build kustomizations with internal/kustomize use it.
func KustomizeHelm(cache *charts.Cache) kustomize.Helm {
	ws := &Workspace{
		cfg:    &config.Loaded{},
		repos:  map[string]*repoEntry{},
		charts: map[chartKey]*chartEntry{},
		values: map[valuesKey]*valuesEntry{},
		remote: map[string]*repoEntry{},
	}
	ws.opts.Charts = cache
	return kustomizeHelm{s: &source{ws: ws}}
}

// prefetchKustomizeCharts fills the chart cache with the charts the
// source's helmCharts pull (with --enable-helm); only a failing pull is an
// error here, render reports the rest.
func (s *source) prefetchKustomizeCharts() error {
	bo, err := kustomize.ParseBuildOptions(s.ws.cfg.Kustomize.BuildOptions)
	if err != nil || !bo.EnableHelm {
		return nil
	}
	opts, _ := kustomize.ParseOptions(s.src.Kustomize)
	s.env = s.envVars()
	var pullErr error
	_, _ = kustomize.Build(kustomize.Request{Repo: s.repo, Dir: s.dir, Options: opts, Build: bo,
		Envsubst: func(v string) string { return Envsubst(v, s.env) }, Repos: s.ws.remoteBaseRepo,
		Helm: kustomizeHelm{s: s, noTemplate: true, pullErr: &pullErr}})
	if pullErr != nil {
		return fmt.Errorf("%s: %w", s.dir, pullErr)
	}
	return nil
}
