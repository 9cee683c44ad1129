package render

import (
	"errors"
	"fmt"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/gitopsctl/gitopsctl/internal/argo"
	"github.com/gitopsctl/gitopsctl/internal/gitrepo"
	"github.com/gitopsctl/gitopsctl/internal/kustomize"
	"github.com/gitopsctl/gitopsctl/internal/layout"
	"github.com/gitopsctl/gitopsctl/internal/manifest"
)

// renderKustomize builds a Kustomize source with internal/kustomize: the
// source's kustomize: options applied as Argo CD applies them, the build
// options from the config's kustomize.buildOptions.
func (s *source) renderKustomize() ([]manifest.Object, error) {
	opts, err := kustomize.ParseOptions(s.src.Kustomize)
	if err != nil {
		return nil, s.errAt(".kustomize", err)
	}
	bo, err := kustomize.ParseBuildOptions(s.ws.cfg.Kustomize.BuildOptions)
	if err != nil {
		file := s.ws.cfg.File
		if file == "" {
			file = layout.ConfigFileName
		}
		return nil, fmt.Errorf("%s: kustomize.buildOptions: %w", file, err)
	}
	req := kustomize.Request{
		Repo:     s.repo,
		Dir:      s.dir,
		Options:  opts,
		Build:    bo,
		Envsubst: func(v string) string { return Envsubst(v, s.env) },
		Repos:    s.ws.remoteBaseRepo,
		Helm:     kustomizeHelm{s: s},
	}
	if bo.EnableHelm {
		if req.KubeVersion, req.APIVersions, err = s.kustomizeCapabilities(opts); err != nil {
			return nil, s.errAt(".kustomize.kubeVersion", err)
		}
	}
	res, err := kustomize.Build(req)
	if res != nil {
		s.warnings = append(s.warnings, res.Warnings...)
	}
	if err != nil {
		var re *kustomize.RemoteError
		if errors.As(err, &re) && re.File == "" {
			return nil, s.errAt(".kustomize.components", err)
		}
		return nil, s.errAt(".path", err)
	}
	src := s.dir
	if len(res.Kustomizations) > 0 {
		src = res.Kustomizations[0]
	}
	out := make([]manifest.Object, 0, len(res.Objects))
	for _, o := range res.Objects {
		out = append(out, manifest.Object{App: s.app.Name, Source: src, Object: &unstructured.Unstructured{Object: o}})
	}
	return out, nil
}

// remoteBaseRepo serves a kustomize remote base from the local checkout
// of its repository (the gitops-repo, the configs-repo or repos:), read at
// the base's ref as a targetRevision would be; nil when none is known.
func (ws *Workspace) remoteBaseRepo(url, rev string) (*gitrepo.Repo, error) {
	if _, err := ws.repoFor(url); err != nil {
		return nil, nil
	}
	_, r, err := ws.sourceRepo(argo.ApplicationSource{RepoURL: url, TargetRevision: rev})
	return r, err
}

// kustomizeInputs are the inputs of a Kustomize source beyond its own
// directory: every kustomization directory the build reaches (bases and
// components elsewhere in the repository) and the files it reads.
func (s *source) kustomizeInputs() []Input {
	opts, _ := kustomize.ParseOptions(s.src.Kustomize)
	bo, _ := kustomize.ParseBuildOptions(s.ws.cfg.Kustomize.BuildOptions)
	res, _ := kustomize.Build(kustomize.Request{Repo: s.repo, Dir: s.dir, Options: opts, Build: bo,
		Envsubst: func(v string) string { return Envsubst(v, s.env) }, Repos: s.ws.remoteBaseRepo,
		Helm: kustomizeHelm{s: s, noTemplate: true}})
	if res == nil {
		return nil
	}
	var out []Input
	for _, d := range res.Charts {
		// helmCharts charts in the repository (a chartHome outside the
		// kustomization's directory too).
		p := d + "/**"
		if d == "." {
			p = "**"
		}
		out = append(out, Input{RepoDir: s.repo.Root, Path: p, Glob: true})
	}
	for _, d := range res.Kustomizations {
		p := d + "/**"
		if d == "." {
			p = "**"
		}
		out = append(out, Input{RepoDir: s.repo.Root, Path: p, Glob: true})
	}
	for _, f := range res.Files {
		out = append(out, Input{RepoDir: s.repo.Root, Path: f})
	}
	return out
}
