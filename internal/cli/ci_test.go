package cli

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

// The CI files shipped with gitopsctl (action.yml, examples/ci/*) are run
// here the way CI runs them, on a generated repository: every shell line
// of theirs that invokes gitopsctl is executed with the environment the CI
// would provide (its env:/variables: mappings, the matrix or parallel:
// index, the runner's variables), artifacts are handed from the shard jobs
// to the report job, and the report must equal the unsharded diff. A flag
// renamed, a path or a variable changed in the CLI or in a file fails here.

// moduleRoot is the repository root (this package is internal/cli).
func moduleRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	return root
}

func readYAML(t *testing.T, file string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := yaml.Unmarshal(b, &m); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	return m
}

// invokesGitopsctl matches a shell line that runs gitopsctl.
var invokesGitopsctl = regexp.MustCompile(`(^|[;&|(]\s*)gitopsctl\s`)

// gitopsctlLines returns the lines of a shell script that run gitopsctl,
// and checks that every go install line installs this module's command.
func gitopsctlLines(t *testing.T, where, script string) []string {
	t.Helper()
	var out []string
	for _, l := range strings.Split(script, "\n") {
		l = strings.TrimSpace(l)
		if strings.Contains(l, "go install") {
			checkInstallLine(t, where, l)
		}
		if invokesGitopsctl.MatchString(l) {
			out = append(out, l)
		}
	}
	return out
}

var installPath = regexp.MustCompile(`github\.com/gitopsctl/gitopsctl/([^@"\s]+)@|go install (\./\S+?)\)?$`)

func checkInstallLine(t *testing.T, where, line string) {
	t.Helper()
	ms := installPath.FindAllStringSubmatch(line, -1)
	if len(ms) == 0 {
		t.Errorf("%s: %q installs something other than github.com/gitopsctl/gitopsctl/...", where, line)
	}
	installed := map[string]bool{}
	for _, m := range ms {
		pkg := strings.TrimPrefix(m[1]+m[2], "./")
		mains := []string{filepath.Join(moduleRoot(t), filepath.FromSlash(pkg), "main.go")}
		if dir, ok := strings.CutSuffix(pkg, "/..."); ok {
			mains, _ = filepath.Glob(filepath.Join(moduleRoot(t), filepath.FromSlash(dir), "*", "main.go"))
		}
		if len(mains) == 0 {
			t.Errorf("%s: %q installs %s, which has no command of this module", where, line, pkg)
		}
		for _, m := range mains {
			if _, err := os.Stat(m); err != nil {
				t.Errorf("%s: %q installs %s, which is not this module's command: %v", where, line, pkg, err)
				continue
			}
			rel, _ := filepath.Rel(moduleRoot(t), filepath.Dir(m))
			installed[filepath.ToSlash(rel)] = true
		}
	}
	// gitopsctl runs every command it does not replay through the engine.
	for _, cmd := range []string{"cmd/gitopsctl", "cmd/gitopsctl-engine"} {
		if len(ms) > 0 && !installed[cmd] {
			t.Errorf("%s: %q does not install %s", where, line, cmd)
		}
	}
}

var expression = regexp.MustCompile(`\$\{\{\s*(.*?)\s*\}\}`)

// eval replaces each ${{ name }} in s with ctx[name]; a name the test does
// not know fails it (add it to the context when a file starts using it).
func eval(t *testing.T, where, s string, ctx map[string]string) string {
	t.Helper()
	return expression.ReplaceAllStringFunc(s, func(e string) string {
		name := expression.FindStringSubmatch(e)[1]
		v, ok := ctx[name]
		if !ok {
			t.Fatalf("%s: expression %s is not in this test's CI context", where, e)
		}
		return v
	})
}

// shell runs one line as the CI's bash does (-e, pipefail) and fails the
// test unless it succeeds.
func shell(t *testing.T, where, dir string, env []string, line string) {
	t.Helper()
	cmd := exec.Command("bash", "-e", "-o", "pipefail", "-c", line)
	cmd.Dir, cmd.Env = dir, env
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s: %s\nin %s: %v\n%s", where, line, dir, err, out)
	}
}

