package gitx

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

var (
	benchOnce sync.Once
	benchDir  string
	benchErr  error
)

// benchRepo builds, once per test binary, a repository of 1,000 charts of
// 10 files each with one file edited in the work tree.
func benchRepo() (string, error) {
	benchOnce.Do(func() {
		dir, err := os.MkdirTemp("", "gitx-bench-")
		if err != nil {
			benchErr = err
			return
		}
		benchDir = dir
		for i := 0; i < 1000; i++ {
			for j := 0; j < 10; j++ {
				p := filepath.Join(dir, "charts", fmt.Sprintf("svc-%04d", i), "templates", fmt.Sprintf("t%d.yaml", j))
				os.MkdirAll(filepath.Dir(p), 0o755)
				os.WriteFile(p, []byte(fmt.Sprintf("kind: ConfigMap\nname: %d-%d\n", i, j)), 0o644)
			}
		}
		// Files older than the index, as in a checkout that has been
		// there a while: the status trusts their stat data.
		old := time.Now().Add(-time.Hour)
		filepath.WalkDir(dir, func(p string, _ os.DirEntry, err error) error {
			if err == nil {
				os.Chtimes(p, old, old)
			}
			return nil
		})
		for _, args := range [][]string{{"init", "-q"}, {"add", "-A"}, {"-c", "user.name=b", "-c", "user.email=b@example.com", "commit", "-qm", "x"}} {
			cmd := exec.Command("git", args...)
			cmd.Dir = dir
			if out, err := cmd.CombinedOutput(); err != nil {
				benchErr = fmt.Errorf("git %v: %v: %s", args, err, out)
				return
			}
		}
		benchErr = os.WriteFile(filepath.Join(dir, "charts", "svc-0500", "templates", "t1.yaml"), []byte("changed\n"), 0o644)
	})
	return benchDir, benchErr
}

// BenchmarkChangedWorkTree: HEAD against the work tree, one edited file
// among 10,000.
func BenchmarkChangedWorkTree(b *testing.B) { benchChanged(b, nil) }

// BenchmarkChangedWorkTreeListings: the same with the directory listings
// kept between runs.
func BenchmarkChangedWorkTreeListings(b *testing.B) {
	listingClock = func() time.Time { return time.Now().Add(time.Hour) }
	defer func() { listingClock = time.Now }()
	benchChanged(b, &memListings{})
}

func benchChanged(b *testing.B, lc ListingCache) {
	if _, err := exec.LookPath("git"); err != nil {
		b.Skip("git not installed")
	}
	dir, err := benchRepo()
	if err != nil {
		b.Fatal(err)
	}
	g, err := OpenReader(dir)
	if err != nil {
		b.Fatal(err)
	}
	g.SetListingCache(lc)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		got, err := g.Changed("HEAD", WorkTree)
		if err != nil || len(got) != 1 {
			b.Fatalf("%v %v", got, err)
		}
	}
}

func TestMain(m *testing.M) {
	code := m.Run()
	if benchDir != "" {
		os.RemoveAll(benchDir)
	}
	os.Exit(code)
}
