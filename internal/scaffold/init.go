package scaffold

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gitopsctl/gitopsctl/internal/argo"
	"github.com/gitopsctl/gitopsctl/internal/config"
	"github.com/gitopsctl/gitopsctl/internal/gitx"
	"github.com/gitopsctl/gitopsctl/internal/layout"
	"github.com/gitopsctl/gitopsctl/templates"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// InClusterServer is the destination of every generated Application: the
// cluster Argo CD runs in.
const InClusterServer = argo.InClusterURL

// DefaultRevision is the targetRevision of generated sources.
const DefaultRevision = "HEAD"

// InitOptions configure Init.
type InitOptions struct {
	// RepoDir is the gitops-repo directory to create (absolute).
	RepoDir string
	// ConfigsDir is the configs-repo directory (absolute); "" means a
	// configs-repo directory beside RepoDir.
	ConfigsDir string
	// RepoURL and ConfigsURL are the repositories' git URLs, as Argo CD
	// clones them.
	RepoURL    string
	ConfigsURL string
	// Cluster names argo-apps/clusters/<cluster>; several names separated
	// by commas declare several clusters (see Servers).
	Cluster string
	// Servers are NAME=URL pairs: the API server of a cluster of Cluster.
	// Every cluster but the first needs one; the first is the cluster Argo
	// CD runs in.
	Servers []string
	// Registry is the image registry prefix, e.g. ghcr.io/acme.
	Registry string
	// Platform also creates wrapper charts and Applications for the
	// monitoring and tools components (see Platform).
	Platform bool
	// Git initialises both directories as git repositories and commits.
	Git bool
	// Force writes into non-empty directories, replacing files it creates.
	Force bool
	// Now stamps the commits; Getenv reads GIT_AUTHOR_* / GIT_COMMITTER_*.
	Now    func() time.Time
	Getenv func(string) string

	repoURLGuessed, configsURLGuessed bool            // set by complete
	clusters                          []ClusterTarget // set by complete
}

// RepoResult describes what was written to one repository.
type RepoResult struct {
	Dir    string   `json:"dir"`
	Files  []string `json:"files"`
	Commit string   `json:"commit,omitempty"`

	// URL is the git URL Argo CD clones the repository from; URLGuessed
	// is set when it was derived from the registry, not given.
	URL        string `json:"url"`
	URLGuessed bool   `json:"urlGuessed,omitempty"`
}

// InitResult is what Init created.
type InitResult struct {
	Cluster string `json:"cluster"`
	// Clusters are the clusters .gitopsctl.yaml declares (clusters:);
	// empty when it names one in-cluster cluster with cluster:.
	Clusters []InitCluster `json:"clusters,omitempty"`
	Projects []string      `json:"projects"`
	Platform []string      `json:"platform,omitempty"`
	Repo     RepoResult    `json:"gitopsRepo"`
	Configs  RepoResult    `json:"configsRepo"`
}

