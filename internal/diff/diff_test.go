package diff

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"

	"github.com/gitopsctl/gitopsctl/internal/manifest"
	"github.com/gitopsctl/gitopsctl/internal/render"
)

var update = flag.Bool("update", false, "rewrite golden files")

// parseObjects reads a multi-document YAML file of one app's objects.
func parseObjects(t *testing.T, app, file string) []manifest.Object {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var out []manifest.Object
	for _, doc := range strings.Split(string(data), "\n---\n") {
		var m map[string]any
		if err := yaml.Unmarshal([]byte(doc), &m); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		if m == nil {
			continue
		}
		u := &unstructured.Unstructured{Object: m}
		out = append(out, manifest.Object{App: app, Source: app + "/templates/" + strings.ToLower(u.GetKind()) + ".yaml", Object: u})
	}
	return out
}

// memSide is an in-memory side: apps with fixed objects and inputs. It
// records which apps were rendered.
type memSide struct {
	objects  map[string][]manifest.Object
	inputs   map[string][]render.RepoInput
	errs     map[string]error
	rendered []string
}

func (s *memSide) Apps() []string {
	var out []string
	for a := range s.objects {
		out = append(out, a)
	}
	sort.Strings(out)
	return out
}

func (s *memSide) Inputs(app string) ([]render.RepoInput, error) {
	in, ok := s.inputs[app]
	if !ok {
		return nil, errors.New("no inputs")
	}
	return in, nil
}

func (s *memSide) Render(_ context.Context, apps ...string) []render.Rendered {
	var out []render.Rendered
	for _, a := range apps {
		s.rendered = append(s.rendered, a)
		out = append(out, render.Rendered{App: a, Objects: s.objects[a], Err: s.errs[a]})
	}
	return out
}

func golden(t *testing.T, file string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(file, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (run go test -update to accept):\n%s", file, Unified("want", "got", string(want), string(got)))
	}
}

func backendInputs() []render.RepoInput {
	return []render.RepoInput{
		{Repo: "gitops", Path: "argo-apps/clusters/prod/app/backend.yaml"},
		{Repo: "gitops", Path: "charts/backend"},
		{Repo: "configs", Path: "backend/config.yaml"},
		{Repo: "configs", Path: "backend/secrets.yaml"},
	}
}

func frontendInputs() []render.RepoInput {
	return []render.RepoInput{
		{Repo: "gitops", Path: "argo-apps/clusters/prod/app/frontend.yaml"},
		{Repo: "gitops", Path: "charts/frontend"},
		{Repo: "configs", Path: "frontend/config.yaml"},
	}
}

// secretMaterial is every secret value (and its base64) in the fixtures.
var secretMaterial = []string{
	"s3cr3t-value", "czNjcjN0LXZhbHVl", "n3w-s3cr3t", "bjN3LXMzY3IzdA==", "backend", // DB_USER is "backend": checked only in Secret data lines below
	"old-token-value", "b2xkLXRva2VuLXZhbHVl", "plain-api-key-value", "YmFja2VuZA==",
}

func TestGolden(t *testing.T) {
	cases := []string{"configs-value", "image-bump", "added-removed", "secret-keys", "reseal", "random-hooks"}
	for _, name := range cases {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join("testdata", name)
			frontend := parseObjects(t, "frontend", filepath.Join("testdata", "added-removed", "base.yaml"))
			base := &memSide{
				objects: map[string][]manifest.Object{"backend": parseObjects(t, "backend", filepath.Join(dir, "base.yaml")), "frontend": frontend},
				inputs:  map[string][]render.RepoInput{"backend": backendInputs(), "frontend": frontendInputs()},
			}
			head := &memSide{
				objects: map[string][]manifest.Object{"backend": parseObjects(t, "backend", filepath.Join(dir, "head.yaml")), "frontend": frontend},
				inputs:  map[string][]render.RepoInput{"backend": backendInputs(), "frontend": frontendInputs()},
			}
			res, err := Compute(context.Background(), base, head, Options{Changes: render.Changes{"configs": {"backend/config.yaml"}}})
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(head.rendered, ","); got != "backend" {
				t.Errorf("rendered %q, want only backend", got)
			}
			var txt, md bytes.Buffer
			if err := WriteText(&txt, res, false); err != nil {
				t.Fatal(err)
			}
			if err := WriteMarkdown(&md, res); err != nil {
				t.Fatal(err)
			}
			var jb bytes.Buffer
			if err := WriteJSON(&jb, res); err != nil {
				t.Fatal(err)
			}
			js := jb.Bytes()
			var back Result
			if err := json.Unmarshal(js, &back); err != nil {
				t.Fatal(err)
			}
			golden(t, filepath.Join(dir, "diff.txt"), txt.Bytes())
			golden(t, filepath.Join(dir, "diff.md"), md.Bytes())
			golden(t, filepath.Join(dir, "diff.json"), js)
			if name == "secret-keys" {
				for _, out := range [][]byte{txt.Bytes(), md.Bytes(), js} {
					for _, s := range secretMaterial {
						if s == "backend" {
							continue
						}
						if bytes.Contains(out, []byte(s)) {
							t.Errorf("output contains secret material %q:\n%s", s, out)
						}
					}
				}
			}
		})
	}
}

