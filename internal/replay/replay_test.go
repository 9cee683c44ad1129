package replay

import (
	"bytes"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

func TestRecordRoundTrip(t *testing.T) {
	r := &Record{
		Inputs: Inputs{Trees: []string{"/a", "/b"}, Paths: []string{"/c/.gitopsctl.yaml"}},
		State:  "abc",
		Chunks: []Chunk{{Stdout, []byte("one\n")}, {Stderr, []byte("note\n")}, {Stdout, []byte("two\n")}},
	}
	data := encode(t, r)
	got, err := Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	if err := got.Write(&out, &errOut); err != nil {
		t.Fatal(err)
	}
	if out.String() != "one\ntwo\n" || errOut.String() != "note\n" {
		t.Errorf("replayed %q and %q", out.String(), errOut.String())
	}
	if got.State != "abc" || strings.Join(got.Inputs.Trees, ",") != "/a,/b" || len(got.Inputs.Paths) != 1 {
		t.Errorf("decoded %+v", got)
	}
	// Anything short of the whole record is refused, but for a record of
	// fewer chunks (the cache's checksum and length refuse those).
	whole := map[int]bool{}
	for k := range len(r.Chunks) + 1 {
		part := *r
		part.Chunks = r.Chunks[:k]
		whole[len(encode(t, &part))] = true
	}
	for n := range len(data) {
		if _, err := Decode(data[:n]); err == nil && !whole[n] {
			t.Fatalf("Decode accepted the first %d of %d bytes", n, len(data))
		}
	}
	if _, err := Decode(append([]byte("gitopsctl replay 0\n"), data[len(format):]...)); err == nil {
		t.Error("Decode accepted another format")
	}
}

func encode(t *testing.T, r *Record) []byte {
	t.Helper()
	parts, err := r.Parts()
	if err != nil {
		t.Fatal(err)
	}
	return bytes.Join(parts, nil)
}

func TestKey(t *testing.T) {
	base := Invocation{Args: []string{"render"}, Dir: "/repo", Env: []string{"HOME=/h", "PWD=/x", "_=/bin/gitopsctl"}, Engine: "e1"}
	k := Key(base)
	same := base
	same.Env = []string{"SHLVL=3", "_=/usr/bin/env", "HOME=/h", "OLDPWD=/y", EnvMode + "=trace", EnvEngine + "=/e"}
	if Key(same) != k {
		t.Error("the key depends on variables a shell changes between commands")
	}
	for name, inv := range map[string]Invocation{
		"args":      {Args: []string{"render", "backend"}, Dir: "/repo", Env: base.Env, Engine: "e1"},
		"args join": {Args: []string{"render backend"}, Dir: "/repo", Env: base.Env, Engine: "e1"},
		"dir":       {Args: base.Args, Dir: "/other", Env: base.Env, Engine: "e1"},
		"env":       {Args: base.Args, Dir: "/repo", Env: []string{"HOME=/h", "NO_COLOR=1"}, Engine: "e1"},
		"empty env": {Args: base.Args, Dir: "/repo", Env: []string{"HOME=/h", "NO_COLOR="}, Engine: "e1"},
		"engine":    {Args: base.Args, Dir: "/repo", Env: base.Env, Engine: "e2"},
		"tty":       {Args: base.Args, Dir: "/repo", Env: base.Env, Engine: "e1", OutTTY: true},
	} {
		if Key(inv) == k {
			t.Errorf("%s: same key", name)
		}
	}
}

// snap takes a snapshot of in or fails the test.
func snap(t *testing.T, in Inputs) Snapshot {
	t.Helper()
	s, err := Take(in)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// age sets the modification time of everything under dir an hour back,
// so that a write in the same clock tick as the snapshot still moves it.
func age(t *testing.T, dir string) {
	t.Helper()
	old := time.Now().Add(-time.Hour)
	err := filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err != nil || fi.Mode()&os.ModeSymlink != 0 {
			return err
		}
		return os.Chtimes(p, old, old)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestSnapshotSeesEveryChange(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("replay records are kept on Linux only")
	}
	if ok, err := Trusted(t.TempDir()); err != nil || !ok {
		t.Skipf("the temp directory's file system is not trusted (%v)", err)
	}
	outside := t.TempDir() // a directory the repository links to
	write(t, filepath.Join(outside, "shared.yaml"), "a: 1\n")
	for _, tc := range []struct {
		name   string
		change func(t *testing.T, repo string)
		same   bool // the change is one no render reads
	}{
		{"content, same size", func(t *testing.T, repo string) { write(t, filepath.Join(repo, "charts/a/values.yaml"), "x: 2\n") }, false},
		{"new file", func(t *testing.T, repo string) { write(t, filepath.Join(repo, "charts/a/templates/new.yaml"), "") }, false},
		{"removed file", func(t *testing.T, repo string) { os.Remove(filepath.Join(repo, "charts/a/values.yaml")) }, false},
		{"renamed file", func(t *testing.T, repo string) {
			os.Rename(filepath.Join(repo, "charts/a/values.yaml"), filepath.Join(repo, "charts/a/values2.yaml"))
		}, false},
		{"mode", func(t *testing.T, repo string) { os.Chmod(filepath.Join(repo, "charts/a/values.yaml"), 0o600) }, false},
		{"link retargeted", func(t *testing.T, repo string) {
			p := filepath.Join(repo, "shared")
			os.Remove(p)
			os.Symlink(filepath.Join(outside, "."), p)
		}, false},
		{"file behind a link", func(t *testing.T, repo string) { write(t, filepath.Join(outside, "shared.yaml"), "a: 2\n") }, false},
		{"new file behind a link", func(t *testing.T, repo string) { write(t, filepath.Join(outside, "more.yaml"), "") }, false},
		{"HEAD", func(t *testing.T, repo string) { write(t, filepath.Join(repo, ".git/HEAD"), "ref: refs/heads/other\n") }, false},
		{"a branch", func(t *testing.T, repo string) {
			write(t, filepath.Join(repo, ".git/refs/heads/main"), strings.Repeat("b", 40)+"\n")
		}, false},
		{"the index", func(t *testing.T, repo string) { write(t, filepath.Join(repo, ".git/index"), "DIRC2") }, false},
		{"the config file", func(t *testing.T, repo string) {
			write(t, filepath.Join(filepath.Dir(repo), "cfg", ".gitopsctl.yaml"), "cluster: b\n")
		}, false},
		{"a config file made on the way up", func(t *testing.T, repo string) {
			write(t, filepath.Join(filepath.Dir(repo), "probe", ".gitopsctl.yaml"), "")
		}, false},
		{"a lock file came and went", func(t *testing.T, repo string) {
			write(t, filepath.Join(repo, ".git/index.lock"), "")
			os.Remove(filepath.Join(repo, ".git/index.lock"))
		}, true},
		{"an editor's temp file came and went", func(t *testing.T, repo string) {
			write(t, filepath.Join(repo, "charts/a/.values.yaml.swp"), "")
			os.Remove(filepath.Join(repo, "charts/a/.values.yaml.swp"))
		}, true},
		{"a new object", func(t *testing.T, repo string) { write(t, filepath.Join(repo, ".git/objects/ab/cdef"), "x") }, true},
		{"a hook", func(t *testing.T, repo string) { write(t, filepath.Join(repo, ".git/hooks/pre-commit"), "x") }, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			top := t.TempDir()
			repo := filepath.Join(top, "repo")
			write(t, filepath.Join(repo, "charts/a/values.yaml"), "x: 1\n")
			write(t, filepath.Join(repo, "charts/a/templates/cm.yaml"), "kind: ConfigMap\n")
			write(t, filepath.Join(repo, ".git/HEAD"), "ref: refs/heads/main\n")
			write(t, filepath.Join(repo, ".git/refs/heads/main"), strings.Repeat("a", 40)+"\n")
			write(t, filepath.Join(repo, ".git/index"), "DIRC1")
			write(t, filepath.Join(repo, ".git/objects/aa/bbbb"), "x")
			write(t, filepath.Join(repo, ".git/hooks/pre-push"), "x")
			write(t, filepath.Join(top, "cfg", ".gitopsctl.yaml"), "cluster: a\n")
			if err := os.MkdirAll(filepath.Join(top, "probe"), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(outside, filepath.Join(repo, "shared")); err != nil {
				t.Fatal(err)
			}
			age(t, top)
			age(t, outside)
			in := Inputs{Trees: []string{repo}, Paths: []string{filepath.Join(top, "cfg", ".gitopsctl.yaml"), filepath.Join(top, "probe", ".gitopsctl.yaml")}}
			before := snap(t, in)
			if again := snap(t, in); again.State != before.State {
				t.Fatal("two snapshots of an unchanged tree differ")
			}
			tc.change(t, repo)
			after := snap(t, in)
			if (after.State == before.State) != tc.same {
				t.Errorf("state changed: %v, want %v", after.State != before.State, !tc.same)
			}
		})
	}
}

func TestSnapshotNewest(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("replay records are kept on Linux only")
	}
	dir := t.TempDir()
	write(t, filepath.Join(dir, "a"), "1")
	age(t, dir)
	s := snap(t, Inputs{Trees: []string{dir}})
	// age set the modification times back, but not the change times
	// (nothing can): the newest is now.
	if time.Since(s.Newest) > time.Minute {
		t.Errorf("newest %v: the change time was not counted", s.Newest)
	}
	if s.Entries != 2 {
		t.Errorf("%d entries, want 2 (the directory and its file)", s.Entries)
	}
	if _, err := Take(Inputs{Trees: []string{"relative"}}); err == nil {
		t.Error("a relative tree was accepted")
	}
	// A missing tree is a state too (absent), not an error.
	missing := snap(t, Inputs{Trees: []string{filepath.Join(dir, "nope")}})
	write(t, filepath.Join(dir, "nope", "x"), "")
	if snap(t, Inputs{Trees: []string{filepath.Join(dir, "nope")}}).State == missing.State {
		t.Error("a tree that appeared was not seen")
	}
}

func TestLinkedWorkTree(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("replay records are kept on Linux only")
	}
	top := t.TempDir()
	main := filepath.Join(top, "main", ".git")
	write(t, filepath.Join(main, "refs/heads/main"), strings.Repeat("a", 40)+"\n")
	write(t, filepath.Join(main, "worktrees/wt/HEAD"), "ref: refs/heads/topic\n")
	write(t, filepath.Join(main, "worktrees/wt/commondir"), "../..\n")
	wt := filepath.Join(top, "wt")
	write(t, filepath.Join(wt, ".git"), "gitdir: "+filepath.Join(main, "worktrees/wt")+"\n")
	write(t, filepath.Join(wt, "a.yaml"), "")
	age(t, top)
	in := Inputs{Trees: []string{wt}}
	before := snap(t, in)
	write(t, filepath.Join(main, "worktrees/wt/HEAD"), "ref: refs/heads/topic2\n")
	mid := snap(t, in)
	if mid.State == before.State {
		t.Error("the linked work tree's HEAD moved unseen")
	}
	write(t, filepath.Join(main, "refs/heads/topic"), strings.Repeat("c", 40)+"\n")
	if snap(t, in).State == mid.State {
		t.Error("a branch in the common directory moved unseen")
	}
}

