package render

import (
	"context"
	"strings"
	"testing"
)

const filesSet = `apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: {name: envs, namespace: argocd}
spec:
  goTemplate: true
  goTemplateOptions: ["missingkey=error"]
  generators:
  - matrix:
      generators:
      - git:
          repoURL: ` + gitopsURL + `
          revision: HEAD
          files: [{path: "envs/*/env.yaml"}]
      - list:
          elements: [{part: a}, {part: b}]
  template:
    metadata: {name: '{{.env}}-{{.part}}'}
    spec:
      project: default
      source: {repoURL: ` + gitopsURL + `, path: 'manifests/{{.part}}'}
      destination: {server: 'https://kubernetes.default.svc', namespace: '{{.env}}'}
`

const liveSet = `apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: {name: prs, namespace: argocd}
spec:
  generators:
  - pullRequest: {github: {owner: acme, repo: web}}
  template:
    metadata: {name: 'pr-{{number}}'}
    spec:
      project: default
      source: {repoURL: ` + gitopsURL + `, path: manifests/a}
      destination: {server: 'https://kubernetes.default.svc', namespace: pr}
`

func TestAppSetExpansion(t *testing.T) {
	cfg := setup(t, map[string]string{
		"gitops/argo-apps/envs.yaml":     filesSet,
		"gitops/argo-apps/prs.yaml":      liveSet,
		"gitops/argo-apps/plain.yaml":    app("plain", "  source: {repoURL: "+gitopsURL+", path: manifests/a}\n  destination: {server: https://kubernetes.default.svc, namespace: x}"),
		"gitops/envs/dev/env.yaml":       "env: dev\n",
		"gitops/envs/prod/env.yaml":      "env: prod\n",
		"gitops/manifests/a/cm.yaml":     "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n",
		"gitops/manifests/b/cm.yaml":     "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n",
		"gitops/manifests/b/secret.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b2}\n",
	})
	ws := open(t, cfg, Options{})
	var names []string
	for _, a := range ws.Apps() {
		names = append(names, a.Name+"<"+a.AppSet+">")
	}
	if got, want := strings.Join(names, " "), "dev-a<envs> dev-b<envs> plain<> prod-a<envs> prod-b<envs> root-app<>"; got != want {
		t.Fatalf("apps %s\nwant %s", got, want)
	}
	a := ws.App("prod-b")
	if a.File != "argo-apps/envs.yaml" || a.Line != 1 || a.Parent != "root-app" || a.Application.Spec.Destination.Namespace != "prod" {
		t.Fatalf("prod-b: file %s:%d parent %s dest %+v", a.File, a.Line, a.Parent, a.Application.Spec.Destination)
	}
	// Its inputs: the ApplicationSet, the file its parameters came from,
	// its own source; not the other environment's file.
	var ins []string
	for _, in := range ws.Inputs(a) {
		ins = append(ins, in.Path)
	}
	got := strings.Join(ins, " ")
	for _, want := range []string{"argo-apps/envs.yaml", "envs/prod/env.yaml", "manifests/b/cm.yaml"} {
		if !strings.Contains(got, want) {
			t.Errorf("inputs of prod-b lack %s: %s", want, got)
		}
	}
	if strings.Contains(got, "envs/dev/env.yaml") {
		t.Errorf("inputs of prod-b hold the dev file: %s", got)
	}
	// The live generator is an error of its ApplicationSet only.
	errs := ws.AppSetErrors()
	if len(errs) != 1 || !strings.Contains(errs[0].Error(), "ApplicationSet prs: argo-apps/prs.yaml:1: spec.generators[0]: generator pullRequest needs a live service") {
		t.Fatalf("appset errors: %v", errs)
	}
	if errs := ws.DiscoveryErrors(); len(errs) > 0 {
		t.Fatalf("discovery errors: %v", errs)
	}
	res, err := ws.Render(context.Background(), "prod-b", "plain")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res {
		if r.Err != nil {
			t.Fatalf("%s: %v", r.App.Name, r.Err)
		}
	}
	if got := strings.Join(keys(res[0].Objects), " "); !strings.Contains(got, "ConfigMap") || len(res[0].Objects) != 2 {
		t.Fatalf("prod-b objects: %s", got)
	}
	out := JSONOutput(ws, res, nil, WriteOptions{})
	if out.Apps[0].ApplicationSet != "envs" || out.Apps[1].ApplicationSet != "" {
		t.Fatalf("json apps: %+v", out.Apps)
	}
	var sets []string
	for _, s := range out.ApplicationSets {
		sets = append(sets, s.Name+":"+strings.Join(s.Apps, ",")+":"+s.Error)
	}
	if got := strings.Join(sets, " | "); !strings.HasPrefix(got, "envs:dev-a,dev-b,prod-a,prod-b: | prs::spec.generators[0]: generator pullRequest") {
		t.Fatalf("json applicationSets: %s", got)
	}
}

