package check

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"

	"github.com/gitopsctl/gitopsctl/internal/argo"
	"github.com/gitopsctl/gitopsctl/internal/manifest"
)

func loadObjects(t *testing.T, app, file string) []manifest.Object {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", file))
	if err != nil {
		t.Fatal(err)
	}
	var out []manifest.Object
	for _, d := range argo.SplitDocuments(data) {
		var m map[string]any
		if err := yaml.Unmarshal(d.Data, &m); err != nil {
			t.Fatal(err)
		}
		if m == nil {
			continue
		}
		u := &unstructured.Unstructured{Object: m}
		out = append(out, manifest.Object{App: app, Source: app + "/templates/" + strings.ToLower(u.GetKind()) + ".yaml", Object: u})
	}
	return out
}

func messages(ps []Problem) string {
	var s []string
	for _, p := range ps {
		s = append(s, p.String())
	}
	return strings.Join(s, "\n")
}

func fileOfSource(o manifest.Object) string { return o.Source }

func TestDecodeGood(t *testing.T) {
	objs := loadObjects(t, "backend", "good.yaml")
	if ps := decodeProblems("backend", RepoGitops, fileOfSource, objs); len(ps) != 0 {
		t.Fatalf("unexpected problems:\n%s", messages(ps))
	}
	// The ServiceMonitor is a custom resource gitopsctl does not know.
	if known, _ := Decode(objs[len(objs)-1]); known {
		t.Fatal("ServiceMonitor should be unknown")
	}
	if ps := imageProblems("backend", RepoGitops, fileOfSource, objs); len(ps) != 0 {
		t.Fatalf("unexpected image problems:\n%s", messages(ps))
	}
}

func TestDecodeBad(t *testing.T) {
	objs := loadObjects(t, "backend", "bad-decode.yaml")
	ps := decodeProblems("backend", RepoGitops, fileOfSource, objs)
	got := messages(ps)
	for _, want := range []string{
		`Rollout backend/backend: argoproj.io/v1alpha1: unknown field "spec.strategy.blueGreen.autoPromote"`,
		`Deployment backend/web: apps/v1: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32`,
		`SealedSecret backend/backend-secrets: bitnami.com/v1alpha1: unknown field "spec.encryptedDatas"`,
		`Application argocd/child: decode Application: error unmarshaling JSON: while decoding JSON: json: unknown field "valuesFile"`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in\n%s", want, got)
		}
	}
	if len(ps) != 4 {
		t.Errorf("want 4 problems, got %d:\n%s", len(ps), got)
	}
}

func TestImageTags(t *testing.T) {
	ps := imageProblems("backend", RepoGitops, fileOfSource, loadObjects(t, "backend", "bad-images.yaml"))
	got := messages(ps)
	for _, want := range []string{
		`backend/templates/rollout.yaml: image: backend: Rollout backend/backend: spec.template.spec.initContainers "init": image "busybox" has no tag (it means latest)`,
		`backend/templates/rollout.yaml: image: backend: Rollout backend/backend: spec.template.spec.containers "backend": image "ghcr.io/acme/backend:" has an empty tag`,
		`backend/templates/cronjob.yaml: image: backend: CronJob backend/nightly: spec.jobTemplate.spec.template.spec.containers "job": image "registry.local:5000/tools/job:latest" uses the tag latest`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in\n%s", want, got)
		}
	}
	if len(ps) != 3 {
		t.Errorf("want 3 problems:\n%s", got)
	}
}