// Init creates a gitops-repo and configs-repo pair in the seed's layout.
func Init(ctx context.Context, o InitOptions) (*InitResult, error) {
	if err := o.complete(); err != nil {
		return nil, err
	}
	var author, committer object.Signature
	if o.Git {
		var err error
		if author, committer, err = gitx.Identities(o.RepoDir, gitx.IdentityOptions{Getenv: o.Getenv}); err != nil {
			return nil, fmt.Errorf("init --git: %w", err)
		}
		for _, dir := range []string{o.RepoDir, o.ConfigsDir} {
			if err := checkIndexLock(dir); err != nil {
				return nil, fmt.Errorf("init --git: %w", err)
			}
		}
	}
	repoFiles, err := o.repoFiles()
	if err != nil {
		return nil, err
	}
	configsFiles, err := o.configsFiles()
	if err != nil {
		return nil, err
	}
	var platform []string
	if o.Platform {
		pf, names, err := platformFiles(o.Cluster, o.RepoURL)
		if err != nil {
			return nil, err
		}
		repoFiles = append(repoFiles, pf...)
		platform = names
	}
	if o.declaresClusters() {
		if repoFiles, err = o.addClusters(repoFiles); err != nil {
			return nil, err
		}
	}
	if err := validateFiles(repoFiles); err != nil {
		return nil, fmt.Errorf("init: generated files are invalid: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}

	t, err := writePair(ctx, o.Force, o.RepoDir, repoFiles, o.ConfigsDir, configsFiles)
	if err != nil {
		return nil, fmt.Errorf("init: %w", err)
	}
	res := &InitResult{
		Cluster:  o.Cluster,
		Clusters: o.initClusters(),
		Projects: append([]string(nil), layout.Projects...),
		Platform: platform,
		Repo:     RepoResult{Dir: o.RepoDir, URL: o.RepoURL, URLGuessed: o.repoURLGuessed, Files: t.written(o.RepoDir)},
		Configs:  RepoResult{Dir: o.ConfigsDir, URL: o.ConfigsURL, URLGuessed: o.configsURLGuessed, Files: t.written(o.ConfigsDir)},
	}
	if o.Git {
		author.When = o.Now()
		committer.When = author.When
		var commits []*gitx.InitCommit
		for _, r := range []*RepoResult{&res.Repo, &res.Configs} {
			if ctx.Err() != nil {
				for _, c := range commits {
					c.Undo()
				}
				t.rollback()
				return nil, fmt.Errorf("init: %w", interrupted(ctx))
			}
			gc, err := gitx.InitAndCommit(r.Dir, r.Files, "Initial layout (gitopsctl init)", author, committer)
			commits = append(commits, gc)
			if err != nil {
				for _, c := range commits {
					c.Undo()
				}
				t.rollback()
				return nil, fmt.Errorf("init: %w", err)
			}
			r.Commit = gc.Hash
		}
	}
	t.cleanup()
	return res, nil
}

func (o *InitOptions) complete() error {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Getenv == nil {
		o.Getenv = os.Getenv
	}
	if err := o.parseClusters(); err != nil {
		return err
	}
	if o.RepoDir == "" {
		return errors.New("init: no gitops-repo directory")
	}
	o.RepoDir = filepath.Clean(o.RepoDir)
	if o.ConfigsDir == "" {
		o.ConfigsDir = filepath.Join(filepath.Dir(o.RepoDir), "configs-repo")
	}
	o.ConfigsDir = filepath.Clean(o.ConfigsDir)
	if o.RepoDir == o.ConfigsDir || within(o.RepoDir, o.ConfigsDir) || within(o.ConfigsDir, o.RepoDir) {
		return flagError("init: the gitops-repo (%s) and the configs-repo (%s) must be separate directories, neither inside the other", o.RepoDir, o.ConfigsDir)
	}
	if o.Registry != "" {
		if err := checkImageRef(o.Registry); err != nil {
			return flagError("--registry: %w", err)
		}
	}
	owner := ghcrOwner(o.Registry)
	for _, u := range []struct {
		flag, dir string
		val       *string
		guessed   *bool
	}{{"--repo-url", o.RepoDir, &o.RepoURL, &o.repoURLGuessed}, {"--configs-url", o.ConfigsDir, &o.ConfigsURL, &o.configsURLGuessed}} {
		if *u.val == "" && owner != "" {
			*u.val = "https://github.com/" + owner + "/" + filepath.Base(u.dir) + ".git"
			*u.guessed = true
		}
		if *u.val == "" {
			return flagError("init: %s is required (it can only be derived from a --registry of the form ghcr.io/OWNER)", u.flag)
		}
		if err := checkRepoURL(*u.val); err != nil {
			return flagError("%s: %w", u.flag, err)
		}
	}
	if o.RepoURL == o.ConfigsURL {
		return flagError("init: --repo-url and --configs-url are both %s: the two repositories must differ", o.RepoURL)
	}
	if !o.Force {
		for _, d := range []struct{ what, dir string }{{"gitops-repo", o.RepoDir}, {"configs-repo", o.ConfigsDir}} {
			if err := checkEmptyDir(d.dir); err != nil {
				return fmt.Errorf("init: %s %s: %w (use --force to write into it)", d.what, d.dir, err)
			}
		}
	}
	return nil
}

// within reports whether p lies inside dir.
func within(p, dir string) bool {
	rel, err := filepath.Rel(dir, p)
	return err == nil && rel != "." && !strings.HasPrefix(rel, "..")
}

// checkEmptyDir accepts a missing directory or one holding nothing but .git.
func checkEmptyDir(dir string) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			return pe.Err
		}
		return err
	}
	for _, e := range entries {
		if e.Name() != ".git" {
			return fmt.Errorf("directory is not empty (it holds %s)", e.Name())
		}
	}
	return nil
}

// ghcrOwner returns OWNER for a registry ghcr.io/OWNER, else "".
func ghcrOwner(registry string) string {
	rest, ok := strings.CutPrefix(registry, "ghcr.io/")
	if !ok || rest == "" || strings.Contains(rest, "/") {
		return ""
	}
	return rest
}

func checkRepoURL(u string) error {
	switch {
	case strings.ContainsAny(u, " \t\n"):
		return fmt.Errorf("%q contains whitespace", u)
	case strings.HasPrefix(u, "https://"), strings.HasPrefix(u, "http://"), strings.HasPrefix(u, "ssh://"),
		strings.HasPrefix(u, "git@"), strings.HasPrefix(u, "file://"):
		return nil
	}
	return fmt.Errorf("%q is not a git URL (https://, ssh://, git@host:path or file://)", u)
}

type projectData struct {
	Name, Description string
	SourceRepos       []string
	Destinations      []destination
	ClusterResources  []groupKind
}

type destination struct{ Server, Namespace string }

type groupKind struct{ Group, Kind string }

