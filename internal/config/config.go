// Package config loads .gitopsctl.yaml, the tool config at the gitops-repo
// root, and resolves the two repository directories.
//
// Flags and GITOPSCTL_* variables go through viper (internal/cli); this file
// does not. It is decoded strictly with goccy/go-yaml into typed structs,
// because viper folds keys to lower case and splits keys at dots: the repos:
// map is keyed by repository URL ("https://github.com/acme/charts.git"),
// which viper would break into nested keys, and camelCase keys would lose
// their case. Strict decoding also reports an unknown or misspelt key with
// its line.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/goccy/go-yaml"

	"github.com/gitopsctl/gitopsctl/internal/layout"
	"github.com/gitopsctl/gitopsctl/internal/safeyaml"
)

// Repo names a git repository by URL and, optionally, its local checkout.
type Repo struct {
	URL  string `yaml:"url" json:"url"`
	Path string `yaml:"path,omitempty" json:"path,omitempty"`
}

// Sealing configures how secrets are sealed.
type Sealing struct {
	// Cert is a PEM file path (relative to the gitops-repo) or an https URL.
	Cert string `yaml:"cert,omitempty" json:"cert,omitempty"`
	// Scope is strict (default), namespace-wide or cluster-wide.
	Scope string `yaml:"scope,omitempty" json:"scope,omitempty"`
	// SecretPatterns are glob patterns of env var names treated as secrets by env import.
	SecretPatterns []string `yaml:"secretPatterns,omitempty" json:"secretPatterns,omitempty"`
}

// Capabilities stand in for the cluster when rendering Helm charts.
type Capabilities struct {
	KubeVersion string   `yaml:"kubeVersion,omitempty" json:"kubeVersion,omitempty"`
	APIVersions []string `yaml:"apiVersions,omitempty" json:"apiVersions,omitempty"`
}

// Kustomize configures how Kustomize sources build.
type Kustomize struct {
	// BuildOptions are kustomize build flags, as Argo CD's
	// kustomize.buildOptions in argocd-cm: --enable-helm and
	// --load-restrictor are understood (see internal/kustomize).
	BuildOptions string `yaml:"buildOptions,omitempty" json:"buildOptions,omitempty"`
}

// Config is the content of .gitopsctl.yaml.
type Config struct {
	Cluster      string       `yaml:"cluster" json:"cluster"`
	GitopsRepo   Repo         `yaml:"gitopsRepo" json:"gitopsRepo"`
	ConfigsRepo  Repo         `yaml:"configsRepo" json:"configsRepo"`
	Registry     string       `yaml:"registry,omitempty" json:"registry,omitempty"`
	Sealing      Sealing      `yaml:"sealing,omitempty" json:"sealing,omitempty"`
	Capabilities Capabilities `yaml:"capabilities,omitempty" json:"capabilities,omitempty"`
	// ClusterList is clusters: the clusters Argo CD deploys to (see
	// Clusters for the effective list; empty: the one cluster above).
	ClusterList []Cluster `yaml:"clusters,omitempty" json:"clusters,omitempty"`
	// Repos maps further repository URLs to local checkouts (relative to the
	// gitops-repo), for Applications whose sources live elsewhere.
	Repos map[string]string `yaml:"repos,omitempty" json:"repos,omitempty"`
	// ChartMirrors maps chart repository URL prefixes (https://… Helm
	// repositories, oci://host/path) to mirrors; the longest prefix wins.
	ChartMirrors map[string]string `yaml:"chartMirrors,omitempty" json:"chartMirrors,omitempty"`
	// Roots are the root Application manifests or directories render, diff
	// and check start from (relative to the gitops-repo root; default
	// root-app.yaml, else the roots found in the repository).
	Roots []string `yaml:"roots,omitempty" json:"roots,omitempty"`
	// Kustomize holds the build options of Kustomize sources.
	Kustomize Kustomize `yaml:"kustomize,omitempty" json:"kustomize,omitempty"`
}

// Defaults applied to fields the file leaves empty.
const (
	DefaultCluster     = "prod"
	DefaultScope       = "strict"
	DefaultKubeVersion = "v1.31.0"
)

// DefaultSecretPatterns are the env var name globs env import treats as secrets.
var DefaultSecretPatterns = []string{"*_PASSWORD", "*_SECRET", "*_TOKEN", "*_KEY", "*_PASS", "*_CREDENTIALS"}

// DefaultAPIVersions are the extra API versions of the seed's cluster.
var DefaultAPIVersions = []string{"argoproj.io/v1alpha1", "bitnami.com/v1alpha1", "autoscaling/v2", "monitoring.coreos.com/v1"}

// Loaded is a config together with where it was found.
type Loaded struct {
	Config
	// File is the absolute path of .gitopsctl.yaml ("" when none was found).
	File string `json:"file"`
	// RepoDir is the absolute gitops-repo root.
	RepoDir string `json:"repoDir"`
	// ConfigsDir is the absolute configs-repo root.
	ConfigsDir string `json:"configsDir"`

	// Offline forbids network access for remote charts (--offline).
	Offline bool `json:"offline,omitempty"`
	// ChartCacheDir is the chart cache (--cache-dir; "" = the default).
	ChartCacheDir string `json:"chartCacheDir,omitempty"`

	loaded       bool   // made by Load (else built in code: every directory trusted)
	data         []byte // the file's content, for locating keys
	configsFlag  string // --configs, absolute ("" when not given)
	configsByKey bool   // ConfigsDir comes from configsRepo.path
}

