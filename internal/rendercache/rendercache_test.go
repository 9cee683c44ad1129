package rendercache

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

const key = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

func keyN(i int) string { return fmt.Sprintf("%064x", i+1) }

func TestPutGet(t *testing.T) {
	c := New(t.TempDir(), 0)
	if _, ok := c.Get(key); ok {
		t.Fatal("hit in an empty cache")
	}
	if err := c.Put(key, []byte("objects")); err != nil {
		t.Fatal(err)
	}
	got, ok := c.Get(key)
	if !ok || string(got) != "objects" {
		t.Fatalf("got %q, %v", got, ok)
	}
	for _, bad := range []string{"", "../../etc/passwd", strings.ToUpper(key), "xyz"} {
		if err := c.Put(bad, nil); err == nil {
			t.Errorf("Put(%q) accepted", bad)
		}
		if _, ok := c.Get(bad); ok {
			t.Errorf("Get(%q) hit", bad)
		}
	}
}

// A corrupt or truncated entry is a miss, never trusted, and the next Put
// rewrites it.
func TestCorruptEntry(t *testing.T) {
	c := New(t.TempDir(), 0)
	content := []byte(strings.Repeat("rendered object\n", 100))
	p := c.path(key)
	for name, damage := range map[string]func([]byte) []byte{
		"truncated":    func(b []byte) []byte { return b[:len(b)-10] },
		"flipped byte": func(b []byte) []byte { b = bytes.Clone(b); b[len(b)-5] ^= 1; return b },
		"empty":        func([]byte) []byte { return nil },
		"no checksum":  func(b []byte) []byte { return []byte(magic) },
		"appended":     func(b []byte) []byte { return append(bytes.Clone(b), 'x') },
		"header byte":  func(b []byte) []byte { b = bytes.Clone(b); b[len(magic)+2] ^= 1; return b },
		"other format": func(b []byte) []byte { return append([]byte("gitopsctl-render-cache 0\n"), b[len(magic):]...) },
	} {
		if err := c.Put(key, content); err != nil {
			t.Fatal(err)
		}
		good, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, damage(good), 0o644); err != nil {
			t.Fatal(err)
		}
		if got, ok := c.Get(key); ok {
			t.Errorf("%s: damaged entry served: %q", name, got)
		}
		if err := c.Put(key, content); err != nil {
			t.Fatal(err)
		}
		if got, ok := c.Get(key); !ok || !bytes.Equal(got, content) {
			t.Errorf("%s: not rewritten", name)
		}
	}
}

// Processes writing the same and different entries at once never leave a
// torn entry: every read is a miss or the full content.
func TestConcurrentWriters(t *testing.T) {
	dir := t.TempDir()
	var wg sync.WaitGroup
	errs := make(chan error, 1000)
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := New(dir, 0) // one Cache per writer, as separate processes have
			for i := range 50 {
				k := keyN(i % 5)
				want := bytes.Repeat([]byte(k), 200+i%5)
				if err := c.Put(k, want); err != nil {
					errs <- err
					return
				}
				if got, ok := c.Get(k); ok && !bytes.Equal(got, want) {
					errs <- fmt.Errorf("writer %d: torn or foreign content for %s", w, k)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	in, err := New(dir, 0).Info()
	if err != nil || in.Entries != 5 {
		t.Fatalf("info %+v, %v", in, err)
	}
	leftovers, _ := filepath.Glob(filepath.Join(dir, "*", ".*"))
	if len(leftovers) > 0 {
		t.Errorf("temp files left: %v", leftovers)
	}
}

// Eviction removes the least recently used entries down to the bound; a
// Get counts as a use.
func TestEvictLRU(t *testing.T) {
	dir := t.TempDir()
	c := New(dir, 0)
	content := make([]byte, 1000)
	entry := int64(len(header([][]byte{content})) + len(content))
	base := time.Now().Add(-time.Hour)
	for i := range 10 {
		if err := c.Put(keyN(i), make([]byte, 1000)); err != nil {
			t.Fatal(err)
		}
		when := base.Add(time.Duration(i) * time.Minute)
		if err := os.Chtimes(c.path(keyN(i)), when, when); err != nil {
			t.Fatal(err)
		}
	}
	if _, ok := c.Get(keyN(0)); !ok { // the oldest, used now
		t.Fatal("miss")
	}
	small := New(dir, 4*entry)
	n, err := small.Evict()
	if err != nil || n != 6 {
		t.Fatalf("evicted %d, %v; want 6", n, err)
	}
	for i := range 10 {
		_, ok := c.Get(keyN(i))
		if want := i == 0 || i >= 7; ok != want {
			t.Errorf("entry %d kept %v, want %v", i, ok, want)
		}
	}
	if n, err := c.Clean(); err != nil || n != 4 {
		t.Fatalf("clean removed %d, %v", n, err)
	}
	if in, _ := c.Info(); in.Entries != 0 || in.Bytes != 0 {
		t.Errorf("after clean: %+v", in)
	}
}

// PutParts stores the parts as one entry: Get returns them joined.
func TestPutParts(t *testing.T) {
	c := New(t.TempDir(), 0)
	key := strings.Repeat("ab", 32)
	parts := [][]byte{[]byte("head "), bytes.Repeat([]byte("x"), 200<<10), nil, []byte(" tail")}
	if err := c.PutParts(key, parts...); err != nil {
		t.Fatal(err)
	}
	got, ok := c.Get(key)
	if !ok || !bytes.Equal(got, bytes.Join(parts, nil)) {
		t.Fatalf("Get: %v, %d bytes", ok, len(got))
	}
}
