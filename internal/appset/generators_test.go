package appset

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"

	"sigs.k8s.io/yaml"
)

// repo is a git repository for the tests: apps/{api,web,.hidden},
// apps/web/sub, cluster-config/{dev,prod}/config.json and a list file.
func repo() fstest.MapFS {
	return fstest.MapFS{
		"apps/api/kustomization.yaml":                {Data: []byte("resources: []\n")},
		"apps/web/deploy.yaml":                       {Data: []byte("kind: Deployment\n")},
		"apps/web/sub/x.yaml":                        {Data: []byte("x: 1\n")},
		"apps/.hidden/x.yaml":                        {Data: []byte("x: 1\n")},
		".github/workflows/ci.yaml":                  {Data: []byte("on: push\n")},
		"cluster-config/dev/config.json":             {Data: []byte(`{"cluster":{"name":"dev","address":"https://1.2.3.4"},"replicas":2}`)},
		"cluster-config/prod/config.json":            {Data: []byte(`{"cluster":{"name":"prod","address":"https://5.6.7.8"},"replicas":1000000}`)},
		"cluster-config/prod/extra/deep/config.json": {Data: []byte(`{"cluster":{"name":"deep","address":"https://9.9.9.9"}}`)},
		"list/envs.yaml":                             {Data: []byte("- env: a\n- env: b\n")},
		"empty/config.yaml":                          {Data: []byte("")},
	}
}

func opts(clusters ...Cluster) Options {
	return Options{
		Clusters: clusters,
		Git: func(url, rev string) (Repo, error) {
			if url != "https://git.example/repo.git" {
				return Repo{}, fmt.Errorf("unknown repository %s", url)
			}
			return Repo{FS: repo(), ID: "repo@" + rev}, nil
		},
	}
}

func generate(t *testing.T, doc string, o Options) ([]App, error) {
	t.Helper()
	var obj map[string]any
	if err := yaml.Unmarshal([]byte(doc), &obj); err != nil {
		t.Fatal(err)
	}
	return Generate(obj, o)
}

// field returns the value at a dotted path of an app's object.
func field(a App, p string) any {
	var cur any = a.Object
	for _, k := range strings.Split(p, ".") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = m[k]
	}
	return cur
}

// appSet builds an ApplicationSet whose template names apps nameTmpl and
// points their source path at pathTmpl.
func appSet(goTemplate bool, generators, nameTmpl, pathTmpl string) string {
	return fmt.Sprintf(`apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: {name: set, namespace: argocd}
spec:
  goTemplate: %t
  generators:
%s
  template:
    metadata: {name: '%s'}
    spec:
      project: default
      source: {repoURL: https://git.example/repo.git, path: '%s', targetRevision: HEAD}
      destination: {server: 'https://kubernetes.default.svc', namespace: x}
`, goTemplate, indent(generators, "  "), nameTmpl, pathTmpl)
}

func indent(s, pre string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i, l := range lines {
		lines[i] = pre + l
	}
	return strings.Join(lines, "\n")
}

type genCase struct {
	name       string
	goTemplate bool
	generators string
	nameTmpl   string
	pathTmpl   string
	opts       Options
	// want maps app name to its source path.
	want    map[string]string
	order   []string
	wantErr string
}

func runCases(t *testing.T, cases []genCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			o := tc.opts
			if o.Git == nil && o.Clusters == nil {
				o = opts()
			}
			path := tc.pathTmpl
			if path == "" {
				path = "p"
			}
			apps, err := generate(t, appSet(tc.goTemplate, tc.generators, tc.nameTmpl, path), o)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]string{}
			var names []string
			for _, a := range apps {
				p, _ := field(a, "spec.source.path").(string)
				got[a.Name] = p
				names = append(names, a.Name)
			}
			if tc.want != nil && !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("apps = %v\nwant   %v", got, tc.want)
			}
			if tc.order != nil && !reflect.DeepEqual(names, tc.order) {
				t.Fatalf("order = %v, want %v", names, tc.order)
			}
		})
	}
}

