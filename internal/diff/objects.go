// Package diff compares the objects two revisions render for each Argo CD
// Application: which objects were added, removed or changed, a unified diff
// of each changed object's YAML, and which apps needed rendering at all.
// Secret values never appear in its output: Secrets are reported by key, and
// SealedSecrets whose ciphertexts changed under the same keys are "resealed".
package diff

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"sort"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"

	"github.com/gitopsctl/gitopsctl/internal/manifest"
)

// Change is what happened to one object.
type Change string

const (
	Added    Change = "added"
	Removed  Change = "removed"
	Changed  Change = "changed"
	Resealed Change = "resealed" // SealedSecret: same keys, new ciphertexts only
)

// hookAnnotation marks Helm hook objects.
const hookAnnotation = "helm.sh/hook"

// Keys lists, for a Secret or SealedSecret, which keys changed. Values are
// never recorded.
type Keys struct {
	Added    []string `json:"added,omitempty"`
	Removed  []string `json:"removed,omitempty"`
	Changed  []string `json:"changed,omitempty"`  // Secret: value differs
	Resealed []string `json:"resealed,omitempty"` // SealedSecret: ciphertext differs
}

func (k *Keys) empty() bool {
	return k == nil || len(k.Added)+len(k.Removed)+len(k.Changed)+len(k.Resealed) == 0
}

// ObjectDiff is the change of one object.
type ObjectDiff struct {
	Change    Change `json:"change"`
	Group     string `json:"group,omitempty"`
	Kind      string `json:"kind"`
	Namespace string `json:"namespace,omitempty"`
	Name      string `json:"name"`
	// BaseName is the base side's name when a hook object with a random
	// name suffix was matched to one with another suffix.
	BaseName string `json:"baseName,omitempty"`
	// Source is the template the object comes from (head side, else base).
	Source string `json:"source,omitempty"`
	// Keys says which data keys of a Secret or SealedSecret changed.
	Keys *Keys `json:"keys,omitempty"`
	// MetadataOnly is set when only metadata.labels and/or
	// metadata.annotations changed; Labels and Annotations list how (text
	// and markdown then show these instead of the diff).
	MetadataOnly bool          `json:"metadataOnly,omitempty"`
	Labels       []FieldChange `json:"labels,omitempty"`
	Annotations  []FieldChange `json:"annotations,omitempty"`
	// Diff is a unified diff of the object's YAML (keys sorted, Secret
	// values masked, SealedSecret ciphertexts abbreviated). Added objects
	// show every line as added, removed objects every line as removed.
	Diff string `json:"diff,omitempty"`
}

// Ref is "Kind namespace/name" (or "Kind name" for cluster-scoped objects).
func (d ObjectDiff) Ref() string {
	if d.Namespace == "" {
		return d.Kind + " " + d.Name
	}
	return d.Kind + " " + d.Namespace + "/" + d.Name
}

// FieldChange is the change of one label or annotation; From is nil when
// it was added, To when it was removed.
type FieldChange struct {
	Key  string  `json:"key"`
	From *string `json:"from,omitempty"`
	To   *string `json:"to,omitempty"`
}

// AppDiff is the diff of one Application.
type AppDiff struct {
	App string `json:"app"`
	// Status is added (the app exists only on the head side), removed,
	// changed or unchanged.
	Status  string       `json:"status"`
	Objects []ObjectDiff `json:"objects,omitempty"`
	// Error is set when either side failed to render; Objects is then empty.
	Error string `json:"error,omitempty"`
}

// Counts tallies the object changes of an app by kind of change.
func (a AppDiff) Counts() map[Change]int {
	m := map[Change]int{}
	for _, o := range a.Objects {
		m[o.Change]++
	}
	return m
}

// keyOf is how objects are matched between the two sides: their key, with
// a generateName object named by its prefix (its final name is given in the
// cluster; the prefix is what stays stable).
func keyOf(o manifest.Object) manifest.Key {
	k := o.Key()
	if k.Name == "" {
		k.Name = o.Object.GetGenerateName() + "*"
	}
	return k
}

