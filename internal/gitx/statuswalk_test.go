package gitx

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/format/index"
)

// gitStatus is git's own answer (without refreshing the index, which would
// change what is compared next).
func gitStatus(t *testing.T, dir string) []string {
	t.Helper()
	return porcelainPaths(gitOut(t, dir, "--no-optional-locks", "status", "--porcelain", "-z", "--untracked-files=all", "--no-renames"))
}

// statusRepo makes a repository whose files are older than its index, as
// in a checkout that has been there a while: their stat data is what the
// status trusts.
func statusRepo(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	dir := t.TempDir()
	run(t, dir, "init", "-q")
	write(t, filepath.Join(dir, ".gitignore"), "*.log\nbuild/\n")
	for _, p := range []string{"a.yaml", "d/b.yaml", "d/e/c.yaml", "d/run.sh", "f.yaml"} {
		write(t, filepath.Join(dir, p), "content of "+p+"\n")
	}
	old := time.Now().Add(-time.Hour)
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !strings.Contains(p, ".git") {
			os.Chtimes(p, old, old)
		}
		return nil
	})
	run(t, dir, "add", "-A")
	run(t, dir, "commit", "-qm", "base")
	return dir
}

func changedOf(t *testing.T, dir string, lc ListingCache) (changed, ignored []string) {
	t.Helper()
	g, err := OpenReader(dir)
	if err != nil {
		t.Fatal(err)
	}
	g.SetListingCache(lc)
	changed, ignored, err = g.ChangedIgnored("HEAD", WorkTree)
	if err != nil {
		t.Fatal(err)
	}
	return changed, ignored
}

// Each way a file can change behind the index's back, against git status.
// The repository's files are older than the index, so an unchanged file
// is answered from its stat data alone: each case must change something
// that data (or the racy-git rule) shows.
func TestStatusStatShortcut(t *testing.T) {
	cases := []struct {
		name string
		edit func(t *testing.T, dir string)
		want []string
		// notGit: git status may say otherwise (it compares change
		// times by the second; the rewrite is in the second of the
		// commit).
		notGit bool
	}{
		{"unchanged", func(*testing.T, string) {}, nil, false},
		{"same size, modification time put back", func(t *testing.T, dir string) {
			p := filepath.Join(dir, "a.yaml")
			fi, _ := os.Stat(p)
			os.WriteFile(p, []byte("CONTENT of a.yaml\n"), 0o644)
			os.Chtimes(p, fi.ModTime(), fi.ModTime())
		}, []string{"a.yaml"}, true},
		{"racy: rewritten at once after being staged, same size", func(t *testing.T, dir string) {
			p := filepath.Join(dir, "a.yaml")
			os.WriteFile(p, []byte("staged  a.yaml\n"), 0o644)
			run(t, dir, "add", "a.yaml")
			os.WriteFile(p, []byte("changed a.yaml\n"), 0o644)
		}, []string{"a.yaml"}, false},
		{"chmod +x", func(t *testing.T, dir string) { os.Chmod(filepath.Join(dir, "d/b.yaml"), 0o755) }, []string{"d/b.yaml"}, false},
		{"replaced by a symlink", func(t *testing.T, dir string) {
			p := filepath.Join(dir, "d/b.yaml")
			os.Remove(p)
			os.Symlink("../a.yaml", p)
		}, []string{"d/b.yaml"}, false},
		{"replaced by a directory", func(t *testing.T, dir string) {
			p := filepath.Join(dir, "f.yaml")
			os.Remove(p)
			write(t, filepath.Join(p, "x"), "x\n")
		}, []string{"f.yaml", "f.yaml/x"}, false},
		{"deleted", func(t *testing.T, dir string) { os.Remove(filepath.Join(dir, "d/e/c.yaml")) }, []string{"d/e/c.yaml"}, false},
		{"untracked in a new directory", func(t *testing.T, dir string) {
			write(t, filepath.Join(dir, "new/deeper/n.yaml"), "n\n")
		}, []string{"new/deeper/n.yaml"}, false},
		{"ignored", func(t *testing.T, dir string) {
			write(t, filepath.Join(dir, "d/x.log"), "x\n")
			write(t, filepath.Join(dir, "build/out.yaml"), "x\n")
		}, nil, false},
		{"intent to add", func(t *testing.T, dir string) {
			write(t, filepath.Join(dir, "d/n.yaml"), "n\n")
			run(t, dir, "add", "-N", "d/n.yaml")
		}, []string{"d/n.yaml"}, false},
		{"staged", func(t *testing.T, dir string) {
			write(t, filepath.Join(dir, "d/b.yaml"), "staged\n")
			run(t, dir, "add", "d/b.yaml")
		}, []string{"d/b.yaml"}, false},
		{"staged, then put back in the work tree", func(t *testing.T, dir string) {
			p := filepath.Join(dir, "d/b.yaml")
			b, _ := os.ReadFile(p)
			write(t, p, "staged\n")
			run(t, dir, "add", "d/b.yaml")
			os.WriteFile(p, b, 0o644)
		}, []string{"d/b.yaml"}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := statusRepo(t)
			c.edit(t, dir)
			got, _ := changedOf(t, dir, nil)
			if want := gitStatus(t, dir); !c.notGit && join(got) != join(want) {
				t.Fatalf("Changed = %v\ngit status = %v", got, want)
			}
			if join(got) != join(c.want) {
				t.Fatalf("Changed = %v, want %v", got, c.want)
			}
		})
	}
}