// applicationset/generators/list.go and list_test.go.
func TestListGenerator(t *testing.T) {
	runCases(t, []genCase{
		{
			name:       "flat params and values.key",
			generators: "- list:\n    elements:\n    - {cluster: a, url: u1, values: {tier: gold}}\n    - {cluster: b, url: u2, values: {tier: iron}}",
			nameTmpl:   "{{cluster}}-app", pathTmpl: "{{url}}/{{values.tier}}",
			want: map[string]string{"a-app": "u1/gold", "b-app": "u2/iron"},
		},
		{
			name:       "a value that is not a string is an error without goTemplate",
			generators: "- list:\n    elements:\n    - {cluster: a, replicas: 3}",
			nameTmpl:   "{{cluster}}", wantErr: "elements[0].replicas is not a string",
		},
		{
			name:       "goTemplate keeps structure",
			goTemplate: true,
			generators: "- list:\n    elements:\n    - {cluster: a, app: {path: x/y}, replicas: 3}",
			nameTmpl:   "{{.cluster}}-{{.replicas}}", pathTmpl: "{{.app.path}}",
			want: map[string]string{"a-3": "x/y"},
		},
		{
			name:       "elementsYaml",
			goTemplate: true,
			generators: "- list:\n    elements: [{env: one}]\n    elementsYaml: |\n      - env: two\n      - env: three",
			nameTmpl:   "{{.env}}",
			want:       map[string]string{"one": "p", "two": "p", "three": "p"},
		},
		{
			name:       "apps sorted by name",
			generators: "- list:\n    elements: [{nm: c}, {nm: a}, {nm: b}]",
			nameTmpl:   "{{nm}}", order: []string{"a", "b", "c"},
		},
	})
}

// applicationset/generators/cluster.go and cluster_test.go.
func TestClustersGenerator(t *testing.T) {
	staging := Cluster{Name: "staging", Server: "https://staging.example", Labels: map[string]string{"env": "staging"}, Annotations: map[string]string{"owner": "team-a"}}
	prod := Cluster{Name: "prod", Server: "https://prod.example", Project: "p1", Labels: map[string]string{"env": "prod"}}
	inCluster := Cluster{Name: "local", Server: InClusterServer, Labels: map[string]string{"env": "mgmt"}}
	runCases(t, []genCase{
		{
			name:       "declared clusters and in-cluster, flat params",
			generators: "- clusters: {}",
			nameTmpl:   "{{name}}", pathTmpl: "{{server}}|{{metadata.labels.env}}|{{metadata.annotations.owner}}|{{nameNormalized}}",
			opts: opts(staging, prod),
			want: map[string]string{
				"staging":    "https://staging.example|staging|team-a|staging",
				"prod":       "https://prod.example|prod|{{metadata.annotations.owner}}|prod",
				"in-cluster": "https://kubernetes.default.svc|{{metadata.labels.env}}|{{metadata.annotations.owner}}|in-cluster",
			},
		},
		{
			name:       "a selector leaves in-cluster out",
			generators: "- clusters: {selector: {matchLabels: {env: prod}}}",
			nameTmpl:   "{{name}}", opts: opts(staging, prod),
			want: map[string]string{"prod": "p"},
		},
		{
			name:       "the secret-type label is matched",
			generators: "- clusters: {selector: {matchLabels: {argocd.argoproj.io/secret-type: cluster}}}",
			nameTmpl:   "{{name}}", opts: opts(staging, prod),
			want: map[string]string{"prod": "p", "staging": "p"},
		},
		{
			name:       "matchExpressions NotIn",
			generators: "- clusters: {selector: {matchExpressions: [{key: env, operator: NotIn, values: [prod]}]}}",
			nameTmpl:   "{{name}}", opts: opts(staging, prod),
			want: map[string]string{"staging": "p"},
		},
		{
			name:       "a declared in-cluster server replaces the local cluster",
			generators: "- clusters: {}",
			nameTmpl:   "{{name}}", opts: opts(inCluster),
			want: map[string]string{"local": "p"},
		},
		{
			name:       "values rendered with the cluster's params",
			generators: "- clusters:\n    values: {rev: 'main-{{name}}'}",
			nameTmpl:   "{{name}}", pathTmpl: "{{values.rev}}", opts: opts(prod),
			want: map[string]string{"prod": "main-prod", "in-cluster": "main-in-cluster"},
		},
		{
			name:       "goTemplate metadata and values map",
			goTemplate: true,
			generators: "- clusters:\n    selector: {matchLabels: {env: staging}}\n    values: {rev: '{{.name}}-x'}",
			nameTmpl:   "{{.name}}", pathTmpl: "{{index .metadata.labels \"env\"}}/{{.metadata.annotations.owner}}/{{.values.rev}}/{{.project}}",
			opts: opts(staging, prod),
			want: map[string]string{"staging": "staging/team-a/staging-x/"},
		},
		{
			name:       "flatList",
			goTemplate: true,
			generators: "- clusters: {flatList: true}",
			nameTmpl:   "all", pathTmpl: "{{range .clusters}}{{.name}},{{end}}",
			opts: opts(staging, prod),
			want: map[string]string{"all": "prod,staging,in-cluster,"},
		},
		{
			name:       "a bad operator is an error",
			generators: "- clusters: {selector: {matchExpressions: [{key: env, operator: Near}]}}",
			nameTmpl:   "{{name}}", opts: opts(prod),
			wantErr: `"Near" is not a valid label selector operator`,
		},
	})
}

