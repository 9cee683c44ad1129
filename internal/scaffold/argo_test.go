package scaffold

import (
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gitopsctl/gitopsctl/internal/argo"
	"github.com/gitopsctl/gitopsctl/internal/config"
	"github.com/gitopsctl/gitopsctl/internal/layout"
)

// The generated Applications and AppProjects decode into the Argo CD types
// and reference each other consistently: every Application's project
// exists, allows all its source repos and its destination, and every path
// and value file it names exists.
func TestApplicationsAndProjectsAreConsistent(t *testing.T) {
	p := initPair(t, func(o *InitOptions) { o.Platform = true })
	p.newService(t, "backend")
	p.newService(t, "kafka-ui", func(o *ServiceOptions) { o.Project, o.Namespace = "tools", "kafka" })

	cfg, err := config.Load(config.Options{Dir: p.repo})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.ConfigsDir != p.configs || cfg.ConfigsRepo.Path != "../configs-repo" || cfg.Cluster != "prod" {
		t.Errorf("config: configs %s (path %q), cluster %s", cfg.ConfigsDir, cfg.ConfigsRepo.Path, cfg.Cluster)
	}

	projects := map[string]*argo.AppProject{}
	for _, name := range layout.Projects {
		b, err := os.ReadFile(filepath.Join(p.repo, layout.ProjectsDir, name+".yaml"))
		if err != nil {
			t.Fatal(err)
		}
		proj, err := argo.DecodeAppProject(b)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if proj.Name != name || proj.Namespace != "argocd" {
			t.Errorf("project %s named %s/%s", name, proj.Namespace, proj.Name)
		}
		if len(proj.Spec.SourceRepos) != 2 || !argo.SourcePermitted(proj, testRepoURL) || !argo.SourcePermitted(proj, testConfigsURL) {
			t.Errorf("project %s sourceRepos %v", name, proj.Spec.SourceRepos)
		}
		projects[name] = proj
	}

	// root-app: App of Apps over argo-apps/, recursively.
	b, err := os.ReadFile(filepath.Join(p.repo, layout.RootAppFile))
	if err != nil {
		t.Fatal(err)
	}
	root, err := argo.DecodeApplication(b)
	if err != nil {
		t.Fatal(err)
	}
	src := root.Spec.Source
	if src == nil || src.Path != layout.AppsDir || src.Directory == nil || !src.Directory.Recurse || src.RepoURL != testRepoURL {
		t.Errorf("root-app source %+v", src)
	}

	apps := 0
	err = filepath.WalkDir(filepath.Join(p.repo, layout.AppsDir, "clusters"), func(f string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Ext(f) != ".yaml" {
			return err
		}
		apps++
		b, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		app, err := argo.DecodeApplication(b)
		if err != nil {
			t.Errorf("%s: %v", f, err)
			return nil
		}
		rel, _ := filepath.Rel(p.repo, f)
		dirProject := filepath.Base(filepath.Dir(f))
		if app.Name+".yaml" != filepath.Base(f) || app.Spec.Project != dirProject || app.Namespace != "argocd" {
			t.Errorf("%s: name %s project %s namespace %s", rel, app.Name, app.Spec.Project, app.Namespace)
		}
		proj := projects[app.Spec.Project]
		if proj == nil {
			t.Errorf("%s: project %q does not exist", rel, app.Spec.Project)
			return nil
		}
		if !argo.DestinationPermitted(proj, app.Spec.Destination) {
			t.Errorf("%s: destination %+v not allowed by project %s", rel, app.Spec.Destination, proj.Name)
		}
		refs := map[string]string{}
		for _, s := range app.Spec.GetSources() {
			if !argo.SourcePermitted(proj, s.RepoURL) {
				t.Errorf("%s: source %s not allowed by project %s", rel, s.RepoURL, proj.Name)
			}
			if s.Ref != "" {
				refs[s.Ref] = s.RepoURL
			}
		}
		for _, s := range app.Spec.GetSources() {
			if s.Path == "" {
				continue
			}
			chartDir := filepath.Join(p.repo, filepath.FromSlash(s.Path))
			if _, err := os.Stat(filepath.Join(chartDir, "Chart.yaml")); err != nil {
				t.Errorf("%s: chart %s: %v", rel, s.Path, err)
			}
			if s.Helm == nil {
				t.Errorf("%s: no helm options", rel)
				continue
			}
			for _, vf := range s.Helm.ValueFiles {
				var file string
				if strings.HasPrefix(vf, "$") {
					ref, rest, _ := strings.Cut(vf[1:], "/")
					if refs[ref] != testConfigsURL {
						t.Errorf("%s: value file %s refers to unknown source $%s", rel, vf, ref)
						continue
					}
					file = filepath.Join(p.configs, filepath.FromSlash(rest))
				} else {
					file = filepath.Join(chartDir, filepath.FromSlash(path.Clean(vf)))
				}
				if _, err := os.Stat(file); err != nil {
					t.Errorf("%s: value file %s: %v", rel, vf, err)
				}
			}
		}
		if app.Spec.Project == "app" || app.Name == "kafka-ui" {
			want := []string{"values.yaml", "$configs/" + app.Name + "/config.yaml", "$configs/" + app.Name + "/secrets.yaml"}
			srcs := app.Spec.Sources
			if len(srcs) != 2 || strings.Join(srcs[0].Helm.ValueFiles, ",") != strings.Join(want, ",") ||
				srcs[0].Path != "charts/"+app.Name || srcs[1].Ref != "configs" || srcs[1].Path != "" {
				t.Errorf("%s: sources %+v", rel, srcs)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := len(Platform) + 2; apps != want {
		t.Errorf("%d Applications, want %d", apps, want)
	}
}