func project(t *testing.T, y string) *argo.AppProject {
	t.Helper()
	p, err := argo.DecodeAppProject([]byte(y))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

const appProject = `apiVersion: argoproj.io/v1alpha1
kind: AppProject
metadata: {name: app, namespace: argocd}
spec:
  sourceRepos:
  - https://github.com/acme/*
  destinations:
  - {server: https://kubernetes.default.svc, namespace: '*'}
  - {server: '*', namespace: '!kube-system'}
  namespaceResourceBlacklist:
  - {group: '', kind: ResourceQuota}
  clusterResourceWhitelist:
  - {group: '', kind: Namespace}
`

const appManifest = `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: backend
  namespace: argocd
spec:
  project: app
  destination:
    server: https://kubernetes.default.svc
    namespace: backend
  sources:
  - repoURL: https://github.com/acme/gitops-repo.git
    path: charts/backend
    helm:
      valueFiles: [values.yaml, $configs/backend/config.yaml]
  - repoURL: https://github.com/evil/configs-repo.git
    ref: configs
`

func TestProjectProblems(t *testing.T) {
	app, err := argo.DecodeApplication([]byte(appManifest))
	if err != nil {
		t.Fatal(err)
	}
	objs := loadObjects(t, "backend", "good.yaml")
	extra := loadObjects(t, "backend", "project-objects.yaml")
	ps := ProjectProblems(ProjectInput{App: app, File: "argo-apps/clusters/prod/app/backend.yaml", Source: []byte(appManifest),
		Objects: append(objs, extra...), ObjectFile: fileOfSource}, map[string]*argo.AppProject{"app": project(t, appProject)})
	got := messages(ps)
	for _, want := range []string{
		`argo-apps/clusters/prod/app/backend.yaml:16: project: backend: ref source $configs repository https://github.com/evil/configs-repo.git is not permitted by project "app"`,
		`backend/templates/clusterrole.yaml: project: backend: ClusterRole reader: cluster-scoped kind ClusterRole.rbac.authorization.k8s.io is not in the clusterResourceWhitelist of project "app"`,
		`backend/templates/resourcequota.yaml: project: backend: ResourceQuota backend/quota: namespaced kind ResourceQuota is not permitted by project "app"`,
		`backend/templates/configmap.yaml: project: backend: ConfigMap kube-system/leak: namespace kube-system is not a permitted destination of project "app"`,
		`backend/templates/widget.yaml: project: backend: Widget cluster-widget: cluster-scoped kind Widget.example.com is not in the clusterResourceWhitelist`,
		`backend/templates/customresourcedefinition.yaml: project: backend: CustomResourceDefinition widgets.example.com: cluster-scoped kind CustomResourceDefinition.apiextensions.k8s.io`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in\n%s", want, got)
		}
	}
	if len(ps) != 6 {
		t.Errorf("want 6 problems:\n%s", got)
	}
	// Unknown project.
	app.Spec.Project = "nope"
	ps = ProjectProblems(ProjectInput{App: app, File: "a.yaml", Source: []byte(appManifest)}, nil)
	if len(ps) != 1 || !strings.Contains(ps[0].Message, `project "nope" is not defined`) {
		t.Errorf("unknown project: %s", messages(ps))
	}
	// The default project allows everything.
	app.Spec.Project = ""
	if ps = ProjectProblems(ProjectInput{App: app, Objects: extra}, nil); len(ps) != 0 {
		t.Errorf("default project: %s", messages(ps))
	}
}

func TestSecretFiles(t *testing.T) {
	data := []byte("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\n# a secret\napiVersion: v1\nmetadata:\n  name: db\nkind: Secret\ndata:\n  PASSWORD: cGFzcw==\n")
	ps := SecretFileProblems(RepoGitops, "argo-apps/extra/db.yaml", data)
	if len(ps) != 1 || ps[0].Line != 9 || !strings.Contains(ps[0].String(), `argo-apps/extra/db.yaml:9: secret: plain Secret "db" committed in git`) {
		t.Fatalf("got %s", messages(ps))
	}
	if ps := SecretFileProblems(RepoGitops, "charts/backend/templates/secret.yaml", data); len(ps) != 0 {
		t.Fatalf("chart templates are exempt: %s", messages(ps))
	}
	if ps := SecretFileProblems(RepoGitops, "notes.txt", data); len(ps) != 0 {
		t.Fatalf("non-manifest file: %s", messages(ps))
	}
	// A SealedSecret is fine.
	if ps := SecretFileProblems(RepoGitops, "x.yaml", []byte("apiVersion: bitnami.com/v1alpha1\nkind: SealedSecret\n")); len(ps) != 0 {
		t.Fatalf("sealed: %s", messages(ps))
	}
	js := []byte("{\n  \"apiVersion\": \"v1\",\n  \"kind\": \"Secret\",\n  \"metadata\": {\"name\": \"j\"}\n}\n")
	if ps := SecretFileProblems(RepoConfigs, "backend/s.json", js); len(ps) != 1 || ps[0].Line != 3 {
		t.Fatalf("json: %s", messages(ps))
	}
	pp := PlaintextProblems(RepoConfigs, []string{"backend/config.yaml", "backend/secrets.local.env", "x/.secrets.local.env.tmp-123", "backend/secrets.local.state"}, "staged")
	if len(pp) != 3 || pp[0].File != "backend/secrets.local.env" || !strings.Contains(pp[2].Message, "keep it ignored (*.local.state in .gitignore)") {
		t.Fatalf("plaintext: %s", messages(pp))
	}
}