// applicationset/generators/git.go and git_test.go; directories listed as
// reposerver's GetGitDirectories does.
func TestGitDirectoriesGenerator(t *testing.T) {
	runCases(t, []genCase{
		{
			name:       "flat path params, hidden directories skipped",
			generators: "- git:\n    repoURL: https://git.example/repo.git\n    revision: HEAD\n    directories: [{path: 'apps/*'}]",
			nameTmpl:   "{{path.basename}}", pathTmpl: "{{path}}|{{path[0]}}|{{path[1]}}|{{path.basenameNormalized}}",
			want: map[string]string{"api": "apps/api|apps|api|api", "web": "apps/web|apps|web|web"},
		},
		{
			name:       "exclude wins",
			generators: "- git:\n    repoURL: https://git.example/repo.git\n    revision: HEAD\n    directories: [{path: 'apps/*'}, {path: apps/api, exclude: true}]",
			nameTmpl:   "{{path.basename}}", want: map[string]string{"web": "p"},
		},
		{
			name:       "'*' does not cross '/' (path.Match)",
			generators: "- git:\n    repoURL: https://git.example/repo.git\n    revision: HEAD\n    directories: [{path: '*'}]",
			nameTmpl:   "{{path}}",
			want:       map[string]string{"apps": "p", "cluster-config": "p", "list": "p", "empty": "p"},
		},
		{
			name:       "goTemplate path map and pathParamPrefix",
			goTemplate: true,
			generators: "- git:\n    repoURL: https://git.example/repo.git\n    revision: HEAD\n    pathParamPrefix: app\n    directories: [{path: 'apps/web/*'}]",
			nameTmpl:   "{{.app.path.basename}}", pathTmpl: "{{.app.path.path}}|{{index .app.path.segments 2}}|{{.app.path.basenameNormalized}}",
			want: map[string]string{"sub": "apps/web/sub|sub|sub"},
		},
		{
			name:       "flat pathParamPrefix",
			generators: "- git:\n    repoURL: https://git.example/repo.git\n    revision: HEAD\n    pathParamPrefix: app\n    directories: [{path: 'apps/api'}]",
			nameTmpl:   "{{app.path.basename}}", pathTmpl: "{{app.path}}|{{app.path[0]}}",
			want: map[string]string{"api": "apps/api|apps"},
		},
		{
			name:       "values",
			generators: "- git:\n    repoURL: https://git.example/repo.git\n    revision: HEAD\n    directories: [{path: 'apps/api'}]\n    values: {ns: 'ns-{{path.basename}}'}",
			nameTmpl:   "{{path.basename}}", pathTmpl: "{{values.ns}}",
			want: map[string]string{"api": "ns-api"},
		},
		{
			name:       "unknown repository is an error",
			generators: "- git:\n    repoURL: https://git.example/other.git\n    revision: HEAD\n    directories: [{path: '*'}]",
			nameTmpl:   "{{path}}", wantErr: "unknown repository https://git.example/other.git",
		},
		{
			name:       "neither directories nor files",
			generators: "- git:\n    repoURL: https://git.example/repo.git\n    revision: HEAD",
			nameTmpl:   "x", wantErr: "neither directories nor files",
		},
	})
}

