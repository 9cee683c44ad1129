package argo

import (
	"reflect"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

func TestSplitDocuments(t *testing.T) {
	in := "a: 1\n---\n# comment\n\nb: 2\n--- # trailing\nc: 3\n---\n"
	docs := SplitDocuments([]byte(in))
	var got []string
	for _, d := range docs {
		got = append(got, strings.TrimSpace(string(d.Data))+"@"+itoa(d.Start)+"/"+itoa(d.Line))
	}
	want := []string{"a: 1@1/1", "# comment\n\nb: 2@3/5", "c: 3@7/7", "@9/9"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %q\nwant %q", got, want)
	}
}

func itoa(i int) string { b, _ := yaml.Marshal(i); return strings.TrimSpace(string(b)) }

func TestFieldLine(t *testing.T) {
	doc := []byte("spec:\n  sources:\n    - repoURL: x\n      helm:\n        valueFiles:\n          - a.yaml\n          - b.yaml\n")
	if got := FieldLine(doc, "$.spec.sources[0].helm.valueFiles[1]"); got != 7 {
		t.Fatalf("line %d, want 7", got)
	}
	if got := FieldLine(doc, "$.spec.nope"); got != 0 {
		t.Fatalf("line %d, want 0", got)
	}
}

func TestDecodeObjectNumbers(t *testing.T) {
	obj, err := DecodeObject([]byte("kind: X\nspec: {replicas: 1000000, ratio: 0.5, big: 12345678901234}\n"))
	if err != nil {
		t.Fatal(err)
	}
	spec := obj["spec"].(map[string]any)
	if _, ok := spec["replicas"].(int64); !ok {
		t.Fatalf("replicas is %T, want int64 (as Kubernetes decodes)", spec["replicas"])
	}
	if _, ok := spec["ratio"].(float64); !ok {
		t.Fatalf("ratio is %T", spec["ratio"])
	}
	out, _ := yaml.Marshal(obj)
	if !strings.Contains(string(out), "replicas: 1000000") || !strings.Contains(string(out), "big: 12345678901234") {
		t.Fatalf("numbers must print as written:\n%s", out)
	}
	for _, doc := range []string{"", "null", "# just a comment", "{}"} {
		if obj, err := DecodeObject([]byte(doc)); obj != nil || err != nil {
			t.Errorf("%q: %v %v, want nothing", doc, obj, err)
		}
	}
	if _, err := DecodeObject([]byte("metadata: {name: x}\n")); err == nil || !strings.Contains(err.Error(), "Object 'Kind' is missing") {
		t.Fatalf("missing kind: %v", err)
	}
}

func TestParseManifestFile(t *testing.T) {
	objs, err := ParseManifestFile("a.json", []byte(`{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x"}}`))
	if err != nil || len(objs) != 1 {
		t.Fatalf("%v %v", objs, err)
	}
	if _, err := ParseManifestFile("a.json", []byte(`{"kind":`)); err == nil {
		t.Fatal("broken JSON must be an error")
	}
	if _, err := ParseManifestFile("a.jsonnet", []byte(`{}`)); err == nil || !strings.Contains(err.Error(), "jsonnet") {
		t.Fatalf("jsonnet: %v", err)
	}
	if objs, err := ParseManifestFile("a.yaml", []byte("# +argocd:skip-file-rendering\nkind: X\n")); err != nil || objs != nil {
		t.Fatalf("skip marker: %v %v", objs, err)
	}
}
