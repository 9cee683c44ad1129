package argo

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	kubeyaml "k8s.io/apimachinery/pkg/util/yaml"
)

// DecodeManifestStream reads the objects of a tool's printed output (what
// `helm template` writes) as Argo CD's repo server does: Kubernetes'
// YAML-or-JSON stream decoder splits the stream at "---" lines and converts
// each document with Go YAML; empty and null documents are dropped; each
// remaining document must be an object with a kind. Then every object whose
// "items" is a list is replaced by its items, and one whose "items" is null
// (with no spec or status) is dropped.
func DecodeManifestStream(data []byte) ([]map[string]any, error) {
	d := kubeyaml.NewYAMLOrJSONDecoder(bytes.NewReader(data), 4096)
	var objs []*unstructured.Unstructured
	for {
		var ext runtime.RawExtension
		if err := d.Decode(&ext); err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			return nil, fmt.Errorf("failed to unmarshal manifest: %w", err)
		}
		raw := bytes.TrimSpace(ext.Raw)
		if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
			continue
		}
		// Argo CD hands raw to sigs.k8s.io/yaml.Unmarshal, whose YAML-to-JSON
		// step gives back the same JSON for JSON input; decode it directly.
		u := &unstructured.Unstructured{}
		if err := u.UnmarshalJSON(raw); err != nil {
			return nil, fmt.Errorf("failed to unmarshal manifest: %w", err)
		}
		objs = append(objs, u)
	}
	var out []map[string]any
	for _, u := range objs {
		switch {
		case u.IsList():
			err := u.EachListItem(func(o runtime.Object) error {
				if it := o.(*unstructured.Unstructured); len(it.Object) > 0 {
					out = append(out, it.Object)
				}
				return nil
			})
			if err != nil {
				return nil, err
			}
		case isNullList(u):
		default:
			out = append(out, u.Object)
		}
	}
	return out, nil
}

// isNullList reports a list written with "items: null" (and neither spec
// nor status), which Argo CD drops.
func isNullList(u *unstructured.Unstructured) bool {
	for _, k := range []string{"spec", "status"} {
		if _, ok := u.Object[k]; ok {
			return false
		}
	}
	items, ok := u.Object["items"]
	return ok && items == nil
}
