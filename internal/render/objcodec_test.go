package render

import (
	"encoding/json"
	"math"
	"reflect"
	"testing"

	utiljson "k8s.io/apimachinery/pkg/util/json"
)

// jsonRoundTrip is what the render cache stored before: json.Marshal, then
// the renderer's decoder.
func jsonRoundTrip(t *testing.T, v any) any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out any
	if err := utiljson.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func objRoundTrip(v any) (any, error) {
	w := &objWriter{}
	if err := w.value(v, 0); err != nil {
		return nil, err
	}
	r := &objReader{s: string(w.b)}
	out := r.value(0)
	if r.err == nil && len(r.s) != 0 {
		r.err = errObjTruncated
	}
	return out, r.err
}

// TestObjCodecAsJSON: a value comes back from the binary form exactly as
// from a JSON round trip (numbers, invalid UTF-8, other Go types), and
// every truncation of the form is an error, never a panic.
func TestObjCodecAsJSON(t *testing.T) {
	v := map[string]any{
		"apiVersion": "v1", "kind": "ConfigMap",
		"metadata": map[string]any{"name": "c", "labels": map[string]any{}, "annotations": nil},
		"ints":     []any{int64(0), int64(-1), int64(math.MaxInt64), int64(math.MinInt64), 7, int32(-3)},
		"floats": []any{3.0, math.Copysign(0, -1), 1.5, -2.25, 1e20, 1e21, 123456789012345678.0, 9.3e18, -9.3e18,
			math.MaxFloat64, math.SmallestNonzeroFloat64, 1e-7, float64(math.MaxInt64), float64(math.MinInt64)},
		"bools":   []any{true, false, nil},
		"bad\xff": "x\xffy\xc3",
		"nested":  []any{[]any{map[string]any{"a": []any{}}}},
		"other":   map[string]string{"b": "1", "a": "2"},
		"strs":    []string{"x", "y"},
		"number":  json.Number("12"),
		"empty":   "",
		"unicode": "ünï – ☃",
	}
	got, err := objRoundTrip(v)
	if err != nil {
		t.Fatal(err)
	}
	if want := jsonRoundTrip(t, v); !reflect.DeepEqual(got, want) {
		t.Fatalf("binary round trip:\n%#v\nJSON round trip:\n%#v", got, want)
	}
	for _, bad := range []any{math.NaN(), math.Inf(1), map[string]any{"f": func() {}}} {
		if _, err := objRoundTrip(bad); err == nil {
			t.Errorf("%v stored", bad)
		}
	}
	w := &objWriter{}
	if err := w.value(v, 0); err != nil {
		t.Fatal(err)
	}
	for n := range len(w.b) {
		r := &objReader{s: string(w.b[:n])}
		_ = r.value(0)
		if r.err == nil && len(r.s) == 0 {
			t.Fatalf("truncated to %d of %d bytes: decoded without error", n, len(w.b))
		}
	}
	// The same value always has the same bytes.
	w2 := &objWriter{}
	if err := w2.value(v, 0); err != nil || string(w2.b) != string(w.b) {
		t.Fatalf("encoding is not deterministic (%v)", err)
	}
}
