package check

import (
	"fmt"
	"strings"

	"github.com/gitopsctl/gitopsctl/internal/argo"
	"github.com/gitopsctl/gitopsctl/internal/manifest"
)

// ProjectInput is what the AppProject rules need about one app.
type ProjectInput struct {
	App *argo.Application
	// Repo and File locate the Application manifest, Line its first line;
	// FieldLine (optional) finds a field's line by YAML path, else Source
	// (the file's text, optional) is searched.
	Repo      string
	File      string
	Line      int
	FieldLine func(yamlPath string) int
	Source    []byte
	// Objects are the rendered objects (nil when rendering failed).
	Objects []manifest.Object
	// ObjectFile maps a rendered object to its template file.
	ObjectFile func(manifest.Object) string
}

// ProjectProblems checks an app against its AppProject (found in projects
// by name; "default" when absent from the repository allows everything).
func ProjectProblems(in ProjectInput, projects map[string]*argo.AppProject) []Problem {
	a := in.App
	name := a.Spec.Project
	if name == "" {
		name = argo.DefaultProj
	}
	repo := in.Repo
	if repo == "" {
		repo = RepoGitops
	}
	prob := func(line int, format string, args ...any) Problem {
		return Problem{Class: ClassProject, App: a.Name, Repo: repo, File: in.File, Line: line, Message: fmt.Sprintf(format, args...)}
	}
	// where finds the line of a field, by YAML path or by searching text.
	where := func(yamlPath, needle string) int {
		if in.FieldLine != nil {
			if l := in.FieldLine(yamlPath); l > 0 && l != in.Line {
				return l
			}
		}
		if l := lineOf(in.Source, needle); l > 0 {
			return l
		}
		return in.Line
	}
	p, ok := projects[name]
	if !ok {
		if name != argo.DefaultProj {
			return []Problem{prob(where("$.spec.project", "project:"), "project %q is not defined (no AppProject %q under argo-apps)", name, name)}
		}
		p = argo.DefaultProject()
	}
	var out []Problem
	for i, src := range a.Spec.GetSources() {
		if !argo.SourcePermitted(p, src.RepoURL) {
			yp := fmt.Sprintf("$.spec.sources[%d].repoURL", i)
			if !a.Spec.HasMultipleSources() {
				yp = "$.spec.source.repoURL"
			}
			what := "source"
			if src.Ref != "" {
				what = "ref source $" + src.Ref
			}
			out = append(out, prob(where(yp, src.RepoURL), "%s repository %s is not permitted by project %q (sourceRepos: %s)", what, src.RepoURL, name, strings.Join(p.Spec.SourceRepos, ", ")))
		}
	}
	dest := a.Spec.Destination
	if !argo.DestinationPermitted(p, dest) {
		out = append(out, prob(where("$.spec.destination", "destination:"), "destination %s is not permitted by project %q", destString(dest), name))
	}
	scopes := argo.ScopesOf(in.Objects)
	nsSeen := map[string]bool{dest.Namespace: true}
	for _, o := range in.Objects {
		gvk := o.GVK()
		cluster := scopes.ClusterScoped(gvk.Group, gvk.Kind)
		file := ""
		if in.ObjectFile != nil {
			file = in.ObjectFile(o)
		}
		kindName := gvk.Kind
		if gvk.Group != "" {
			kindName = gvk.Kind + "." + gvk.Group
		}
		if !argo.KindPermitted(p, gvk.Group, gvk.Kind, !cluster) {
			msg := fmt.Sprintf("namespaced kind %s is not permitted by project %q (namespaceResourceWhitelist/Blacklist)", kindName, name)
			if cluster {
				msg = fmt.Sprintf("cluster-scoped kind %s is not in the clusterResourceWhitelist of project %q", kindName, name)
			}
			out = append(out, Problem{Class: ClassProject, App: a.Name, Repo: RepoGitops, File: file, Object: refOf(o), Message: msg})
		}
		if ns := o.Object.GetNamespace(); !cluster && ns != "" && !nsSeen[ns] {
			nsSeen[ns] = true
			if !argo.DestinationPermitted(p, argo.ApplicationDestination{Server: dest.Server, Name: dest.Name, Namespace: ns}) {
				out = append(out, Problem{Class: ClassProject, App: a.Name, Repo: RepoGitops, File: file, Object: refOf(o),
					Message: fmt.Sprintf("namespace %s is not a permitted destination of project %q", ns, name)})
			}
		}
	}
	return out
}

func refOf(o manifest.Object) string { return objRef(o) }

func destString(d argo.ApplicationDestination) string {
	var parts []string
	if d.Server != "" {
		parts = append(parts, "server "+d.Server)
	}
	if d.Name != "" {
		parts = append(parts, "name "+d.Name)
	}
	ns := d.Namespace
	if ns == "" {
		ns = `""`
	}
	return strings.Join(parts, ", ") + ", namespace " + ns
}

// lineOf returns the 1-based line of the first occurrence of needle in src
// (0 when not found or src is nil).
func lineOf(src []byte, needle string) int {
	if len(src) == 0 || needle == "" {
		return 0
	}
	i := strings.Index(string(src), needle)
	if i < 0 {
		return 0
	}
	return strings.Count(string(src[:i]), "\n") + 1
}