// Compare diffs the objects one app renders at base and at head.
func Compare(app string, base, head []manifest.Object) AppDiff {
	ad := AppDiff{App: app, Status: "unchanged"}
	bm := index(base)
	hm := index(head)
	var onlyBase, onlyHead []manifest.Key
	for k := range bm {
		if _, ok := hm[k]; !ok {
			onlyBase = append(onlyBase, k)
		}
	}
	for k := range hm {
		if _, ok := bm[k]; !ok {
			onlyHead = append(onlyHead, k)
		}
	}
	slices.SortFunc(onlyBase, manifest.Key.Compare)
	slices.SortFunc(onlyHead, manifest.Key.Compare)
	pairs := matchHooks(onlyBase, onlyHead, bm, hm)
	for k, ho := range hm {
		if bo, ok := bm[k]; ok {
			if d, changed := compareObject(bo, ho, ""); changed {
				ad.Objects = append(ad.Objects, d)
			}
		}
	}
	matchedBase := map[manifest.Key]bool{}
	matchedHead := map[manifest.Key]bool{}
	for _, p := range pairs {
		matchedBase[p.base], matchedHead[p.head] = true, true
		if d, changed := compareObject(bm[p.base], hm[p.head], p.base.Name); changed {
			ad.Objects = append(ad.Objects, d)
		}
	}
	for _, k := range onlyBase {
		if !matchedBase[k] {
			ad.Objects = append(ad.Objects, wholeObject(bm[k], Removed))
		}
	}
	for _, k := range onlyHead {
		if !matchedHead[k] {
			ad.Objects = append(ad.Objects, wholeObject(hm[k], Added))
		}
	}
	sortDiffs(ad.Objects)
	if len(ad.Objects) > 0 {
		ad.Status = "changed"
	}
	return ad
}

func index(objs []manifest.Object) map[manifest.Key]manifest.Object {
	m := make(map[manifest.Key]manifest.Object, len(objs))
	for _, o := range objs {
		// Argo CD keeps the last of duplicate objects.
		m[keyOf(o)] = o
	}
	return m
}

// sortDiffs orders object diffs as manifest.Sort orders objects: Helm's
// install order of kinds, then kind, group, namespace, name.
func sortDiffs(ds []ObjectDiff) {
	key := func(d ObjectDiff) manifest.Key {
		return manifest.Key{Group: d.Group, Kind: d.Kind, Namespace: d.Namespace, Name: d.Name}
	}
	slices.SortStableFunc(ds, func(a, b ObjectDiff) int { return key(a).Compare(key(b)) })
}

func newObjectDiff(o manifest.Object, c Change) ObjectDiff {
	k := o.Key()
	name := k.Name
	if name == "" {
		name = o.Object.GetGenerateName() + "*"
	}
	return ObjectDiff{Change: c, Group: k.Group, Kind: k.Kind, Namespace: k.Namespace, Name: name, Source: o.Source}
}

func label(side string, d ObjectDiff) string {
	name := d.Name
	if side == "base" && d.BaseName != "" {
		name = d.BaseName
	}
	g := d.Group
	if g == "" {
		g = "core"
	}
	ns := d.Namespace
	if ns == "" {
		ns = "_cluster"
	}
	return fmt.Sprintf("%s/%s/%s/%s/%s", side, g, d.Kind, ns, name)
}

// wholeObject reports an object present on one side only.
func wholeObject(o manifest.Object, c Change) ObjectDiff {
	d := newObjectDiff(o, c)
	var base, head *unstructured.Unstructured
	if c == Added {
		head = o.Object
	} else {
		base = o.Object
	}
	bm, hm, keys := mask(base, head)
	if !keys.empty() {
		d.Keys = keys
	}
	d.Diff = Unified(label("base", d), label("head", d), toYAML(bm), toYAML(hm))
	return d
}

