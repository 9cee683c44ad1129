package render

import (
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/gitopsctl/gitopsctl/internal/argo"
	"github.com/gitopsctl/gitopsctl/internal/config"
	"github.com/gitopsctl/gitopsctl/internal/gitrepo"
	"github.com/gitopsctl/gitopsctl/internal/manifest"
)

// StagedFile is a file given by its content.
type StagedFile struct {
	// Name is the path the file is known by: relative to the chart root for
	// a chart file, shown in messages for a value file.
	Name string
	Data []byte
}

// StagedChart is a chart that is not in a repository yet, with what an
// Application's Helm source would say about it.
type StagedChart struct {
	// Dir names the chart directory in messages (e.g. charts/backend).
	Dir string
	// Files are the chart's files.
	Files []StagedFile
	// ValueFiles are layered over the chart's values.yaml in order, as
	// helm.valueFiles are.
	ValueFiles []StagedFile
	// ReleaseName and Namespace are the release's.
	ReleaseName, Namespace string
	// Capabilities stand in for the cluster (zero: Helm's defaults).
	Capabilities config.Capabilities
}

// RenderStaged renders a staged chart through the same path as an
// Application's Helm source (chart loading, values merge, capabilities,
// Helm's printing and Argo CD's decoding): the files are laid out in a
// temporary directory removed before it returns. Errors name the file as
// Dir or the value file's Name says.
func RenderStaged(sc StagedChart) ([]manifest.Object, error) {
	tmp, err := os.MkdirTemp("", "gitopsctl-chart-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	chartDir := path.Clean(filepath.ToSlash(sc.Dir))
	if sc.Dir == "" || path.IsAbs(chartDir) || chartDir == ".." || strings.HasPrefix(chartDir, "../") || strings.HasPrefix(chartDir, "values/") {
		chartDir = "chart"
	}
	names := map[string]string{} // laid-out value file -> its name
	write := func(rel string, data []byte) error {
		p := filepath.Join(tmp, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		return os.WriteFile(p, data, 0o644)
	}
	for _, f := range sc.Files {
		rel := path.Clean(f.Name)
		if path.IsAbs(rel) || rel == ".." || strings.HasPrefix(rel, "../") {
			return nil, fmt.Errorf("%s: chart file %q is outside the chart", sc.Dir, f.Name)
		}
		if err := write(path.Join(chartDir, rel), f.Data); err != nil {
			return nil, err
		}
	}
	helm := &argo.ApplicationSourceHelm{ReleaseName: sc.ReleaseName}
	for i, f := range sc.ValueFiles {
		rel := path.Join("values", strconv.Itoa(i), path.Base(filepath.ToSlash(f.Name)))
		if err := write(rel, f.Data); err != nil {
			return nil, err
		}
		names[rel] = f.Name
		helm.ValueFiles = append(helm.ValueFiles, "/"+rel)
	}
	r, err := gitrepo.Open(tmp, "")
	if err != nil {
		return nil, err
	}
	r.Deny = Readable
	ws := &Workspace{
		cfg:    &config.Loaded{Config: config.Config{Capabilities: sc.Capabilities}},
		charts: map[chartKey]*chartEntry{},
		values: map[valuesKey]*valuesEntry{},
	}
	a := &App{Name: sc.ReleaseName, Application: &argo.Application{
		Spec: argo.ApplicationSpec{Destination: argo.ApplicationDestination{Namespace: sc.Namespace}},
	}}
	s := &source{ws: ws, app: a, src: argo.ApplicationSource{Path: chartDir, Helm: helm}, repo: r, dir: chartDir, refs: map[string]*refTarget{}}
	objs, err := s.renderHelm()
	if err == nil {
		return objs, nil
	}
	var l *located
	if !errors.As(err, &l) {
		return nil, err
	}
	// Name files as the caller knows them: the chart by Dir, value files by
	// their names (also where the cause quotes the laid-out path).
	loc, msg := l.file, l.err.Error()
	if name, ok := names[l.file]; ok {
		loc = name
	} else if rel, ok := strings.CutPrefix(l.file+"/", chartDir+"/"); ok {
		loc = path.Join(sc.Dir, rel)
	}
	for rel, name := range names {
		msg = strings.ReplaceAll(msg, rel, name)
	}
	if loc == "" {
		loc = sc.Dir
	}
	if l.line > 0 {
		loc += ":" + strconv.Itoa(l.line)
	}
	return nil, fmt.Errorf("%s: %s", loc, msg)
}
