// Package appset turns an Argo CD ApplicationSet into the Applications its
// controller would create, offline: the list, clusters, git (directories
// and files), matrix and merge generators, the post-generator selector,
// the template (fasttemplate "{{ param }}" or goTemplate with Sprig), the
// generators' own templates, and templatePatch. Generators that need a
// live service (scmProvider, pullRequest, clusterDecisionResource,
// plugin) are an error naming the generator.
//
// The rules follow Argo CD's ApplicationSet controller
// (applicationset/generators, applicationset/utils,
// applicationset/controllers/template); each function cites the file it
// follows, and docs/applicationset-rules.md lists them with their tests.
package appset

import (
	"github.com/gitopsctl/gitopsctl/internal/argo"

	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strings"
)

// Argo CD's name and address of the cluster it runs in.
const (
	InClusterName   = argo.InClusterName
	InClusterServer = argo.InClusterURL
)

// SecretTypeLabel is the label every Argo CD cluster secret carries
// (value "cluster"); the clusters generator's selector and metadata.labels
// see it.
const SecretTypeLabel = "argocd.argoproj.io/secret-type"

// Cluster is a cluster declared to Argo CD (a cluster secret).
type Cluster struct {
	Name        string
	Server      string
	Project     string
	Labels      map[string]string
	Annotations map[string]string
}

// Repo is a repository at the revision a git generator asks for.
type Repo struct {
	// FS holds the repository's files, slash paths from its root.
	FS fs.FS
	// ID names the repository in File (render uses its directory).
	ID string
}

// Options are what generating needs from outside the manifest.
type Options struct {
	// Clusters are the clusters declared to Argo CD (cluster secrets). The
	// cluster Argo CD runs in (in-cluster) is added by the clusters
	// generator unless one of them has its server address.
	Clusters []Cluster
	// Git opens repoURL at revision (a git generator's repoURL and
	// revision); nil: git generators are an error.
	Git func(repoURL, revision string) (Repo, error)
}

// File is a file a generated Application's parameters were read from.
type File struct {
	Repo string `json:"repo"`
	Path string `json:"path"`
}

// App is one generated Application.
type App struct {
	Name string
	// Object is the Application manifest (apiVersion, kind, metadata, spec).
	Object map[string]any
	// Files are the files its parameters came from (git files generator).
	Files []File
}

// Error is a problem with one ApplicationSet.
type Error struct {
	AppSet string
	Err    error
}

func (e *Error) Error() string { return fmt.Sprintf("ApplicationSet %s: %v", e.AppSet, e.Err) }
func (e *Error) Unwrap() error { return e.Err }

// LiveGeneratorError is a generator that needs a live service.
type LiveGeneratorError struct{ Generator string }

func (e *LiveGeneratorError) Error() string {
	return fmt.Sprintf("generator %s needs a live service (%s) and cannot be rendered offline", e.Generator, liveNeeds[e.Generator])
}

var liveNeeds = map[string]string{
	"scmProvider":             "an SCM provider's API",
	"pullRequest":             "an SCM provider's pull requests",
	"clusterDecisionResource": "a cluster decision resource in the cluster",
	"plugin":                  "a plugin service",
}

// spec is the part of an ApplicationSet generating reads.
type spec struct {
	GoTemplate        bool              `json:"goTemplate"`
	GoTemplateOptions []string          `json:"goTemplateOptions"`
	Generators        []json.RawMessage `json:"generators"`
	Template          map[string]any    `json:"template"`
	TemplatePatch     *string           `json:"templatePatch"`
	SyncPolicy        *struct {
		PreserveResourcesOnDeletion bool `json:"preserveResourcesOnDeletion"`
	} `json:"syncPolicy"`
}

// ResourcesFinalizer is the finalizer a generated Application gets when its
// template has none (and resources are not preserved on deletion).
const ResourcesFinalizer = "resources-finalizer.argocd.argoproj.io"

