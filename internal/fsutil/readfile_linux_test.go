package fsutil

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestReadFileAsOS: ReadFile returns what os.ReadFile returns: the content
// of files of every size around its buffer's, and the same errors.
func TestReadFileAsOS(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []int{0, 1, 511, 512, 513, 4096, 100_000} {
		p := filepath.Join(dir, "f")
		want := bytes.Repeat([]byte("abcdefghij"), n/10+1)[:n]
		if err := os.WriteFile(p, want, 0o644); err != nil {
			t.Fatal(err)
		}
		got, err := ReadFile(p)
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("size %d: got %d bytes, %v", n, len(got), err)
		}
	}
	for _, tc := range []struct {
		name, path, op string
		is             error
	}{
		{"missing", filepath.Join(dir, "missing"), "open", fs.ErrNotExist},
		{"directory", dir, "read", syscall.EISDIR},
		{"not a directory", filepath.Join(dir, "f", "x"), "open", syscall.ENOTDIR},
	} {
		_, err := ReadFile(tc.path)
		_, oserr := os.ReadFile(tc.path)
		var pe *fs.PathError
		if !errors.As(err, &pe) || pe.Op != tc.op || pe.Path != tc.path || !errors.Is(err, tc.is) {
			t.Errorf("%s: %v, want a %s error on %s", tc.name, err, tc.op, tc.path)
		}
		if err == nil || oserr == nil || err.Error() != oserr.Error() {
			t.Errorf("%s: %v, os.ReadFile: %v", tc.name, err, oserr)
		}
	}
	// /proc files say size 0 and have content.
	if want, err := os.ReadFile("/proc/self/status"); err == nil {
		got, err := ReadFile("/proc/self/status")
		if err != nil || !bytes.HasPrefix(got, []byte("Name:")) || len(got) < len(want)/2 {
			t.Errorf("/proc/self/status: %d bytes, %v", len(got), err)
		}
	}
}
