package render

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"path"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"

	"github.com/gitopsctl/gitopsctl/internal/fsutil"
	"github.com/gitopsctl/gitopsctl/internal/manifest"
)

// Mask replaces Secret values when printing.
const Mask = "++++++++"

// WriteOptions control how objects are printed.
type WriteOptions struct {
	// ShowSecrets prints Secret data/stringData as rendered (masked otherwise).
	ShowSecrets bool
}

func jsonMarshal(v any) ([]byte, error) { return json.Marshal(v) }

// IsSecret reports whether o is a core/v1 Secret.
func IsSecret(o manifest.Object) bool {
	gvk := o.GVK()
	return gvk.Group == "" && gvk.Kind == "Secret"
}

// Masked returns o itself, or for a Secret (unless show) a copy whose
// data and stringData values are replaced by Mask.
func Masked(o manifest.Object, show bool) *unstructured.Unstructured {
	if show || !IsSecret(o) {
		return o.Object
	}
	c := o.Object.DeepCopy()
	for _, f := range []string{"data", "stringData"} {
		if m, ok := c.Object[f].(map[string]any); ok {
			for k := range m {
				m[k] = Mask
			}
		}
	}
	return c
}

// MarshalYAML renders one object as YAML (keys sorted).
func MarshalYAML(u *unstructured.Unstructured) ([]byte, error) {
	return yaml.Marshal(u.Object)
}

// WriteYAML writes objs as a multi-document YAML stream, each document
// preceded by "# Source: <app>/<template>".
func WriteYAML(w io.Writer, objs []manifest.Object, o WriteOptions) error {
	var b bytes.Buffer
	for _, obj := range objs {
		data, err := MarshalYAML(Masked(obj, o.ShowSecrets))
		if err != nil {
			return fmt.Errorf("app %s: %s: %w", obj.App, obj.Source, err)
		}
		fmt.Fprintf(&b, "---\n# Source: %s/%s\n", obj.App, obj.Source)
		b.Write(data)
	}
	_, err := w.Write(b.Bytes())
	return err
}

// JSONObject is the JSON form of a rendered object.
type JSONObject struct {
	App    string         `json:"app"`
	Source string         `json:"source"`
	Object map[string]any `json:"object"`
}

// JSONObjects converts objs for JSON output (Secrets masked unless show).
func JSONObjects(objs []manifest.Object, o WriteOptions) []JSONObject {
	out := make([]JSONObject, 0, len(objs))
	for _, obj := range objs {
		out = append(out, JSONObject{App: obj.App, Source: obj.Source, Object: Masked(obj, o.ShowSecrets).Object})
	}
	return out
}

// ObjectFileName is "<app>/<kind>-<namespace>-<name>.yaml" (lower-case
// kind; the namespace part is left out for cluster-scoped objects).
func ObjectFileName(o manifest.Object) string {
	k := o.Key()
	parts := []string{strings.ToLower(k.Kind)}
	if k.Namespace != "" {
		parts = append(parts, k.Namespace)
	}
	parts = append(parts, k.Name)
	return path.Join(o.App, strings.Join(parts, "-")+".yaml")
}

// WriteDir writes one file per object under dir (see ObjectFileName), all
// or nothing; existing files are replaced.
func WriteDir(dir string, objs []manifest.Object, o WriteOptions) ([]string, error) {
	tree := fsutil.Tree{}
	for _, obj := range objs {
		name := ObjectFileName(obj)
		if _, dup := tree[name]; dup {
			g := obj.Key().Group
			if g == "" {
				g = "core"
			}
			name = strings.TrimSuffix(name, ".yaml") + "." + g + ".yaml"
		}
		data, err := MarshalYAML(Masked(obj, o.ShowSecrets))
		if err != nil {
			return nil, err
		}
		tree[name] = append([]byte(fmt.Sprintf("# Source: %s/%s\n", obj.App, obj.Source)), data...)
	}
	if err := fsutil.WriteTreeAtomic(dir, tree, true); err != nil {
		return nil, err
	}
	return tree.Paths(), nil
}