// Generate returns the Applications the ApplicationSet obj generates,
// sorted by name. A generator's or template's failure is an *Error and no
// Application (Argo CD then leaves the set as it was); an Application
// without a name or with the name of another is an *Error and the others
// are returned (Argo CD creates those).
func Generate(obj map[string]any, o Options) ([]App, error) {
	name, ns := "", ""
	if md, ok := obj["metadata"].(map[string]any); ok {
		name, _ = md["name"].(string)
		ns, _ = md["namespace"].(string)
	}
	wrap := func(err error) error { return &Error{AppSet: name, Err: err} }
	raw, err := json.Marshal(obj["spec"])
	if err != nil {
		return nil, wrap(err)
	}
	var sp spec
	if err := json.Unmarshal(raw, &sp); err != nil {
		return nil, wrap(fmt.Errorf("spec: %w", err))
	}
	if len(sp.Generators) == 0 {
		return nil, wrap(errors.New("spec.generators is empty"))
	}
	if sp.GoTemplate {
		if err := checkOptions(sp.GoTemplateOptions); err != nil {
			return nil, wrap(err)
		}
	}
	if sp.TemplatePatch != nil && !sp.GoTemplate {
		return nil, wrap(errors.New("templatePatch needs goTemplate: true"))
	}
	g := &gen{o: o, goTemplate: sp.GoTemplate, opts: sp.GoTemplateOptions}
	var apps []App
	for i, rawGen := range sp.Generators {
		results, err := g.transform(rawGen, sp.Template, nil, 0)
		if err != nil {
			return nil, wrap(fmt.Errorf("spec.generators[%d]: %w", i, err))
		}
		for _, r := range results {
			tmpl := tempApplication(r.template)
			for _, p := range r.params {
				app, err := renderApp(tmpl, p.values, sp.GoTemplate, sp.GoTemplateOptions)
				if err != nil {
					return nil, wrap(fmt.Errorf("spec.generators[%d]: template: %w", i, err))
				}
				if sp.TemplatePatch != nil {
					patch, err := replace(*sp.TemplatePatch, p.values, sp.GoTemplate, sp.GoTemplateOptions)
					if err != nil {
						return nil, wrap(fmt.Errorf("spec.generators[%d]: templatePatch: %w", i, err))
					}
					if app, err = applyPatch(app, patch); err != nil {
						return nil, wrap(fmt.Errorf("spec.generators[%d]: templatePatch: %w", i, err))
					}
				}
				preserve := sp.SyncPolicy != nil && sp.SyncPolicy.PreserveResourcesOnDeletion
				apps = append(apps, finish(app, ns, preserve, p.files))
			}
		}
	}
	return validate(name, apps)
}

// tempApplication is the Application a template describes: its
// metadata's name, namespace, labels, annotations and finalizers, and its
// spec (GetTempApplication in applicationset/controllers/template).
func tempApplication(tmpl map[string]any) map[string]any {
	app := map[string]any{}
	md := map[string]any{}
	if m, ok := tmpl["metadata"].(map[string]any); ok {
		for _, k := range []string{"name", "namespace", "labels", "annotations", "finalizers"} {
			if v, ok := m[k]; ok && v != nil {
				md[k] = v
			}
		}
	}
	app["metadata"] = md
	if s, ok := tmpl["spec"]; ok && s != nil {
		app["spec"] = s
	} else {
		app["spec"] = map[string]any{}
	}
	return app
}

// renderApp renders the template with one parameter set; an empty set
// leaves the template as written (Render.RenderTemplateParams).
func renderApp(tmpl map[string]any, params map[string]any, goTemplate bool, opts []string) (map[string]any, error) {
	if len(params) == 0 {
		return deepCopy(tmpl).(map[string]any), nil
	}
	v, err := renderValue(tmpl, params, goTemplate, opts)
	if err != nil {
		return nil, err
	}
	return v.(map[string]any), nil
}

// finish sets what the controller sets on every generated Application: its
// kind, the ApplicationSet's namespace, and the resources finalizer when it
// has none (Render.RenderTemplateParams, GenerateApplications).
func finish(app map[string]any, ns string, preserve bool, files []File) App {
	md, _ := app["metadata"].(map[string]any)
	if md == nil {
		md = map[string]any{}
	}
	if ns != "" {
		md["namespace"] = ns
	} else {
		delete(md, "namespace")
	}
	if f, _ := md["finalizers"].([]any); len(f) == 0 && !preserve {
		md["finalizers"] = []any{ResourcesFinalizer}
	}
	out := map[string]any{"apiVersion": "argoproj.io/v1alpha1", "kind": "Application", "metadata": md, "spec": app["spec"]}
	name, _ := md["name"].(string)
	return App{Name: name, Object: out, Files: dedupFiles(files)}
}

// validate drops, with an error, Applications without a name and those
// named like an earlier one (validateGeneratedApplications in
// applicationset/controllers/applicationset_controller.go), and sorts the
// rest by name.
func validate(set string, apps []App) ([]App, error) {
	seen := map[string]bool{}
	var ok []App
	var errs []string
	for _, a := range apps {
		switch {
		case a.Name == "":
			errs = append(errs, "an Application has no name (set the template's metadata.name)")
		case seen[a.Name]:
			errs = append(errs, fmt.Sprintf("Application name %q is generated more than once", a.Name))
		default:
			seen[a.Name] = true
			ok = append(ok, a)
		}
	}
	sort.SliceStable(ok, func(i, j int) bool { return ok[i].Name < ok[j].Name })
	if len(errs) > 0 {
		return ok, &Error{AppSet: set, Err: errors.New(strings.Join(dedupStrings(errs), "; "))}
	}
	return ok, nil
}

func dedupStrings(in []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range in {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

func dedupFiles(in []File) []File {
	seen := map[File]bool{}
	var out []File
	for _, f := range in {
		if !seen[f] {
			seen[f] = true
			out = append(out, f)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Repo != out[j].Repo {
			return out[i].Repo < out[j].Repo
		}
		return out[i].Path < out[j].Path
	})
	return out
}

func deepCopy(v any) any {
	switch t := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, x := range t {
			out[k] = deepCopy(x)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, x := range t {
			out[i] = deepCopy(x)
		}
		return out
	case map[string]string:
		out := make(map[string]any, len(t))
		for k, x := range t {
			out[k] = x
		}
		return out
	default:
		return v
	}
}
