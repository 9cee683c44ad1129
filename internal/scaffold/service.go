package scaffold

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/gitopsctl/gitopsctl/internal/argo"
	"github.com/gitopsctl/gitopsctl/internal/config"
	"github.com/gitopsctl/gitopsctl/internal/layout"
	"github.com/gitopsctl/gitopsctl/internal/manifest"
	"github.com/gitopsctl/gitopsctl/internal/render"
	"github.com/gitopsctl/gitopsctl/internal/rules"
	"github.com/gitopsctl/gitopsctl/internal/safeyaml"
	"github.com/gitopsctl/gitopsctl/templates"
)

// Defaults of new-service.
const (
	DefaultProject      = "app"
	DefaultPort         = 8080
	DefaultServicePort  = 80
	DefaultTag          = "0.1.0"
	DefaultReplicas     = 2
	DefaultHPAMin       = 2
	DefaultHPAMax       = 10
	DefaultCPUTarget    = 70
	DefaultHealthPath   = "/healthz"
	DefaultSmokePath    = "/healthz"
	DefaultK6Image      = "grafana/k6:0.57.0"
	DefaultK6VUs        = 1
	DefaultK6Duration   = "30s"
	DefaultK6P95Ms      = 500
	DefaultK6ErrorRate  = 0.01
	MaxServiceNameChars = 53 // Helm's release name limit; leaves room for "-preview"
)

// ServiceOptions configure NewService. Zero values take the defaults above.
type ServiceOptions struct {
	Name      string
	Project   string
	Namespace string

	// RepoDir and ConfigsDir are the absolute repository roots.
	RepoDir    string
	ConfigsDir string
	// Cluster, RepoURL, ConfigsURL, Registry and Scope come from .gitopsctl.yaml.
	Cluster string
	// Clusters, when it has two or more entries, registers the service in
	// each: an Application <name>-<cluster> per cluster reading the base
	// values and the cluster's layer <name>/clusters/<cluster>/ (Cluster
	// and Server are then unused).
	Clusters []ClusterTarget
	// Server is the cluster's API server (destination.server; "" =
	// in-cluster).
	Server     string
	RepoURL    string
	ConfigsURL string
	Registry   string
	Scope      string
	// Capabilities (from .gitopsctl.yaml) stand in for the cluster when the
	// chart is rendered to validate it.
	Capabilities config.Capabilities
	// Config, when set, is the loaded .gitopsctl.yaml: the existing
	// Applications of the cluster are rendered from it (offline, from the
	// chart cache only) to refuse a node port another Service claims.
	Config *config.Loaded

	Image       string // repository without tag; default <registry>/<name>
	Tag         string
	Port        int // container port
	ServicePort int
	NodePort    int // 0: Kubernetes picks one
	Replicas    int

	HPA       bool
	HPAMin    int
	HPAMax    int
	CPUTarget int

	HealthPath string
	SmokePath  string

	K6Image        string
	K6VUs          int
	K6Duration     string
	K6P95Ms        int
	K6MaxErrorRate float64

	// Env holds plain env vars for config.yaml (KEY=VALUE).
	Env []string
	// Force replaces an existing chart and Application; an existing
	// chart keeps its values.yaml (unless ResetValues) and an existing
	// configs-repo directory keeps its config.yaml and secrets.yaml. Files
	// it would change that have uncommitted changes in the gitops-repo
	// stop it.
	Force bool
	// ResetValues regenerates an existing values.yaml from the options
	// (with Force).
	ResetValues bool
	// ValueFlags names the command-line flags given that only feed
	// values.yaml: with Force, a kept values.yaml would ignore them.
	ValueFlags []string
	// DryRun reports what would be written and writes nothing.
	DryRun bool
}

// FileChange is what new-service does (or would do) to one file.
type FileChange struct {
	// Repo is "gitops" or "configs".
	Repo string `json:"repo"`
	Path string `json:"path"`
	// Action is "create", "overwrite" (content changes), "unchanged" or
	// "keep" (an existing file that is left alone).
	Action string `json:"action"`
}

