package render

import (
	"context"
	"fmt"

	"github.com/gitopsctl/gitopsctl/internal/argo"
	"github.com/gitopsctl/gitopsctl/internal/charts"
	"github.com/gitopsctl/gitopsctl/internal/gitrepo"
)

// PrefetchCharts fills the chart cache with every remote chart the apps
// need (all discovered apps when apps is empty): chart: sources not mapped
// in repos:, and the remote dependencies of their charts and of Helm charts
// read from git. It returns the charts used and one error per failing app.
func (ws *Workspace) PrefetchCharts(ctx context.Context, apps []*App) ([]*charts.Chart, []error) {
	if len(apps) == 0 {
		apps = ws.Apps()
	}
	cache, err := ws.chartCache()
	if err != nil {
		return nil, []error{err}
	}
	errs := make([]error, len(apps))
	ws.parallel(len(apps), func(i int) {
		if ctx.Err() != nil {
			errs[i] = ctx.Err()
			return
		}
		if err := ws.prefetchApp(apps[i]); err != nil {
			errs[i] = appError(apps[i], err)
		}
	})
	var out []error
	for _, e := range errs {
		if e != nil {
			out = append(out, e)
		}
	}
	return cache.Used(), out
}

func (ws *Workspace) prefetchApp(a *App) error {
	multi := a.Application.Spec.HasMultipleSources()
	for i, src := range a.Sources {
		s := &source{ws: ws, app: a, index: i, multi: multi, src: src, dir: gitrepo.Clean(src.Path)}
		if src.Chart != "" {
			if _, err := s.remoteChartRepo(); err != nil {
				return err
			}
		} else {
			if src.Ref != "" && src.Path == "" && multi {
				continue
			}
			e, err := ws.repoFor(src.RepoURL)
			if err != nil {
				continue // not a chart matter: render reports it
			}
			r, err := e.open()
			if err != nil {
				continue
			}
			s.repo = r
			t, err := argo.SourceType(r, s.dir, src)
			if err == nil && t == argo.SourceTypeKustomize {
				if err := s.prefetchKustomizeCharts(); err != nil {
					return err
				}
				continue
			}
			if err != nil || t != argo.SourceTypeHelm {
				continue
			}
		}
		ch, err := ws.loadChart(s.repo, s.dir)
		if err != nil {
			return err
		}
		if err := s.addRemoteDependencies(cloneChart(ch)); err != nil {
			return fmt.Errorf("%s: %w", s.dir, err)
		}
	}
	return nil
}

// remoteChartRepo opens the repository view of a chart: source (a repos:
// mapping, else the unpacked chart from the cache) and points s at it.
func (s *source) remoteChartRepo() (*gitrepo.Repo, error) {
	e, r, err := s.ws.openRemoteChart(s.src.RepoURL, s.src.Chart, s.src.TargetRevision)
	if err != nil {
		return nil, s.errAt(".chart", err)
	}
	s.entry, s.repo, s.dir = e, r, "."
	return r, nil
}

// openRemoteChart opens the chart name of the Helm repository repo at
// version (a constraint, as helm pull takes it): the repository a repos:
// mapping names for it, else the chart unpacked from the chart cache.
func (ws *Workspace) openRemoteChart(repo, name, version string) (*repoEntry, *gitrepo.Repo, error) {
	e, ok := ws.repos[NormalizeURL(trimSlash(repo)+"/"+name)]
	if !ok {
		cache, err := ws.chartCache()
		if err != nil {
			return nil, nil, err
		}
		ch, err := cache.Get(context.Background(), charts.Ref{Repo: repo, Chart: name, Version: version})
		if err != nil {
			return nil, nil, err
		}
		dir, err := cache.Unpack(ch)
		if err != nil {
			return nil, nil, err
		}
		e = ws.remoteEntry(dir, fmt.Sprintf("chart %s %s (%s)", name, ch.Version, repo))
	}
	r, err := e.open()
	if err != nil {
		return nil, nil, err
	}
	return e, r, nil
}

func trimSlash(u string) string {
	for len(u) > 0 && u[len(u)-1] == '/' {
		u = u[:len(u)-1]
	}
	return u
}
