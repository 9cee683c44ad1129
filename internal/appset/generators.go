package appset

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"sort"
	"strings"

	"sigs.k8s.io/yaml"
)

// paramSet is one set of parameters and the files it was read from.
type paramSet struct {
	values map[string]any
	files  []File
}

// transformResult is what one generator of a generator entry gives: its
// parameter sets and the template they render (Transform in
// applicationset/generators/generator_spec_processor.go).
type transformResult struct {
	params   []paramSet
	template map[string]any
}

// generator is one entry of spec.generators (or of a matrix's or merge's
// generators). Its generators are kept raw: a matrix interpolates its second
// child's text with the first child's parameters before reading it.
type generator struct {
	List                    *listGen        `json:"list"`
	Clusters                *clustersGen    `json:"clusters"`
	Git                     *gitGen         `json:"git"`
	SCMProvider             json.RawMessage `json:"scmProvider"`
	ClusterDecisionResource json.RawMessage `json:"clusterDecisionResource"`
	PullRequest             json.RawMessage `json:"pullRequest"`
	Matrix                  *combineGen     `json:"matrix"`
	Merge                   *combineGen     `json:"merge"`
	Selector                *LabelSelector  `json:"selector"`
	Plugin                  json.RawMessage `json:"plugin"`
}

type listGen struct {
	Elements     []json.RawMessage `json:"elements"`
	ElementsYaml string            `json:"elementsYaml"`
	Template     map[string]any    `json:"template"`
}

type clustersGen struct {
	Selector LabelSelector     `json:"selector"`
	Values   map[string]string `json:"values"`
	FlatList bool              `json:"flatList"`
	Template map[string]any    `json:"template"`
}

type gitGen struct {
	RepoURL         string            `json:"repoURL"`
	Revision        string            `json:"revision"`
	Directories     []gitItem         `json:"directories"`
	Files           []gitItem         `json:"files"`
	PathParamPrefix string            `json:"pathParamPrefix"`
	Values          map[string]string `json:"values"`
	Template        map[string]any    `json:"template"`
}

type gitItem struct {
	Path    string `json:"path"`
	Exclude bool   `json:"exclude"`
}

type combineGen struct {
	Generators []json.RawMessage `json:"generators"`
	MergeKeys  []string          `json:"mergeKeys"`
	Template   map[string]any    `json:"template"`
}

// gen generates the parameters of one ApplicationSet.
type gen struct {
	o          Options
	goTemplate bool
	opts       []string
	// listed caches a repository's directories or files per repoURL,
	// revision and kind (a matrix may ask once per parameter set).
	listed map[[3]string][]string
}

// maxDepth is how deep matrix and merge nest: Argo CD reads a top-level
// matrix or merge whose children may be a matrix or merge of plain
// generators (GetGenerators in applicationset/generators/utils.go).
const maxDepth = 2