// ServiceResult is what NewService created.
type ServiceResult struct {
	Name        string `json:"name"`
	Project     string `json:"project"`
	Namespace   string `json:"namespace"`
	Cluster     string `json:"cluster"`
	Chart       string `json:"chart"`
	Application string `json:"application"`
	// Applications are the per-cluster Applications (new-service with
	// several clusters; Application is then unused).
	Applications []string   `json:"applications,omitempty"`
	Repo         RepoResult `json:"gitopsRepo"`
	Configs      RepoResult `json:"configsRepo"`
	// Kept lists configs-repo files that already existed and were left alone.
	Kept []string `json:"kept,omitempty"`
	// KeptValues is the chart's values.yaml when --force left it alone.
	KeptValues string `json:"keptValues,omitempty"`
	// Changes lists every file and what happens to it, in path order.
	Changes []FileChange `json:"changes"`
	// DryRun is true when nothing was written.
	DryRun bool `json:"dryRun,omitempty"`
}

// DefaultServiceOptions returns the defaults a command line starts from.
func DefaultServiceOptions() ServiceOptions {
	return ServiceOptions{
		Project: DefaultProject, Tag: DefaultTag, Port: DefaultPort, ServicePort: DefaultServicePort,
		Replicas: DefaultReplicas, HPA: true, HPAMin: DefaultHPAMin, HPAMax: DefaultHPAMax, CPUTarget: DefaultCPUTarget,
		HealthPath: DefaultHealthPath, SmokePath: DefaultSmokePath,
		K6Image: DefaultK6Image, K6VUs: DefaultK6VUs, K6Duration: DefaultK6Duration,
		K6P95Ms: DefaultK6P95Ms, K6MaxErrorRate: DefaultK6ErrorRate,
	}
}

type chartData struct {
	Name, Image, Tag            string
	Port, ServicePort, NodePort int
	Replicas                    int
	HPA                         struct {
		Enabled             bool
		Min, Max, CPUTarget int
	}
	HealthPath, SmokePath string
	K6                    struct {
		Image        string
		VUs          int
		Duration     string
		P95Ms        int
		MaxErrorRate string
		// Deadline is the Job's activeDeadlineSeconds: the duration
		// (rounded up to a second) plus DeadlineMargin.
		Deadline, DeadlineMargin int
	}
}

// K6DeadlineMargin is the time the smoke test Job gets on top of the K6
// duration to pull the image, start and report.
const K6DeadlineMargin = 120 * time.Second

// K6Deadline is the activeDeadlineSeconds of the smoke test Job for a K6
// duration: the duration rounded up to a second plus K6DeadlineMargin.
func K6Deadline(d time.Duration) int {
	secs := (d + time.Second - 1) / time.Second
	return int(secs) + int(K6DeadlineMargin/time.Second)
}

type appData struct {
	// Name is the Application's name; Service the chart and configs-repo
	// directory; Layer the per-cluster values directory ("" for none).
	Name, Service, Layer           string
	Project, Namespace, Server     string
	RepoURL, ConfigsURL, ChartPath string
	Revision                       string
}

type kv struct{ Key, Value string }