// compareObject diffs one object present on both sides. baseName is set
// when a hook object was matched under another name.
func compareObject(bo, ho manifest.Object, baseName string) (ObjectDiff, bool) {
	d := newObjectDiff(ho, Changed)
	if ho.Source == "" {
		d.Source = bo.Source
	}
	headObj := ho.Object
	if baseName != "" && baseName != d.Name {
		d.BaseName = baseName
		headObj = renameRandom(ho.Object, d.Name, baseName)
	}
	bm, hm, keys := mask(bo.Object, headObj)
	// Equal values print the same: most objects of a changed app are
	// unchanged, and printing them costs more than comparing.
	var by, hy string
	if !reflect.DeepEqual(bm, hm) {
		by, hy = toYAML(bm), toYAML(hm)
	}
	if by == hy {
		if keys.empty() {
			return d, false
		}
		// Only ciphertexts differ: a reseal.
		d.Change = Resealed
		d.Keys = keys
		return d, true
	}
	if labels, anns, ok := metadataOnly(bm, hm); ok {
		d.MetadataOnly, d.Labels, d.Annotations = true, labels, anns
	}
	if !keys.empty() {
		d.Keys = keys
		if len(keys.Resealed) > 0 {
			distinctReseal(bm, hm, keys)
			by, hy = toYAML(bm), toYAML(hm)
		}
	}
	d.Diff = Unified(label("base", d), label("head", d), by, hy)
	return d, true
}

// renameRandom returns a copy of obj in which the random part of its name
// (what differs from baseName) is replaced by the base's, wherever it
// occurs, so that a hook re-rendered with a new random suffix compares equal.
func renameRandom(obj *unstructured.Unstructured, name, baseName string) *unstructured.Unstructured {
	p := commonPrefix(name, baseName)
	s := commonSuffix(name[p:], baseName[p:])
	from, to := name[p:len(name)-s], baseName[p:len(baseName)-s]
	b, err := json.Marshal(obj.Object)
	if err != nil || from == "" {
		return obj
	}
	if len(from) >= 4 {
		b = bytes.ReplaceAll(b, []byte(from), []byte(to))
	} else {
		b = bytes.ReplaceAll(b, []byte(`"`+name+`"`), []byte(`"`+baseName+`"`))
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return obj
	}
	return &unstructured.Unstructured{Object: m}
}

func commonPrefix(a, b string) int {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	return i
}

func commonSuffix(a, b string) int {
	i := 0
	for i < len(a) && i < len(b) && a[len(a)-1-i] == b[len(b)-1-i] {
		i++
	}
	return i
}

func toYAML(m map[string]any) string {
	if m == nil {
		return ""
	}
	b, err := yaml.Marshal(m)
	if err != nil {
		return fmt.Sprintf("# cannot marshal object: %v\n", err)
	}
	return string(b)
}

// metadataOnly reports whether two (masked) objects differ only in their
// labels and annotations, and how.
func metadataOnly(bm, hm map[string]any) (labels, anns []FieldChange, ok bool) {
	strip := func(m map[string]any) (map[string]any, map[string]any, map[string]any) {
		c := make(map[string]any, len(m))
		for k, v := range m {
			c[k] = v
		}
		md, _ := m["metadata"].(map[string]any)
		if md == nil {
			return c, nil, nil
		}
		mc := make(map[string]any, len(md))
		for k, v := range md {
			mc[k] = v
		}
		l, _ := mc["labels"].(map[string]any)
		a, _ := mc["annotations"].(map[string]any)
		delete(mc, "labels")
		delete(mc, "annotations")
		c["metadata"] = mc
		return c, l, a
	}
	bs, bl, ba := strip(bm)
	hs, hl, ha := strip(hm)
	if toYAML(bs) != toYAML(hs) {
		return nil, nil, false
	}
	return fieldChanges(bl, hl), fieldChanges(ba, ha), true
}

func fieldChanges(b, h map[string]any) []FieldChange {
	str := func(v any) *string {
		s, ok := v.(string)
		if !ok {
			s = fmt.Sprint(v)
		}
		return &s
	}
	var out []FieldChange
	for k, bv := range b {
		hv, ok := h[k]
		switch {
		case !ok:
			out = append(out, FieldChange{Key: k, From: str(bv)})
		case fmt.Sprint(bv) != fmt.Sprint(hv):
			out = append(out, FieldChange{Key: k, From: str(bv), To: str(hv)})
		}
	}
	for k, hv := range h {
		if _, ok := b[k]; !ok {
			out = append(out, FieldChange{Key: k, To: str(hv)})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}