// transform generates the parameters of one generator entry: for each
// generator set in it (in the order of Argo CD's ApplicationSetGenerator
// fields), its parameter sets that the entry's selector matches, and its
// template merged over base. With params (a matrix's second child), every
// string of the entry is first rendered with them.
func (g *gen) transform(raw json.RawMessage, base map[string]any, params map[string]any, depth int) ([]transformResult, error) {
	if len(params) > 0 {
		var err error
		if raw, err = g.interpolate(raw, params); err != nil {
			return nil, err
		}
	}
	var gn generator
	if err := json.Unmarshal(raw, &gn); err != nil {
		return nil, err
	}
	var sel *selector
	if gn.Selector != nil {
		var err error
		if sel, err = gn.Selector.compile(); err != nil {
			return nil, fmt.Errorf("error parsing label selector: %w", err)
		}
	}
	type entry struct {
		name     string
		template map[string]any
		run      func() ([]paramSet, error)
	}
	var entries []entry
	if gn.List != nil {
		entries = append(entries, entry{"list", gn.List.Template, func() ([]paramSet, error) { return g.list(gn.List) }})
	}
	if gn.Clusters != nil {
		entries = append(entries, entry{"clusters", gn.Clusters.Template, func() ([]paramSet, error) { return g.clusters(gn.Clusters) }})
	}
	if gn.Git != nil {
		entries = append(entries, entry{"git", gn.Git.Template, func() ([]paramSet, error) { return g.git(gn.Git) }})
	}
	for _, live := range []struct {
		name string
		raw  json.RawMessage
	}{{"scmProvider", gn.SCMProvider}, {"clusterDecisionResource", gn.ClusterDecisionResource}, {"pullRequest", gn.PullRequest}} {
		if isSet(live.raw) {
			return nil, &LiveGeneratorError{Generator: live.name}
		}
	}
	if gn.Matrix != nil {
		if depth >= maxDepth {
			return nil, errors.New("a matrix nested in a matrix or merge may only hold list, clusters and git generators")
		}
		entries = append(entries, entry{"matrix", gn.Matrix.Template, func() ([]paramSet, error) { return g.matrix(gn.Matrix, depth+1) }})
	}
	if gn.Merge != nil {
		if depth >= maxDepth {
			return nil, errors.New("a merge nested in a matrix or merge may only hold list, clusters and git generators")
		}
		entries = append(entries, entry{"merge", gn.Merge.Template, func() ([]paramSet, error) { return g.merge(gn.Merge, depth+1) }})
	}
	if isSet(gn.Plugin) {
		return nil, &LiveGeneratorError{Generator: "plugin"}
	}
	if len(entries) == 0 {
		return nil, errors.New("no known generator (list, clusters, git, matrix, merge)")
	}
	var out []transformResult
	for _, e := range entries {
		tmpl := mergeTemplate(e.template, base)
		ps, err := e.run()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", e.name, err)
		}
		var kept []paramSet
		for _, p := range ps {
			if sel != nil && !sel.matches(flatten(p.values)) {
				continue
			}
			kept = append(kept, p)
		}
		out = append(out, transformResult{params: kept, template: tmpl})
	}
	return out, nil
}

func isSet(raw json.RawMessage) bool {
	s := strings.TrimSpace(string(raw))
	return s != "" && s != "null"
}

// interpolate renders every string of a generator entry with params (a
// matrix's second child with the first's parameters; RenderGeneratorParams
// in applicationset/utils/utils.go). With goTemplate, a generator's values
// are rendered with missingkey=error and a value naming a missing key is
// kept as written, to be rendered with the generator's own parameters.
func (g *gen) interpolate(raw json.RawMessage, params map[string]any) (json.RawMessage, error) {
	var v map[string]any
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil, err
	}
	held := map[string]map[string]any{}
	for _, k := range []string{"clusters", "git"} {
		if m, ok := v[k].(map[string]any); ok {
			if vals, ok := m["values"].(map[string]any); ok {
				held[k] = vals
				delete(m, "values")
			}
		}
	}
	r, err := renderValue(v, params, g.goTemplate, g.opts)
	if err != nil {
		return nil, fmt.Errorf("failed to replace parameters in generator: %w", err)
	}
	out := r.(map[string]any)
	valueOpts := g.opts
	if g.goTemplate {
		valueOpts = nil
		for _, o := range g.opts {
			if !strings.HasPrefix(o, "missingkey=") {
				valueOpts = append(valueOpts, o)
			}
		}
		valueOpts = append(valueOpts, "missingkey=error")
	}
	for k, vals := range held {
		resolved := map[string]any{}
		for name, x := range vals {
			s, ok := x.(string)
			if !ok {
				resolved[name] = x
				continue
			}
			rs, err := replace(s, params, g.goTemplate, valueOpts)
			if err != nil {
				if isMissingKey(err) {
					resolved[name] = s
					continue
				}
				return nil, fmt.Errorf("failed to pre-resolve values key %q: %w", name, err)
			}
			resolved[name] = rs
		}
		if m, ok := out[k].(map[string]any); ok {
			m["values"] = resolved
		}
	}
	return json.Marshal(out)
}

