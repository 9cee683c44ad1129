package check

import (
	"fmt"
	"strings"

	"github.com/gitopsctl/gitopsctl/internal/argo"
	"github.com/gitopsctl/gitopsctl/internal/manifest"
)

// InClusterName is the name Argo CD gives the cluster it runs in.
const InClusterName = "in-cluster"

// clusterScoped are the built-in cluster-scoped kinds by group. Kinds not
// listed (including unknown custom resources) count as namespaced, unless
// the app renders a CustomResourceDefinition saying otherwise.
var clusterScoped = map[string][]string{
	"":                             {"Namespace", "Node", "PersistentVolume", "ComponentStatus"},
	"rbac.authorization.k8s.io":    {"ClusterRole", "ClusterRoleBinding"},
	"apiextensions.k8s.io":         {"CustomResourceDefinition"},
	"apiregistration.k8s.io":       {"APIService"},
	"storage.k8s.io":               {"StorageClass", "CSIDriver", "CSINode", "VolumeAttachment", "VolumeAttributesClass"},
	"scheduling.k8s.io":            {"PriorityClass"},
	"networking.k8s.io":            {"IngressClass", "IPAddress", "ServiceCIDR"},
	"node.k8s.io":                  {"RuntimeClass"},
	"certificates.k8s.io":          {"CertificateSigningRequest", "ClusterTrustBundle"},
	"admissionregistration.k8s.io": {"ValidatingWebhookConfiguration", "MutatingWebhookConfiguration", "ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding", "MutatingAdmissionPolicy", "MutatingAdmissionPolicyBinding"},
	"flowcontrol.apiserver.k8s.io": {"FlowSchema", "PriorityLevelConfiguration"},
	"resource.k8s.io":              {"DeviceClass"},
	"policy":                       {"PodSecurityPolicy"},
	"argoproj.io":                  {"ClusterAnalysisTemplate", "ClusterWorkflowTemplate"},
}

var clusterScopedSet = func() map[[2]string]bool {
	m := map[[2]string]bool{}
	for g, ks := range clusterScoped {
		for _, k := range ks {
			m[[2]string{g, k}] = true
		}
	}
	return m
}()

// normalizeRepoURL compares repository URLs the way Argo CD does, loosely:
// case-insensitive, without a trailing slash or ".git".
func normalizeRepoURL(u string) string {
	u = strings.ToLower(strings.TrimSpace(u))
	u = strings.TrimSuffix(u, "/")
	u = strings.TrimSuffix(u, ".git")
	return u
}

// SourcePermitted reports whether a project admits a source repository
// (Argo CD AppProject.IsSourcePermitted): some pattern must match, and a
// "!" pattern that the URL matches denies it.
func SourcePermitted(p *argo.AppProject, repoURL string) bool {
	src := normalizeRepoURL(repoURL)
	matched := false
	for _, pat := range p.Spec.SourceRepos {
		var n string
		if isDeny(pat) {
			n = "!" + normalizeRepoURL(pat[1:])
		} else {
			n = normalizeRepoURL(pat)
		}
		if globMatch(n, src, true, '/') {
			matched = true
		} else if isDeny(n) {
			return false
		}
	}
	return matched
}

// completeDest fills the in-cluster name from its server URL and back.
func completeDest(d argo.ApplicationDestination) argo.ApplicationDestination {
	switch {
	case d.Server == "" && d.Name == InClusterName:
		d.Server = argo.InClusterURL
	case d.Name == "" && d.Server == argo.InClusterURL:
		d.Name = InClusterName
	}
	return d
}

// DestinationPermitted reports whether a project admits a destination
// (Argo CD AppProject.isDestinationMatched): server or name and namespace
// must match some entry; a "!" entry that matches denies.
func DestinationPermitted(p *argo.AppProject, d argo.ApplicationDestination) bool {
	d = completeDest(d)
	matched := false
	for _, item := range p.Spec.Destinations {
		nameOK := d.Name != "" && globMatch(item.Name, d.Name, true, 0)
		serverOK := d.Server != "" && globMatch(item.Server, d.Server, true, 0)
		nsOK := globMatch(item.Namespace, d.Namespace, true, 0)
		switch {
		case (serverOK || nameOK) && nsOK:
			matched = true
		case ((!nameOK && isDeny(item.Name)) || (!serverOK && isDeny(item.Server))) && nsOK:
			return false
		case !nsOK && isDeny(item.Namespace) && serverOK:
			return false
		}
	}
	return matched
}