func TestGitFilesGenerator(t *testing.T) {
	runCases(t, []genCase{
		{
			name:       "flattened content and path params; '**' greedy as git ls-files",
			generators: "- git:\n    repoURL: https://git.example/repo.git\n    revision: HEAD\n    files: [{path: 'cluster-config/**/config.json'}]",
			nameTmpl:   "{{cluster.name}}", pathTmpl: "{{path}}|{{path.basename}}|{{path.filename}}|{{path.filenameNormalized}}|{{path[1]}}|{{replicas}}",
			want: map[string]string{
				"dev":  "cluster-config/dev|dev|config.json|config.json|dev|2",
				"prod": "cluster-config/prod|prod|config.json|config.json|prod|1e+06",
				"deep": "cluster-config/prod/extra/deep|deep|config.json|config.json|prod|{{replicas}}",
			},
		},
		{
			name:       "'*' crosses '/' too",
			generators: "- git:\n    repoURL: https://git.example/repo.git\n    revision: HEAD\n    files: [{path: 'cluster-config/*/config.json'}]",
			nameTmpl:   "{{cluster.name}}", want: map[string]string{"dev": "p", "prod": "p", "deep": "p"},
		},
		{
			name:       "exclude",
			generators: "- git:\n    repoURL: https://git.example/repo.git\n    revision: HEAD\n    files: [{path: 'cluster-config/**/config.json'}, {path: 'cluster-config/prod/extra', exclude: true}]",
			nameTmpl:   "{{cluster.name}}", want: map[string]string{"dev": "p", "prod": "p"},
		},
		{
			name:       "a list file gives one set per element",
			goTemplate: true,
			generators: "- git:\n    repoURL: https://git.example/repo.git\n    revision: HEAD\n    files: [{path: list/envs.yaml}]",
			nameTmpl:   "{{.env}}", pathTmpl: "{{.path.path}}/{{.path.filename}}/{{index .path.segments 0}}",
			want: map[string]string{"a": "list/envs.yaml/list", "b": "list/envs.yaml/list"},
		},
		{
			name:       "an empty file is one empty object",
			generators: "- git:\n    repoURL: https://git.example/repo.git\n    revision: HEAD\n    files: [{path: empty/config.yaml}]",
			nameTmpl:   "{{path.basename}}", want: map[string]string{"empty": "p"},
		},
		{
			name:       "goTemplate keeps numbers",
			goTemplate: true,
			generators: "- git:\n    repoURL: https://git.example/repo.git\n    revision: HEAD\n    files: [{path: cluster-config/dev/config.json}]",
			nameTmpl:   "{{.cluster.name}}", pathTmpl: "{{add .replicas 1}}",
			want: map[string]string{"dev": "3"},
		},
	})
}

func TestGitFilesRecordsFiles(t *testing.T) {
	apps, err := generate(t, appSet(false, "- git:\n    repoURL: https://git.example/repo.git\n    revision: main\n    files: [{path: 'cluster-config/*/config.json'}]", "{{cluster.name}}", "p"), opts())
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][]File{}
	for _, a := range apps {
		got[a.Name] = a.Files
	}
	want := map[string][]File{
		"deep": {{Repo: "repo@main", Path: "cluster-config/prod/extra/deep/config.json"}},
		"dev":  {{Repo: "repo@main", Path: "cluster-config/dev/config.json"}},
		"prod": {{Repo: "repo@main", Path: "cluster-config/prod/config.json"}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("files = %v, want %v", got, want)
	}
}

