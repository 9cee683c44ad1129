// Package readonly makes a test directory refuse writes, for tests of what a
// command leaves behind when the file system says no.
package readonly

import (
	"os"
	"os/exec"
	"testing"
)

// Make makes dir refuse new files: mode 0555 for an ordinary user, the
// immutable attribute (chattr +i) for root, whom modes do not stop. The test
// is skipped when neither is possible. Call undo to make dir writable again.
func Make(t testing.TB, dir string) (undo func()) {
	t.Helper()
	if os.Getuid() != 0 {
		if err := os.Chmod(dir, 0o555); err != nil {
			t.Fatal(err)
		}
		return func() { _ = os.Chmod(dir, 0o755) }
	}
	if out, err := exec.Command("chattr", "+i", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot make %s read-only as root: %v %s", dir, err, out)
	}
	return func() { _ = exec.Command("chattr", "-i", dir).Run() }
}