func isMissingKey(err error) bool {
	msg := err.Error()
	return strings.Contains(msg, "map has no entry for key") || strings.Contains(msg, "can't evaluate field")
}

// list: each element is a parameter set. Without goTemplate every value
// must be a string, and the strings of a "values" map become values.<key>;
// elementsYaml adds its elements as they are
// (applicationset/generators/list.go).
func (g *gen) list(l *listGen) ([]paramSet, error) {
	var out []paramSet
	for i, raw := range l.Elements {
		var el map[string]any
		if err := json.Unmarshal(raw, &el); err != nil {
			return nil, fmt.Errorf("elements[%d]: %w", i, err)
		}
		if g.goTemplate {
			out = append(out, paramSet{values: el})
			continue
		}
		p := map[string]any{}
		for k, v := range el {
			if k == "values" {
				vals, ok := v.(map[string]any)
				if !ok {
					return nil, fmt.Errorf("elements[%d].values is not a map", i)
				}
				for vk, vv := range vals {
					s, ok := vv.(string)
					if !ok {
						return nil, fmt.Errorf("elements[%d].values.%s is not a string (without goTemplate every value must be)", i, vk)
					}
					p["values."+vk] = s
				}
				continue
			}
			s, ok := v.(string)
			if !ok {
				return nil, fmt.Errorf("elements[%d].%s is not a string (without goTemplate every value must be)", i, k)
			}
			p[k] = s
		}
		out = append(out, paramSet{values: p})
	}
	if l.ElementsYaml != "" {
		var els []map[string]any
		if err := yaml.Unmarshal([]byte(l.ElementsYaml), &els); err != nil {
			return nil, fmt.Errorf("elementsYaml: %w", err)
		}
		for _, el := range els {
			out = append(out, paramSet{values: el})
		}
	}
	return out, nil
}

// clusters: one parameter set per declared cluster the selector matches
// (by name), then the in-cluster cluster when no declared cluster has its
// address and the selector is empty; flatList puts them all in one set
// under "clusters" (applicationset/generators/cluster.go).
func (g *gen) clusters(c *clustersGen) ([]paramSet, error) {
	sel, err := c.Selector.compile()
	if err != nil {
		return nil, fmt.Errorf("selector: %w", err)
	}
	declared := append([]Cluster(nil), g.o.Clusters...)
	sort.SliceStable(declared, func(i, j int) bool { return declared[i].Name < declared[j].Name })
	var sets []map[string]any
	local := false
	for _, cl := range declared {
		if cl.Server == InClusterServer {
			local = true
		}
		labels := map[string]string{SecretTypeLabel: "cluster"}
		maps.Copy(labels, cl.Labels)
		if !sel.matches(labels) {
			continue
		}
		p := map[string]any{"name": cl.Name, "nameNormalized": SanitizeName(cl.Name), "server": cl.Server, "project": cl.Project}
		if g.goTemplate {
			meta := map[string]any{}
			if len(cl.Annotations) > 0 {
				meta["annotations"] = toAnyMap(cl.Annotations)
			}
			meta["labels"] = toAnyMap(labels)
			p["metadata"] = meta
		} else {
			for k, v := range cl.Annotations {
				p["metadata.annotations."+k] = v
			}
			for k, v := range labels {
				p["metadata.labels."+k] = v
			}
		}
		if err := g.appendValues(c.Values, p); err != nil {
			return nil, err
		}
		sets = append(sets, p)
	}
	if !local && sel.empty() {
		p := map[string]any{"name": InClusterName, "nameNormalized": InClusterName, "server": InClusterServer, "project": ""}
		if err := g.appendValues(c.Values, p); err != nil {
			return nil, err
		}
		sets = append(sets, p)
	}
	if c.FlatList {
		list := make([]any, len(sets))
		for i, s := range sets {
			list[i] = s
		}
		return []paramSet{{values: map[string]any{"clusters": list}}}, nil
	}
	out := make([]paramSet, len(sets))
	for i, s := range sets {
		out[i] = paramSet{values: s}
	}
	return out, nil
}

