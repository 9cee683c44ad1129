package render

import (
	"encoding/binary"
	"errors"
)

// The stored discovery is a flat sequence of length-prefixed fields (it
// is read on every diff, and a JSON decode of a thousand apps costs more
// than the rest of a warm run): every string and byte slice is a uvarint
// length and its bytes, every integer a varint, every list a uvarint count
// and its elements.

type discoWriter struct{ b []byte }

func (w *discoWriter) int(n int) { w.b = binary.AppendVarint(w.b, int64(n)) }

func (w *discoWriter) bool(b bool) {
	if b {
		w.int(1)
	} else {
		w.int(0)
	}
}

func (w *discoWriter) bytes(p []byte) {
	w.b = binary.AppendUvarint(w.b, uint64(len(p)))
	w.b = append(w.b, p...)
}
func (w *discoWriter) string(s string) {
	w.b = binary.AppendUvarint(w.b, uint64(len(s)))
	w.b = append(w.b, s...)
}
func (w *discoWriter) strings(ss []string) {
	w.int(len(ss))
	for _, s := range ss {
		w.string(s)
	}
}

type discoReader struct {
	b   []byte
	err error
}

var errDiscoTruncated = errors.New("truncated discovery entry")

func (r *discoReader) int() int {
	if r.err != nil {
		return 0
	}
	n, k := binary.Varint(r.b)
	if k <= 0 {
		r.err = errDiscoTruncated
		return 0
	}
	r.b = r.b[k:]
	return int(n)
}

func (r *discoReader) bytes() []byte {
	if r.err != nil {
		return nil
	}
	n, k := binary.Uvarint(r.b)
	if k <= 0 || n > uint64(len(r.b)-k) {
		r.err = errDiscoTruncated
		return nil
	}
	p := r.b[k : k+int(n) : k+int(n)]
	r.b = r.b[k+int(n):]
	return p
}

func (r *discoReader) string() string { return string(r.bytes()) }

func (r *discoReader) bool() bool { return r.int() == 1 }

// count reads a list length, refusing one longer than what is left.
func (r *discoReader) count() int {
	n := r.int()
	if n < 0 || n > len(r.b) {
		if r.err == nil {
			r.err = errDiscoTruncated
		}
		return 0
	}
	return n
}

func (r *discoReader) strings() []string {
	n := r.count()
	if n == 0 {
		return nil
	}
	out := make([]string, n)
	for i := range out {
		out[i] = r.string()
	}
	return out
}

func (o *discoObject) write(w *discoWriter) {
	w.string(o.Name)
	w.string(o.File)
	w.int(o.Line)
	w.int(o.Dir)
	w.string(o.Parent)
	w.bytes(o.Doc)
}

func (o *discoObject) read(r *discoReader) {
	o.Name, o.File, o.Line, o.Dir, o.Parent, o.Doc = r.string(), r.string(), r.int(), r.int(), r.string(), r.bytes()
}

func (s *discoSnap) encode() []byte {
	// Sized up front: a thousand apps make megabytes, and growing the
	// buffer step by step costs more than writing it.
	size := 1024 + len(s.Key)
	for _, d := range s.Dirs {
		size += len(d) + 8
	}
	for i := range s.Apps {
		a := &s.Apps[i]
		size += len(a.Name) + len(a.File) + len(a.Parent) + len(a.Doc) + len(a.App) + 64
		for _, in := range a.In {
			size += len(in) + 4
		}
	}
	for _, p := range s.Projects {
		size += len(p.Name) + len(p.File) + len(p.Parent) + len(p.Doc) + 64
	}
	size += len(s.Seen)
	w := &discoWriter{b: make([]byte, 0, size)}
	w.string(s.Format)
	w.string(s.Key)
	w.strings(s.Dirs)
	w.strings(s.Roots)
	w.string(s.Found)
	w.strings(s.Missing)
	w.strings(s.Fallback)
	w.int(len(s.Apps))
	for i := range s.Apps {
		a := &s.Apps[i]
		a.write(w)
		w.bytes(a.App)
		w.int(a.DocStart)
		w.strings(a.In)
	}
	w.int(len(s.Projects))
	for i := range s.Projects {
		s.Projects[i].write(w)
	}
	w.string(s.Context)
	w.bool(s.Observed)
	w.bytes(s.Seen) // encodeSeen's form, read only by adoptBase
	return w.b
}

func (s *discoSnap) decode(data []byte) error {
	r := &discoReader{b: data}
	s.Format = r.string()
	if r.err == nil && s.Format != discoFormat {
		return errors.New("discovery entry of another format")
	}
	s.Key = r.string()
	s.Dirs = r.strings()
	s.Roots = r.strings()
	s.Found = r.string()
	s.Missing = r.strings()
	s.Fallback = r.strings()
	s.Apps = make([]discoApp, r.count())
	for i := range s.Apps {
		a := &s.Apps[i]
		a.read(r)
		a.App = r.bytes()
		a.DocStart = r.int()
		a.In = r.strings()
	}
	s.Projects = make([]discoObject, r.count())
	for i := range s.Projects {
		s.Projects[i].read(r)
	}
	s.Context = r.string()
	s.Observed = r.bool()
	s.Seen = r.bytes()
	if r.err == nil && len(r.b) > 0 {
		r.err = errors.New("trailing bytes in discovery entry")
	}
	return r.err
}