// git ls-files pathspecs (wildmatch without WM_PATHNAME).
func TestPathspec(t *testing.T) {
	tests := []struct {
		pattern, path string
		want          bool
	}{
		{"a/config.json", "a/config.json", true},
		{"a", "a/b/config.json", true},
		{"a/", "a/b/config.json", true},
		{"a", "ab/config.json", false},
		{"*.json", "a/b/c.json", true},
		{"a/*/c.json", "a/x/y/c.json", true},
		{"a/**/c.json", "a/c.json", true},
		{"a/**/c.json", "a/x/y/c.json", true},
		{"**/c.json", "c.json", true},
		{"a/**", "a/b/c", true},
		{"a?c", "a/c", true},
		{"a/[bc]/x", "a/c/x", true},
		{"a/[!bc]/x", "a/c/x", false},
		{"a/*.yaml", "a/b.json", false},
		{`a/\*`, "a/*", true},
		{`a/\*`, "a/b", false},
	}
	for _, tt := range tests {
		m, err := compilePathspec(tt.pattern)
		if err != nil {
			t.Fatalf("%q: %v", tt.pattern, err)
		}
		if got := m(tt.path); got != tt.want {
			t.Errorf("pathspec %q on %q = %v, want %v", tt.pattern, tt.path, got, tt.want)
		}
	}
}

// applicationset/generators/matrix.go and matrix_test.go.
func TestMatrixGenerator(t *testing.T) {
	dirs := "- git:\n        repoURL: https://git.example/repo.git\n        revision: HEAD\n        directories: [{path: 'apps/*'}]"
	runCases(t, []genCase{
		{
			name:       "git directories x list",
			generators: "- matrix:\n    generators:\n    " + dirs + "\n    - list:\n        elements: [{env: dev}, {env: prod}]",
			nameTmpl:   "{{path.basename}}-{{env}}", pathTmpl: "{{path}}",
			want: map[string]string{"api-dev": "apps/api", "api-prod": "apps/api", "web-dev": "apps/web", "web-prod": "apps/web"},
		},
		{
			name:       "the second generator is rendered with the first's params",
			generators: "- matrix:\n    generators:\n    - list:\n        elements: [{dir: apps}]\n    - git:\n        repoURL: https://git.example/repo.git\n        revision: HEAD\n        directories: [{path: '{{dir}}/*'}]",
			nameTmpl:   "{{path.basename}}", want: map[string]string{"api": "p", "web": "p"},
		},
		{
			name:       "a key in both with different values is an error without goTemplate",
			generators: "- matrix:\n    generators:\n    - list: {elements: [{a: '1'}]}\n    - list: {elements: [{a: '2'}]}",
			nameTmpl:   "x", wantErr: "found duplicate key a with different value",
		},
		{
			name:       "goTemplate: the first generator's values win",
			goTemplate: true,
			generators: "- matrix:\n    generators:\n    - list: {elements: [{a: one, m: {x: '1'}}]}\n    - list: {elements: [{a: two, b: three, m: {yy: '2'}}]}",
			nameTmpl:   "{{.a}}-{{.b}}", pathTmpl: "{{.m.x}}{{.m.yy}}",
			want: map[string]string{"one-three": "12"},
		},
		{
			name:       "goTemplate: a value of the second naming a key the first lacks is kept whole for the second's own params",
			goTemplate: true,
			generators: "- matrix:\n    generators:\n    - list: {elements: [{env: dev}]}\n    - clusters:\n        values: {ns: '{{.env}}', cl: '{{.name}}', mixed: '{{.env}}-{{.name}}'}",
			nameTmpl:   "{{.name}}", pathTmpl: "{{.values.ns}}/{{.values.cl}}/{{.values.mixed}}",
			want: map[string]string{"in-cluster": "dev/in-cluster/<no value>-in-cluster"},
		},
		{
			name:       "one generator is an error",
			generators: "- matrix:\n    generators:\n    - list: {elements: [{a: '1'}]}",
			nameTmpl:   "x", wantErr: "found less than two generators",
		},
		{
			name:       "three generators is an error",
			generators: "- matrix:\n    generators:\n    - list: {elements: [{a: '1'}]}\n    - list: {elements: [{b: '1'}]}\n    - list: {elements: [{c: '1'}]}",
			nameTmpl:   "x", wantErr: "found more than two generators",
		},
		{
			name:       "nested matrix",
			generators: "- matrix:\n    generators:\n    - matrix:\n        generators:\n        - list: {elements: [{a: '1'}, {a: '2'}]}\n        - list: {elements: [{b: x}]}\n    - list: {elements: [{c: why}]}",
			nameTmpl:   "{{a}}{{b}}{{c}}", want: map[string]string{"1xwhy": "p", "2xwhy": "p"},
		},
		{
			name:       "a third level is an error",
			generators: "- matrix:\n    generators:\n    - matrix:\n        generators:\n        - matrix: {generators: [{list: {elements: [{a: '1'}]}}, {list: {elements: [{b: '1'}]}}]}\n        - list: {elements: [{b: x}]}\n    - list: {elements: [{c: why}]}",
			nameTmpl:   "x", wantErr: "may only hold list, clusters and git generators",
		},
	})
}