func envList(base []string, maps ...map[string]string) []string {
	env := append([]string(nil), base...)
	for _, m := range maps {
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			env = append(env, k+"="+m[k])
		}
	}
	return env
}

func mapOf(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

// evalEnv evaluates an env: mapping.
func evalEnv(t *testing.T, where string, v any, ctx map[string]string) map[string]string {
	out := map[string]string{}
	for k, val := range mapOf(v) {
		out[k] = eval(t, where+": env "+k, fmt.Sprint(val), ctx)
	}
	return out
}

// ghJob runs the steps of a GitHub Actions job (or composite action):
// steps that run gitopsctl, and artifact uploads and downloads through
// store (artifact name -> files).
type ghJob struct {
	name      string
	steps     []any
	ctx       map[string]string
	env       []string // runner env plus workflow and job env:
	workspace string
	store     map[string][]string
}

func (j *ghJob) run(t *testing.T) {
	t.Helper()
	ran := 0
	for i, s := range j.steps {
		step := mapOf(s)
		where := fmt.Sprintf("%s step %d", j.name, i+1)
		uses, _ := step["uses"].(string)
		with := mapOf(step["with"])
		switch {
		case strings.HasPrefix(uses, "actions/upload-artifact@"):
			name := eval(t, where, fmt.Sprint(with["name"]), j.ctx)
			files, _ := filepath.Glob(eval(t, where, fmt.Sprint(with["path"]), j.ctx))
			if len(files) == 0 {
				t.Fatalf("%s: upload-artifact %s: nothing at %v", where, name, with["path"])
			}
			j.store[name] = files
			continue
		case strings.HasPrefix(uses, "actions/download-artifact@"):
			dst := eval(t, where, fmt.Sprint(with["path"]), j.ctx)
			pattern := fmt.Sprint(with["pattern"])
			if err := os.MkdirAll(dst, 0o755); err != nil {
				t.Fatal(err)
			}
			for name, files := range j.store {
				if ok, _ := filepath.Match(pattern, name); !ok {
					continue
				}
				for _, f := range files {
					b, err := os.ReadFile(f)
					if err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(filepath.Join(dst, filepath.Base(f)), b, 0o644); err != nil {
						t.Fatal(err)
					}
				}
			}
			continue
		}
		script, _ := step["run"].(string)
		lines := gitopsctlLines(t, where, script)
		if len(lines) == 0 {
			continue
		}
		env := envList(j.env, evalEnv(t, where, step["env"], j.ctx))
		dir := j.workspace
		if wd, ok := step["working-directory"].(string); ok {
			dir = filepath.Join(j.workspace, eval(t, where, wd, j.ctx))
		}
		for _, l := range lines {
			if expression.MatchString(l) {
				t.Errorf("%s: %q: pass ${{ }} values through env:, not into the shell line", where, l)
			}
			shell(t, where, dir, env, l)
			ran++
		}
	}
	if ran == 0 {
		t.Fatalf("%s: no step runs gitopsctl", j.name)
	}
}

// runnerEnv is what a GitHub runner sets, with its temp directory made.
func runnerEnv(t *testing.T, root, workspace string) (env []string, temp string) {
	t.Helper()
	temp = t.TempDir()
	files := map[string]string{}
	for _, n := range []string{"GITHUB_OUTPUT", "GITHUB_ENV", "GITHUB_PATH", "GITHUB_STEP_SUMMARY"} {
		files[n] = filepath.Join(temp, strings.ToLower(n))
	}
	return envList(ciEnv(root), files, map[string]string{
		"CI": "true", "GITHUB_ACTIONS": "true", "GITHUB_WORKSPACE": workspace, "RUNNER_TEMP": temp,
		"GITHUB_REPOSITORY": "acme/gitops-repo", "GITHUB_BASE_REF": "main", "GITHUB_ACTION_PATH": moduleRoot(t),
	}), temp
}

func ghContext(workspace, temp string) map[string]string {
	return map[string]string{
		"github.base_ref": "main", "github.action_path": "", "github.action_ref": "", "github.token": "t0ken",
		"github.event.pull_request.number": "7", "github.run_id": "1", "github.workspace": workspace,
		"runner.temp": temp, "runner.os": "Linux",
	}
}

func readFileT(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func expectSame(t *testing.T, what, got, want string) {
	t.Helper()
	if got != want {
		t.Errorf("%s differs from the unsharded diff --format markdown:\n%s", what, unifiedForTest(want, got))
	}
}

func TestCIFiles(t *testing.T) {
	t.Parallel()
	root := shardRepo(t, 20, false)
	g := filepath.Join(root, "gitops-repo")
	_, want := gitopsctl(t, g, ciEnv(root), "diff", "--base", "origin/main", "--format", "markdown")
	if !bytes.Contains(want, []byte("added-service")) {
		t.Fatalf("the generated repository shows no change:\n%s", want)
	}

	t.Run("action", func(t *testing.T) {
		action := readYAML(t, filepath.Join(moduleRoot(t), "action.yml"))
		runs := mapOf(action["runs"])
		if runs["using"] != "composite" {
			t.Fatalf("action.yml: runs.using is %v, want composite", runs["using"])
		}
		env, temp := runnerEnv(t, root, g)
		ctx := ghContext(g, temp)
		for name, in := range mapOf(action["inputs"]) {
			ctx["inputs."+name] = eval(t, "action.yml input "+name, fmt.Sprint(mapOf(in)["default"]), ctx)
		}
		job := &ghJob{name: "action.yml", steps: runs["steps"].([]any), ctx: ctx, env: env, workspace: g, store: map[string][]string{}}
		job.run(t)
		expectSame(t, "the action's report", readFileT(t, filepath.Join(temp, "gitopsctl-diff.md")), string(want))
	})

	t.Run("github-matrix", func(t *testing.T) {
		file := filepath.Join(moduleRoot(t), "examples", "ci", "github-matrix.yml")
		wf := readYAML(t, file)
		jobs := mapOf(wf["jobs"])
		shard, report := mapOf(jobs["shard"]), mapOf(jobs["report"])
		if shard == nil || report == nil || report["needs"] != "shard" {
			t.Fatalf("%s: want jobs shard and report (needs: shard)", file)
		}
		matrix, _ := mapOf(mapOf(shard["strategy"])["matrix"])["shard"].([]any)
		if len(matrix) < 2 {
			t.Fatalf("%s: the shard job's matrix has %d shards", file, len(matrix))
		}
		store := map[string][]string{}
		workspace := root // the jobs check out gitops-repo and configs-repo side by side
		for _, idx := range matrix {
			env, temp := runnerEnv(t, root, workspace)
			ctx := ghContext(workspace, temp)
			ctx["matrix.shard"], ctx["strategy.job-total"] = fmt.Sprint(idx), fmt.Sprint(len(matrix))
			wenv := evalEnv(t, "workflow", wf["env"], ctx)
			jenv := evalEnv(t, "shard job", shard["env"], ctx)
			job := &ghJob{name: fmt.Sprintf("shard %v", idx), steps: shard["steps"].([]any), ctx: ctx,
				env: envList(env, wenv, jenv), workspace: workspace, store: store}
			job.run(t)
		}
		if len(store) != len(matrix) {
			t.Fatalf("%d shards uploaded %d artifacts", len(matrix), len(store))
		}
		env, temp := runnerEnv(t, root, t.TempDir())
		ctx := ghContext(workspace, temp)
		job := &ghJob{name: "report", steps: report["steps"].([]any), ctx: ctx,
			env: envList(env, evalEnv(t, "workflow", wf["env"], ctx)), workspace: temp, store: store}
		job.run(t)
		expectSame(t, "the merged report", readFileT(t, filepath.Join(temp, "diff.md")), string(want))
	})

	t.Run("gitlab-ci", func(t *testing.T) {
		file := filepath.Join(moduleRoot(t), "examples", "ci", "gitlab-ci.yml")
		ci := readYAML(t, file)
		shard, report := mapOf(ci["gitopsctl-shard"]), mapOf(ci["gitopsctl-report"])
		if shard == nil || report == nil {
			t.Fatalf("%s: want jobs gitopsctl-shard and gitopsctl-report", file)
		}
		n, ok := shard["parallel"].(float64)
		if !ok || n < 2 {
			t.Fatalf("%s: gitopsctl-shard has parallel: %v, want a number of shards", file, shard["parallel"])
		}
		baseSHA, err := exec.Command("git", "-C", g, "rev-parse", "main").Output()
		if err != nil {
			t.Fatal(err)
		}
		// GitLab expands $VAR in variables: values from the job's env.
		vars := func(job map[string]any, env map[string]string) map[string]string {
			out := map[string]string{}
			for _, m := range []map[string]any{mapOf(ci["variables"]), mapOf(job["variables"])} {
				for k, v := range m {
					out[k] = os.Expand(fmt.Sprint(v), func(name string) string {
						if val, ok := out[name]; ok {
							return val
						}
						return env[name]
					})
				}
			}
			return out
		}
		lines := func(job map[string]any, name string) []string {
			var all []string
			for _, key := range []string{"before_script", "script"} {
				list := job[key]
				if ext, _ := job["extends"].(string); list == nil && ext != "" {
					list = mapOf(ci[ext])[key]
				}
				items, _ := list.([]any)
				for _, it := range items {
					all = append(all, gitopsctlLines(t, name, fmt.Sprint(it))...)
				}
			}
			if len(all) == 0 {
				t.Fatalf("%s: %s runs no gitopsctl", file, name)
			}
			return all
		}
		var artifacts []string
		for i := 1; i <= int(n); i++ {
			cienv := map[string]string{"CI": "true", "CI_PROJECT_DIR": g, "CI_NODE_INDEX": fmt.Sprint(i), "CI_NODE_TOTAL": fmt.Sprint(int(n)),
				"CI_MERGE_REQUEST_DIFF_BASE_SHA": strings.TrimSpace(string(baseSHA)), "CI_MERGE_REQUEST_TARGET_BRANCH_NAME": "main",
				"CI_PIPELINE_SOURCE": "merge_request_event"}
			env := envList(ciEnv(root), cienv, vars(shard, cienv))
			for _, l := range lines(shard, fmt.Sprintf("gitopsctl-shard %d", i)) {
				shell(t, fmt.Sprintf("gitopsctl-shard %d", i), g, env, l)
			}
		}
		for _, p := range mapOf(shard["artifacts"])["paths"].([]any) {
			m, _ := filepath.Glob(filepath.Join(g, fmt.Sprint(p)))
			artifacts = append(artifacts, m...)
		}
		if len(artifacts) != int(n) {
			t.Fatalf("%d shards left %d artifacts: %v", int(n), len(artifacts), artifacts)
		}
		dir := t.TempDir() // GIT_STRATEGY: none: only the artifacts
		for _, f := range artifacts {
			if err := os.WriteFile(filepath.Join(dir, filepath.Base(f)), []byte(readFileT(t, f)), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		cienv := map[string]string{"CI": "true", "CI_PROJECT_DIR": dir}
		env := envList(ciEnv(root), cienv, vars(report, cienv))
		for _, l := range lines(report, "gitopsctl-report") {
			shell(t, "gitopsctl-report", dir, env, l)
		}
		expectSame(t, "the merged report", readFileT(t, filepath.Join(dir, "gitopsctl-diff.md")), string(want))
	})
}
