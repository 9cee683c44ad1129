package cli

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/gitopsctl/gitopsctl/internal/iostreams"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"gitopsctl": func() { os.Exit(Main(os.Args[1:], iostreams.System())) },
	})
}

// TestScript runs the end-to-end scripts in testdata/script: each runs the
// real gitopsctl binary in a fresh temp directory, usually against real git
// repositories created by the script.
func TestScript(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 filepath.Join("testdata", "script"),
		RequireExplicitExec: true,
		Cmds:                map[string]func(*testscript.TestScript, bool, []string){"replace": cmdReplace},
		Setup: func(env *testscript.Env) error {
			env.Setenv("GIT_AUTHOR_NAME", "Test Author")
			env.Setenv("GIT_AUTHOR_EMAIL", "author@example.com")
			env.Setenv("GIT_COMMITTER_NAME", "Test Committer")
			env.Setenv("GIT_COMMITTER_EMAIL", "committer@example.com")
			env.Setenv("GIT_CONFIG_NOSYSTEM", "1")
			env.Setenv("HOME", env.WorkDir)
			env.Setenv("NO_COLOR", "1")
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