// applicationset/generators/merge.go and merge_test.go.
func TestMergeGenerator(t *testing.T) {
	runCases(t, []genCase{
		{
			name:       "later generators override by merge key",
			generators: "- merge:\n    mergeKeys: [server]\n    generators:\n    - clusters: {values: {kafka: 'true', redis: 'false'}}\n    - list:\n        elements: [{server: 'https://kubernetes.default.svc', values.redis: 'true'}, {server: 'https://nowhere', values.redis: 'x'}]",
			nameTmpl:   "{{name}}", pathTmpl: "{{values.kafka}}-{{values.redis}}",
			opts: opts(Cluster{Name: "prod", Server: "https://prod.example"}),
			want: map[string]string{"prod": "true-false", "in-cluster": "true-true"},
		},
		{
			name:       "goTemplate merges maps",
			goTemplate: true,
			generators: "- merge:\n    mergeKeys: [k]\n    generators:\n    - list: {elements: [{k: a, m: {x: '1', yy: '1'}}, {k: b, m: {x: '0'}}]}\n    - list: {elements: [{k: a, m: {yy: '2'}}]}",
			nameTmpl:   "{{.k}}", pathTmpl: "{{.m.x}}{{.m.yy}}",
			want: map[string]string{"a": "12", "b": "0<no value>"},
		},
		{
			name:       "duplicate merge key values are an error",
			generators: "- merge:\n    mergeKeys: [k]\n    generators:\n    - list: {elements: [{k: a}, {k: a}]}\n    - list: {elements: [{k: a}]}",
			nameTmpl:   "{{k}}", wantErr: "duplicate merge key values",
		},
		{
			name:       "no merge keys",
			generators: "- merge:\n    generators:\n    - list: {elements: [{k: a}]}\n    - list: {elements: [{k: a}]}",
			nameTmpl:   "{{k}}", wantErr: "no merge keys",
		},
	})
}

// The selector of a generator entry (Transform in
// applicationset/generators/generator_spec_processor.go) matches the
// flattened parameters.
func TestGeneratorSelector(t *testing.T) {
	runCases(t, []genCase{
		{
			name:       "matchLabels on flat params",
			generators: "- list:\n    elements: [{env: dev, nm: a}, {env: prod, nm: b}]\n  selector: {matchLabels: {env: prod}}",
			nameTmpl:   "{{nm}}", want: map[string]string{"b": "p"},
		},
		{
			name:       "goTemplate: nested params are flattened with dots",
			goTemplate: true,
			generators: "- git:\n    repoURL: https://git.example/repo.git\n    revision: HEAD\n    directories: [{path: 'apps/*'}]\n  selector:\n    matchExpressions: [{key: path.basename, operator: In, values: [web]}]",
			nameTmpl:   "{{.path.basename}}", want: map[string]string{"web": "p"},
		},
		{
			name:       "DoesNotExist",
			generators: "- list:\n    elements: [{nm: a, skip: 'yes'}, {nm: b}]\n  selector: {matchExpressions: [{key: skip, operator: DoesNotExist}]}",
			nameTmpl:   "{{nm}}", want: map[string]string{"b": "p"},
		},
	})
}

