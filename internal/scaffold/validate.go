package scaffold

import (
	"bytes"
	"fmt"
	"path"
	"sort"
	"strings"

	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chart/loader"
	"helm.sh/helm/v3/pkg/chartutil"
	"helm.sh/helm/v3/pkg/engine"
	"sigs.k8s.io/yaml"

	"github.com/gitopsctl/gitopsctl/internal/argo"
	"github.com/gitopsctl/gitopsctl/internal/safeyaml"
)

// validateFiles checks generated files before anything is written: every
// YAML file outside chart templates parses (Applications and AppProjects
// strictly, into the Argo CD types), and every chart loads and renders with
// the Helm engine into well-formed objects.
func validateFiles(files []file) error {
	charts := map[string][]*loader.BufferedFile{}
	for _, f := range files {
		if dir, ok := chartOf(f.Path, files); ok {
			charts[dir] = append(charts[dir], &loader.BufferedFile{Name: strings.TrimPrefix(f.Path, dir+"/"), Data: f.Data})
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
		c, err := loader.LoadFiles(charts[d])
		if err != nil {
			return fmt.Errorf("%s: %w", d, err)
		}
		if _, err := renderChart(c, path.Base(d), path.Base(d), nil); err != nil {
			return fmt.Errorf("%s: %w", d, err)
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

// renderChart renders c as release name in namespace with user values layered
// over the chart's values.yaml, and checks every output document is an
// object with apiVersion, kind and metadata.name. It returns the rendered
// documents keyed by template path.
func renderChart(c *chart.Chart, name, namespace string, vals map[string]any) (map[string]string, error) {
	if vals == nil {
		vals = map[string]any{}
	}
	rv, err := chartutil.ToRenderValues(c, vals, chartutil.ReleaseOptions{
		Name: name, Namespace: namespace, Revision: 1, IsInstall: true,
	}, chartutil.DefaultCapabilities)
	if err != nil {
		return nil, err
	}
	out, err := engine.Render(c, rv)
	if err != nil {
		return nil, err
	}
	for tpl, doc := range out {
		if strings.HasPrefix(path.Base(tpl), "_") || strings.HasSuffix(tpl, "NOTES.txt") {
			continue
		}
		for i, d := range splitDocs(doc) {
			var obj struct {
				APIVersion string `json:"apiVersion"`
				Kind       string `json:"kind"`
				Metadata   struct {
					Name string `json:"name"`
				} `json:"metadata"`
			}
			if err := yaml.Unmarshal([]byte(d), &obj); err != nil {
				return nil, fmt.Errorf("%s (document %d): %w", tpl, i+1, err)
			}
			if obj.APIVersion == "" || obj.Kind == "" || obj.Metadata.Name == "" {
				return nil, fmt.Errorf("%s (document %d): rendered object lacks apiVersion, kind or metadata.name", tpl, i+1)
			}
		}
	}
	return out, nil
}

// splitDocs splits a rendered template into its non-empty YAML documents.
func splitDocs(s string) []string {
	var out []string
	for _, d := range strings.Split("\n"+s, "\n---") {
		if len(bytes.TrimSpace(stripComments([]byte(d)))) > 0 {
			out = append(out, d)
		}
	}
	return out
}

func stripComments(b []byte) []byte {
	var out [][]byte
	for _, l := range bytes.Split(b, []byte("\n")) {
		if t := bytes.TrimSpace(l); len(t) == 0 || t[0] == '#' {
			continue
		}
		out = append(out, l)
	}
	return bytes.Join(out, []byte("\n"))
}

// mergeValues layers value files like helm's -f: later maps win, nested maps
// merge.
func mergeValues(layers ...map[string]any) map[string]any {
	out := map[string]any{}
	for _, l := range layers {
		mergeInto(out, l)
	}
	return out
}

func mergeInto(dst, src map[string]any) {
	for k, v := range src {
		if sm, ok := v.(map[string]any); ok {
			if dm, ok := dst[k].(map[string]any); ok {
				mergeInto(dm, sm)
				continue
			}
		}
		dst[k] = v
	}
}

// readValues parses a generated values file.
func readValues(name string, data []byte) (map[string]any, error) {
	if err := safeyaml.Check(name, data); err != nil {
		return nil, err
	}
	v, err := chartutil.ReadValues(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return v.AsMap(), nil
}
