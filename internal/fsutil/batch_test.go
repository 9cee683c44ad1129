package fsutil

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gitopsctl/gitopsctl/internal/testutil/readonly"
)

func TestBatchCommitWritesAllAndLeavesNoTemp(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.yaml"), filepath.Join(dir, "secrets.local.env")
	os.WriteFile(a, []byte("old a"), 0o640)
	os.WriteFile(b, []byte("old b"), 0o644)
	var bt Batch
	bt.KeepSuffixes = []string{".local.env"}
	bt.Add(File{Path: a, Data: []byte("new a"), Perm: 0o644})
	bt.Add(File{Path: b, Data: []byte("new b"), Perm: 0o600, ForcePerm: true})
	bt.Add(File{Path: filepath.Join(dir, "c"), Data: []byte("c"), Perm: 0o600})
	if err := bt.Commit(); err != nil {
		t.Fatal(err)
	}
	for p, want := range map[string]string{a: "new a", b: "new b", filepath.Join(dir, "c"): "c"} {
		if got, _ := os.ReadFile(p); string(got) != want {
			t.Errorf("%s = %q, want %q", p, got, want)
		}
	}
	if fi, _ := os.Stat(a); fi.Mode().Perm() != 0o640 {
		t.Errorf("a mode %v, want kept 0640", fi.Mode().Perm())
	}
	if fi, _ := os.Stat(b); fi.Mode().Perm() != 0o600 {
		t.Errorf("b mode %v, want forced 0600", fi.Mode().Perm())
	}
	if got := listDir(t, dir); strings.Join(got, ",") != "a.yaml,c,secrets.local.env" {
		t.Errorf("files left: %v", got)
	}
}

func TestBatchRestoresOnRenameFailure(t *testing.T) {
	dir := t.TempDir()
	paths := []string{filepath.Join(dir, "1"), filepath.Join(dir, "2"), filepath.Join(dir, "3"), filepath.Join(dir, "new")}
	for _, p := range paths[:3] {
		os.WriteFile(p, []byte("old "+filepath.Base(p)), 0o644)
	}
	n := 0
	rename = func(from, to string) error {
		if strings.Contains(from, ".tmp-") && filepath.Base(to) == "3" {
			return errors.New("disk on fire")
		}
		n++
		return os.Rename(from, to)
	}
	defer func() { rename = os.Rename }()
	var bt Batch
	bt.Add(File{Path: paths[3], Data: []byte("new"), Perm: 0o644}) // a new file, removed again
	for _, p := range paths[:3] {
		bt.Add(File{Path: p, Data: []byte("new"), Perm: 0o644})
	}
	err := bt.Commit()
	if err == nil || !strings.Contains(err.Error(), "disk on fire") {
		t.Fatalf("err = %v", err)
	}
	if n < 3 {
		t.Fatalf("only %d renames happened before the failure; the test proves nothing", n)
	}
	for _, p := range paths[:3] {
		if got, _ := os.ReadFile(p); string(got) != "old "+filepath.Base(p) {
			t.Errorf("%s = %q, want the old content", p, got)
		}
	}
	if got := listDir(t, dir); strings.Join(got, ",") != "1,2,3" {
		t.Errorf("files left: %v", got)
	}
}

func TestBatchReadOnlyDirChangesNothing(t *testing.T) {
	dir := t.TempDir()
	ok, ro := filepath.Join(dir, "ok"), filepath.Join(dir, "ro")
	os.Mkdir(ok, 0o755)
	os.Mkdir(ro, 0o755)
	os.WriteFile(filepath.Join(ok, "f"), []byte("old"), 0o644)
	os.WriteFile(filepath.Join(ro, "f"), []byte("old"), 0o644)
	undo := readonly.Make(t, ro)
	defer undo()
	var bt Batch
	bt.Add(File{Path: filepath.Join(ok, "f"), Data: []byte("new"), Perm: 0o644})
	bt.Add(File{Path: filepath.Join(ro, "f"), Data: []byte("new"), Perm: 0o644})
	if err := bt.Commit(); err == nil {
		t.Fatal("no error writing into a read-only directory")
	}
	for _, p := range []string{filepath.Join(ok, "f"), filepath.Join(ro, "f")} {
		if got, _ := os.ReadFile(p); string(got) != "old" {
			t.Errorf("%s = %q", p, got)
		}
	}
	if got := listDir(t, dir); strings.Join(got, ",") != "ok/f,ro/f" {
		t.Errorf("files left: %v", got)
	}
}

