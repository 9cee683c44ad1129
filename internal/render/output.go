package render

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"

	"golang.org/x/sync/errgroup"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	goyaml "sigs.k8s.io/yaml/goyaml.v2"

	"github.com/gitopsctl/gitopsctl/internal/fsutil"
	"github.com/gitopsctl/gitopsctl/internal/manifest"
)

// Mask replaces Secret values when printing.
const Mask = "++++++++"

// WriteOptions control how objects are printed.
type WriteOptions struct {
	// ShowSecrets prints Secret data/stringData as rendered (masked otherwise).
	ShowSecrets bool
	// Printed, when set, may know an object's YAML already (e.g.
	// Workspace.Printed, from the render cache); WriteYAML marshals the
	// others.
	Printed func(*unstructured.Unstructured) ([]byte, bool)
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

// MarshalYAML renders one object as YAML with keys sorted, byte for byte
// as sigs.k8s.io/yaml.Marshal does, without its JSON round trip (and, for
// the values fastYAML handles, without the YAML library).
func MarshalYAML(u *unstructured.Unstructured) ([]byte, error) {
	if b, ok := fastYAML(u.Object); ok {
		return b, nil
	}
	return libYAML(u.Object)
}

// libYAML prints v with the YAML library, keys sorted.
func libYAML(v map[string]any) ([]byte, error) {
	return goyaml.Marshal(sortedMapSlice(v))
}

func sortedMapSlice(v any) any {
	switch t := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		ms := make(goyaml.MapSlice, len(keys))
		for i, k := range keys {
			ms[i] = goyaml.MapItem{Key: k, Value: sortedMapSlice(t[k])}
		}
		return ms
	case []any:
		out := make([]any, len(t))
		for i, x := range t {
			out[i] = sortedMapSlice(x)
		}
		return out
	default:
		return v
	}
}

