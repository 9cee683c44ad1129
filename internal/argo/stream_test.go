package argo

import (
	"reflect"
	"strings"
	"testing"
)

func TestDecodeManifestStream(t *testing.T) {
	in := "---\n# Source: x/templates/cm.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  k: |\n    text\n" +
		"---\n# comments only\n---\nnull\n---\n" +
		"---\napiVersion: v1\nkind: ConfigMapList\nitems:\n- {apiVersion: v1, kind: ConfigMap, metadata: {name: b}}\n- {}\n" +
		"---\napiVersion: v1\nkind: SecretList\nitems: null\n" +
		"--- # a comment\napiVersion: v1\nkind: Widget\nitems: null\nspec: {count: 3}\n"
	objs, err := DecodeManifestStream([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, o := range objs {
		names = append(names, o["kind"].(string))
	}
	if want := []string{"ConfigMap", "ConfigMap", "Widget"}; !reflect.DeepEqual(names, want) {
		t.Fatalf("kinds %v, want %v", names, want)
	}
	if got := objs[0]["data"].(map[string]any)["k"]; got != "text\n" {
		t.Errorf("block scalar at the end of the stream = %q, want %q", got, "text\n")
	}
	if n := objs[2]["spec"].(map[string]any)["count"]; n != int64(3) {
		t.Errorf("number decoded as %T %v, want int64 3", n, n)
	}
	// A JSON stream reads too.
	if objs, err := DecodeManifestStream([]byte(`{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"j"}}`)); err != nil || len(objs) != 1 {
		t.Errorf("JSON: %v %v", objs, err)
	}
	for in, want := range map[string]string{
		"---\n{}\n":                              "Object 'Kind' is missing",
		"---\napiVersion: v1\nmetadata: {}\n":    "Object 'Kind' is missing",
		"---\nkind: A\n---\n- a\n":               "failed to unmarshal manifest",
		"---\nkind: A\n---x\nkind: B\n":          "invalid Yaml document separator",
		"---\nkind: AList\nitems: [1]\n":         "items member is not an object",
		"---\nkind: A\nmetadata:\n\tname: tab\n": "failed to unmarshal manifest",
	} {
		_, err := DecodeManifestStream([]byte(in))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: error %v, want %q", in, err, want)
		}
	}
}
