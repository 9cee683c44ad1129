package scaffold

import (
	"fmt"
	"path"
	"sort"
	"strings"

	"helm.sh/helm/v3/pkg/chart"
	"sigs.k8s.io/yaml"

	"github.com/gitopsctl/gitopsctl/internal/argo"
	"github.com/gitopsctl/gitopsctl/internal/config"
	"github.com/gitopsctl/gitopsctl/internal/manifest"
	"github.com/gitopsctl/gitopsctl/internal/render"
)

// validateFiles checks generated files before anything is written: every
// YAML file outside chart templates parses (Applications and AppProjects
// strictly, into the Argo CD types), and every chart renders as Argo CD
// would render it (render.RenderStaged) into well-formed objects.
func validateFiles(files []file) error {
	charts := map[string][]render.StagedFile{}
	for _, f := range files {
		if dir, ok := chartOf(f.Path, files); ok {
			charts[dir] = append(charts[dir], render.StagedFile{Name: strings.TrimPrefix(f.Path, dir+"/"), Data: f.Data})
			continue
		}
		if ext := path.Ext(f.Path); ext == ".yaml" || ext == ".yml" {
			if err := validateManifest(f.Path, f.Data); err != nil {
				return err
			}
		}
	}
	dirs := make([]string, 0, len(charts))
	for d := range charts {
		dirs = append(dirs, d)
	}
	sort.Strings(dirs)
	for _, d := range dirs {
		name := path.Base(d)
		if remote, err := checkWrapperChart(d, charts[d]); err != nil || remote {
			// A chart depending on upstream charts renders once they are
			// fetched (render, check); here its own files must be valid.
			if err != nil {
				return err
			}
			continue
		}
		_, err := renderChart(render.StagedChart{Dir: d, Files: charts[d], ReleaseName: name, Namespace: name,
			Capabilities: config.Capabilities{KubeVersion: config.DefaultKubeVersion, APIVersions: config.DefaultAPIVersions}})
		if err != nil {
			return err
		}
	}
	return nil
}

// chartOf returns the chart directory a file belongs to (the nearest parent
// with a Chart.yaml among files).
func chartOf(p string, files []file) (string, bool) {
	for d := path.Dir(p); d != "." && d != "/"; d = path.Dir(d) {
		for _, f := range files {
			if f.Path == d+"/Chart.yaml" {
				return d, true
			}
		}
	}
	return "", false
}

// validateManifest parses a YAML file; Argo CD kinds decode strictly.
func validateManifest(name string, data []byte) error {
	var head struct {
		Kind string `json:"kind"`
	}
	if err := yaml.Unmarshal(data, &head); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	var err error
	switch head.Kind {
	case argo.KindApp:
		_, err = argo.DecodeApplication(data)
	case argo.KindProject:
		_, err = argo.DecodeAppProject(data)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

// renderChart renders a staged chart as Argo CD would (render.RenderStaged)
// and checks every object has apiVersion, kind and metadata.name.
func renderChart(sc render.StagedChart) ([]manifest.Object, error) {
	objs, err := render.RenderStaged(sc)
	if err != nil {
		return nil, err
	}
	for _, o := range objs {
		u := o.Object
		if u.GetAPIVersion() == "" || u.GetKind() == "" || u.GetName() == "" {
			return nil, fmt.Errorf("%s: %s: rendered object lacks apiVersion, kind or metadata.name", sc.Dir, o.Source)
		}
	}
	return objs, nil
}

// checkWrapperChart reports whether a staged chart depends on charts of a
// remote repository (Helm or OCI) and, when it does, checks its Chart.yaml
// (Helm's metadata rules) and values.yaml (YAML) without rendering it.
func checkWrapperChart(dir string, files []render.StagedFile) (bool, error) {
	var md chart.Metadata
	remote := false
	for _, f := range files {
		if f.Name != "Chart.yaml" {
			continue
		}
		if err := yaml.UnmarshalStrict(f.Data, &md); err != nil {
			return false, fmt.Errorf("%s/Chart.yaml: %w", dir, err)
		}
		for _, d := range md.Dependencies {
			remote = remote || strings.HasPrefix(d.Repository, "https://") || strings.HasPrefix(d.Repository, "http://") || strings.HasPrefix(d.Repository, "oci://")
		}
	}
	if !remote {
		return false, nil
	}
	if err := md.Validate(); err != nil {
		return true, fmt.Errorf("%s/Chart.yaml: %w", dir, err)
	}
	for _, f := range files {
		if f.Name == "values.yaml" {
			var v map[string]any
			if err := yaml.Unmarshal(f.Data, &v); err != nil {
				return true, fmt.Errorf("%s/values.yaml: %w", dir, err)
			}
		}
	}
	return true, nil
}
