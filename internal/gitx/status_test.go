package gitx

import (
	"github.com/gitopsctl/gitopsctl/internal/gittest"

	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

func gitOut(t *testing.T, dir string, args ...string) string {
	t.Helper()
	return gittest.Output(t, dir, args...)
}

// porcelainPaths parses git status --porcelain -z output into paths.
func porcelainPaths(out string) []string {
	var paths []string
	fields := strings.Split(out, "\x00")
	for i := 0; i < len(fields); i++ {
		f := fields[i]
		if len(f) < 4 {
			continue
		}
		paths = append(paths, f[3:])
		if f[0] == 'R' || f[0] == 'C' {
			i++
			paths = append(paths, fields[i])
		}
	}
	return dedupe(paths)
}

func dedupe(paths []string) []string {
	set := map[string]bool{}
	for _, p := range paths {
		set[p] = true
	}
	return sorted(set)
}

func nulPaths(out string) []string {
	var paths []string
	for _, f := range strings.Split(out, "\x00") {
		if f != "" {
			paths = append(paths, f)
		}
	}
	sort.Strings(paths)
	return paths
}

// TestStatusMatchesGit compares Changed("HEAD", WorkTree) and Staged with
// the git CLI over random edits of a repository with nested ignore rules,
// ignored directories holding tracked files, executable bits and symlinks.
func TestStatusMatchesGit(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	r := rand.New(rand.NewSource(7))
	for round := 0; round < 6; round++ {
		dir := t.TempDir()
		run(t, dir, "init", "-q")
		write(t, filepath.Join(dir, ".gitignore"), "*.local.env\nbuild/\n!keep.local.env\n")
		write(t, filepath.Join(dir, "sub/.gitignore"), "*.tmp\n")
		var files []string
		for i := 0; i < 30; i++ {
			p := fmt.Sprintf("d%d/f%d.yaml", i%4, i)
			if i%7 == 0 {
				p = fmt.Sprintf("sub/s%d.yaml", i)
			}
			files = append(files, p)
			write(t, filepath.Join(dir, p), fmt.Sprintf("v: %d\n", i))
		}
		write(t, filepath.Join(dir, "build/tracked.yaml"), "x\n")
		run(t, dir, "add", "-A")
		run(t, dir, "add", "-f", "build/tracked.yaml")
		os.Symlink("d0/f0.yaml", filepath.Join(dir, "link"))
		run(t, dir, "add", "link")
		run(t, dir, "commit", "-qm", "base")
		for k := 0; k < 8; k++ {
			p := files[r.Intn(len(files))]
			full := filepath.Join(dir, p)
			switch r.Intn(9) {
			case 0:
				os.WriteFile(full, []byte("changed content\n"), 0o644)
			case 1:
				b, _ := os.ReadFile(full)
				if len(b) > 0 {
					b[0] = 'w' // same size, same second
					os.WriteFile(full, b, 0o644)
				}
			case 2:
				os.Remove(full)
			case 3:
				os.Chmod(full, 0o755)
			case 4:
				write(t, filepath.Join(dir, "new/n.yaml"), "n\n")
			case 5:
				write(t, filepath.Join(dir, "x.local.env"), "S=1\n")
				write(t, filepath.Join(dir, "keep.local.env"), "K=1\n")
				write(t, filepath.Join(dir, "sub/a.tmp"), "t\n")
				write(t, filepath.Join(dir, "build/untracked.yaml"), "u\n")
			case 6:
				os.WriteFile(full, []byte("staged\n"), 0o644)
				run(t, dir, "add", p)
			case 7:
				run(t, dir, "rm", "-q", "--cached", p)
			case 8:
				os.Remove(filepath.Join(dir, "link"))
				os.Symlink("d1/f1.yaml", filepath.Join(dir, "link"))
			}
		}
		g, err := OpenReader(dir)
		if err != nil {
			t.Fatal(err)
		}
		got, err := g.Changed("HEAD", WorkTree)
		if err != nil {
			t.Fatal(err)
		}
		want := porcelainPaths(gitOut(t, dir, "status", "--porcelain", "-z", "--untracked-files=all", "--no-renames"))
		if join(got) != join(want) {
			t.Fatalf("round %d: Changed = %v\ngit status  = %v", round, got, want)
		}
		staged, err := g.Staged()
		if err != nil {
			t.Fatal(err)
		}
		if want := nulPaths(gitOut(t, dir, "diff", "--cached", "--name-only", "-z", "--no-renames")); join(staged) != join(want) {
			t.Fatalf("round %d: Staged = %v\ngit diff --cached = %v", round, staged, want)
		}
	}
}