// The racy-git rule: a file modified in the second its index was written,
// or later, is compared by content even when its stat data matches.
func TestStatCleanRules(t *testing.T) {
	mt := time.Unix(1700000000, 123456789)
	ct := time.Unix(1700000001, 5)
	e := &indexEntry{Mode: filemode.Regular, Size: 42, MTimeSec: uint32(mt.Unix()), MTimeNsec: uint32(mt.Nanosecond()),
		CTimeSec: uint32(ct.Unix()), CTimeNsec: uint32(ct.Nanosecond()), Inode: 7}
	same := wtStat{kind: dtReg, size: 42, mtimeSec: mt.Unix(), mtimeNsec: int64(mt.Nanosecond()),
		ctimeSec: ct.Unix(), ctimeNsec: int64(ct.Nanosecond()), hasCtime: true, ino: 7, hasIno: true}
	w := &statusWalk{idx: &gitIndex{ModTime: mt.Add(2 * time.Second)}}
	if !w.statClean(e, same) {
		t.Fatal("identical stat data, older than the index: not clean")
	}
	for name, edit := range map[string]func(*wtStat){
		"size":          func(s *wtStat) { s.size = 43 },
		"size mod 2^32": func(s *wtStat) { s.size = 42 + 1<<32 - 1 },
		"mtime sec":     func(s *wtStat) { s.mtimeSec++ },
		"mtime nsec":    func(s *wtStat) { s.mtimeNsec++ },
		"ctime sec":     func(s *wtStat) { s.ctimeSec-- },
		"ctime nsec":    func(s *wtStat) { s.ctimeNsec++ },
		"inode":         func(s *wtStat) { s.ino = 8 },
	} {
		st := same
		edit(&st)
		if w.statClean(e, st) {
			t.Errorf("%s differs: clean", name)
		}
	}
	for _, idxTime := range []time.Time{mt, mt.Add(-time.Second), time.Unix(mt.Unix(), 0), time.Unix(mt.Unix(), 999999999)} {
		w := &statusWalk{idx: &gitIndex{ModTime: idxTime}}
		if w.statClean(e, same) {
			t.Errorf("index written at %v, file modified at %v: racy, but clean", idxTime, mt)
		}
	}
	// Nothing recorded (an index written without them): not compared.
	e2 := *e
	e2.CTimeSec, e2.CTimeNsec, e2.Inode = 0, 0, 0
	st := same
	st.ctimeSec, st.ino = 1, 99
	if !w.statClean(&e2, st) {
		t.Error("change time and inode compared though the entry has none")
	}
}

// memListings is a ListingCache in memory.
type memListings struct {
	mu   sync.Mutex
	m    map[string][]byte
	puts int
}

func (c *memListings) Get(k string) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	b, ok := c.m[k]
	return append([]byte(nil), b...), ok
}

func (c *memListings) Put(k string, b []byte) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[string][]byte{}
	}
	c.m[k] = append([]byte(nil), b...)
	c.puts++
	return nil
}

// kept decodes what the cache keeps for the work tree at dir.
func (c *memListings) kept(t *testing.T, dir string) map[string]*listedDir {
	t.Helper()
	abs, _ := filepath.Abs(dir)
	for _, b := range c.m {
		if m := decodeListings(b, abs); m != nil {
			return m
		}
	}
	return nil
}

