package scaffold

import (
	"context"
	"fmt"
	"io/fs"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/gitopsctl/gitopsctl/internal/argo"
	"github.com/gitopsctl/gitopsctl/internal/config"
	"github.com/gitopsctl/gitopsctl/internal/layout"
	"github.com/gitopsctl/gitopsctl/internal/yamledit"
)

// ClusterRootExclude is the directory.exclude of root-app.yaml once the
// repository has per-cluster root Applications: root-app.yaml manages the
// projects and the cluster roots (argo-apps/clusters/<name>.yaml), each
// cluster root the Applications under argo-apps/clusters/<name>/. Argo CD's
// directory globs have no separator, so "*" crosses "/": the pattern
// matches every file below a cluster directory and no cluster root.
const ClusterRootExclude = "clusters/*/*"

// ClusterRootFile is the root Application of a cluster.
func ClusterRootFile(cluster string) string {
	return path.Join(layout.AppsDir, "clusters", cluster+".yaml")
}

// ClusterRootName is the name of a cluster's root Application.
func ClusterRootName(cluster string) string { return "cluster-" + cluster }

// ClusterOptions configure AddCluster.
type ClusterOptions struct {
	// RepoDir is the gitops-repo root; ConfigFile its .gitopsctl.yaml.
	RepoDir    string
	ConfigFile string
	// Config is the loaded config (defaults applied).
	Config config.Config
	// Name and Server name the new cluster (Server "" = in-cluster).
	Name   string
	Server string
	// Labels are KEY=VALUE pairs.
	Labels []string
	// KubeVersion and APIVersions, when set, are the cluster's
	// capabilities profile (else the top-level one applies).
	KubeVersion string
	APIVersions []string
	// Cert is the cluster's sealing certificate (file or https URL).
	Cert string
	// DryRun reports what would change and writes nothing.
	DryRun bool
}

// ClusterResult is what AddCluster did (or would do).
type ClusterResult struct {
	Name    string       `json:"name"`
	Server  string       `json:"server"`
	Root    string       `json:"root"`
	Changes []FileChange `json:"changes"`
	Notes   []string     `json:"notes,omitempty"`
	DryRun  bool         `json:"dryRun,omitempty"`
}

var kubeVersionRE = regexp.MustCompile(`^v?[0-9]+\.[0-9]+(\.[0-9]+)?$`)

var labelKeyRE = regexp.MustCompile(`^([a-z0-9]([-a-z0-9.]*[a-z0-9])?/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$`)

