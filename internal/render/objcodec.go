package render

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"unicode/utf8"

	utiljson "k8s.io/apimachinery/pkg/util/json"
)

// The render cache stores objects in a compact binary form rather than as
// JSON: decoding them is most of what a warm render does with its cache
// entries, and this form is read with one string copy for all the keys and
// values, maps made at their final size, and no number parsing.
//
// A value is a tag byte and its payload:
//
//	'm' map:    uvarint count, then count × (key string, value)
//	'a' array:  uvarint count, then count × value
//	's' string: a string
//	'i' int64:  varint
//	'f' float:  8 bytes, IEEE 754 bits, little endian
//	't', 'F':   true, false
//	'n':        null
//
// where a string is a uvarint length and its bytes. Encoding yields what a
// JSON round trip (json.Marshal, then the renderer's decoder, whose whole
// numbers are int64) yields: whole floats become int64 where JSON prints
// them without an exponent, invalid UTF-8 is replaced as json.Marshal
// replaces it, other Go types go through JSON.

const (
	tagMap    = 'm'
	tagArray  = 'a'
	tagString = 's'
	tagInt    = 'i'
	tagFloat  = 'f'
	tagTrue   = 't'
	tagFalse  = 'F'
	tagNull   = 'n'
)

// maxObjectDepth bounds nesting when decoding (a damaged entry must not
// exhaust the stack); encoding refuses deeper objects.
const maxObjectDepth = 10000

var errObjTruncated = errors.New("truncated object")

type objWriter struct{ b []byte }

func (w *objWriter) str(s string) {
	if !utf8.ValidString(s) {
		s = jsonRoundTripString(s)
	}
	w.b = binary.AppendUvarint(w.b, uint64(len(s)))
	w.b = append(w.b, s...)
}

// jsonRoundTripString is s as json.Marshal and a decode give it back
// (each invalid byte replaced by U+FFFD).
func jsonRoundTripString(s string) string {
	b, err := json.Marshal(s)
	if err != nil {
		return s
	}
	var out string
	if json.Unmarshal(b, &out) != nil {
		return s
	}
	return out
}

func (w *objWriter) value(v any, depth int) error {
	if depth > maxObjectDepth {
		return errors.New("object nested too deeply")
	}
	switch x := v.(type) {
	case nil:
		w.b = append(w.b, tagNull)
	case bool:
		if x {
			w.b = append(w.b, tagTrue)
		} else {
			w.b = append(w.b, tagFalse)
		}
	case string:
		w.b = append(w.b, tagString)
		w.str(x)
	case int64:
		w.int(x)
	case int:
		w.int(int64(x))
	case int32:
		w.int(int64(x))
	case float64:
		return w.float(x)
	case map[string]any:
		w.b = append(w.b, tagMap)
		w.b = binary.AppendUvarint(w.b, uint64(len(x)))
		for _, k := range slices.Sorted(maps.Keys(x)) { // deterministic entries
			w.str(k)
			if err := w.value(x[k], depth+1); err != nil {
				return err
			}
		}
	case []any:
		w.b = append(w.b, tagArray)
		w.b = binary.AppendUvarint(w.b, uint64(len(x)))
		for _, e := range x {
			if err := w.value(e, depth+1); err != nil {
				return err
			}
		}
	default:
		// Anything else as JSON would store it.
		b, err := json.Marshal(x)
		if err != nil {
			return err
		}
		var back any // only the types above
		if err := utiljson.Unmarshal(b, &back); err != nil {
			return err
		}
		return w.value(back, depth)
	}
	return nil
}

func (w *objWriter) int(n int64) {
	w.b = append(w.b, tagInt)
	w.b = binary.AppendVarint(w.b, n)
}

// float stores f as a JSON round trip reads it back: json.Marshal prints
// a whole number below 1e21 without a fraction or exponent, and the
// decoder makes it an int64 when it fits.
func (w *objWriter) float(f float64) error {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return fmt.Errorf("unsupported value: %v", f)
	}
	if f == math.Trunc(f) && math.Abs(f) < 1e21 {
		if n, err := strconv.ParseInt(strconv.FormatFloat(f, 'f', -1, 64), 10, 64); err == nil {
			w.int(n)
			return nil
		}
	}
	w.b = append(w.b, tagFloat)
	w.b = binary.LittleEndian.AppendUint64(w.b, math.Float64bits(f))
	return nil
}

// objReader decodes values from s (the stored bytes as one string: the
// decoded strings share its memory).
type objReader struct {
	s   string
	err error
}

func (r *objReader) uvarint() uint64 {
	if r.err != nil {
		return 0
	}
	var n uint64
	for i := 0; i < len(r.s) && i < binary.MaxVarintLen64; i++ {
		c := r.s[i]
		if c < 0x80 {
			if i == binary.MaxVarintLen64-1 && c > 1 {
				break
			}
			r.s = r.s[i+1:]
			return n | uint64(c)<<(7*i)
		}
		n |= uint64(c&0x7f) << (7 * i)
	}
	r.err = errObjTruncated
	return 0
}

// count reads a count of items each at least minSize bytes long.
func (r *objReader) count(minSize int) int {
	n := r.uvarint()
	if r.err == nil && n > uint64(len(r.s)/minSize) {
		r.err = errObjTruncated
		return 0
	}
	return int(n)
}

func (r *objReader) str() string {
	n := r.uvarint()
	if r.err != nil {
		return ""
	}
	if n > uint64(len(r.s)) {
		r.err = errObjTruncated
		return ""
	}
	s := r.s[:n]
	r.s = r.s[n:]
	return s
}

func (r *objReader) value(depth int) any {
	if r.err != nil {
		return nil
	}
	if len(r.s) == 0 || depth > maxObjectDepth {
		r.err = errObjTruncated
		return nil
	}
	tag := r.s[0]
	r.s = r.s[1:]
	switch tag {
	case tagNull:
		return nil
	case tagTrue:
		return true
	case tagFalse:
		return false
	case tagString:
		return r.str()
	case tagInt:
		u := r.uvarint()
		// binary.Varint's zig-zag form.
		n := int64(u >> 1)
		if u&1 != 0 {
			n = ^n
		}
		return n
	case tagFloat:
		if len(r.s) < 8 {
			r.err = errObjTruncated
			return nil
		}
		f := math.Float64frombits(binary.LittleEndian.Uint64([]byte(r.s[:8])))
		r.s = r.s[8:]
		return f
	case tagMap:
		n := r.count(2)
		m := make(map[string]any, n)
		for range n {
			k := r.str()
			m[k] = r.value(depth + 1)
			if r.err != nil {
				return nil
			}
		}
		return m
	case tagArray:
		n := r.count(1)
		a := make([]any, n)
		for i := range a {
			a[i] = r.value(depth + 1)
			if r.err != nil {
				return nil
			}
		}
		return a
	}
	r.err = fmt.Errorf("unknown value tag %q", tag)
	return nil
}