// moveListingClock judges directory ages by a clock an hour ahead, so that
// a repository made by the test has old directories.
func moveListingClock(t *testing.T) {
	listingClock = func() time.Time { return time.Now().Add(time.Hour) }
	t.Cleanup(func() { listingClock = time.Now })
}

// A directory listed in the second it changed is not kept; one unchanged
// for long enough is, and is then used as kept.
func TestListingCacheAge(t *testing.T) {
	// The first status judges ages as of the test's start, whatever time
	// making the repository took: every directory changed after it.
	start := time.Now()
	listingClock = func() time.Time { return start }
	t.Cleanup(func() { listingClock = time.Now })
	dir := statusRepo(t)
	write(t, filepath.Join(dir, "fresh/x.yaml"), "x\n") // a directory made now
	if !listingCacheFS(dir) {
		t.Skip("the listing cache is not used on this file system")
	}
	lc := &memListings{}
	changedOf(t, dir, lc)
	// Every directory was made (its change time set) by the test just now.
	if kept := lc.kept(t, dir); len(kept) > 0 {
		t.Fatalf("directories changed just now were kept: %v", keys(kept))
	}
	moveListingClock(t)
	changedOf(t, dir, lc)
	if kept := lc.kept(t, dir); len(kept) != 4 || kept["fresh"] == nil || kept[""] == nil || kept["d/e"] == nil {
		t.Fatalf("old directories not kept: %v", keys(kept))
	}
	// A kept listing is used as it is while the directory's stat data is
	// unchanged: a name slipped into it is reported.
	abs, _ := filepath.Abs(dir)
	for k, b := range lc.m {
		m := decodeListings(b, abs)
		m["d/e"].ents = append(m["d/e"].ents, dirent{name: "ghost.yaml", typ: dtReg})
		lc.m[k] = encodeListings(m, abs)
	}
	if got, _ := changedOf(t, dir, lc); !reflect.DeepEqual(got, []string{"d/e/ghost.yaml", "fresh/x.yaml"}) {
		t.Fatalf("with a listing kept: %v", got)
	}
	// A damaged entry is not used.
	for k, b := range lc.m {
		lc.m[k] = b[:len(b)-3]
	}
	if got, _ := changedOf(t, dir, lc); !reflect.DeepEqual(got, []string{"fresh/x.yaml"}) {
		t.Fatalf("with a damaged listing: %v", got)
	}
}

func keys(m map[string]*listedDir) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// With directory listings kept between runs, every kind of change is
// still seen: random edits of one repository, compared after each round
// with git status and with a status that keeps nothing.
func TestListingCacheMatchesGit(t *testing.T) {
	dir := statusRepo(t)
	if !listingCacheFS(dir) {
		t.Skip("the listing cache is not used on this file system")
	}
	moveListingClock(t)
	lc := &memListings{}
	changedOf(t, dir, lc)
	r := rand.New(rand.NewSource(11))
	dirs := []string{"", "d", "d/e", "new", "new/sub", "build", "d/e/deep"}
	for round := 0; round < 40; round++ {
		// Edits must get a modification time of their own: the listing
		// cache's age rule is what covers changes within one tick, and the
		// moved clock turns it off.
		time.Sleep(20 * time.Millisecond)
		d := dirs[r.Intn(len(dirs))]
		p := filepath.Join(dir, d, fmt.Sprintf("f%d.yaml", r.Intn(4)))
		switch r.Intn(9) {
		case 0, 1:
			write(t, p, fmt.Sprintf("round %d\n", round))
		case 2:
			os.Remove(p)
		case 3:
			os.RemoveAll(filepath.Join(dir, d))
		case 4:
			write(t, filepath.Join(dir, d, "x.log"), "ignored\n")
		case 5:
			write(t, filepath.Join(dir, d, ".gitignore"), "f1.yaml\n")
		case 6:
			os.Remove(filepath.Join(dir, d, ".gitignore"))
		case 7:
			if fi, err := os.Stat(p); err == nil && !fi.IsDir() {
				os.Rename(p, p+".moved")
			}
		case 8:
			run(t, dir, "add", "-A")
			if r.Intn(2) == 0 {
				run(t, dir, "commit", "-q", "--allow-empty", "-m", fmt.Sprint(round))
			}
		}
		got, gotIgn := changedOf(t, dir, lc)
		want := gitStatus(t, dir)
		if join(got) != join(want) {
			t.Fatalf("round %d: Changed = %v\ngit status = %v", round, got, want)
		}
		plain, plainIgn := changedOf(t, dir, nil)
		if join(got) != join(plain) || join(gotIgn) != join(plainIgn) {
			t.Fatalf("round %d: with listings %v %v, without %v %v", round, got, gotIgn, plain, plainIgn)
		}
	}
	if lc.puts < 2 {
		t.Fatalf("listings stored %d times", lc.puts)
	}
}

