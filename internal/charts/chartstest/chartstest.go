// Package chartstest serves charts to tests and development tools: a Helm
// repository over httptest and an OCI registry in process, both on the
// loopback interface.
package chartstest

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	ggcr "github.com/google/go-containerregistry/pkg/registry"
	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chart/loader"
	"helm.sh/helm/v3/pkg/chartutil"
	"helm.sh/helm/v3/pkg/registry"
	"helm.sh/helm/v3/pkg/repo"
	"sigs.k8s.io/yaml"
)

// TB is what serving charts needs from its caller. testing.TB satisfies it;
// a program uses a Proc.
type TB interface {
	Helper()
	// Fatal reports an error and does not return.
	Fatal(args ...any)
	// TempDir returns a new directory removed by the cleanups.
	TempDir() string
	// Cleanup registers a function run when the caller is done (last
	// registered, first run).
	Cleanup(func())
}

// Package builds a chart archive from files (chart-relative path -> content;
// Chart.yaml is required).
func Package(t TB, files map[string]string) []byte {
	t.Helper()
	dir := t.TempDir()
	var md chart.Metadata
	if err := yaml.Unmarshal([]byte(files["Chart.yaml"]), &md); err != nil {
		t.Fatal(err)
	}
	src := filepath.Join(dir, md.Name)
	for p, c := range files {
		full := filepath.Join(src, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ch, err := loader.LoadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	p, err := chartutil.Save(ch, out)
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// SimpleChart is a chart rendering one ConfigMap that names the chart
// version and .Values.greeting.
func SimpleChart(t TB, name, version string) []byte {
	return Package(t, map[string]string{
		"Chart.yaml":  fmt.Sprintf("apiVersion: v2\nname: %s\nversion: %s\n", name, version),
		"values.yaml": "greeting: hello\n",
		"templates/cm.yaml": `apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-` + name + `
data:
  chart: {{ .Chart.Name }}-{{ .Chart.Version }}
  greeting: {{ .Values.greeting | quote }}
  script: |
    echo {{ .Values.greeting }}
`,
	})
}

// HelmRepo is a Helm repository served over HTTP.
type HelmRepo struct {
	*httptest.Server
	mu       sync.Mutex
	index    *repo.IndexFile
	files    map[string][]byte
	Requests atomic.Int64
	// Corrupt serves archives that do not match the index digest.
	Corrupt atomic.Bool
}

// NewHelmRepo starts a Helm repository; Close it when done (t.Cleanup does).
func NewHelmRepo(t TB) *HelmRepo {
	h := &HelmRepo{index: repo.NewIndexFile(), files: map[string][]byte{}}
	h.Server = httptest.NewServer(http.HandlerFunc(h.serve))
	t.Cleanup(h.Close)
	return h
}

// Add publishes a chart archive.
func (h *HelmRepo) Add(t TB, archive []byte) {
	t.Helper()
	ch, err := loader.LoadArchive(bytes.NewReader(archive))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(archive)
	name := fmt.Sprintf("%s-%s.tgz", ch.Name(), ch.Metadata.Version)
	h.mu.Lock()
	defer h.mu.Unlock()
	if err := h.index.MustAdd(ch.Metadata, name, "", hex.EncodeToString(sum[:])); err != nil {
		t.Fatal(err)
	}
	h.index.SortEntries()
	h.files[name] = archive
}

func (h *HelmRepo) serve(w http.ResponseWriter, r *http.Request) {
	h.Requests.Add(1)
	h.mu.Lock()
	defer h.mu.Unlock()
	p := strings.TrimPrefix(r.URL.Path, "/")
	if p == "index.yaml" {
		data, err := yaml.Marshal(h.index)
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		w.Write(data)
		return
	}
	data, ok := h.files[p]
	if !ok {
		http.NotFound(w, r)
		return
	}
	if h.Corrupt.Load() {
		data = append(append([]byte(nil), data...), 0)
	}
	w.Write(data)
}

// Registry is an OCI registry served over HTTP on the loopback interface.
type Registry struct {
	*httptest.Server
	// Host is host:port.
	Host     string
	Requests atomic.Int64
}

// NewRegistry starts an OCI registry.
func NewRegistry(t TB) *Registry {
	reg := &Registry{}
	h := ggcr.New(ggcr.Logger(nopLogger()))
	reg.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reg.Requests.Add(1)
		h.ServeHTTP(w, r)
	}))
	reg.Host = strings.TrimPrefix(reg.URL, "http://")
	t.Cleanup(reg.Close)
	return reg
}

// Push pushes a chart archive to host/<path>/<name>:<version>.
func (reg *Registry) Push(t TB, path string, archive []byte) {
	t.Helper()
	ch, err := loader.LoadArchive(bytes.NewReader(archive))
	if err != nil {
		t.Fatal(err)
	}
	cl, err := registry.NewClient(registry.ClientOptPlainHTTP(), registry.ClientOptCredentialsFile(filepath.Join(t.TempDir(), "config.json")))
	if err != nil {
		t.Fatal(err)
	}
	ref := fmt.Sprintf("%s/%s/%s:%s", reg.Host, strings.Trim(path, "/"), ch.Name(), ch.Metadata.Version)
	if _, err := cl.Push(archive, ref, registry.PushOptCreationTime("2024-01-01T00:00:00Z")); err != nil {
		t.Fatal(err)
	}
}

func nopLogger() *log.Logger { return log.New(io.Discard, "", 0) }

// StandIn names a chart to serve in place of an upstream one.
type StandIn struct {
	// Repository is the upstream repository URL (https://… or oci://…).
	Repository, Name, Version string
}

// ServeStandIns serves a SimpleChart of the same name and version for every
// upstream chart (Helm repositories from one HelmRepo, OCI ones from one
// Registry) and returns the chart mirrors (upstream repository URL → local
// server) that make the chart cache fetch them there.
func ServeStandIns(t TB, charts []StandIn) map[string]string {
	t.Helper()
	mirrors := map[string]string{}
	var hr *HelmRepo
	var reg *Registry
	for _, c := range charts {
		archive := SimpleChart(t, c.Name, c.Version)
		if rest, ok := strings.CutPrefix(c.Repository, "oci://"); ok {
			if reg == nil {
				reg = NewRegistry(t)
			}
			path := "standins"
			if i := strings.Index(rest, "/"); i >= 0 {
				path = strings.Trim(rest[i+1:], "/")
			}
			reg.Push(t, path, archive)
			mirrors[c.Repository] = "oci://" + reg.Host + "/" + path
			continue
		}
		if hr == nil {
			hr = NewHelmRepo(t)
		}
		hr.Add(t, archive)
		mirrors[c.Repository] = hr.URL
	}
	return mirrors
}

// MirrorsSpec writes mirrors in the GITOPSCTL_CHART_MIRRORS format
// (PREFIX=MIRROR,...), sorted.
func MirrorsSpec(mirrors map[string]string) string {
	var parts []string
	for k, v := range mirrors {
		parts = append(parts, k+"="+v)
	}
	sort.Strings(parts)
	return strings.Join(parts, ",")
}