func TestSecretKeys(t *testing.T) {
	dir := filepath.Join("testdata", "secret-keys")
	d := Compare("backend", parseObjects(t, "backend", filepath.Join(dir, "base.yaml")), parseObjects(t, "backend", filepath.Join(dir, "head.yaml")))
	if len(d.Objects) != 1 {
		t.Fatalf("want one changed object, got %+v", d.Objects)
	}
	k := d.Objects[0].Keys
	want := Keys{Added: []string{"API_KEY"}, Removed: []string{"OLD_TOKEN"}, Changed: []string{"DB_PASSWORD"}}
	if k == nil || strings.Join(k.Added, ",") != "API_KEY" || strings.Join(k.Removed, ",") != "OLD_TOKEN" || strings.Join(k.Changed, ",") != "DB_PASSWORD" || len(k.Resealed) != 0 {
		t.Fatalf("keys = %+v, want %+v", k, want)
	}
	// An added Secret lists its keys but never its values.
	d = Compare("backend", nil, parseObjects(t, "backend", filepath.Join(dir, "head.yaml")))
	if d.Objects[0].Change != Added || strings.Join(d.Objects[0].Keys.Added, ",") != "API_KEY,DB_PASSWORD,DB_USER" {
		t.Fatalf("added secret: %+v", d.Objects[0])
	}
	if strings.Contains(d.Objects[0].Diff, "plain-api-key-value") || strings.Contains(d.Objects[0].Diff, "bjN3LXMzY3IzdA==") {
		t.Fatalf("added secret diff shows a value:\n%s", d.Objects[0].Diff)
	}
}

func TestReseal(t *testing.T) {
	dir := filepath.Join("testdata", "reseal")
	d := Compare("backend", parseObjects(t, "backend", filepath.Join(dir, "base.yaml")), parseObjects(t, "backend", filepath.Join(dir, "head.yaml")))
	got := map[string]ObjectDiff{}
	for _, o := range d.Objects {
		got[o.Name] = o
	}
	b := got["backend-secrets"]
	if b.Change != Resealed || b.Diff != "" || strings.Join(b.Keys.Resealed, ",") != "API_KEY,DB_PASSWORD" {
		t.Errorf("backend-secrets: %+v, want resealed API_KEY, DB_PASSWORD without a diff", b)
	}
	w := got["worker-secrets"]
	if w.Change != Changed || strings.Join(w.Keys.Added, ",") != "EXTRA" || strings.Join(w.Keys.Resealed, ",") != "TOKEN" {
		t.Errorf("worker-secrets: %+v, want changed with EXTRA added and TOKEN resealed", w)
	}
}

func TestRandomHooks(t *testing.T) {
	dir := filepath.Join("testdata", "random-hooks")
	base := parseObjects(t, "backend", filepath.Join(dir, "base.yaml"))
	head := parseObjects(t, "backend", filepath.Join(dir, "head.yaml"))
	d := Compare("backend", base, head)
	if len(d.Objects) != 1 {
		t.Fatalf("want only the migrate Job (its image changed), got %+v", d.Objects)
	}
	o := d.Objects[0]
	if o.Kind != "Job" || o.Change != Changed || o.BaseName != "backend-migrate-a1b2c3d4" || o.Name != "backend-migrate-zz99yy88" {
		t.Fatalf("got %+v", o)
	}
	for _, l := range splitLines(o.Diff)[2:] {
		if (l[0] == '-' || l[0] == '+') && !strings.Contains(l, "image:") {
			t.Errorf("only the image should change, got %q in\n%s", l, o.Diff)
		}
	}
	// Without the hook annotation the same names are a remove and an add.
	for _, objs := range [][]manifest.Object{base, head} {
		for _, o := range objs {
			o.Object.SetAnnotations(nil)
		}
	}
	d = Compare("backend", base, head)
	c := d.Counts()
	if c[Added] != 2 || c[Removed] != 2 {
		t.Fatalf("non-hook objects: %v", c)
	}
}

