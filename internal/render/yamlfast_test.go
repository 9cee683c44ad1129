package render

import (
	"context"
	"math"
	"math/rand"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// yamlPieces build strings that hit every style rule: indicators, quotes,
// numbers and booleans, leading/trailing spaces and breaks, long lines.
var yamlPieces = []string{
	"a", "b c", " ", "  ", "\n", "\n\n", "-", "- ", ":", ": ", "#", " #", "'", "\"", "\\", "?", ",", "[", "]",
	"{", "}", "&", "*", "!", "|", ">", "%", "@", "`", "---", "...", "0", "1", "12", "0x1F", "0b101", "-0b11",
	"0o17", "1_000", "1.5", ".5", "1e3", "+1", "-1", ".inf", "-.inf", ".nan", "true", "no", "On", "y", "~", "null",
	"2024-01-02", "2024-1-2T10:20:30Z", "1:20", "1:20:30.5", "9223372036854775808", "18446744073709551616",
	"word", "longer words here", strings.Repeat("x", 90), strings.Repeat("ab ", 40), "http://example.com/a?b=c#d",
	"\t", "é", "\r", "\x7f", "“exported_”", "µs", "\u00a0", "\u0085", "\u2028", "\ufeff", "\U0001F600", "\xff", "日本語のテキスト", "\x00", "\x1b", "\x85", "\u0080", "\ufffe", "\ufffd", "\a\b\v\f",
}

func randString(r *rand.Rand) string {
	var b strings.Builder
	for n := r.Intn(6); n >= 0; n-- {
		b.WriteString(yamlPieces[r.Intn(len(yamlPieces))])
	}
	if r.Intn(4) == 0 {
		return yamlPieces[r.Intn(len(yamlPieces))]
	}
	return b.String()
}

func randValue(r *rand.Rand, depth int) any {
	k := r.Intn(10)
	if depth > 4 {
		k = 4 + r.Intn(6)
	}
	switch k {
	case 0, 1:
		m := map[string]any{}
		for n := r.Intn(4); n > 0; n-- {
			m[randString(r)] = randValue(r, depth+1)
		}
		return m
	case 2, 3:
		var l []any
		for n := r.Intn(4); n > 0; n-- {
			l = append(l, randValue(r, depth+1))
		}
		if l == nil {
			return []any{}
		}
		return l
	case 4:
		return r.Int63() - r.Int63()
	case 5:
		return []float64{0.5, 1e21, -3.25e-7, math.Inf(1), math.Inf(-1), math.NaN(), 100}[r.Intn(7)]
	case 6:
		return r.Intn(2) == 0
	case 7:
		return nil
	default:
		return randString(r)
	}
}

// TestFastYAMLMatchesLibrary: for random objects, whenever fastYAML
// prints an object it prints exactly what the YAML library prints.
func TestFastYAMLMatchesLibrary(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	fast := 0
	for i := range 100000 {
		obj := map[string]any{}
		for n := r.Intn(5); n > 0; n-- {
			obj[randString(r)] = randValue(r, 0)
		}
		if i%3 == 0 { // deep values past column 80
			obj = map[string]any{"spec": map[string]any{"a": []any{map[string]any{"deep": map[string]any{"deeper": obj}}}}}
		}
		got, ok := fastYAML(obj)
		if !ok {
			continue
		}
		fast++
		want, err := libYAML(obj)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != string(want) {
			t.Fatalf("object %#v:\nfast:\n%s\nlibrary:\n%s", obj, got, want)
		}
	}
	if fast < 30000 {
		t.Fatalf("only %d of 100000 objects took the fast path", fast)
	}
}

// TestFastYAMLFallsBack: what the fast printer does not handle is left to
// the library.
func TestFastYAMLFallsBack(t *testing.T) {
	for _, obj := range []map[string]any{
		{"a": "\ufeffstarts with a byte order mark"},
		{"a": "nel\u0085"},
		{"carriage\rreturn": 1},
		{"a": "bad \xff"},
		{"a": "line\u2028sep"},
		{"a": int(1)},
		{"a": "kept\n\n"},
		{strings.Repeat("k", 129): 1},
		{"multi\nline": 1},
	} {
		if b, ok := fastYAML(obj); ok {
			t.Errorf("%#v: printed %q, want fallback", obj, b)
		}
		if _, err := MarshalYAML(&unstructured.Unstructured{Object: obj}); err != nil {
			t.Errorf("%#v: %v", obj, err)
		}
	}
}

// TestFastYAMLHeavyCharts: every object of the generated heavy charts
// prints the same through both printers.
func TestFastYAMLHeavyCharts(t *testing.T) {
	if testing.Short() {
		t.Skip("renders 10 big charts")
	}
	ws, err := Open(context.Background(), Options{Config: heavyRepo(t)})
	if err != nil {
		t.Fatal(err)
	}
	rs, err := ws.Render(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	n, fast := 0, 0
	for _, r := range rs {
		if r.Err != nil {
			t.Fatal(r.Err)
		}
		for _, o := range r.Objects {
			n++
			got, ok := fastYAML(o.Object.Object)
			if !ok {
				continue
			}
			fast++
			want, err := libYAML(o.Object.Object)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != string(want) {
				t.Fatalf("%s %s/%s differs:\nfast:\n%s\nlibrary:\n%s", r.App.Name, o.Object.GetKind(), o.Object.GetName(), got, want)
			}
		}
	}
	if fast < n*9/10 {
		t.Fatalf("%d of %d objects took the fast path", fast, n)
	}
}
