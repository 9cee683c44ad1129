package render

import (
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	yaml "go.yaml.in/yaml/v2"

	"github.com/gitopsctl/gitopsctl/internal/argo"
)

// decodeSection decodes one printed section of a chart's output into
// objects, exactly as argo.DecodeManifestStream does (Argo CD's reading of
// `helm template`'s output), in one YAML pass instead of YAML, then JSON
// written and read again. Anything the direct path does not handle (a
// list kind, a document that is not an object or has no kind, keys that
// are not strings, numbers JSON cannot hold, invalid UTF-8, a malformed
// separator or a YAML error) goes through argo.DecodeManifestStream,
// which also words the errors.
func decodeSection(text string) ([]map[string]any, error) {
	if objs, ok := fastDecode(text); ok {
		return objs, nil
	}
	return argo.DecodeManifestStream([]byte(text))
}

func fastDecode(text string) ([]map[string]any, bool) {
	var out []map[string]any
	ok := true
	doc := func(d string) {
		if !ok || strings.TrimSpace(d) == "" {
			return
		}
		obj, null, good := jsonNumbers(true).object([]byte(d))
		switch {
		case !good:
			ok = false
		case null:
		case !plainObject(obj):
			ok = false // List kinds and kind-less documents: left to the stream decoder
		default:
			out = append(out, obj)
		}
	}
	start := 0
	for i := 0; i < len(text); {
		end := strings.IndexByte(text[i:], '\n')
		next := len(text)
		if end >= 0 {
			next = i + end + 1
		}
		if line := text[i:next]; strings.HasPrefix(line, "---") {
			rest := strings.TrimSpace(line[3:])
			if rest != "" && rest[0] != '#' {
				return nil, false
			}
			doc(text[start:i])
			start = next
		}
		i = next
	}
	doc(text[start:])
	return out, ok
}

// plainObject reports whether a decoded document is one object as Argo CD
// reads it: a kind, and no "items" (a List kind is read item by item).
func plainObject(obj map[string]any) bool {
	_, items := obj["items"]
	k, _ := obj["kind"].(string)
	return !items && k != ""
}

// object reads one YAML document as sigs.k8s.io/yaml then JSON would (see
// jsonNumbers): null is true for an empty or null document; ok is false
// for a YAML error, a document that is not a mapping, or anything the
// round trip would change or refuse.
func (ints jsonNumbers) object(doc []byte) (obj map[string]any, null, ok bool) {
	var v any
	if yaml.Unmarshal(doc, &v) != nil {
		return nil, false, false
	}
	if v == nil {
		return nil, true, true
	}
	m, isMap := v.(map[any]any)
	if !isMap {
		return nil, false, false
	}
	obj, ok = ints.mapping(m)
	return obj, false, ok
}

// jsonNumbers converts decoded YAML to what reading it back from JSON
// gives: string keys, and with true integers as int64 (as Kubernetes'
// decoder reads them: other numbers float64, integral ones that JSON
// prints without an exponent int64) or, with false, every number as float64 (as encoding/json reads them into
// an interface, which is how sigs.k8s.io/yaml gives Helm its values).
// ok is false for anything the round trip would change or refuse: keys
// that are not strings, invalid UTF-8, numbers JSON cannot hold, types
// JSON has not.
type jsonNumbers bool

func (ints jsonNumbers) mapping(m map[any]any) (map[string]any, bool) {
	out := make(map[string]any, len(m))
	for k, v := range m {
		ks, ok := k.(string)
		if !ok || !utf8.ValidString(ks) {
			return nil, false
		}
		if out[ks], ok = ints.value(v); !ok {
			return nil, false
		}
	}
	return out, true
}

func (ints jsonNumbers) value(v any) (any, bool) {
	switch t := v.(type) {
	case nil, bool:
		return t, true
	case string:
		return t, utf8.ValidString(t)
	case int:
		if !ints {
			return float64(t), true
		}
		return int64(t), true
	case int64:
		if !ints {
			return float64(t), true
		}
		return t, true
	case float64:
		if math.IsInf(t, 0) || math.IsNaN(t) {
			return nil, false
		}
		if !ints {
			return t, true
		}
		if a := math.Abs(t); a == 0 || a >= 1e-6 && a < 1e21 {
			if n, err := strconv.ParseInt(strconv.FormatFloat(t, 'f', -1, 64), 10, 64); err == nil {
				return n, true
			}
		}
		return t, true
	case map[any]any:
		return ints.mapping(t)
	case []any:
		out := make([]any, len(t))
		for i, x := range t {
			var ok bool
			if out[i], ok = ints.value(x); !ok {
				return nil, false
			}
		}
		return out, true
	}
	return nil, false
}
