package scaffold

import (
	"errors"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"

	"github.com/gitopsctl/gitopsctl/internal/safeyaml"
)

// tree is what a scaffolding rule reads: the gitops-repo on disk (cluster
// add), or the files init is about to write (init with several clusters),
// so that both apply the same rule.
type tree interface {
	// read returns the file at rel (slash-separated, relative to the
	// repository root); ok is false when there is none.
	read(rel string) (data []byte, ok bool, err error)
	// files lists the names of the files directly in dir, sorted.
	files(dir string) ([]string, error)
}

// diskTree is a repository on disk.
type diskTree struct{ root string }

func (t diskTree) read(rel string) ([]byte, bool, error) {
	b, err := safeyaml.ReadFile(filepath.Join(t.root, filepath.FromSlash(rel)))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, false, nil
	}
	return b, err == nil, err
}

func (t diskTree) files(dir string) ([]string, error) {
	entries, err := os.ReadDir(filepath.Join(t.root, filepath.FromSlash(dir)))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range entries {
		if !e.IsDir() {
			out = append(out, e.Name())
		}
	}
	return out, nil
}

// memTree is a set of files not yet written, in the order they were
// first added.
type memTree struct {
	order []string
	data  map[string][]byte
}

func newMemTree(files []file) *memTree {
	t := &memTree{data: map[string][]byte{}}
	t.put(files...)
	return t
}

// put adds files, replacing those already there (in place in the order).
func (t *memTree) put(files ...file) {
	for _, f := range files {
		if _, ok := t.data[f.Path]; !ok {
			t.order = append(t.order, f.Path)
		}
		t.data[f.Path] = f.Data
	}
}

func (t *memTree) read(rel string) ([]byte, bool, error) {
	b, ok := t.data[rel]
	return b, ok, nil
}

func (t *memTree) files(dir string) ([]string, error) {
	var out []string
	for _, p := range t.order {
		if path.Dir(p) == dir {
			out = append(out, path.Base(p))
		}
	}
	sort.Strings(out)
	return out, nil
}

// list returns the files in their order.
func (t *memTree) list() []file {
	out := make([]file, len(t.order))
	for i, p := range t.order {
		out[i] = file{Path: p, Data: t.data[p]}
	}
	return out
}