func TestAffected(t *testing.T) {
	base := map[string][]render.RepoInput{"backend": backendInputs(), "frontend": frontendInputs(), "gone": {{Repo: "gitops", Path: "charts/gone"}}}
	head := map[string][]render.RepoInput{"backend": backendInputs(), "frontend": frontendInputs(), "new": {{Repo: "gitops", Path: "charts/new"}}}
	apps := []string{"backend", "frontend", "gone", "new"}
	for _, tc := range []struct {
		name    string
		changes render.Changes
		want    string
	}{
		{"unrelated change", render.Changes{"gitops": {"README.md"}, "configs": {"other/config.yaml"}}, "gone,new"},
		{"chart file", render.Changes{"gitops": {"charts/backend/templates/rollout.yaml"}}, "backend,gone,new"},
		{"configs value", render.Changes{"configs": {"frontend/config.yaml"}}, "frontend,gone,new"},
		{"same path other repo", render.Changes{"gitops": {"frontend/config.yaml"}}, "gone,new"},
		{"application", render.Changes{"gitops": {"argo-apps/clusters/prod/app/backend.yaml"}}, "backend,gone,new"},
		{"prefix is not a parent", render.Changes{"gitops": {"charts/backend-two/values.yaml"}}, "gone,new"},
	} {
		aff, _ := render.Affected(apps, base, head, tc.changes)
		if got := strings.Join(aff, ","); got != tc.want {
			t.Errorf("%s: affected %q, want %q", tc.name, got, tc.want)
		}
	}
}

// TestUnrelatedChangeRendersNothing: with nothing affected, no app renders.
func TestUnrelatedChangeRendersNothing(t *testing.T) {
	objs := parseObjects(t, "backend", filepath.Join("testdata", "image-bump", "base.yaml"))
	mk := func() *memSide {
		return &memSide{objects: map[string][]manifest.Object{"backend": objs}, inputs: map[string][]render.RepoInput{"backend": backendInputs()}}
	}
	base, head := mk(), mk()
	res, err := Compute(context.Background(), base, head, Options{Changes: render.Changes{"gitops": {"README.md"}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(base.rendered)+len(head.rendered) != 0 || res.Changed() || strings.Join(res.Skipped, ",") != "backend" {
		t.Fatalf("rendered %v/%v, result %+v", base.rendered, head.rendered, res)
	}
	var txt bytes.Buffer
	WriteText(&txt, res, false)
	if !strings.Contains(txt.String(), "1 skipped (inputs unchanged): backend") {
		t.Fatalf("text: %s", txt.String())
	}
}

func TestComputeErrorsAndFilter(t *testing.T) {
	objs := parseObjects(t, "backend", filepath.Join("testdata", "image-bump", "base.yaml"))
	base := &memSide{objects: map[string][]manifest.Object{"backend": objs, "frontend": objs}, inputs: map[string][]render.RepoInput{}}
	head := &memSide{objects: map[string][]manifest.Object{"backend": objs, "frontend": objs}, inputs: map[string][]render.RepoInput{},
		errs: map[string]error{"backend": errors.New(`template: backend/templates/rollout.yaml:3: function "args" not defined`)}}
	res, err := Compute(context.Background(), base, head, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Changed() || strings.Join(res.Errors(), ",") != "backend" || strings.Join(res.Unchanged, ",") != "frontend" {
		t.Fatalf("%+v", res)
	}
	if _, err := Compute(context.Background(), base, head, Options{Apps: []string{"nope"}}); err == nil || !strings.Contains(err.Error(), "unknown app nope") {
		t.Fatalf("want unknown app error, got %v", err)
	}
	head.errs = nil
	head.rendered = nil
	if _, err := Compute(context.Background(), base, head, Options{Apps: []string{"frontend"}}); err != nil || strings.Join(head.rendered, ",") != "frontend" {
		t.Fatalf("filter: rendered %v, %v", head.rendered, err)
	}
}

func TestColor(t *testing.T) {
	dir := filepath.Join("testdata", "image-bump")
	d := Compare("backend", parseObjects(t, "backend", filepath.Join(dir, "base.yaml")), parseObjects(t, "backend", filepath.Join(dir, "head.yaml")))
	var plain, col bytes.Buffer
	WriteText(&plain, &Result{Apps: []AppDiff{d}}, false)
	WriteText(&col, &Result{Apps: []AppDiff{d}}, true)
	if strings.Contains(plain.String(), "\x1b[") {
		t.Error("plain output has escapes")
	}
	if !strings.Contains(col.String(), ansiGreen+"+        image: ghcr.io/acme/backend:v1.4.2") {
		t.Errorf("coloured output lacks a green added line:\n%q", col.String())
	}
}

func TestMarkdownBudget(t *testing.T) {
	big := strings.Repeat("+x\n", MarkdownDiffBudget/3)
	r := &Result{Apps: []AppDiff{{App: "a", Status: "changed", Objects: []ObjectDiff{
		{Change: Changed, Kind: "ConfigMap", Namespace: "a", Name: "one", Diff: "--- a\n+++ b\n@@ -1 +1 @@\n-x\n+y\n"},
		{Change: Added, Kind: "ConfigMap", Namespace: "a", Name: "huge", Diff: big},
	}}}}
	var md bytes.Buffer
	WriteMarkdown(&md, r)
	out := md.String()
	if len(out) > 65536 || !strings.Contains(out, "+y") || strings.Contains(out, big) ||
		!strings.Contains(out, "_1 diff omitted") || !strings.Contains(out, "`ConfigMap a/huge` added") {
		t.Fatalf("markdown of %d bytes:\n%.2000s", len(out), out)
	}
}
