package render

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chartutil"
)

// The values schema check answers as Helm's (same errors, same passes),
// the first time a schema is seen and when it is reused.
func TestValidateValuesAsHelm(t *testing.T) {
	schema := []byte(`{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "type": "object",
  "required": ["image"],
  "properties": {
    "image": {"type": "object", "required": ["repository"], "properties": {"repository": {"type": "string"}, "tag": {"type": "string"}}},
    "replicaCount": {"type": "integer", "minimum": 1},
    "env": {"type": "object", "additionalProperties": {"type": "string"}},
    "urn": {"$ref": "urn:example:unresolved"}
  }
}`)
	subSchema := []byte(`{"type": "object", "properties": {"port": {"type": "integer"}}, "additionalProperties": false}`)
	mk := func(name string, schema []byte, subs ...*chart.Chart) *chart.Chart {
		ch := &chart.Chart{Metadata: &chart.Metadata{Name: name, Version: "1.0.0", APIVersion: "v2"}, Schema: schema}
		ch.SetDependencies(subs...)
		return ch
	}
	cases := []struct {
		name string
		ch   *chart.Chart
		vals map[string]any
	}{
		{"valid", mk("app", schema), map[string]any{"image": map[string]any{"repository": "r", "tag": "1"}, "replicaCount": int64(2)}},
		{"missing required", mk("app", schema), map[string]any{"replicaCount": int64(2)}},
		{"wrong types", mk("app", schema), map[string]any{"image": map[string]any{"repository": int64(3)}, "replicaCount": "two", "env": map[string]any{"A": true}}},
		{"below minimum", mk("app", schema), map[string]any{"image": map[string]any{"repository": "r"}, "replicaCount": int64(0)}},
		{"no values", mk("app", schema), map[string]any{}},
		{"nil values", mk("app", schema), nil},
		{"no schema", mk("app", nil), map[string]any{"anything": 1}},
		{"subchart valid", mk("app", nil, mk("db", subSchema)), map[string]any{"db": map[string]any{"port": int64(5432)}}},
		{"subchart invalid", mk("app", schema, mk("db", subSchema)), map[string]any{"db": map[string]any{"port": "x", "extra": 1}}},
		{"subchart values not a map", mk("app", nil, mk("db", subSchema)), map[string]any{"db": "oops"}},
		{"subchart without values", mk("app", nil, mk("db", subSchema)), map[string]any{}},
		{"invalid schema JSON", mk("app", []byte(`{"type": `)), map[string]any{}},
		{"invalid schema", mk("app", []byte(`{"type": 12}`)), map[string]any{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var want error
			if err := chartutil.ValidateAgainstSchema(c.ch, c.vals); err != nil {
				want = fmt.Errorf("values don't meet the specifications of the schema(s) in the following chart(s):\n%s", err.Error())
			}
			for round := range 2 {
				got := validateValues(c.ch, c.vals)
				if (got == nil) != (want == nil) || got != nil && sortedLines(got.Error()) != sortedLines(want.Error()) {
					t.Fatalf("round %d: got %v\nHelm: %v", round, got, want)
				}
			}
		})
	}
}

// sortedLines: the jsonschema library lists the errors of an object's
// properties in map order (Helm's messages vary from run to run too).
func sortedLines(s string) string {
	lines := strings.Split(s, "\n")
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}