func TestTempNamesAndCleanTemp(t *testing.T) {
	keep := []string{".local.env", ".local.state"}
	for base, want := range map[string]string{
		"secrets.local.env":   ".secrets.tmp-*.local.env",
		"secrets.local.state": ".secrets.tmp-*.local.state",
		"secrets.yaml":        ".secrets.yaml.tmp-*",
		".local.env":          "..local.env.tmp-*",
	} {
		if got := TempName(base, "tmp", keep); got != want {
			t.Errorf("TempName(%q) = %q, want %q", base, got, want)
		}
	}
	b := Batch{KeepSuffixes: keep, OtherSuffix: ".local.state"}
	for base, want := range map[string]string{
		"secrets.local.env": ".secrets.bak-*.local.env",
		"secrets.yaml":      ".secrets.yaml.bak-*.local.state",
	} {
		if got := b.TempNameFor(base, "bak"); got != want {
			t.Errorf("TempNameFor(%q) = %q, want %q", base, got, want)
		}
		if !IsTemp(strings.Replace(want, "*", "1", 1)) {
			t.Errorf("%s not recognised as a temp file", want)
		}
	}
	dir := t.TempDir()
	leftovers := []string{".secrets.tmp-123.local.env", ".secrets.yaml.tmp-9", ".secrets.local.env.tmp-42", ".config.yaml.bak-7"}
	kept := []string{"secrets.local.env", "secrets.yaml", ".gitignore", ".notes.tmp-x", "a.tmp-1"}
	for _, n := range append(append([]string{}, leftovers...), kept...) {
		os.WriteFile(filepath.Join(dir, n), nil, 0o600)
	}
	removed, err := CleanTemp(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(removed) != len(leftovers) {
		t.Errorf("removed %v, want %v", removed, leftovers)
	}
	if got := listDir(t, dir); len(got) != len(kept) {
		t.Errorf("left %v, want %v", got, kept)
	}
}

func TestLockExcludesAndReportsHolder(t *testing.T) {
	p := filepath.Join(t.TempDir(), "lock")
	l, err := LockFile(context.Background(), p, 0)
	if err != nil {
		t.Fatal(err)
	}
	_, err = LockFile(context.Background(), p, 0)
	var busy *BusyError
	if !errors.As(err, &busy) || busy.PID != os.Getpid() {
		t.Fatalf("second lock: %v, want busy with pid %d", err, os.Getpid())
	}
	if err := l.Unlock(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(p); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("lock file left after unlock: %v", err)
	}
	// A lock file left by a dead holder (flock died with it) is taken over.
	os.WriteFile(p, []byte("999999\n"), 0o600)
	l, err = LockFile(context.Background(), p, 0)
	if err != nil {
		t.Fatalf("stale lock file not taken over: %v", err)
	}
	l.Unlock()
}

func TestLockSerialisesWriters(t *testing.T) {
	dir := t.TempDir()
	p, counter := filepath.Join(dir, "lock"), filepath.Join(dir, "n")
	os.WriteFile(counter, []byte("0"), 0o644)
	var wg sync.WaitGroup
	const n = 20
	errs := make([]error, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			l, err := LockFile(context.Background(), p, time.Hour)
			if err != nil {
				errs[i] = err
				return
			}
			defer l.Unlock()
			b, _ := os.ReadFile(counter)
			var v int
			for _, c := range b {
				v = v*10 + int(c-'0')
			}
			errs[i] = WriteFileAtomic(counter, []byte(itoa(v+1)), 0o644)
		}(i)
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if b, _ := os.ReadFile(counter); string(b) != itoa(n) {
		t.Fatalf("counter = %s, want %d: an update was lost", b, n)
	}
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	s := ""
	for ; n > 0; n /= 10 {
		s = string(rune('0'+n%10)) + s
	}
	return s
}