func toAnyMap(m map[string]string) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// appendValues renders a generator's values with its parameters and adds
// them as values.<key> (a "values" map with goTemplate)
// (applicationset/generators/value_interpolation.go).
func (g *gen) appendValues(values map[string]string, p map[string]any) error {
	tmp := map[string]any{}
	keys := make([]string, 0, len(values))
	for k := range values {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		r, err := replace(values[k], p, g.goTemplate, g.opts)
		if err != nil {
			return fmt.Errorf("values.%s: %w", k, err)
		}
		if g.goTemplate {
			if tmp["values"] == nil {
				tmp["values"] = map[string]any{}
			}
			tmp["values"].(map[string]any)[k] = r
		} else {
			tmp["values."+k] = r
		}
	}
	maps.Copy(p, tmp)
	return nil
}

// matrix: the cartesian product of two generators' parameter sets, the
// second generated once per set of the first with its text rendered with
// that set; goTemplate merges each pair (the first's values win), without
// goTemplate a key both give with different values is an error
// (applicationset/generators/matrix.go). The children's own templates are
// not used.
func (g *gen) matrix(m *combineGen, depth int) ([]paramSet, error) {
	switch {
	case len(m.Generators) < 2:
		return nil, errors.New("found less than two generators, Matrix support only two")
	case len(m.Generators) > 2:
		return nil, errors.New("found more than two generators, Matrix support only two")
	}
	first, err := g.child(m.Generators[0], nil, depth)
	if err != nil {
		return nil, fmt.Errorf("first generator: %w", err)
	}
	var out []paramSet
	for _, a := range first {
		second, err := g.child(m.Generators[1], a.values, depth)
		if err != nil {
			return nil, fmt.Errorf("second generator: %w", err)
		}
		for _, b := range second {
			var v map[string]any
			if g.goTemplate {
				v = mergeOverride(deepCopy(b.values).(map[string]any), a.values)
			} else {
				if v, err = combineStrings(a.values, b.values); err != nil {
					return nil, err
				}
			}
			out = append(out, paramSet{values: v, files: append(append([]File(nil), a.files...), b.files...)})
		}
	}
	return out, nil
}

// child generates one generator of a matrix or merge: it must be exactly
// one generator and yield a result.
func (g *gen) child(raw json.RawMessage, params map[string]any, depth int) ([]paramSet, error) {
	rs, err := g.transform(raw, map[string]any{}, params, depth)
	if err != nil {
		return nil, err
	}
	if len(rs) > 1 {
		return nil, errors.New("found more than one generator in matrix.Generators")
	}
	return rs[0].params, nil
}

// combineStrings joins two flat parameter sets (values as strings); a key
// in both with different values is an error (CombineStringMaps in
// applicationset/utils/map.go).
func combineStrings(a, b map[string]any) (map[string]any, error) {
	out := map[string]any{}
	for k, v := range a {
		out[k] = fmt.Sprintf("%v", v)
	}
	keys := make([]string, 0, len(b))
	for k := range b {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := fmt.Sprintf("%v", b[k])
		if cur, ok := out[k]; ok && cur != v {
			return nil, fmt.Errorf("found duplicate key %s with different value, a: %s ,b: %s", k, cur, v)
		}
		out[k] = v
	}
	return out, nil
}

