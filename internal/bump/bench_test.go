package bump

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
	"time"
)

// benchRepo generates a repository with files files and commits commits
// through git fast-import (BUMP_BENCH_FILES / BUMP_BENCH_COMMITS override
// the 20,000 / 2,000 defaults).
func benchRepo(b *testing.B) string {
	b.Helper()
	files, commits := envInt("BUMP_BENCH_FILES", 20000), envInt("BUMP_BENCH_COMMITS", 2000)
	const services = 200
	dir := b.TempDir()
	run := func(args ...string) {
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	run("init", "-q", "-b", "main")
	cmd := exec.Command("git", "fast-import", "--quiet")
	cmd.Dir = dir
	in, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriter(in)
	file := func(path, content string) {
		fmt.Fprintf(w, "M 100644 inline %s\ndata %d\n%s\n", path, len(content), content)
	}
	fmt.Fprintf(w, "commit refs/heads/main\nmark :1\ncommitter bench <bench@example.com> 1700000000 +0000\ndata 4\ninit\n")
	file(".gitopsctl.yaml", "cluster: prod\n")
	per := files / services
	n := 1
	for s := 0; s < services; s++ {
		svc := fmt.Sprintf("svc-%04d", s)
		file("charts/"+svc+"/values.yaml", fmt.Sprintf("image:\n  repository: ghcr.io/acme/%s\n  tag: v0.0.1 # set by CI\n", svc))
		n++
		for f := 1; f < per && n < files; f++ {
			file(fmt.Sprintf("charts/%s/templates/f%04d.yaml", svc, f), fmt.Sprintf("kind: ConfigMap\nmetadata: {name: %s-%d}\n", svc, f))
			n++
		}
	}
	for i := 2; i <= commits; i++ {
		fmt.Fprintf(w, "commit refs/heads/main\nmark :%d\ncommitter bench <bench@example.com> %d +0000\ndata 1\nc\nfrom :%d\n", i, 1700000000+i, i-1)
		file(fmt.Sprintf("charts/svc-%04d/templates/f%04d.yaml", i%services, i%(per-1)+1), fmt.Sprintf("revision: %d\n", i))
	}
	w.Flush()
	in.Close()
	if err := cmd.Wait(); err != nil {
		b.Fatal(err)
	}
	run("reset", "-q", "--hard", "main")
	run("status", "--porcelain")
	return dir
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

// BenchmarkBumpCommit times a bump with its commit on a large repository;
// BenchmarkBumpCommit/git-cli does the same with an in-process file write
// plus `git add` and `git commit`, for the ratio.
func BenchmarkBumpCommit(b *testing.B) {
	dir := benchRepo(b)
	seq := 0 // tags never repeat across b.N rounds
	env := map[string]string{"GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "bench@example.com"}
	b.Run("gitopsctl", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			seq++
			_, err := Run(context.Background(), Options{
				RepoDir: dir, Services: []string{"svc-0001"}, Tag: fmt.Sprintf("v1.0.%d", seq),
				Getenv: func(k string) string { return env[k] }, Now: time.Now,
			})
			if err != nil {
				b.Fatal(err)
			}
		}
	})
	tagRE := regexp.MustCompile(`(?m)^  tag: .*$`)
	values := filepath.Join(dir, "charts", "svc-0002", "values.yaml")
	b.Run("git-cli", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			seq++
			src, err := os.ReadFile(values)
			if err != nil {
				b.Fatal(err)
			}
			out := tagRE.ReplaceAll(src, []byte(fmt.Sprintf("  tag: v1.0.%d # set by CI", seq)))
			if err := os.WriteFile(values, out, 0o644); err != nil {
				b.Fatal(err)
			}
			for _, args := range [][]string{{"add", values}, {"commit", "-q", "-m", "bump"}} {
				cmd := exec.Command("git", args...)
				cmd.Dir = dir
				cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=bench", "GIT_AUTHOR_EMAIL=bench@example.com", "GIT_COMMITTER_NAME=bench", "GIT_COMMITTER_EMAIL=bench@example.com")
				if out, err := cmd.CombinedOutput(); err != nil {
					b.Fatalf("git %v: %v\n%s", args, err, out)
				}
			}
		}
	})
}