// ErrNotFound is returned when no .gitopsctl.yaml is found.
var ErrNotFound = errors.New("no " + layout.ConfigFileName + " found in this directory or any parent (run inside a gitops-repo, pass --repo DIR, or create one with 'gitopsctl init')")

// Find walks up from dir to the first directory holding .gitopsctl.yaml.
func Find(dir string) (string, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for {
		p := filepath.Join(dir, layout.ConfigFileName)
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", ErrNotFound
		}
		dir = parent
	}
}

// Parse decodes a config file strictly: unknown fields are errors, reported
// with file and line.
func Parse(name string, data []byte) (Config, error) {
	var c Config
	if err := safeyaml.Check(name, data); err != nil {
		return c, err
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return c, nil
	}
	if err := yaml.UnmarshalWithOptions(data, &c, yaml.Strict()); err != nil {
		return c, fmt.Errorf("%s: %s", name, yaml.FormatError(err, false, false))
	}
	return c, nil
}

// Options say where to look; empty fields mean "discover".
type Options struct {
	// Dir is where discovery starts (the current directory).
	Dir string
	// RepoDir is --repo: the gitops-repo root.
	RepoDir string
	// ConfigsDir is --configs: the configs-repo root (overrides the file).
	ConfigsDir string
	// File is --config: an explicit config file.
	File string
}

// Load finds and reads the config and resolves the repository directories;
// directories the file names must pass CheckRepoDirs.
// A missing file is an error unless the repo directory is given explicitly
// (then defaults apply).
func Load(o Options) (*Loaded, error) {
	l := &Loaded{}
	file := o.File
	switch {
	case file != "":
	case o.RepoDir != "":
		p := filepath.Join(o.RepoDir, layout.ConfigFileName)
		if _, err := os.Stat(p); err == nil {
			file = p
		}
	default:
		p, err := Find(o.Dir)
		if err != nil {
			return nil, err
		}
		file = p
	}
	if file != "" {
		abs, err := filepath.Abs(file)
		if err != nil {
			return nil, err
		}
		data, err := os.ReadFile(abs)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil, fmt.Errorf("config file %s does not exist", file)
			}
			return nil, fmt.Errorf("read config: %w", err)
		}
		c, err := Parse(abs, data)
		if err != nil {
			return nil, err
		}
		if err := c.validateClusters(abs, data); err != nil {
			return nil, err
		}
		l.Config, l.File, l.data = c, abs, data
	}
	l.loaded = true
	repo := o.RepoDir
	if repo == "" {
		repo = filepath.Dir(l.File)
	}
	var err error
	if l.RepoDir, err = filepath.Abs(repo); err != nil {
		return nil, err
	}
	if fi, err := os.Stat(l.RepoDir); err != nil || !fi.IsDir() {
		return nil, fmt.Errorf("gitops-repo %s is not a directory", repo)
	}
	l.applyDefaults()
	switch {
	case o.ConfigsDir != "":
		l.ConfigsDir, err = filepath.Abs(o.ConfigsDir)
		l.configsFlag = l.ConfigsDir
	case l.ConfigsRepo.Path != "":
		l.ConfigsDir = l.MappedDir(l.ConfigsRepo.Path)
		l.configsByKey = true
	default:
		l.ConfigsDir = filepath.Join(filepath.Dir(l.RepoDir), "configs-repo")
	}
	if err != nil {
		return nil, err
	}
	if err := l.CheckRepoDirs(); err != nil {
		return nil, err
	}
	return l, nil
}

func (l *Loaded) applyDefaults() {
	if l.Cluster == "" {
		l.Cluster = DefaultCluster
		if len(l.ClusterList) > 0 {
			l.Cluster = l.ClusterList[0].Name
		}
	}
	if l.Sealing.Scope == "" {
		l.Sealing.Scope = DefaultScope
	}
	if len(l.Sealing.SecretPatterns) == 0 {
		l.Sealing.SecretPatterns = DefaultSecretPatterns
	}
	if l.Capabilities.KubeVersion == "" {
		l.Capabilities.KubeVersion = DefaultKubeVersion
	}
}

// RepoPath resolves a path from the config (relative to the gitops-repo root).
func (l *Loaded) RepoPath(p string) string {
	if p == "" || filepath.IsAbs(p) || strings.HasPrefix(p, "https://") || strings.HasPrefix(p, "http://") {
		return p
	}
	return filepath.Join(l.RepoDir, p)
}

// Marshal renders a config as YAML in the documented key order.
func Marshal(c Config) ([]byte, error) {
	return yaml.MarshalWithOptions(c, yaml.IndentSequence(true))
}

// EnvChartMirrors adds chart mirrors to those of the config file.
const EnvChartMirrors = "GITOPSCTL_CHART_MIRRORS"

// AddChartMirrors merges mirrors given as "PREFIX=MIRROR[,PREFIX=MIRROR...]"
// (the GITOPSCTL_CHART_MIRRORS format) over chartMirrors.
func (l *Loaded) AddChartMirrors(spec string) error {
	for _, part := range strings.Split(spec, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		k, v, ok := strings.Cut(part, "=")
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		if !ok || k == "" || v == "" {
			return fmt.Errorf("%s: %q is not PREFIX=MIRROR", EnvChartMirrors, part)
		}
		if l.ChartMirrors == nil {
			l.ChartMirrors = map[string]string{}
		}
		l.ChartMirrors[k] = v
	}
	return nil
}