// merge: the first generator's sets, each updated by the sets of the later
// generators that have the same values of mergeKeys; a merge key value
// repeated within one generator is an error
// (applicationset/generators/merge.go). Argo CD's order is a map's; here it
// is the first generator's.
func (g *gen) merge(m *combineGen, depth int) ([]paramSet, error) {
	if len(m.Generators) < 2 {
		return nil, errors.New("found less than two generators, Merge requires two or more")
	}
	if len(m.MergeKeys) == 0 {
		return nil, errors.New("no merge keys were specified, Merge requires at least one")
	}
	var all [][]paramSet
	for i, raw := range m.Generators {
		ps, err := g.child(raw, nil, depth)
		if err != nil {
			return nil, fmt.Errorf("error getting params from generator %d of %d: %w", i+1, len(m.Generators), err)
		}
		all = append(all, ps)
	}
	baseKeys, byKey, err := byMergeKey(m.MergeKeys, all[0])
	if err != nil {
		return nil, err
	}
	for _, sets := range all[1:] {
		_, other, err := byMergeKey(m.MergeKeys, sets)
		if err != nil {
			return nil, err
		}
		for _, k := range baseKeys {
			o, ok := other[k]
			if !ok {
				continue
			}
			b := byKey[k]
			if g.goTemplate {
				b.values = mergeOverride(b.values, o.values)
			} else {
				maps.Copy(b.values, o.values)
			}
			b.files = append(b.files, o.files...)
			byKey[k] = b
		}
	}
	out := make([]paramSet, 0, len(baseKeys))
	for _, k := range baseKeys {
		out = append(out, byKey[k])
	}
	return out, nil
}

func byMergeKey(keys []string, sets []paramSet) ([]string, map[string]paramSet, error) {
	uniq := map[string]bool{}
	for _, k := range keys {
		uniq[k] = true
	}
	var order []string
	out := map[string]paramSet{}
	for _, s := range sets {
		key := map[string]any{}
		for k := range uniq {
			key[k] = s.values[k]
		}
		b, err := json.Marshal(key)
		if err != nil {
			return nil, nil, err
		}
		if _, dup := out[string(b)]; dup {
			return nil, nil, fmt.Errorf("found duplicate merge key values %s: each generator's parameter sets must differ in their merge keys", b)
		}
		c := paramSet{values: deepCopy(s.values).(map[string]any), files: append([]File(nil), s.files...)}
		out[string(b)] = c
		order = append(order, string(b))
	}
	return order, out, nil
}

// mergeOverride merges src into dst, src winning, maps merged key by key
// (mergo.Merge with WithOverride, as matrix and merge use it; empty values
// of src do not override).
func mergeOverride(dst, src map[string]any) map[string]any {
	if dst == nil {
		dst = map[string]any{}
	}
	for k, sv := range src {
		dv, ok := dst[k]
		dm, dIsMap := dv.(map[string]any)
		sm, sIsMap := sv.(map[string]any)
		switch {
		case ok && dIsMap && sIsMap:
			dst[k] = mergeOverride(dm, sm)
		case isEmpty(sv) && ok:
		default:
			dst[k] = deepCopy(sv)
		}
	}
	return dst
}

// mergeTemplate fills the fields a generator's template leaves empty from
// the ApplicationSet's template (mergeGeneratorTemplate: mergo.Merge
// without override).
func mergeTemplate(dst, src map[string]any) map[string]any {
	out := deepCopy(dst)
	if out == nil {
		out = map[string]any{}
	}
	m, _ := out.(map[string]any)
	if m == nil {
		m = map[string]any{}
	}
	for k, sv := range src {
		dv, ok := m[k]
		dm, dIsMap := dv.(map[string]any)
		sm, sIsMap := sv.(map[string]any)
		switch {
		case ok && dIsMap && sIsMap:
			m[k] = mergeTemplate(dm, sm)
		case !ok || isEmpty(dv):
			m[k] = deepCopy(sv)
		}
	}
	return m
}

func isEmpty(v any) bool {
	switch t := v.(type) {
	case nil:
		return true
	case string:
		return t == ""
	case bool:
		return !t
	case float64:
		return t == 0
	case int64:
		return t == 0
	case int:
		return t == 0
	case []any:
		return len(t) == 0
	case map[string]any:
		return len(t) == 0
	}
	return false
}
