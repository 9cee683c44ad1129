package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/gitopsctl/gitopsctl/internal/render/benchgen"
)

// shardRepo generates a gitops-repo and configs-repo with n services,
// commits them (branch main, also as origin/main) and edits the work trees:
// every 9th service's config changes, one service's chart values change,
// one Application is deleted and a new one added, and one config no longer
// parses (that app fails to render: diff exits 1) when broken is set.
func shardRepo(t testing.TB, n int, broken bool) (root string) {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	root = t.TempDir()
	if err := benchgen.Generate(root, benchgen.Options{Services: n, Git: true}); err != nil {
		t.Fatal(err)
	}
	g, c := filepath.Join(root, "gitops-repo"), filepath.Join(root, "configs-repo")
	if err := benchgen.Git(g, "update-ref", "refs/remotes/origin/main", "HEAD"); err != nil {
		t.Fatal(err)
	}
	edit := func(p, old, repl string) {
		t.Helper()
		b, err := os.ReadFile(p)
		if err != nil || !bytes.Contains(b, []byte(old)) {
			t.Fatalf("edit %s: %v (or %q not found)", p, err, old)
		}
		if err := os.WriteFile(p, bytes.Replace(b, []byte(old), []byte(repl), 1), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	svcs := benchgen.Services(n)
	for i, s := range svcs {
		if i%9 == 4 {
			edit(filepath.Join(c, s.Name, "config.yaml"), "LOG_LEVEL: info", "LOG_LEVEL: debug")
		}
	}
	edit(filepath.Join(g, "charts", svcs[1].Name, "values.yaml"), `tag: "1.0.0"`, `tag: "1.0.1"`)
	last := svcs[len(svcs)-1]
	if err := os.Remove(filepath.Join(g, "argo-apps", "clusters", "prod", last.Project, last.Name+".yaml")); err != nil {
		t.Fatal(err)
	}
	added := benchgen.Service{Name: "added-service", Project: "app"}
	files := map[string]string{
		filepath.Join(g, "argo-apps", "clusters", "prod", "app", added.Name+".yaml"): benchgen.Application(added),
		filepath.Join(c, added.Name, "config.yaml"):                                  benchgen.ConfigValues(added),
		filepath.Join(c, added.Name, "secrets.yaml"):                                 benchgen.SecretValues(1),
	}
	if broken {
		files[filepath.Join(c, svcs[2].Name, "config.yaml")] = "config: [unclosed\n"
	}
	for p, data := range files {
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := benchgen.WriteChart(filepath.Join(g, "charts", added.Name), added.Name); err != nil {
		t.Fatal(err)
	}
	return root
}

// ciEnv is the environment the gitopsctl binary runs with in these tests:
// the caller's, without GITOPSCTL_* settings, with HOME and the caches in
// root, plus extra.
func ciEnv(root string, extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "GITOPSCTL_") && !strings.HasPrefix(kv, "HOME=") && !strings.HasPrefix(kv, "XDG_CACHE_HOME=") {
			env = append(env, kv)
		}
	}
	env = append(env, "HOME="+root, "XDG_CACHE_HOME="+filepath.Join(root, ".cache"), "NO_COLOR=1", "GIT_CONFIG_NOSYSTEM=1")
	return append(env, extra...)
}

// gitopsctl runs the binary (testscript puts it on PATH) in dir and returns
// its exit code and stdout.
func gitopsctl(t testing.TB, dir string, env []string, args ...string) (int, []byte) {
	t.Helper()
	cmd := exec.Command("gitopsctl", args...)
	cmd.Dir, cmd.Env = dir, env
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	code := 0
	if ee := (*exec.ExitError)(nil); errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	if code != 0 && code != 3 && !bytes.Contains(errOut.Bytes(), []byte("failed to render")) {
		t.Fatalf("gitopsctl %s: exit %d\n%s", strings.Join(args, " "), code, errOut.String())
	}
	return code, out.Bytes()
}

// checkShardedDiff runs diff unsharded and over n shards, merges the
// shards and requires the same report in every format and the same exit
// code.
func checkShardedDiff(t testing.TB, root string, n, wantCode int) {
	t.Helper()
	g := filepath.Join(root, "gitops-repo")
	env := ciEnv(root)
	base := []string{"diff", "--base", "main"}
	wantJSON := map[string]bool{}
	code, whole := gitopsctl(t, g, env, append(base, "-o", "json")...)
	if code != wantCode {
		t.Fatalf("unsharded diff: exit %d, want %d", code, wantCode)
	}
	var res struct {
		Apps      []struct{ App, Status string }
		Unchanged []string
		Skipped   []string
	}
	if err := json.Unmarshal(whole, &res); err != nil {
		t.Fatal(err)
	}
	for _, a := range res.Apps {
		wantJSON[a.Status] = true
	}
	if len(res.Apps) < 3 || len(res.Skipped) == 0 || !wantJSON["added"] || !wantJSON["removed"] {
		t.Fatalf("the repository's changes do not show: %s", whole)
	}
	dir := t.TempDir()
	var files []string
	counts := make([]int, 0, n)
	for i := 1; i <= n; i++ {
		_, out := gitopsctl(t, g, env, append(base, "--shard", fmt.Sprintf("%d/%d", i, n), "-o", "json")...)
		var part struct {
			Apps      []json.RawMessage
			Unchanged []string
			Skipped   []string
		}
		if err := json.Unmarshal(out, &part); err != nil {
			t.Fatal(err)
		}
		counts = append(counts, len(part.Apps)+len(part.Unchanged)+len(part.Skipped))
		f := filepath.Join(dir, fmt.Sprintf("diff-%d.json", i))
		if err := os.WriteFile(f, out, 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	t.Logf("apps per shard: %v", counts)
	for _, format := range [][]string{{"-o", "json"}, {"--format", "markdown"}, nil} {
		code, merged := gitopsctl(t, g, env, append(append([]string{"diff", "merge"}, format...), files...)...)
		want := whole
		if format == nil || format[0] != "-o" {
			_, want = gitopsctl(t, g, env, append(base, format...)...)
		}
		if code != wantCode {
			t.Errorf("diff merge %v: exit %d, want %d", format, code, wantCode)
		}
		if !bytes.Equal(merged, want) {
			t.Fatalf("diff merge %v differs from the unsharded diff:\n%s", format, unifiedForTest(string(want), string(merged)))
		}
	}
}

func unifiedForTest(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(w) && i < len(g); i++ {
		if w[i] != g[i] {
			return fmt.Sprintf("line %d:\nunsharded: %s\nmerged:    %s", i+1, w[i], g[i])
		}
	}
	return fmt.Sprintf("unsharded %d lines, merged %d lines", len(w), len(g))
}

// TestShardedDiffMergesToUnsharded: 4 shards of a 40-app repository
// merge to exactly the unsharded report, with changes (exit 3) and with an
// app failing to render (exit 1).
func TestShardedDiffMergesToUnsharded(t *testing.T) {
	t.Parallel()
	checkShardedDiff(t, shardRepo(t, 40, false), 4, ExitProblems)
	checkShardedDiff(t, shardRepo(t, 16, true), 2, ExitError)
}

// BenchmarkShardedDiff1000Apps is the acceptance case at full size: 1,000
// apps over 4 shards merge to exactly the unsharded report (a benchmark,
// not a test, because it renders the repository 7 times: several minutes
// on 2 shared cores):
//
//	go test ./internal/cli -run '^$' -bench ShardedDiff1000Apps -benchtime 1x
func BenchmarkShardedDiff1000Apps(b *testing.B) {
	root := shardRepo(b, 1000, false)
	for b.Loop() {
		checkShardedDiff(b, root, 4, ExitProblems)
	}
}

// TestShardedCheckAndRender: the problems of check's shards together are
// the unsharded run's, each found once; render's shards together print
// every app once.
func TestShardedCheckAndRender(t *testing.T) {
	t.Parallel()
	root := shardRepo(t, 32, false)
	g := filepath.Join(root, "gitops-repo")
	// A problem of the repository's files (a tracked plaintext file) and
	// app problems (a latest image).
	c := filepath.Join(root, "configs-repo")
	if err := os.WriteFile(filepath.Join(c, "backend", "secrets.local.env"), []byte("X=1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := benchgen.Git(c, "add", "-f", "backend/secrets.local.env"); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"frontend", "kafka", "svc-0030"} {
		p := filepath.Join(c, s, "config.yaml")
		b, _ := os.ReadFile(p)
		if err := os.WriteFile(p, append(b, "image: {tag: latest}\n"...), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	env := ciEnv(root)
	type checkOut struct {
		Problems []json.RawMessage
		Checked  []string
	}
	decode := func(b []byte) checkOut {
		var r checkOut
		if err := json.Unmarshal(b, &r); err != nil {
			t.Fatalf("%v\n%s", err, b)
		}
		return r
	}
	code, out := gitopsctl(t, g, env, "check", "-o", "json")
	whole := decode(out)
	if code != ExitProblems || len(whole.Problems) < 4 {
		t.Fatalf("unsharded check: exit %d, %d problems, want 3 and at least 4", code, len(whole.Problems))
	}
	var problems []string
	var checked []string
	var rendered []string
	for i := 1; i <= 4; i++ {
		shard := fmt.Sprintf("%d/4", i)
		_, out := gitopsctl(t, g, env, "check", "--shard", shard, "-o", "json")
		part := decode(out)
		for _, p := range part.Problems {
			problems = append(problems, string(p))
		}
		checked = append(checked, part.Checked...)
		_, out = gitopsctl(t, g, env, "render", "--shard", shard, "-o", "json")
		var r struct{ Apps []struct{ Name string } }
		if err := json.Unmarshal(out, &r); err != nil {
			t.Fatal(err)
		}
		for _, a := range r.Apps {
			rendered = append(rendered, a.Name)
		}
	}
	var want []string
	for _, p := range whole.Problems {
		want = append(want, string(p))
	}
	sort.Strings(problems)
	sort.Strings(want)
	if strings.Join(problems, "\n") != strings.Join(want, "\n") {
		t.Errorf("the shards' problems differ from the unsharded run's:\nshards:\n%s\nunsharded:\n%s", strings.Join(problems, "\n"), strings.Join(want, "\n"))
	}
	sort.Strings(checked)
	sort.Strings(whole.Checked)
	if strings.Join(checked, ",") != strings.Join(whole.Checked, ",") {
		t.Errorf("the shards checked %v, the unsharded run %v", checked, whole.Checked)
	}
	sort.Strings(rendered)
	if strings.Join(rendered, ",") != strings.Join(whole.Checked, ",") {
		t.Errorf("the shards rendered %v, want every app once: %v", rendered, whole.Checked)
	}
}
