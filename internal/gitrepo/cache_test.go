package gitrepo

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
)

// A view answers the same whichever order paths are asked in: a listing
// read first (which then answers lookups) or not, a path asked directly or
// after its parent, missing paths read through the cached resolution.
func TestViewAnswersIndependentOfOrder(t *testing.T) {
	dir, _, _ := repo(t)
	write(t, dir, "c/x/templates/a.yaml", "kind: Application\n")
	write(t, dir, "c/y/templates/a.yaml", "kind: Application\n") // the same tree as c/x
	symlink(t, dir, "c/z", "x")
	runGit(t, dir, "add", "-A")
	runGit(t, dir, "commit", "-q", "-m", "third")
	paths := []string{
		"a/one.yaml", "a/nope.yaml", "nope/deeper/x.yaml", "a/one.yaml/below", "a/link.yaml", "a/dirlink/values.yaml",
		"a/dirlink/nope.yaml", "a/escape.yaml", "a/loop", "nope/../a/one.yaml", "a/nope/../one.yaml", "a/./one.yaml",
		"/a/one.yaml", "a//one.yaml", "c/x/templates/a.yaml", "c/y/templates/a.yaml", "c/z/templates/a.yaml",
		"c/z/templates", "c/z", "c", ".", "../x", "shared/../../x", "a/ONE.yaml", "a/nope2.yaml", "a/ñope.yaml", "c/x/nope/deeper",
	}
	type answer struct {
		Resolved, Read, Stat string
		Exists               bool
	}
	ask := func(r *Repo, p string) answer {
		var a answer
		rp, err := r.Resolve(p)
		a.Resolved = fmt.Sprint(rp, err)
		data, err := r.ReadFile(p)
		a.Read = fmt.Sprintf("%q %v", data, err)
		fi, err := r.Stat(p)
		if err == nil {
			a.Stat = fmt.Sprint(fi.Name(), fi.Mode(), fi.IsDir())
		} else {
			a.Stat = err.Error()
		}
		a.Exists = r.Exists(p)
		return a
	}
	for _, rev := range []string{"", "HEAD", IndexRev} {
		fresh := func() *Repo {
			r, err := Open(dir, rev)
			if err != nil {
				t.Fatal(err)
			}
			return r
		}
		want := map[string]answer{}
		for _, p := range paths {
			want[p] = ask(fresh(), p) // nothing cached but what p itself needs
		}
		// The same view asked everything, after listing every directory.
		r := fresh()
		for _, d := range []string{".", "a", "c", "c/x", "c/x/templates", "c/y/templates", "shared"} {
			if _, err := r.ReadDir(d); err != nil {
				t.Fatal(err)
			}
		}
		for _, order := range [][]string{paths, reversed(paths)} {
			for _, p := range order {
				if got := ask(r, p); got != want[p] {
					t.Errorf("rev %q, %q: got %+v, want %+v", rev, p, got, want[p])
				}
			}
		}
	}
}

func reversed(s []string) []string {
	out := make([]string, len(s))
	for i, x := range s {
		out[len(s)-1-i] = x
	}
	return out
}

// Reading a missing file fails with the error the backend's own read
// gives (the message callers print).
func TestMissingFileError(t *testing.T) {
	dir, _, _ := repo(t)
	for rev, want := range map[string]string{
		"":     "read a/nope.yaml: no such file or directory",
		"HEAD": "read a/nope.yaml: file does not exist",
	} {
		r, err := Open(dir, rev)
		if err != nil {
			t.Fatal(err)
		}
		for range 2 {
			_, err := r.ReadFile("a/nope.yaml")
			if err == nil || err.Error() != want || !errors.Is(err, fs.ErrNotExist) {
				t.Fatalf("rev %q: %v, want %s", rev, err, want)
			}
		}
		if _, err := r.ReadFile("nope/x.yaml"); err == nil || !strings.HasPrefix(err.Error(), "read nope/x.yaml: ") || !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("rev %q: %v", rev, err)
		}
	}
}