// WriteYAML writes objs as a multi-document YAML stream, each document
// preceded by "# Source: <app>/<template>". Objects are marshalled in
// parallel and written in order.
func WriteYAML(w io.Writer, objs []manifest.Object, o WriteOptions) error {
	docs := make([][]byte, len(objs))
	errs := make([]error, len(objs))
	// One goroutine for up to 128 objects, more for larger outputs.
	var g errgroup.Group
	g.SetLimit(min(runtime.GOMAXPROCS(0), max(1, len(objs)/64)))
	for i := range objs {
		g.Go(func() error {
			u := Masked(objs[i], o.ShowSecrets)
			data, known := []byte(nil), false
			if o.Printed != nil {
				data, known = o.Printed(u)
			}
			var err error
			if !known {
				data, err = MarshalYAML(u)
			}
			if err != nil {
				errs[i] = fmt.Errorf("app %s: %s: %w", objs[i].App, objs[i].Source, err)
				return nil // the first error in object order is returned below
			}
			docs[i] = data
			return nil
		})
	}
	_ = g.Wait()
	var b bytes.Buffer
	n := 0
	for i := range objs {
		if errs[i] != nil {
			return errs[i]
		}
		n += len(docs[i]) + len(objs[i].App) + len(objs[i].Source) + 16
	}
	b.Grow(n)
	for i := range objs {
		b.WriteString("---\n# Source: ")
		b.WriteString(objs[i].App)
		b.WriteByte('/')
		b.WriteString(objs[i].Source)
		b.WriteByte('\n')
		b.Write(docs[i])
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
// kind; the namespace part is left out for cluster-scoped objects). Each
// part is a FileNameComponent, so the name always stays below the output
// directory, whatever names a chart gives its objects.
func ObjectFileName(o manifest.Object) string {
	k := o.Key()
	parts := []string{FileNameComponent(strings.ToLower(k.Kind))}
	if k.Namespace != "" {
		parts = append(parts, FileNameComponent(k.Namespace))
	}
	parts = append(parts, FileNameComponent(k.Name))
	return FileNameComponent(o.App) + "/" + strings.Join(parts, "-") + ".yaml"
}

// FileNameComponent makes s safe as one path component: "/", "\\", ":",
// "%", NUL and the other control characters become %XX (upper-case hex), the
// dots of "." and ".." become %2E, and "" becomes "%". Names valid in
// Kubernetes (lower-case letters, digits, "-", ".") are kept as they are,
// and different inputs give different outputs.
func FileNameComponent(s string) string {
	switch s {
	case "":
		return "%"
	case ".", "..":
		return strings.Repeat("%2E", len(s))
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c == 0x7f || c == '/' || c == '\\' || c == ':' || c == '%' {
			fmt.Fprintf(&b, "%%%02X", c)
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// WriteDir writes one file per object under dir (see ObjectFileName), all
// or nothing; existing files are replaced. Files are never written through
// a symbolic link found below dir.
func WriteDir(dir string, objs []manifest.Object, o WriteOptions) ([]string, error) {
	tree := fsutil.Tree{}
	for _, obj := range objs {
		name := ObjectFileName(obj)
		if _, dup := tree[name]; dup {
			g := obj.Key().Group
			if g == "" {
				g = "core"
			}
			base := strings.TrimSuffix(name, ".yaml") + "." + FileNameComponent(g)
			name = base + ".yaml"
			for n := 2; ; n++ {
				if _, dup := tree[name]; !dup {
					break
				}
				name = fmt.Sprintf("%s.%d.yaml", base, n)
			}
		}
		if !filepath.IsLocal(filepath.FromSlash(name)) {
			return nil, fmt.Errorf("app %s: %s: object file name %q would leave %s", obj.App, obj.Source, name, dir)
		}
		data, err := MarshalYAML(Masked(obj, o.ShowSecrets))
		if err != nil {
			return nil, err
		}
		tree[name] = append([]byte(fmt.Sprintf("# Source: %s/%s\n", obj.App, obj.Source)), data...)
	}
	for _, name := range tree.Paths() {
		if err := noLinkBelow(dir, name); err != nil {
			return nil, err
		}
	}
	if err := fsutil.WriteTreeAtomic(dir, tree, true); err != nil {
		return nil, err
	}
	return tree.Paths(), nil
}

// noLinkBelow refuses to write the slash path name below dir when one of
// its existing directories below dir is a symbolic link (which could point
// anywhere, e.g. when --out is inside a checkout of an untrusted branch).
func noLinkBelow(dir, name string) error {
	p := dir
	parts := strings.Split(name, "/")
	for _, c := range parts[:len(parts)-1] {
		p = filepath.Join(p, c)
		fi, err := os.Lstat(p)
		if err != nil {
			return nil // missing: created as a directory
		}
		if fi.Mode()&fs.ModeSymlink != 0 {
			return fmt.Errorf("refusing to write into %s: it is a symbolic link, which could point anywhere", p)
		}
	}
	return nil
}

// JSONResult is render's JSON (and YAML) output.
type JSONResult struct {
	// Roots are the root manifests discovery started from.
	Roots Roots `json:"roots"`
	// ApplicationSets found, the apps each generated, and their errors.
	ApplicationSets []AppSet `json:"applicationSets"`
	// Warnings about the repository as a whole.
	Warnings []string `json:"warnings"`
	// Apps are the apps rendered (or that failed), with the revision each
	// source was read at.
	Apps []JSONApp `json:"apps"`
	// Objects are the rendered objects.
	Objects []JSONObject `json:"objects"`
}

// JSONApp is one rendered app in JSONResult.
type JSONApp struct {
	Name   string `json:"name"`
	File   string `json:"file"`
	Line   int    `json:"line,omitempty"`
	Parent string `json:"parent,omitempty"`
	// ApplicationSet names the ApplicationSet that generated the app.
	ApplicationSet string `json:"applicationSet,omitempty"`
	// Cluster, Server and KubeVersion name the declared cluster the app
	// deploys to and the kube version of its capabilities profile
	// (helm.kubeVersion of a source overrides it for that source); set
	// when .gitopsctl.yaml declares clusters:.
	Cluster     string `json:"cluster,omitempty"`
	Server      string `json:"server,omitempty"`
	KubeVersion string `json:"kubeVersion,omitempty"`
	// Sources say where and at which revision each source was read.
	Sources []SourceRead `json:"sources"`
	Error   string       `json:"error,omitempty"`
}

// JSONOutput builds render's JSON output.
func JSONOutput(ws *Workspace, results []Result, objs []manifest.Object, o WriteOptions) JSONResult {
	out := JSONResult{Roots: ws.Roots(), ApplicationSets: ws.AppSets(), Warnings: ws.Warnings(), Objects: JSONObjects(objs, o)}
	if out.ApplicationSets == nil {
		out.ApplicationSets = []AppSet{}
	}
	if out.Warnings == nil {
		out.Warnings = []string{}
	}
	out.Apps = make([]JSONApp, 0, len(results))
	for _, r := range results {
		ja := JSONApp{Name: r.App.Name, File: r.App.File, Line: r.App.Line, Parent: r.App.Parent, ApplicationSet: r.App.AppSet, Sources: ws.SourcesRead(r.App)}
		ja.Cluster, ja.Server, ja.KubeVersion = ws.clusterOf(r.App)
		if r.Err != nil {
			ja.Error = r.Err.Error()
		}
		out.Apps = append(out.Apps, ja)
	}
	return out
}
