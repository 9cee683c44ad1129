package render

import (
	"path"
	"sort"
	"strings"

	"helm.sh/helm/v3/pkg/release"
	"helm.sh/helm/v3/pkg/releaseutil"
)

// sortedDoc is one resource document of a chart's output, in the order
// Helm installs (and `helm template` prints) them, with its objects
// decoded when that was possible along the way.
type sortedDoc struct {
	source   string // the template's name
	content  string // the document, trimmed, as Helm split it
	headKind string // the kind Helm sorts it by
	isHook   bool   // it has a helm.sh/hook annotation
	hook     string // that annotation
	printedObjs
}

// printedObjs are a printed section's objects, decoded as decodeSection
// decodes the section's text; decoded is false when that is left to
// decodeSection.
type printedObjs struct {
	objs    []map[string]any
	decoded bool
}

// installOrderIndex is each kind's place in Helm's install order.
var installOrderIndex = func() map[string]int {
	m := make(map[string]int, len(releaseutil.InstallOrder))
	for i, k := range releaseutil.InstallOrder {
		m[k] = i
	}
	return m
}()

// sortResources orders the documents of rendered templates as Helm's
// releaseutil.SortManifests orders its resources and hooks, reading each
// document once, for both the kind and hook annotation it sorts by and the
// objects Argo CD decodes from the printed section. Hooks with an event
// Helm does not know are dropped, as Helm drops them. It answers only the
// plain case, where that single reading provably gives Helm's answer:
// every document is YAML whose decoding needs no help from JSON (string
// keys, numbers JSON can hold), whose kind, apiVersion, metadata.name and
// metadata.annotations are absent or of the types Helm reads them as,
// spelled exactly (Helm reads them through encoding/json, which also
// matches other cases). ok is false otherwise, and the caller asks Helm,
// which also words any error.
func sortResources(files map[string]string) (docs, hooks []sortedDoc, ok bool) {
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		content := files[name]
		if strings.HasPrefix(path.Base(name), "_") || strings.TrimSpace(content) == "" {
			continue
		}
		for _, doc := range splitManifests(content) {
			d, good := readResource(name, doc)
			switch {
			case !good:
				return nil, nil, false
			case !d.isHook:
				docs = append(docs, d)
			default:
				if known, _ := classifyHook(d.hook); known {
					hooks = append(hooks, d)
				}
			}
		}
	}
	for _, list := range [][]sortedDoc{docs, hooks} {
		sort.SliceStable(list, func(i, j int) bool {
			return lessKind(list[i].headKind, list[j].headKind)
		})
	}
	return docs, hooks, true
}

// classifyHook reads a hook annotation as Helm does (comma-separated
// events, each trimmed and in lower case): known is whether Helm knows
// every event (it drops the document otherwise), test whether one is a
// test event.
func classifyHook(annotation string) (known, test bool) {
	known = true
	for _, e := range strings.Split(annotation, ",") {
		e = strings.ToLower(strings.TrimSpace(e))
		known = known && hookEvents[e]
		test = test || e == "test" || e == "test-success"
	}
	return known, test
}

// lessKind is Helm's order of kinds: known kinds in install order, then
// unknown ones by name.
func lessKind(a, b string) bool {
	ia, aok := installOrderIndex[a]
	ib, bok := installOrderIndex[b]
	switch {
	case !aok && !bok:
		return a < b
	case !aok:
		return false
	case !bok:
		return true
	}
	return ia < ib
}

// readResource reads one document of the template name. The text it
// parses is the body of the section helmPrint prints for the document
// ("# Source:" comment line, document, newline), which decodeSection
// would parse: a comment line changes no value, and no line of the
// document starts with "---", since Helm split there.
func readResource(name, content string) (sortedDoc, bool) {
	d := sortedDoc{source: name, content: content}
	if strings.HasPrefix(content, "---") || strings.Contains(content, "\n---") {
		return d, false
	}
	obj, null, good := jsonNumbers(true).object([]byte("# Source: " + name + "\n" + content + "\n"))
	switch {
	case !good:
		return d, false
	case null:
		d.decoded = true // nothing to decode; Helm's kind is ""
		return d, true
	}
	if d.headKind, d.hook, d.isHook, good = plainHead(obj); !good {
		return d, false
	}
	if plainObject(obj) {
		d.objs, d.decoded = []map[string]any{obj}, true
	}
	return d, true
}

// plainHead reads the fields Helm's SimpleHead holds, when they are there
// as Helm reads them: exact keys, string values.
func plainHead(obj map[string]any) (kind, hook string, isHook, ok bool) {
	var meta any
	for k, v := range obj {
		switch {
		case k == "kind":
			if kind, ok = stringOrNil(v); !ok {
				return "", "", false, false
			}
		case k == "apiVersion":
			if _, ok = stringOrNil(v); !ok {
				return "", "", false, false
			}
		case k == "metadata":
			meta = v
		case strings.EqualFold(k, "kind"), strings.EqualFold(k, "apiVersion"), strings.EqualFold(k, "metadata"):
			return "", "", false, false
		}
	}
	if meta == nil {
		return kind, "", false, true
	}
	mm, isMap := meta.(map[string]any)
	if !isMap {
		return "", "", false, false
	}
	for k, v := range mm {
		switch {
		case k == "name":
			if _, ok = stringOrNil(v); !ok {
				return "", "", false, false
			}
		case k == "annotations":
			if v == nil {
				continue
			}
			ann, isMap := v.(map[string]any)
			if !isMap {
				return "", "", false, false
			}
			for ak, av := range ann {
				as, isStr := av.(string)
				if !isStr {
					return "", "", false, false
				}
				if ak == release.HookAnnotation {
					hook, isHook = as, true
				}
			}
		case strings.EqualFold(k, "name"), strings.EqualFold(k, "annotations"):
			return "", "", false, false
		}
	}
	return kind, hook, isHook, true
}

func stringOrNil(v any) (string, bool) {
	switch t := v.(type) {
	case nil:
		return "", true
	case string:
		return t, true
	}
	return "", false
}

// splitManifests is releaseutil.SplitManifests with the documents in
// order: the file, trimmed, split where its separator pattern
// `(?:^|\s*\n)---\s*` matches (leftmost-first, as Go's regexp finds it),
// empty pieces dropped and every other piece trimmed. Written out because
// the pattern's backtracking was a tenth of sorting a chart's output.
func splitManifests(file string) []string {
	s := strings.TrimSpace(file)
	var docs []string
	piece := func(d string) {
		if d != "" {
			docs = append(docs, strings.TrimSpace(d))
		}
	}
	beg, end := 0, 0
	for from := 0; from < len(s); {
		var m0, m1 int
		if from == 0 && strings.HasPrefix(s, "---") {
			m0, m1 = 0, 3
		} else {
			j := strings.Index(s[from:], "\n---")
			if j < 0 {
				break
			}
			j += from
			m0 = j
			for m0 > from && reSpace(s[m0-1]) {
				m0--
			}
			m1 = j + 4
		}
		for m1 < len(s) && reSpace(s[m1]) {
			m1++
		}
		end = m0
		if m1 != 0 {
			piece(s[beg:end])
		}
		beg, from = m1, m1
	}
	if len(s) == 0 || end != len(s) {
		piece(s[beg:])
	}
	return docs
}

// reSpace is Go regexp's \s: [\t\n\f\r ].
func reSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r'
}
