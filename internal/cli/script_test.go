package cli

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/gitopsctl/gitopsctl/internal/charts/chartstest"
	"github.com/gitopsctl/gitopsctl/internal/config"
	"github.com/gitopsctl/gitopsctl/internal/front"
	"github.com/gitopsctl/gitopsctl/internal/iostreams"
	"github.com/gitopsctl/gitopsctl/internal/replay"
	"github.com/gitopsctl/gitopsctl/internal/scaffold"
	"github.com/gitopsctl/gitopsctl/internal/testutil/golden"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		// As installed: the front, which runs the engine (in PATH here).
		"gitopsctl":        func() { os.Exit(front.Main(os.Args[1:])) },
		"gitopsctl-engine": func() { os.Exit(Main(os.Args[1:], iostreams.System())) },
	})
}

// TestScript runs the end-to-end scripts in testdata/script: each runs the
// real gitopsctl binary in a fresh temp directory, usually against real git
// repositories created by the script. With -update (make golden), a cmp of
// stdout or stderr against a file of the script rewrites that file in the
// script instead of failing.
//
// Every script gets GITOPSCTL_CHART_MIRRORS pointing the upstream chart
// repositories of init --platform at stand-ins of the same names and
// versions served in process ($PLATFORM_CHART_MIRRORS holds the same
// value), so that rendering a platform never fetches the real charts.
func TestScript(t *testing.T) {
	var standIns []chartstest.StandIn
	for _, c := range scaffold.Platform {
		standIns = append(standIns, chartstest.StandIn{Repository: c.Dependency.Repository, Name: c.Dependency.Name, Version: c.Dependency.Version})
	}
	mirrors := chartstest.MirrorsSpec(chartstest.ServeStandIns(t, standIns))
	testscript.Run(t, testscript.Params{
		Dir:                 filepath.Join("testdata", "script"),
		RequireExplicitExec: true,
		UpdateScripts:       golden.Update(),
		Cmds: map[string]func(*testscript.TestScript, bool, []string){
			"replace":  cmdReplace,
			"exitcode": cmdExitcode,
			"settle":   cmdSettle,
		},
		Setup: func(env *testscript.Env) error {
			env.Setenv("GIT_AUTHOR_NAME", "Test Author")
			env.Setenv("GIT_AUTHOR_EMAIL", "author@example.com")
			env.Setenv("GIT_COMMITTER_NAME", "Test Committer")
			env.Setenv("GIT_COMMITTER_EMAIL", "committer@example.com")
			env.Setenv("GIT_CONFIG_NOSYSTEM", "1")
			env.Setenv("HOME", env.WorkDir)
			env.Setenv("NO_COLOR", "1")
			env.Setenv(config.EnvChartMirrors, mirrors)
			env.Setenv("PLATFORM_CHART_MIRRORS", mirrors)
			return nil
		},
		Condition: func(cond string) (bool, error) {
			if cond == "git" {
				_, err := exec.LookPath("git")
				return err == nil, nil
			}
			return false, nil
		},
	})
}

// cmdReplace edits a file the way a user would by hand:
//
//	replace FILE OLD NEW
//
// replaces the one occurrence of OLD in FILE with NEW; \n in OLD and NEW
// stands for a newline. It fails unless OLD occurs exactly once.
func cmdReplace(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("unsupported: ! replace")
	}
	if len(args) != 3 {
		ts.Fatalf("usage: replace FILE OLD NEW")
	}
	file := ts.MkAbs(args[0])
	old := strings.ReplaceAll(args[1], `\n`, "\n")
	repl := strings.ReplaceAll(args[2], `\n`, "\n")
	data := ts.ReadFile(args[0])
	if n := strings.Count(data, old); n != 1 {
		ts.Fatalf("replace: %q occurs %d times in %s, want once", old, n, args[0])
	}
	ts.Check(os.WriteFile(file, []byte(strings.Replace(data, old, repl, 1)), 0o644))
}

// cmdExitcode runs a program and asserts its exact exit code:
//
//	exitcode N PROGRAM [ARGS...]
//
// Like exec, it keeps the program's stdout and stderr for the stdout and
// stderr commands that follow. Use it for every expected failure instead of
// a bare "! exec", so a test notices when an error changes class (1 vs 2 vs 3).
// cmdSettle waits until what the script wrote so far is older than
// replay.Margin, so that the next run may be recorded for replay.
func cmdSettle(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 0 {
		ts.Fatalf("usage: settle")
	}
	time.Sleep(replay.Margin + 200*time.Millisecond)
}

func cmdExitcode(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("unsupported: ! exitcode")
	}
	if len(args) < 2 {
		ts.Fatalf("usage: exitcode N PROGRAM [ARGS...]")
	}
	want, err := strconv.Atoi(args[0])
	if err != nil || want < 0 {
		ts.Fatalf("exitcode: %q is not an exit code", args[0])
	}
	got := 0
	if err := ts.Exec(args[1], args[2:]...); err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			ts.Fatalf("exitcode: run %s: %v", args[1], err)
		}
		got = ee.ExitCode()
	}
	if got != want {
		ts.Fatalf("%s exited %d, want %d", args[1], got, want)
	}
}