func inList(group, kind string, list []argo.GroupKind) bool {
	for _, gk := range list {
		if globMatch(gk.Group, group, false, 0) && globMatch(gk.Kind, kind, false, 0) {
			return true
		}
	}
	return false
}

// KindPermitted reports whether a project admits a kind (Argo CD
// AppProject.IsGroupKindPermitted): namespaced kinds need the namespace
// whitelist (none set admits all) and not the blacklist; cluster-scoped
// kinds need the cluster whitelist (empty admits none) and not the blacklist.
func KindPermitted(p *argo.AppProject, group, kind string, namespaced bool) bool {
	s := p.Spec
	if namespaced {
		white := s.NamespaceResourceWhitelist == nil || (len(s.NamespaceResourceWhitelist) > 0 && inList(group, kind, s.NamespaceResourceWhitelist))
		return white && !inList(group, kind, s.NamespaceResourceBlacklist)
	}
	return inList(group, kind, s.ClusterResourceWhitelist) && !inList(group, kind, s.ClusterResourceBlacklist)
}

// defaultProject is what Argo CD creates as "default": everything allowed.
func defaultProject() *argo.AppProject {
	p := &argo.AppProject{}
	p.Name = argo.DefaultProj
	p.Spec.SourceRepos = []string{"*"}
	p.Spec.Destinations = []argo.ApplicationDestination{{Server: "*", Namespace: "*", Name: "*"}}
	p.Spec.ClusterResourceWhitelist = []argo.GroupKind{{Group: "*", Kind: "*"}}
	return p
}

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
		p = defaultProject()
	}
	var out []Problem
	for i, src := range a.Spec.GetSources() {
		if !SourcePermitted(p, src.RepoURL) {
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
	if !DestinationPermitted(p, dest) {
		out = append(out, prob(where("$.spec.destination", "destination:"), "destination %s is not permitted by project %q", destString(dest), name))
	}
	// Scope of kinds from CRDs the app renders itself.
	crdScope := map[[2]string]bool{}
	for _, o := range in.Objects {
		gvk := o.GVK()
		if gvk.Group == "apiextensions.k8s.io" && gvk.Kind == "CustomResourceDefinition" {
			g, _ := dig(o.Object.Object, "spec", "group").(string)
			k, _ := dig(o.Object.Object, "spec", "names", "kind").(string)
			scope, _ := dig(o.Object.Object, "spec", "scope").(string)
			crdScope[[2]string{g, k}] = scope == "Cluster"
		}
	}
	nsSeen := map[string]bool{dest.Namespace: true}
	for _, o := range in.Objects {
		gvk := o.GVK()
		gk := [2]string{gvk.Group, gvk.Kind}
		cluster, ok := crdScope[gk]
		if !ok {
			cluster = clusterScopedSet[gk]
		}
		file := ""
		if in.ObjectFile != nil {
			file = in.ObjectFile(o)
		}
		kindName := gvk.Kind
		if gvk.Group != "" {
			kindName = gvk.Kind + "." + gvk.Group
		}
		if !KindPermitted(p, gvk.Group, gvk.Kind, !cluster) {
			msg := fmt.Sprintf("namespaced kind %s is not permitted by project %q (namespaceResourceWhitelist/Blacklist)", kindName, name)
			if cluster {
				msg = fmt.Sprintf("cluster-scoped kind %s is not in the clusterResourceWhitelist of project %q", kindName, name)
			}
			out = append(out, Problem{Class: ClassProject, App: a.Name, Repo: RepoGitops, File: file, Object: refOf(o), Message: msg})
		}
		if ns := o.Object.GetNamespace(); !cluster && ns != "" && !nsSeen[ns] {
			nsSeen[ns] = true
			if !DestinationPermitted(p, argo.ApplicationDestination{Server: dest.Server, Name: dest.Name, Namespace: ns}) {
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