// NewService scaffolds charts/<name>, its Application and its configs-repo
// directory, all or nothing.
func NewService(ctx context.Context, o ServiceOptions) (*ServiceResult, error) {
	env, err := o.validate()
	if err != nil {
		return nil, fmt.Errorf("new-service: %w", err)
	}
	chartPath := path.Join(layout.ChartsDir, o.Name)
	appPath := path.Join(layout.AppsDir, "clusters", o.Cluster, o.Project, o.Name+".yaml")

	// Conflicts.
	var kept []string
	if err := o.checkConflicts(chartPath, appPath); err != nil {
		return nil, fmt.Errorf("new-service: %w", err)
	}
	multi := len(o.Clusters) > 1
	if multi {
		for _, c := range o.Clusters {
			oc := o
			oc.Cluster = c.Name
			if err := oc.checkConflicts(chartPath, clusterAppPath(c.Name, o.Project, o.Name)); err != nil {
				return nil, fmt.Errorf("new-service: %w", err)
			}
		}
	}

	// Generate.
	cd := chartData{Name: o.Name, Image: o.Image, Tag: o.Tag, Port: o.Port, ServicePort: o.ServicePort,
		NodePort: o.NodePort, Replicas: o.Replicas, HealthPath: o.HealthPath, SmokePath: o.SmokePath}
	cd.HPA.Enabled, cd.HPA.Min, cd.HPA.Max, cd.HPA.CPUTarget = o.HPA, o.HPAMin, o.HPAMax, o.CPUTarget
	cd.K6.Image, cd.K6.VUs, cd.K6.Duration, cd.K6.P95Ms = o.K6Image, o.K6VUs, o.K6Duration, o.K6P95Ms
	cd.K6.MaxErrorRate = strconv.FormatFloat(o.K6MaxErrorRate, 'f', -1, 64)
	k6d, _ := time.ParseDuration(o.K6Duration) // validated
	cd.K6.Deadline, cd.K6.DeadlineMargin = K6Deadline(k6d), int(K6DeadlineMargin/time.Second)
	repoFiles, err := renderDir(templates.Chart, chartPath, cd)
	if err != nil {
		return nil, err
	}
	app, err := execTemplate(templates.Application, appData{Name: o.Name, Service: o.Name, Project: o.Project, Namespace: o.Namespace,
		Server: o.server(), RepoURL: o.RepoURL, ConfigsURL: o.ConfigsURL, ChartPath: chartPath, Revision: DefaultRevision})
	if err != nil {
		return nil, err
	}
	var appPaths []string
	if multi {
		for _, c := range o.Clusters {
			f, err := clusterApp(&o, c, chartPath)
			if err != nil {
				return nil, fmt.Errorf("new-service: %w", err)
			}
			repoFiles = append(repoFiles, f)
			appPaths = append(appPaths, f.Path)
		}
	} else {
		repoFiles = append(repoFiles, file{Path: appPath, Data: app})
	}

	// --force keeps values.yaml unless told to reset it: it holds what
	// bump and hand edits changed since the service was created.
	valuesPath := path.Join(chartPath, "values.yaml")
	var keptValues []byte
	if o.Force && !o.ResetValues {
		if keptValues, err = safeyaml.ReadFile(filepath.Join(o.RepoDir, filepath.FromSlash(valuesPath))); err == nil {
			if len(o.ValueFlags) > 0 {
				return nil, flagError("new-service: %s only set values.yaml, which --force keeps (%s): add --reset-values to regenerate it from the flags, or edit it (the image tag with 'gitopsctl bump')", strings.Join(o.ValueFlags, ", "), valuesPath)
			}
		} else if errors.Is(err, fs.ErrNotExist) {
			keptValues = nil
		} else {
			return nil, fmt.Errorf("new-service: %w", err)
		}
	}
	// renderFiles is the chart as it will render; repoFiles what is written.
	renderFiles := slices.Clone(repoFiles)
	if keptValues != nil {
		repoFiles = slices.DeleteFunc(repoFiles, func(f file) bool { return f.Path == valuesPath })
		for i := range renderFiles {
			if renderFiles[i].Path == valuesPath {
				renderFiles[i].Data = keptValues
			}
		}
	}

	configsData := struct {
		Name, Scope string
		Config      []kv
	}{o.Name, o.Scope, env}
	var configsFiles []file
	for _, c := range []struct{ tmpl, name string }{{templates.ConfigValues, layout.ServiceConfigFile}, {templates.SecretsValues, layout.ServiceSecretsFile}} {
		rel := path.Join(o.Name, c.name)
		if o.Force {
			if _, err := os.Stat(filepath.Join(o.ConfigsDir, filepath.FromSlash(rel))); err == nil {
				kept = append(kept, rel)
				continue
			}
		}
		b, err := execTemplate(c.tmpl, configsData)
		if err != nil {
			return nil, err
		}
		configsFiles = append(configsFiles, file{Path: rel, Data: b})
	}
	if multi {
		for _, c := range o.Clusters {
			for _, f := range layerFiles(o.Name, c.Name, o.Scope) {
				if _, err := os.Stat(filepath.Join(o.ConfigsDir, filepath.FromSlash(f.Path))); err == nil && o.Force {
					kept = append(kept, f.Path)
					continue
				}
				configsFiles = append(configsFiles, f)
			}
		}
	}
	if len(env) > 0 && slices.Contains(kept, path.Join(o.Name, layout.ServiceConfigFile)) {
		return nil, fmt.Errorf("new-service: --env cannot change the existing %s; use 'gitopsctl env set %s KEY=VALUE'", filepath.Join(o.ConfigsDir, o.Name, layout.ServiceConfigFile), o.Name)
	}

	// Validate: manifests parse strictly; the chart renders with the
	// service's real values files layered as Argo CD layers them.
	if err := validateManifest(appPath, app); err != nil {
		return nil, fmt.Errorf("new-service: generated Application is invalid: %w", err)
	}
	objs, err := o.validateRender(renderFiles, configsFiles, chartPath)
	if err != nil {
		return nil, fmt.Errorf("new-service: generated chart does not render: %w", err)
	}
	if err := o.checkNodePorts(ctx, objs); err != nil {
		return nil, fmt.Errorf("new-service: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}

	res := &ServiceResult{
		Name: o.Name, Project: o.Project, Namespace: o.Namespace, Cluster: o.Cluster,
		Chart: chartPath, Application: appPath, Applications: appPaths,
		Repo:    RepoResult{Dir: o.RepoDir},
		Configs: RepoResult{Dir: o.ConfigsDir},
		Kept:    kept,
	}
	if multi {
		names := make([]string, len(o.Clusters))
		for i, c := range o.Clusters {
			names[i] = c.Name
		}
		res.Cluster, res.Application = strings.Join(names, ","), ""
	}
	var overwrites []string
	if res.Changes, overwrites, err = plan(o.RepoDir, repoFiles, o.ConfigsDir, configsFiles); err != nil {
		return nil, fmt.Errorf("new-service: %w", err)
	}
	if keptValues != nil {
		res.KeptValues = valuesPath
		res.Changes = append(res.Changes, FileChange{Repo: "gitops", Path: valuesPath, Action: "keep"})
	}
	for _, k := range kept {
		res.Changes = append(res.Changes, FileChange{Repo: "configs", Path: k, Action: "keep"})
	}
	sort.SliceStable(res.Changes, func(i, j int) bool {
		a, b := res.Changes[i], res.Changes[j]
		if a.Repo != b.Repo {
			return a.Repo == "gitops"
		}
		return a.Path < b.Path
	})
	if err := refuseUncommitted(o.RepoDir, overwrites); err != nil {
		return nil, fmt.Errorf("new-service: %w", err)
	}
	if o.DryRun {
		res.DryRun = true
		for _, c := range res.Changes {
			if c.Action == "keep" {
				continue
			}
			r := &res.Repo
			if c.Repo == "configs" {
				r = &res.Configs
			}
			r.Files = append(r.Files, c.Path)
		}
		return res, nil
	}

	t, err := writePair(ctx, o.Force, o.RepoDir, repoFiles, o.ConfigsDir, configsFiles)
	if err != nil {
		return nil, fmt.Errorf("new-service: %w", err)
	}
	t.cleanup()
	res.Repo.Files, res.Configs.Files = t.written(o.RepoDir), t.written(o.ConfigsDir)
	return res, nil
}

func (o *ServiceOptions) server() string {
	if o.Server == "" {
		return InClusterServer
	}
	return o.Server
}

// plan compares the files to write with what is on disk; overwrites are
// the gitops-repo files whose content would change.
func plan(repoDir string, repoFiles []file, configsDir string, configsFiles []file) (changes []FileChange, overwrites []string, err error) {
	for _, r := range []struct {
		name, dir string
		files     []file
	}{{"gitops", repoDir, repoFiles}, {"configs", configsDir, configsFiles}} {
		for _, f := range r.files {
			old, err := os.ReadFile(filepath.Join(r.dir, filepath.FromSlash(f.Path)))
			action := "overwrite"
			switch {
			case errors.Is(err, fs.ErrNotExist):
				action = "create"
			case err != nil:
				return nil, nil, err
			case string(old) == string(f.Data):
				action = "unchanged"
			default:
				if r.name == "gitops" {
					overwrites = append(overwrites, f.Path)
				}
			}
			changes = append(changes, FileChange{Repo: r.name, Path: f.Path, Action: action})
		}
	}
	return changes, overwrites, nil
}

// refuseUncommitted stops --force from replacing edits git could not give
// back: files it would change that differ from HEAD.
func refuseUncommitted(repoDir string, files []string) error {
	if len(files) == 0 {
		return nil
	}
	dirty, _, err := uncommittedFiles(repoDir, files)
	if err != nil {
		return err
	}
	if len(dirty) == 0 {
		return nil
	}
	var b strings.Builder
	fmt.Fprintf(&b, "--force would overwrite %d %s with uncommitted changes in %s:", len(dirty), plural(len(dirty), "file", "files"), repoDir)
	for _, d := range dirty {
		fmt.Fprintf(&b, "\n  %s (%s)", d.Path, d.State)
	}
	b.WriteString("\ncommit them (or stash them: git stash --include-untracked) and run it again; --dry-run shows every file it would change")
	return errors.New(b.String())
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// validateRender renders the staged chart as the service's Application
// does: values.yaml, then config.yaml and secrets.yaml (new or kept) of the
// configs-repo, with the capabilities of .gitopsctl.yaml.
func (o *ServiceOptions) validateRender(repoFiles, configsFiles []file, chartPath string) ([]manifest.Object, error) {
	sc := render.StagedChart{Dir: chartPath, ReleaseName: o.Name, Namespace: o.Namespace, Capabilities: o.Capabilities}
	for _, f := range repoFiles {
		if rel, ok := strings.CutPrefix(f.Path, chartPath+"/"); ok {
			sc.Files = append(sc.Files, render.StagedFile{Name: rel, Data: f.Data})
		}
	}
	for _, name := range []string{layout.ServiceConfigFile, layout.ServiceSecretsFile} {
		rel := path.Join(o.Name, name)
		shown := rel
		var data []byte
		for _, f := range configsFiles {
			if f.Path == rel {
				data = f.Data
			}
		}
		if data == nil {
			shown = filepath.Join(o.ConfigsDir, filepath.FromSlash(rel)) // kept: the user's file
			var err error
			if data, err = os.ReadFile(shown); err != nil {
				return nil, err
			}
		}
		sc.ValueFiles = append(sc.ValueFiles, render.StagedFile{Name: shown, Data: data})
	}
	return renderChart(sc)
}

// NodePortError is a node port another Service of the cluster claims (the
// rule check reports as class nodeport).
type NodePortError struct{ Message string }

func (e *NodePortError) Error() string { return "nodeport: " + e.Message }

// checkNodePorts refuses node ports of the new chart's Services that a
// Service of another Application of the same cluster claims, by the rule
// check applies (rules.NodePortClashes). The other Applications render
// offline; those that do not render are left out.
func (o *ServiceOptions) checkNodePorts(ctx context.Context, objs []manifest.Object) error {
	cluster := rules.Cluster(InClusterServer, "")
	var uses []rules.NodePortUse
	for _, obj := range objs {
		uses = append(uses, rules.ServiceNodePorts(cluster, o.Name, obj)...)
	}
	if len(uses) == 0 || o.Config == nil {
		return nil
	}
	cfg := *o.Config
	cfg.Offline = true
	ws, err := render.Open(ctx, render.Options{Config: &cfg})
	if err != nil {
		return nil // nothing to compare with (e.g. no root Application yet)
	}
	var others []*render.App
	for _, a := range ws.Apps() {
		if a.Name == o.Name || a.Application == nil {
			continue
		}
		if d := a.Application.Spec.Destination; rules.Cluster(d.Server, d.Name) == cluster {
			others = append(others, a)
		}
	}
	for _, r := range ws.RenderApps(ctx, others) {
		if r.Err != nil {
			continue
		}
		for _, obj := range r.Objects {
			uses = append(uses, rules.ServiceNodePorts(cluster, r.App.Name, obj)...)
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	for _, c := range rules.NodePortClashes(uses) {
		if c.App == o.Name {
			err := &NodePortError{Message: c.Object + ": " + c.Message}
			if c.Port == int64(o.NodePort) {
				return &FlagError{Err: err} // --node-port chose it
			}
			return err
		}
	}
	return nil
}

func (o *ServiceOptions) checkConflicts(chartPath, appPath string) error {
	exists := func(p string) bool { _, err := os.Lstat(p); return err == nil }
	// An Application of this name in any project of the cluster.
	clusterDir := filepath.Join(o.RepoDir, layout.AppsDir, "clusters", o.Cluster)
	entries, _ := os.ReadDir(clusterDir)
	for _, e := range entries {
		p := filepath.Join(clusterDir, e.Name(), o.Name+".yaml")
		if !e.IsDir() || !exists(p) {
			continue
		}
		if e.Name() != o.Project {
			return fmt.Errorf("an Application %q already exists in project %s (%s); Application names are unique, so remove it first", o.Name, e.Name(), p)
		}
		if !o.Force {
			return fmt.Errorf("service %q already exists: %s (use --force to regenerate it)", o.Name, p)
		}
	}
	if p := filepath.Join(o.RepoDir, filepath.FromSlash(chartPath)); exists(p) && !o.Force {
		return fmt.Errorf("service %q already exists: %s (use --force to regenerate it)", o.Name, p)
	}
	if p := filepath.Join(o.ConfigsDir, o.Name); exists(p) && !o.Force {
		return fmt.Errorf("service %q already exists in the configs-repo: %s (use --force to keep its values and regenerate the rest)", o.Name, p)
	}
	return nil
}

var (
	envKey = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	// tagRe without its length bound (at most 128, see validTag): a
	// bounded repetition compiles into 128 copies, at every start.
	tagRe   = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]*$`)
	imageRe = regexp.MustCompile(`^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(/[a-z0-9]+([._-]+[a-z0-9]+)*)*$`)
)

func dns1123Label(s string) string { return strings.Join(validation.IsDNS1123Label(s), "; ") }

// checkImageRef accepts an image repository without tag or digest.
func checkImageRef(s string) error {
	last := s[strings.LastIndex(s, "/")+1:]
	if strings.ContainsAny(last, ":@") {
		return fmt.Errorf("%q carries a tag or digest: give the repository only (the tag goes in --tag)", s)
	}
	if !imageRe.MatchString(s) {
		return fmt.Errorf("%q is not a valid image repository (lowercase, e.g. ghcr.io/acme/backend)", s)
	}
	return nil
}

// FlagError is a bad command-line value (the CLI exits 2 for it, as for
// any usage error), as opposed to a problem with the repositories.
type FlagError struct{ Err error }

func (e *FlagError) Error() string { return e.Err.Error() }
func (e *FlagError) Unwrap() error { return e.Err }

// ImageError is an image check rejects (class image): a latest, empty or
// missing tag.
type ImageError struct{ Message string }

func (e *ImageError) Error() string { return "image: " + e.Message }

func flagError(format string, a ...any) error { return &FlagError{Err: fmt.Errorf(format, a...)} }

// validate checks and completes the options and returns the --env pairs
// sorted by key.
func (o *ServiceOptions) validate() ([]kv, error) {
	if o.Name == "" {
		return nil, flagError("a service NAME is required")
	}
	if errs := validation.IsDNS1035Label(o.Name); len(errs) > 0 {
		return nil, flagError("invalid service name %q: use lowercase letters, digits and '-', starting with a letter and ending with a letter or digit (a DNS label: it names the release, the Rollout and its Services)", o.Name)
	}
	if len(o.Name) > MaxServiceNameChars {
		return nil, flagError("invalid service name %q: at most %d characters (so %q fits in 63)", o.Name, MaxServiceNameChars, o.Name+"-preview")
	}
	if o.RepoDir == "" {
		return nil, errors.New("no gitops-repo")
	}
	if fi, err := os.Stat(o.RepoDir); err != nil || !fi.IsDir() {
		return nil, fmt.Errorf("gitops-repo %s is not a directory", o.RepoDir)
	}
	if o.ConfigsDir == "" {
		return nil, errors.New("no configs-repo: set configsRepo.path in .gitopsctl.yaml or pass --configs")
	}
	if fi, err := os.Stat(o.ConfigsDir); err != nil || !fi.IsDir() {
		return nil, fmt.Errorf("configs-repo %s does not exist (set configsRepo.path in .gitopsctl.yaml, pass --configs, or create it with 'gitopsctl init')", o.ConfigsDir)
	}
	if o.RepoURL == "" {
		return nil, errors.New("gitopsRepo.url is not set in .gitopsctl.yaml")
	}
	if o.ConfigsURL == "" {
		return nil, errors.New("configsRepo.url is not set in .gitopsctl.yaml")
	}
	if o.Cluster == "" {
		o.Cluster = config.DefaultCluster
	}
	if errs := dns1123Label(o.Cluster); errs != "" {
		return nil, fmt.Errorf("invalid cluster %q: %s", o.Cluster, errs)
	}
	if o.Project == "" {
		o.Project = DefaultProject
	}
	if errs := dns1123Label(o.Project); errs != "" {
		return nil, flagError("invalid --project %q: %s", o.Project, errs)
	}
	if err := o.checkProject(); err != nil {
		return nil, err
	}
	if o.Namespace == "" {
		o.Namespace = o.Name
	}
	if errs := dns1123Label(o.Namespace); errs != "" {
		return nil, flagError("invalid --namespace %q: %s", o.Namespace, errs)
	}
	switch o.Scope {
	case "":
		o.Scope = "strict"
	case "strict", "namespace-wide", "cluster-wide":
	default:
		return nil, fmt.Errorf("sealing.scope %q in .gitopsctl.yaml: use strict, namespace-wide or cluster-wide", o.Scope)
	}
	if o.Image == "" {
		if o.Registry == "" {
			return nil, errors.New("no --image given and no registry in .gitopsctl.yaml to derive it from")
		}
		o.Image = strings.TrimSuffix(o.Registry, "/") + "/" + o.Name
	}
	// A tag in --image: what check says of a mutable one, else that the
	// tag goes in --tag.
	if last := o.Image[strings.LastIndex(o.Image, "/")+1:]; strings.ContainsAny(last, ":@") {
		if msg := rules.ImageMessage(o.Image); msg != "" {
			return nil, &FlagError{Err: &ImageError{Message: msg}}
		}
	}
	if err := checkImageRef(o.Image); err != nil {
		return nil, flagError("--image: %w", err)
	}
	if !validTag(o.Tag) {
		return nil, flagError("invalid --tag %q: letters, digits, '_', '.', '-' (at most 128, not starting with '.' or '-')", o.Tag)
	}
	if msg := rules.ImageMessage(o.Image + ":" + o.Tag); msg != "" {
		return nil, &FlagError{Err: &ImageError{Message: msg}}
	}
	for _, p := range []struct {
		flag string
		v    int
	}{{"--port", o.Port}, {"--service-port", o.ServicePort}} {
		if p.v < 1 || p.v > 65535 {
			return nil, flagError("%s %d is out of range (1-65535)", p.flag, p.v)
		}
	}
	if o.NodePort != 0 && (o.NodePort < 30000 || o.NodePort > 32767) {
		return nil, flagError("--node-port %d is out of the NodePort range (30000-32767; 0 lets Kubernetes pick)", o.NodePort)
	}
	if o.Replicas < 1 {
		return nil, flagError("--replicas %d: at least 1", o.Replicas)
	}
	if o.HPAMin < 1 {
		return nil, flagError("--hpa-min %d: at least 1", o.HPAMin)
	}
	if o.HPAMax < o.HPAMin {
		return nil, flagError("--hpa-max %d is below --hpa-min %d", o.HPAMax, o.HPAMin)
	}
	if o.CPUTarget < 1 || o.CPUTarget > 1000 {
		return nil, flagError("--cpu-target %d%%: use 1-1000 (percent of the CPU request)", o.CPUTarget)
	}
	for _, p := range []struct{ flag, v string }{{"--health-path", o.HealthPath}, {"--smoke-path", o.SmokePath}} {
		if !strings.HasPrefix(p.v, "/") || strings.ContainsAny(p.v, " \t\n\"") {
			return nil, flagError("%s %q: an HTTP path starting with '/'", p.flag, p.v)
		}
	}
	if strings.TrimSpace(o.K6Image) == "" || strings.ContainsAny(o.K6Image, " \t\n\"") {
		return nil, flagError("invalid --k6-image %q", o.K6Image)
	}
	if o.K6VUs < 1 {
		return nil, flagError("--k6-vus %d: at least 1", o.K6VUs)
	}
	if d, err := time.ParseDuration(o.K6Duration); err != nil || d <= 0 {
		return nil, flagError("--k6-duration %q: a positive duration such as 30s or 1m", o.K6Duration)
	}
	if o.K6P95Ms < 1 {
		return nil, flagError("--k6-p95-ms %d: at least 1", o.K6P95Ms)
	}
	if o.K6MaxErrorRate < 0 || o.K6MaxErrorRate > 1 {
		return nil, flagError("--k6-max-error-rate %v: a fraction between 0 and 1", o.K6MaxErrorRate)
	}
	seen := map[string]bool{}
	var env []kv
	for _, e := range o.Env {
		k, v, ok := strings.Cut(e, "=")
		if !ok || !envKey.MatchString(k) {
			return nil, flagError("--env %q: use KEY=VALUE with KEY a valid env var name", e)
		}
		if seen[k] {
			return nil, flagError("--env %s given twice", k)
		}
		seen[k] = true
		env = append(env, kv{k, v})
	}
	sort.Slice(env, func(i, j int) bool { return env[i].Key < env[j].Key })
	return env, nil
}

// checkProject requires argo-apps/projects/<project>.yaml to be an
// AppProject of that name whose sourceRepos admit both repositories as
// Argo CD judges them (argo.SourcePermitted).
func (o *ServiceOptions) checkProject() error {
	p := filepath.Join(o.RepoDir, filepath.FromSlash(layout.ProjectsDir), o.Project+".yaml")
	data, err := os.ReadFile(p)
	if errors.Is(err, fs.ErrNotExist) {
		known, _ := filepath.Glob(filepath.Join(o.RepoDir, filepath.FromSlash(layout.ProjectsDir), "*.yaml"))
		var names []string
		for _, k := range known {
			names = append(names, strings.TrimSuffix(filepath.Base(k), ".yaml"))
		}
		return fmt.Errorf("unknown project %q: %s does not exist (projects: %s)", o.Project, p, strings.Join(names, ", "))
	}
	if err != nil {
		return err
	}
	if err := safeyaml.Check(p, data); err != nil {
		return err
	}
	proj, err := argo.DecodeAppProject(data)
	if err != nil {
		return fmt.Errorf("%s: %w", p, err)
	}
	if proj.Name != o.Project {
		return fmt.Errorf("%s: metadata.name is %q, expected %q", p, proj.Name, o.Project)
	}
	for _, u := range []string{o.RepoURL, o.ConfigsURL} {
		if !argo.SourcePermitted(proj, u) {
			return fmt.Errorf("project %s does not allow source repo %s (add it to spec.sourceRepos in %s)", o.Project, u, p)
		}
	}
	return nil
}

// validTag: an image tag (at most 128 characters).
func validTag(s string) bool { return len(s) <= 128 && tagRe.MatchString(s) }