var projectDescriptions = map[string]string{
	"app":        "the services: one multi-source Application per service",
	"monitoring": "monitoring components (prometheus, thanos, loki, alloy, grafana)",
	"tools":      "shared tools (kafka, sealed-secrets)",
}

func (o *InitOptions) repoFiles() ([]file, error) {
	rel, err := filepath.Rel(o.RepoDir, o.ConfigsDir)
	if err != nil {
		rel = o.ConfigsDir
	}
	cfg := config.Config{
		Cluster:     o.Cluster,
		GitopsRepo:  config.Repo{URL: o.RepoURL},
		ConfigsRepo: config.Repo{URL: o.ConfigsURL, Path: filepath.ToSlash(rel)},
		Registry:    o.Registry,
		Sealing:     config.Sealing{Cert: "sealed-secrets.pem", Scope: config.DefaultScope},
		Capabilities: config.Capabilities{
			KubeVersion: config.DefaultKubeVersion,
			APIVersions: append([]string(nil), config.DefaultAPIVersions...),
		},
	}
	cb, err := config.Marshal(cfg)
	if err != nil {
		return nil, fmt.Errorf("init: %s: %w", layout.ConfigFileName, err)
	}
	files := []file{{Path: layout.ConfigFileName, Data: append([]byte(configHeader), cb...)}}
	root, err := execTemplate(templates.RootApp, struct{ RepoURL, Revision, Server string }{o.RepoURL, DefaultRevision, InClusterServer})
	if err != nil {
		return nil, err
	}
	files = append(files, file{Path: layout.RootAppFile, Data: root})
	for _, p := range layout.Projects {
		d := projectData{Name: p, Description: projectDescriptions[p], SourceRepos: []string{o.RepoURL, o.ConfigsURL},
			Destinations: []destination{{InClusterServer, "*"}}}
		if p == "app" {
			// Services only need their namespace created (CreateNamespace=true).
			d.ClusterResources = []groupKind{{"", "Namespace"}}
		} else {
			// Platform charts bring CRDs, ClusterRoles and the like.
			d.ClusterResources = []groupKind{{"*", "*"}}
		}
		b, err := execTemplate(templates.AppProject, d)
		if err != nil {
			return nil, err
		}
		files = append(files, file{Path: layout.ProjectsDir + "/" + p + ".yaml", Data: b})
		files = append(files, file{Path: layout.AppsDir + "/clusters/" + o.Cluster + "/" + p + "/.gitkeep"})
	}
	files = append(files, file{Path: layout.ChartsDir + "/.gitkeep"})
	return files, nil
}

// configsFiles are the configs-repo's .gitignore and README.md. With
// --force an existing .gitignore gets the missing patterns appended and an
// existing README.md is kept.
func (o *InitOptions) configsFiles() ([]file, error) {
	gi := []byte(layout.ConfigsGitignore)
	old, err := os.ReadFile(filepath.Join(o.ConfigsDir, ".gitignore"))
	switch {
	case err == nil:
		have := map[string]bool{}
		for _, l := range strings.Split(string(old), "\n") {
			have[strings.TrimSpace(l)] = true
		}
		var missing []string
		for _, l := range strings.Split(layout.ConfigsGitignore, "\n") {
			if l != "" && !strings.HasPrefix(l, "#") && !have[l] {
				missing = append(missing, l)
			}
		}
		gi = old
		if len(missing) > 0 {
			if len(gi) > 0 && gi[len(gi)-1] != '\n' {
				gi = append(gi, '\n')
			}
			gi = append(gi, "# gitopsctl: plaintext secrets live only on the machine that seals them.\n"+strings.Join(missing, "\n")+"\n"...)
		}
	case !errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("init: %w", err)
	}
	files := []file{{Path: ".gitignore", Data: gi}}
	if _, err := os.Stat(filepath.Join(o.ConfigsDir, "README.md")); errors.Is(err, fs.ErrNotExist) {
		files = append(files, file{Path: "README.md", Data: []byte(configsReadme)})
	}
	return files, nil
}

const configHeader = `# gitopsctl configuration, read from the gitops-repo root.
# configsRepo.path is relative to this repository; sealing.cert is the
# sealed-secrets controller's public certificate (a file here or an https URL);
# capabilities stand in for the cluster when gitopsctl renders charts offline.
`

const configsReadme = `# configs-repo

Environment values of the services deployed from the gitops-repo, one
directory per service:

- ` + "`<service>/config.yaml`" + ` — plain env vars (` + "`config:`" + `), rendered into the
  service's ConfigMap.
- ` + "`<service>/secrets.yaml`" + ` — sealed env vars (` + "`sealedSecrets:`" + `), rendered
  into the service's SealedSecret. Safe to commit.

Plaintext secrets (` + "`*.local.env`" + `) stay on the machine that seals them and
are ignored by git. Manage the values with ` + "`gitopsctl env`" + ` and ` + "`gitopsctl seal`" + `.
`