// A generated name that a hand-written Application already has is an
// error of the ApplicationSet; the hand-written app stays.
func TestAppSetNameClash(t *testing.T) {
	set := strings.Replace(liveSet, "- pullRequest: {github: {owner: acme, repo: web}}", "- list: {elements: [{number: '1'}]}", 1)
	set = strings.Replace(set, "'pr-{{number}}'", "plain", 1)
	cfg := setup(t, map[string]string{
		"gitops/argo-apps/a-set.yaml": set,
		"gitops/argo-apps/plain.yaml": app("plain", "  source: {repoURL: "+gitopsURL+", path: manifests/a}\n  destination: {server: https://kubernetes.default.svc, namespace: x}"),
		"gitops/manifests/a/cm.yaml":  "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n",
	})
	ws := open(t, cfg, Options{})
	a := ws.App("plain")
	if a == nil || a.AppSet != "" {
		t.Fatalf("plain: %+v", a)
	}
	errs := ws.AppSetErrors()
	if len(errs) != 1 || !strings.Contains(errs[0].Error(), `Application "plain" is already defined at argo-apps/plain.yaml:1`) {
		t.Fatalf("errors: %v", errs)
	}
}

// An ApplicationSet that is a root: its git generator's repository is the
// gitops-repo even without gitopsRepo.url or a remote naming it.
func TestAppSetRoot(t *testing.T) {
	set := strings.Replace(filesSet, "goTemplateOptions", "goTemplateOptions", 1)
	cfg := setup(t, map[string]string{
		"gitops/.gitopsctl.yaml":     "cluster: prod\n",
		"gitops/root-app.yaml":       strings.ReplaceAll(set, gitopsURL, "https://git.example/unknown.git"),
		"gitops/envs/dev/env.yaml":   "env: dev\n",
		"gitops/manifests/a/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n",
		"gitops/manifests/b/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n",
	})
	ws := open(t, cfg, Options{})
	if errs := ws.AppSetErrors(); len(errs) > 0 {
		t.Fatal(errs)
	}
	var names []string
	for _, a := range ws.Apps() {
		names = append(names, a.Name)
	}
	if got := strings.Join(names, " "); got != "dev-a dev-b" {
		t.Fatalf("apps %s", got)
	}
	if p := ws.App("dev-a").Parent; p != "" {
		t.Fatalf("parent %q", p)
	}
	if notes := strings.Join(ws.Notes(), "\n"); !strings.Contains(notes, "ApplicationSet envs (root-app.yaml:1) generated 2 apps: dev-a, dev-b") {
		t.Fatalf("notes: %s", notes)
	}
}

// A git files generator never reads local plaintext (git-ignored, so never
// in Argo CD's checkout either) or anything under .git: a pattern that
// matches them generates nothing from them, and their content reaches no
// output or error.
func TestAppSetGitFilesSkipsUnreadable(t *testing.T) {
	set := strings.Replace(filesSet, `files: [{path: "envs/*/env.yaml"}]`, `files: [{path: "envs/*/*"}]`, 1)
	cfg := setup(t, map[string]string{
		"gitops/argo-apps/envs.yaml":        set,
		"gitops/envs/dev/env.yaml":          "env: dev\n",
		"gitops/envs/dev/secrets.local.env": "env: hunter2\n",
		"gitops/envs/dev/x.local.state":     "env: hunter3\n",
		"gitops/manifests/a/cm.yaml":        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n",
		"gitops/manifests/b/cm.yaml":        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n",
	})
	ws := open(t, cfg, Options{})
	var names []string
	for _, a := range ws.Apps() {
		names = append(names, a.Name)
	}
	got := strings.Join(names, " ")
	if strings.Contains(got, "hunter") {
		t.Fatalf("apps generated from local plaintext: %s", got)
	}
	for _, e := range ws.AppSetErrors() {
		if strings.Contains(e.Error(), "hunter") || strings.Contains(e.Error(), "local") {
			t.Fatalf("error from local plaintext: %v", e)
		}
	}
	if !strings.Contains(got, "dev-a") {
		t.Fatalf("apps %q, want dev-a", got)
	}
}