func TestLiveGenerators(t *testing.T) {
	for _, g := range []string{"scmProvider", "pullRequest", "clusterDecisionResource", "plugin"} {
		t.Run(g, func(t *testing.T) {
			_, err := generate(t, appSet(false, "- "+g+": {x: 1}", "x", "p"), opts())
			var le *LiveGeneratorError
			if !errors.As(err, &le) || le.Generator != g {
				t.Fatalf("err = %v, want a LiveGeneratorError for %s", err, g)
			}
			if !strings.Contains(err.Error(), "ApplicationSet set: spec.generators[0]: generator "+g) {
				t.Fatalf("err = %v: the set and generator are not named", err)
			}
		})
		t.Run(g+" in a matrix", func(t *testing.T) {
			_, err := generate(t, appSet(false, "- matrix:\n    generators:\n    - list: {elements: [{a: '1'}]}\n    - "+g+": {x: 1}", "x", "p"), opts())
			var le *LiveGeneratorError
			if !errors.As(err, &le) || le.Generator != g {
				t.Fatalf("err = %v, want a LiveGeneratorError for %s", err, g)
			}
		})
	}
}

// The generated Application: kind, the set's namespace, the finalizer
// (Render.RenderTemplateParams), names checked
// (validateGeneratedApplications).
func TestGeneratedApplication(t *testing.T) {
	apps, err := generate(t, appSet(false, "- list: {elements: [{nm: a}]}", "{{nm}}", "p"), opts())
	if err != nil {
		t.Fatal(err)
	}
	want := `{"apiVersion":"argoproj.io/v1alpha1","kind":"Application","metadata":{"finalizers":["resources-finalizer.argocd.argoproj.io"],"name":"a","namespace":"argocd"},"spec":{"destination":{"namespace":"x","server":"https://kubernetes.default.svc"},"project":"default","source":{"path":"p","repoURL":"https://git.example/repo.git","targetRevision":"HEAD"}}}`
	got, _ := json.Marshal(apps[0].Object)
	if string(got) != want {
		t.Fatalf("app = %s\nwant  %s", got, want)
	}

	apps, err = generate(t, appSet(false, "- list: {elements: [{nm: a}, {nm: a}, {nm: b}]}", "{{nm}}", "p"), opts())
	if err == nil || !strings.Contains(err.Error(), `Application name "a" is generated more than once`) || len(apps) != 2 || apps[0].Name != "a" || apps[1].Name != "b" {
		t.Fatalf("duplicates: apps %v, err %v", apps, err)
	}
	keep := strings.Replace(appSet(false, "- list: {elements: [{nm: a}]}", "{{nm}}", "p"), "  generators:", "  syncPolicy: {preserveResourcesOnDeletion: true}\n  generators:", 1)
	apps, err = generate(t, keep, opts())
	if err != nil || field(apps[0], "metadata.finalizers") != nil {
		t.Fatalf("preserveResourcesOnDeletion: finalizers %v, err %v", field(apps[0], "metadata.finalizers"), err)
	}
	_, err = generate(t, appSet(false, "- list: {elements: [{nm: a}]}", "", "p"), opts())
	if err == nil || !strings.Contains(err.Error(), "has no name") {
		t.Fatalf("no name: err %v", err)
	}
}

func TestGeneratorTemplateOverride(t *testing.T) {
	doc := appSet(false, "- list:\n    elements: [{nm: a}]\n    template:\n      metadata: {labels: {from: generator}}\n      spec: {source: {path: 'gen/{{nm}}'}}", "{{nm}}", "top")
	apps, err := generate(t, doc, opts())
	if err != nil {
		t.Fatal(err)
	}
	a := apps[0]
	if field(a, "spec.source.path") != "gen/a" || field(a, "spec.source.repoURL") != "https://git.example/repo.git" || field(a, "metadata.labels.from") != "generator" {
		t.Fatalf("app = %v", a.Object)
	}
}