// A config file mounted from a ConfigMap is a link to a link: a snapshot
// follows both to the file, and sees the mount swap to a new version.
func TestConfigMapLinks(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("replay records are kept on Linux only")
	}
	etc := t.TempDir()
	write(t, filepath.Join(etc, "v1", "config.yaml"), "kubeVersion: v1.30.2\n")
	write(t, filepath.Join(etc, "v2", "config.yaml"), "kubeVersion: v1.29.9\n")
	age(t, etc)
	for _, l := range [][2]string{{"v1", "..data"}, {"..data/config.yaml", "config.yaml"}} {
		if err := os.Symlink(l[0], filepath.Join(etc, l[1])); err != nil {
			t.Fatal(err)
		}
	}
	in := Inputs{Paths: []string{filepath.Join(etc, "config.yaml")}}
	before := snap(t, in)
	tmp := filepath.Join(etc, "..data.tmp")
	if err := os.Symlink("v2", tmp); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, filepath.Join(etc, "..data")); err != nil {
		t.Fatal(err)
	}
	if snap(t, in).State == before.State {
		t.Error("the ConfigMap's new version went unseen")
	}
}

// A .git that is a link to the git directory is walked as one.
func TestGitDirLink(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("replay records are kept on Linux only")
	}
	top := t.TempDir()
	gitDir := filepath.Join(top, "store", "repo.git")
	write(t, filepath.Join(gitDir, "HEAD"), "ref: refs/heads/main\n")
	write(t, filepath.Join(gitDir, "objects", "aa", "bb"), "x")
	repo := filepath.Join(top, "repo")
	write(t, filepath.Join(repo, "a.yaml"), "")
	if err := os.Symlink(gitDir, filepath.Join(repo, ".git")); err != nil {
		t.Fatal(err)
	}
	age(t, top)
	in := Inputs{Trees: []string{repo}}
	before := snap(t, in)
	write(t, filepath.Join(gitDir, "objects", "aa", "cc"), "y")
	if snap(t, in).State != before.State {
		t.Error("an object behind a .git link changed the state: objects are walked")
	}
	write(t, filepath.Join(gitDir, "HEAD"), "ref: refs/heads/topic\n")
	if snap(t, in).State == before.State {
		t.Error("HEAD behind a .git link moved unseen")
	}
}

// A binary installed over the engine has another Identity, even with the
// same size and modification time.
func TestIdentity(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("replay records are kept on Linux only")
	}
	dir := t.TempDir()
	p := filepath.Join(dir, "gitopsctl-engine")
	write(t, p, "engine v1")
	old := time.Now().Add(-time.Hour)
	if err := os.Chtimes(p, old, old); err != nil {
		t.Fatal(err)
	}
	before, err := Identity(p)
	if err != nil {
		t.Fatal(err)
	}
	if again, _ := Identity(p); again != before {
		t.Fatal("two identities of one file differ")
	}
	write(t, filepath.Join(dir, "new"), "engine v2")
	if err := os.Chtimes(filepath.Join(dir, "new"), old, old); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(filepath.Join(dir, "new"), p); err != nil {
		t.Fatal(err)
	}
	if after, _ := Identity(p); after == before {
		t.Errorf("a reinstalled engine keeps its identity %q", after)
	}
}
