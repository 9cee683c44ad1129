package yamledit

import (
	"errors"
	"fmt"
	"maps"
	"reflect"
	"regexp"
	"strconv"
	"strings"

	goyaml "github.com/goccy/go-yaml"
	sigsyaml "sigs.k8s.io/yaml"
	yamlv2 "sigs.k8s.io/yaml/goyaml.v2"
)

// decoders are the two readers a values file must satisfy: goccy/go-yaml
// (YAML 1.2) and the YAML 1.1 reader under sigs.k8s.io/yaml, which Helm
// uses (so `on` is a bool there; `1.10` is a float in both). The latter is
// used directly rather than through its JSON conversion so that keys such
// as 010 and "8" stay distinct and the comparison is deterministic.
var decoders = []struct {
	name   string
	anyMap bool // new maps are map[any]any
	decode func([]byte) (any, error)
}{
	{"goccy/go-yaml", false, func(b []byte) (any, error) {
		var v any
		err := goyaml.Unmarshal(b, &v)
		return v, err
	}},
	{"sigs.k8s.io/yaml", true, func(b []byte) (any, error) {
		var v any
		err := yamlv2.Unmarshal(b, &v)
		return v, err
	}},
}

var lineRE = regexp.MustCompile(`line (\d+)`)

// syntaxCheck decodes src the way Helm does and reports the first error
// with its line.
func syntaxCheck(src []byte) error {
	var v any
	if err := sigsyaml.Unmarshal(src, &v); err != nil {
		msg := strings.TrimPrefix(err.Error(), "error converting YAML to JSON: ")
		msg = strings.TrimPrefix(msg, "yaml: ")
		line := 0
		if m := lineRE.FindStringSubmatch(msg); m != nil {
			line, _ = strconv.Atoi(m[1])
			msg = strings.TrimSpace(strings.TrimPrefix(strings.Replace(msg, m[0], "", 1), ":"))
		}
		return errAt(line, "invalid YAML: %s", msg)
	}
	return nil
}

// readsAsString reports whether `k: raw` decodes to the string value in
// both decoders.
func readsAsString(raw, value string) bool {
	for _, dec := range decoders {
		v, err := dec.decode([]byte("k: " + raw + "\n"))
		if err != nil {
			return false
		}
		var got any
		switch m := v.(type) {
		case map[string]any:
			got = m["k"]
		case map[any]any:
			got = m["k"]
		}
		if s, ok := got.(string); !ok || s != value {
			return false
		}
	}
	return true
}

var plainRE = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.@:/+-]*$`)

// plainCandidate reports whether value may be written unquoted.
func plainCandidate(value string) bool {
	return plainRE.MatchString(value) && !strings.HasSuffix(value, ":") && readsAsString(value, value)
}

// Verify checks that after decodes exactly like before except that the
// value at path is the string value (created, with its parents, if it was
// missing). Both goccy/go-yaml and sigs.k8s.io/yaml must agree.
func Verify(before, after []byte, path Path, value string) error {
	for _, dec := range decoders {
		b, err := dec.decode(before)
		if err != nil {
			return fmt.Errorf("%s cannot read the original: %w", dec.name, err)
		}
		a, err := dec.decode(after)
		if err != nil {
			return fmt.Errorf("%s cannot read the result: %w", dec.name, err)
		}
		want, err := setPath(b, path, value, dec.anyMap)
		if err != nil {
			return err
		}
		if !reflect.DeepEqual(want, a) {
			return fmt.Errorf("re-reading the result with %s shows changes other than %s", dec.name, path)
		}
	}
	return nil
}

// setPath returns a copy of v with path set to value; maps on the way are
// copied, everything else shared.
func setPath(v any, path Path, value string, anyMap bool) (any, error) {
	if len(path) == 0 {
		return value, nil
	}
	switch m := v.(type) {
	case nil:
		child, err := setPath(nil, path[1:], value, anyMap)
		if err != nil {
			return nil, err
		}
		if anyMap {
			return map[any]any{path[0]: child}, nil
		}
		return map[string]any{path[0]: child}, nil
	case map[string]any:
		return withKey(m, path[0], path, value, anyMap)
	case map[any]any:
		return withKey(m, any(path[0]), path, value, anyMap)
	}
	return nil, errors.New("key path crosses a non-map")
}

// withKey is a copy of m with key set along the rest of path.
func withKey[K comparable](m map[K]any, key K, path Path, value string, anyMap bool) (any, error) {
	child, err := setPath(m[key], path[1:], value, anyMap)
	if err != nil {
		return nil, err
	}
	out := maps.Clone(m)
	if out == nil {
		out = map[K]any{}
	}
	out[key] = child
	return out, nil
}