func TestTemplatePatch(t *testing.T) {
	doc := `apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: {name: set}
spec:
  goTemplate: true
  goTemplateOptions: ["missingkey=error"]
  generators:
  - list:
      elements:
      - {nm: a, auto: true, valueFiles: [one.yaml, two.yaml]}
      - {nm: b, auto: false, valueFiles: []}
  template:
    metadata: {name: '{{.nm}}', finalizers: [keep]}
    spec:
      project: default
      source: {repoURL: https://git.example/repo.git, path: p, helm: {valueFiles: [base.yaml], releaseName: r}}
      destination: {server: 'https://kubernetes.default.svc', namespace: x}
  templatePatch: |
    metadata:
      finalizers: [added]
    spec:
      project: stolen
      source:
        helm:
          valueFiles:
          {{- range .valueFiles }}
          - {{ . }}
          {{- end }}
    {{- if .auto }}
      syncPolicy:
        automated: {prune: true}
    {{- end }}
`
	apps, err := generate(t, doc, opts())
	if err != nil {
		t.Fatal(err)
	}
	a, b := apps[0], apps[1]
	if got := fmt.Sprint(field(a, "spec.source.helm.valueFiles")); got != "[one.yaml two.yaml]" {
		t.Errorf("a valueFiles = %s (lists are replaced)", got)
	}
	if field(a, "spec.source.helm.releaseName") != "r" || field(a, "spec.project") != "default" {
		t.Errorf("a = %v (maps merge; project is kept)", a.Object)
	}
	if field(a, "spec.syncPolicy.automated.prune") != true || field(b, "spec.syncPolicy") != nil {
		t.Errorf("syncPolicy a = %v, b = %v", field(a, "spec.syncPolicy"), field(b, "spec.syncPolicy"))
	}
	if got := fmt.Sprint(field(a, "metadata.finalizers")); got != "[keep added]" {
		t.Errorf("finalizers = %s (merged)", got)
	}
	if field(b, "spec.source.helm.valueFiles") != nil {
		t.Errorf("b valueFiles = %v (an empty list renders as null: deleted)", field(b, "spec.source.helm.valueFiles"))
	}

	_, err = generate(t, strings.Replace(doc, "goTemplate: true", "goTemplate: false", 1), opts())
	if err == nil || !strings.Contains(err.Error(), "templatePatch needs goTemplate") {
		t.Fatalf("without goTemplate: %v", err)
	}
}

func TestGoTemplateOptions(t *testing.T) {
	base := appSet(true, "- list: {elements: [{nm: a}]}", "{{.nm}}-{{.missing}}", "p")
	apps, err := generate(t, base, opts())
	if err != nil || apps[0].Name != "a-<no value>" {
		t.Fatalf("default: %v %v", apps, err)
	}
	withErr := strings.Replace(base, "goTemplate: true", "goTemplate: true\n  goTemplateOptions: [\"missingkey=error\"]", 1)
	if _, err := generate(t, withErr, opts()); err == nil || !strings.Contains(err.Error(), `map has no entry for key "missing"`) {
		t.Fatalf("missingkey=error: %v", err)
	}
	bad := strings.Replace(base, "goTemplate: true", "goTemplate: true\n  goTemplateOptions: [\"missingkey=sometimes\"]", 1)
	if _, err := generate(t, bad, opts()); err == nil || !strings.Contains(err.Error(), "unknown option") {
		t.Fatalf("bad option: %v", err)
	}
}

func TestEmptyParamsLeaveTemplate(t *testing.T) {
	// Render.RenderTemplateParams returns the template as it is for an
	// empty parameter set.
	apps, err := generate(t, appSet(true, "- list: {elements: [{}]}", "fixed", "{{.x}}"), opts())
	if err != nil || field(apps[0], "spec.source.path") != "{{.x}}" {
		t.Fatalf("apps %v err %v", apps, err)
	}
}