// AddCluster declares a cluster in .gitopsctl.yaml (turning a file without
// clusters: into one that lists its one cluster and the new one), creates
// argo-apps/clusters/<name>/{app,monitoring,tools} and the cluster's root
// Application, excludes cluster directories from root-app.yaml (which then
// manages the cluster roots), and gives every AppProject the new cluster's
// server with the namespaces it allows on the existing clusters. Existing
// files are edited in place, byte for byte outside the edit; everything is
// written all or nothing.
func AddCluster(ctx context.Context, o ClusterOptions) (*ClusterResult, error) {
	if err := o.validate(); err != nil {
		return nil, fmt.Errorf("cluster add: %w", err)
	}
	server := o.Server
	if server == "" {
		server = config.InClusterServer
	}
	res := &ClusterResult{Name: o.Name, Server: server, Root: ClusterRootFile(o.Name), DryRun: o.DryRun}
	files, notes, err := o.files(server, diskTree{o.RepoDir})
	if err != nil {
		return nil, fmt.Errorf("cluster add: %w", err)
	}
	res.Notes = notes
	if err := validateFiles(files); err != nil {
		return nil, fmt.Errorf("cluster add: generated files are invalid: %w", err)
	}
	if res.Changes, _, err = plan(o.RepoDir, files, "", nil); err != nil {
		return nil, fmt.Errorf("cluster add: %w", err)
	}
	sort.SliceStable(res.Changes, func(i, j int) bool { return res.Changes[i].Path < res.Changes[j].Path })
	if o.DryRun {
		return res, nil
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	t := newTxn(true)
	t.add(o.RepoDir, files...)
	if err := t.stage(ctx); err != nil {
		t.rollback()
		return nil, fmt.Errorf("cluster add: %w", err)
	}
	if err := t.apply(ctx); err != nil {
		return nil, fmt.Errorf("cluster add: %w", err)
	}
	t.cleanup()
	return res, nil
}

func (o *ClusterOptions) validate() error {
	if o.ConfigFile == "" {
		return fmt.Errorf("no %s in the gitops-repo %s (create the repository with 'gitopsctl init')", layout.ConfigFileName, o.RepoDir)
	}
	if why := config.ValidClusterName(o.Name); why != "" {
		return flagError("cluster name %q %s", o.Name, why)
	}
	if o.Server != "" {
		if why := config.ValidServer(o.Server); why != "" {
			return flagError("--server %q %s", o.Server, why)
		}
	}
	if _, ok := o.Config.ClusterByName(o.Name); ok {
		return flagError("cluster %q is already declared in %s", o.Name, o.ConfigFile)
	}
	server := o.Server
	if server == "" {
		server = config.InClusterServer
	}
	if cl, ok := o.Config.ClusterByServer(server); ok {
		return flagError("cluster %q already has the server %s (an Application's destination must name one cluster); pass --server", cl.Name, server)
	}
	for _, l := range o.Labels {
		k, _, ok := strings.Cut(l, "=")
		if !ok || !labelKeyRE.MatchString(k) || len(k) > 253 {
			return flagError("--label %q is not KEY=VALUE with a label key", l)
		}
	}
	if o.KubeVersion != "" && !kubeVersionRE.MatchString(o.KubeVersion) {
		return flagError("--kube-version %q is not a version like v1.31.0", o.KubeVersion)
	}
	return nil
}

// files computes every file AddCluster writes, reading the repository
// from t.
func (o *ClusterOptions) files(server string, t tree) ([]file, []string, error) {
	var out []file
	var notes []string
	read := t.read

	// .gitopsctl.yaml: list the existing cluster too when it was implicit.
	cfgRel, err := filepath.Rel(o.RepoDir, o.ConfigFile)
	if err != nil || strings.HasPrefix(cfgRel, "..") {
		return nil, nil, fmt.Errorf("%s is outside the gitops-repo %s: edit it by hand", o.ConfigFile, o.RepoDir)
	}
	cfgData, ok, err := read(filepath.ToSlash(cfgRel))
	if err != nil {
		return nil, nil, err
	}
	if !ok {
		return nil, nil, fmt.Errorf("%s: %w", o.ConfigFile, fs.ErrNotExist)
	}
	var items []string
	if !o.Config.DeclaresClusters() {
		items = append(items, "name: "+yamlString(o.Config.DefaultClusterEntry().Name)+"\n")
	}
	items = append(items, o.configItem())
	for _, it := range items {
		d, err := yamledit.Parse(o.ConfigFile, cfgData)
		if err != nil {
			return nil, nil, err
		}
		if cfgData, err = d.AppendItem([]string{"clusters"}, it); err != nil {
			return nil, nil, err
		}
	}
	newCfg, err := config.ParseChecked(o.ConfigFile, cfgData)
	if err != nil {
		return nil, nil, fmt.Errorf("the edited config does not hold: %w", err)
	}
	out = append(out, file{Path: filepath.ToSlash(cfgRel), Data: cfgData})

	// Cluster directories and roots (the existing clusters get a root too
	// when they have none: root-app.yaml stops reaching their directories).
	for _, p := range layout.Projects {
		out = append(out, file{Path: path.Join(layout.AppsDir, "clusters", o.Name, p, ".gitkeep")})
	}
	for _, cl := range newCfg.Clusters() {
		rel := ClusterRootFile(cl.Name)
		if _, ok, err := read(rel); err != nil {
			return nil, nil, err
		} else if ok {
			continue
		}
		b, err := execTemplate("argo/cluster-root-app.yaml.tmpl", struct {
			Name, Cluster, Server, HubServer, RepoURL, Revision string
		}{ClusterRootName(cl.Name), cl.Name, cl.Server, InClusterServer, o.Config.GitopsRepo.URL, DefaultRevision})
		if err != nil {
			return nil, nil, err
		}
		out = append(out, file{Path: rel, Data: b})
	}

	// root-app.yaml: exclude the cluster directories.
	root, ok, err := read(layout.RootAppFile)
	if err != nil {
		return nil, nil, err
	}
	if !ok {
		notes = append(notes, fmt.Sprintf("no %s: make sure your root Application manages %s and does not also read %s/clusters/%s/", layout.RootAppFile, ClusterRootFile(o.Name), layout.AppsDir, o.Name))
	} else {
		b, changed, err := excludeClusterDirs(root)
		if err != nil {
			return nil, nil, err
		}
		if changed {
			out = append(out, file{Path: layout.RootAppFile, Data: b})
		}
	}

	// AppProjects: the new server with the namespaces of the existing ones.
	pf, err := o.projectFiles(server, t)
	if err != nil {
		return nil, nil, err
	}
	out = append(out, pf...)
	return out, notes, nil
}

func (o *ClusterOptions) configItem() string {
	var b strings.Builder
	fmt.Fprintf(&b, "name: %s\n", yamlString(o.Name))
	if o.Server != "" {
		fmt.Fprintf(&b, "server: %s\n", yamlString(o.Server))
	}
	if len(o.Labels) > 0 {
		labels := append([]string(nil), o.Labels...)
		sort.Strings(labels)
		b.WriteString("labels:\n")
		for _, l := range labels {
			k, v, _ := strings.Cut(l, "=")
			fmt.Fprintf(&b, "  %s: %s\n", yamlString(k), yamlString(v))
		}
	}
	if o.KubeVersion != "" || len(o.APIVersions) > 0 {
		b.WriteString("capabilities:\n")
		if o.KubeVersion != "" {
			fmt.Fprintf(&b, "  kubeVersion: %s\n", yamlString(o.KubeVersion))
		}
		if len(o.APIVersions) > 0 {
			b.WriteString("  apiVersions:\n")
			for _, a := range o.APIVersions {
				fmt.Fprintf(&b, "    - %s\n", yamlString(a))
			}
		}
	}
	if o.Cert != "" {
		fmt.Fprintf(&b, "sealing:\n  cert: %s\n", yamlString(o.Cert))
	}
	return b.String()
}

// excludeClusterDirs sets spec.source.directory.exclude of a root-app.yaml
// reading argo-apps/ recursively; a root Application of another shape (or
// with an exclude of its own) is left to the user.
func excludeClusterDirs(src []byte) ([]byte, bool, error) {
	app, err := argo.DecodeApplication(src)
	if err != nil {
		return nil, false, fmt.Errorf("%s: %w", layout.RootAppFile, err)
	}
	s := app.Spec.Source
	if s == nil || path.Clean(s.Path) != layout.AppsDir || s.Directory == nil || !s.Directory.Recurse {
		return src, false, nil
	}
	switch s.Directory.Exclude {
	case ClusterRootExclude:
		return src, false, nil
	case "":
	default:
		return nil, false, fmt.Errorf("%s has directory.exclude %q: add the cluster directories (%s) to it by hand, then run cluster add again", layout.RootAppFile, s.Directory.Exclude, ClusterRootExclude)
	}
	out, _, err := yamledit.Set(src, yamledit.Path{"spec", "source", "directory", "exclude"}, ClusterRootExclude)
	if err != nil {
		return nil, false, fmt.Errorf("%s: %w", layout.RootAppFile, err)
	}
	return out, true, nil
}

// projectFiles adds a destination for server to every AppProject under
// argo-apps/projects that names the server of an existing cluster, with
// the same namespace.
func (o *ClusterOptions) projectFiles(server string, t tree) ([]file, error) {
	names, err := t.files(layout.ProjectsDir)
	if err != nil {
		return nil, err
	}
	var out []file
	for _, name := range names {
		if path.Ext(name) != ".yaml" && path.Ext(name) != ".yml" {
			continue
		}
		rel := path.Join(layout.ProjectsDir, name)
		src, _, err := t.read(rel)
		if err != nil {
			return nil, err
		}
		p, err := argo.DecodeAppProject(src)
		if err != nil {
			continue // not a single AppProject: left alone
		}
		have := map[string]bool{}
		var add []string
		for _, d := range p.Spec.Destinations {
			if d.Server != "" && o.sameServer(d.Server, server) {
				have[d.Namespace] = true
			}
		}
		for _, d := range p.Spec.Destinations {
			if d.Server == "" {
				continue
			}
			if _, known := o.Config.ClusterByServer(d.Server); !known || have[d.Namespace] {
				continue
			}
			have[d.Namespace] = true
			add = append(add, d.Namespace)
		}
		if len(add) == 0 {
			continue
		}
		for _, ns := range add {
			doc, err := yamledit.Parse(rel, src)
			if err != nil {
				return nil, err
			}
			if src, err = doc.AppendItem([]string{"spec", "destinations"}, "server: "+yamlString(server)+"\nnamespace: "+yamlString(ns)); err != nil {
				return nil, err
			}
		}
		out = append(out, file{Path: rel, Data: src})
	}
	return out, nil
}

func (o *ClusterOptions) sameServer(a, b string) bool {
	c := config.Config{ClusterList: []config.Cluster{{Name: "x", Server: a}}}
	_, ok := c.ClusterByServer(b)
	return ok
}