// decodeIndex reads what go-git's decoder reads, for every index version
// git writes, and refuses what it refuses.
func TestDecodeIndex(t *testing.T) {
	dir := statusRepo(t)
	write(t, filepath.Join(dir, "d/n.yaml"), "n\n")
	run(t, dir, "add", "-N", "d/n.yaml") // extended flags: version 3
	long := strings.Repeat("l", 250) + "/" + strings.Repeat("m", 250)
	write(t, filepath.Join(dir, long), "long name\n")
	run(t, dir, "add", long)
	write(t, filepath.Join(dir, "a.yaml"), "staged\n")
	run(t, dir, "add", "a.yaml")
	file := filepath.Join(dir, ".git", "index")
	for _, version := range []string{"2", "3", "4"} {
		if version != "3" {
			run(t, dir, "update-index", "--index-version", version)
		} else {
			run(t, dir, "add", "-N", "d/n.yaml")
		}
		if version == "4" {
			run(t, dir, "update-index", "--untracked-cache")
		}
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		got, err := decodeIndex(data)
		if err != nil {
			t.Fatalf("version %s: %v", version, err)
		}
		want := &index.Index{}
		if err := index.NewDecoder(bufio.NewReader(bytes.NewReader(data))).Decode(want); err != nil {
			t.Fatal(err)
		}
		if got.Version != want.Version || len(got.Entries) != len(want.Entries) || len(got.Entries) < 7 {
			t.Fatalf("version %s: %d entries (v%d), go-git %d (v%d)", version, len(got.Entries), got.Version, len(want.Entries), want.Version)
		}
		for i := range got.Entries {
			w := want.Entries[i]
			we := indexEntry{Name: w.Name, Hash: w.Hash, Mode: w.Mode, Size: w.Size, Inode: w.Inode,
				Stage: uint8(w.Stage), IntentToAdd: w.IntentToAdd, SkipWorktree: w.SkipWorktree}
			if !w.ModifiedAt.IsZero() {
				we.MTimeSec, we.MTimeNsec = uint32(w.ModifiedAt.Unix()), uint32(w.ModifiedAt.Nanosecond())
			}
			if !w.CreatedAt.IsZero() {
				we.CTimeSec, we.CTimeNsec = uint32(w.CreatedAt.Unix()), uint32(w.CreatedAt.Nanosecond())
			}
			if got.Entries[i] != we {
				t.Fatalf("version %s: entry %d:\n%+v\ngo-git:\n%+v", version, i, got.Entries[i], we)
			}
		}
		// go-git drops invalidated cached trees; the valid ones agree.
		var valid []index.TreeEntry
		for _, e := range got.Cache.Entries {
			if e.Entries >= 0 {
				valid = append(valid, e)
			}
		}
		if want.Cache == nil || !reflect.DeepEqual(valid, want.Cache.Entries) {
			t.Fatalf("version %s: cached trees %+v\ngo-git: %+v", version, got.Cache, want.Cache)
		}
		// Damaged: the checksum says so.
		bad := append([]byte(nil), data...)
		bad[40] ^= 1
		if _, err := decodeIndex(bad); !errors.Is(err, index.ErrInvalidChecksum) {
			t.Fatalf("version %s: damaged index: %v", version, err)
		}
		for _, n := range []int{0, 11, 40, len(data) - 21} {
			if _, err := decodeIndex(data[:n]); err == nil {
				t.Fatalf("version %s: index cut at %d decoded", version, n)
			}
		}
	}
	run(t, dir, "update-index", "--split-index")
	_, err := readIndexFast(file)
	if !errors.Is(err, index.ErrUnknownExtension) {
		t.Fatalf("split index: %v", err)
	}
	g, _ := OpenReader(dir)
	if _, err := g.Changed("HEAD", WorkTree); err == nil || !strings.Contains(err.Error(), "split index") {
		t.Fatalf("split index: %v", err)
	}
}