// A commit's objects are read whether loose or packed, and a damaged loose
// object is reported, not taken for content.
func TestObjectsLooseAndPacked(t *testing.T) {
	dir, _, second := repo(t)
	read := func() string {
		r, err := Open(dir, "HEAD")
		if err != nil {
			t.Fatal(err)
		}
		b, err := r.ReadFile("b/two.yaml")
		if err != nil {
			return err.Error()
		}
		return string(b)
	}
	if got := read(); got != "two\n" {
		t.Fatalf("loose: %q", got)
	}
	runGit(t, dir, "gc", "-q")
	if got := read(); got != "two\n" {
		t.Fatalf("packed: %q", got)
	}
	if runGit(t, dir, "rev-parse", "HEAD") != second {
		t.Fatal("gc moved HEAD")
	}
	// A loose object whose file is damaged: go-git's storage reads the
	// packed copy (git keeps both after writing the same object again).
	gr, err := git.PlainOpen(dir)
	if err != nil {
		t.Fatal(err)
	}
	c, err := gr.CommitObject(plumbing.NewHash(second))
	if err != nil {
		t.Fatal(err)
	}
	hex := c.TreeHash.String()
	loose := filepath.Join(dir, ".git", "objects", hex[:2], hex[2:])
	if err := os.MkdirAll(filepath.Dir(loose), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(loose, []byte("not zlib"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := read(); got != "two\n" {
		t.Fatalf("damaged loose copy: %q", got)
	}
}

func TestParseTreeSortsByName(t *testing.T) {
	var data []byte
	for _, e := range []struct{ mode, name string }{{"100644", "a.yaml"}, {"40000", "a"}, {"100755", "a-b"}, {"120000", "l"}, {"160000", "sub"}} {
		data = append(data, e.mode+" "+e.name+"\x00"...)
		data = append(data, make([]byte, 20)...)
	}
	tr, err := parseTree(data)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range tr.entries {
		got = append(got, fmt.Sprintf("%s %o", e.Name, uint32(e.Mode)))
	}
	want := []string{"a 40000", "a-b 100755", "a.yaml 100644", "l 120000", "sub 160000"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	if tr.find("a") == nil || tr.find("a.yaml") == nil || tr.find("b") != nil {
		t.Fatal("find")
	}
	for _, bad := range []string{"100644 x", "100644 x\x00abc", "zz x\x00" + strings.Repeat("a", 20), "100644 \x00" + strings.Repeat("a", 20)} {
		if _, err := parseTree([]byte(bad)); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

// BlobID names the blob ReadFile reads, in views of a commit or an index
// only, and never for what ReadFile would refuse or rewrite.
func TestBlobID(t *testing.T) {
	dir, _, _ := repo(t)
	for _, rev := range []string{"HEAD", IndexRev} {
		r, err := Open(dir, rev)
		if err != nil {
			t.Fatal(err)
		}
		for p, obj := range map[string]string{"b/two.yaml": "HEAD:b/two.yaml", "a/link.yaml": "HEAD:shared/values.yaml", "a/dirlink/values.yaml": "HEAD:shared/values.yaml"} {
			if id, ok := r.BlobID(p); !ok || id != runGit(t, dir, "rev-parse", obj) {
				t.Errorf("%s: BlobID(%s) = %s %v, want %s", rev, p, id, ok, obj)
			}
		}
		for _, p := range []string{"a", "a/nope.yaml", "a/escape.yaml", "a/loop", "a/dirlink", "../x"} {
			if id, ok := r.BlobID(p); ok {
				t.Errorf("%s: BlobID(%s) = %s", rev, p, id)
			}
		}
		r.Deny = func(p string) error {
			if p == "shared/values.yaml" {
				return errors.New("denied")
			}
			return nil
		}
		if _, ok := r.BlobID("a/link.yaml"); ok {
			t.Errorf("%s: a denied link target has a BlobID", rev)
		}
		r.Deny = nil
		r.Filter = func(p string, data []byte) []byte { return data }
		if _, ok := r.BlobID("b/two.yaml"); ok {
			t.Errorf("%s: a filtered view has a BlobID", rev)
		}
	}
	w, err := Open(dir, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := w.BlobID("b/two.yaml"); ok {
		t.Error("the work tree has a BlobID")
	}
}

// Many readers at once of a view whose objects are packed (a clone).
func TestPackedConcurrentReads(t *testing.T) {
	dir, _, _ := repo(t)
	for i := range 40 {
		write(t, dir, fmt.Sprintf("many/d%02d/f.yaml", i), fmt.Sprintf("n: %d\n", i))
	}
	runGit(t, dir, "add", "-A")
	runGit(t, dir, "commit", "-q", "-m", "many")
	runGit(t, dir, "gc", "-q")
	r, err := Open(dir, "HEAD")
	if err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, 40)
	for i := range 40 {
		go func() {
			p := fmt.Sprintf("many/d%02d/f.yaml", i)
			b, err := r.ReadFile(p)
			if err == nil && string(b) != fmt.Sprintf("n: %d\n", i) {
				err = fmt.Errorf("%s: %q", p, b)
			}
			errs <- err
		}()
	}
	for range 40 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}
