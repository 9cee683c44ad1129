// Package front is the gitopsctl command users run. It links no Helm, no
// Kubernetes types and no git library, so it starts in a few milliseconds:
// it answers a command from a replay record when one holds (package
// replay: a warm render), and otherwise runs the gitopsctl-engine binary in
// its place, with the same arguments, environment and streams.
package front

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"

	"github.com/gitopsctl/gitopsctl/internal/iostreams"
	"github.com/gitopsctl/gitopsctl/internal/rendercache"
	"github.com/gitopsctl/gitopsctl/internal/replay"
)

// EngineName is the engine binary's name (without ".exe").
const EngineName = "gitopsctl-engine"

// Main runs gitopsctl with args and returns the exit code. When the engine
// runs, it runs in this process's place (on Unix) and Main does not return.
func Main(args []string) int {
	io := iostreams.System()
	engine, err := FindEngine()
	if err != nil {
		fmt.Fprintf(io.ErrOut, "gitopsctl: %v\n", err)
		return 1
	}
	mode := os.Getenv(replay.EnvMode)
	if mode != "off" {
		code, why := serve(args, engine, io)
		if why == "" {
			return code
		}
		if mode == "trace" {
			fmt.Fprintf(io.ErrOut, "gitopsctl: replay: %s; running %s\n", why, engine)
		}
	}
	return runEngine(engine, args, io)
}

// FindEngine returns the engine binary: $GITOPSCTL_ENGINE, else
// gitopsctl-engine in the directory of this executable (symbolic links
// followed), else gitopsctl-engine in PATH.
func FindEngine() (string, error) {
	exe, err := os.Executable()
	if err != nil {
		exe = ""
	}
	return findEngine(exe)
}

// findEngine is FindEngine for the executable exe ("" when unknown).
func findEngine(exe string) (string, error) {
	name := EngineName
	if runtime.GOOS == "windows" {
		name += ".exe"
	}
	if p := os.Getenv(replay.EnvEngine); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("%s=%s: %w", replay.EnvEngine, p, err)
		}
		return filepath.Abs(p)
	}
	var beside string
	if exe != "" {
		if real, err := filepath.EvalSymlinks(exe); err == nil {
			exe = real
		}
		beside = filepath.Join(filepath.Dir(exe), name)
		if fi, err := os.Stat(beside); err == nil && !fi.IsDir() {
			return beside, nil
		}
	}
	if p, err := exec.LookPath(name); err == nil {
		return filepath.Abs(p)
	}
	where := "in PATH"
	if beside != "" {
		where = "at " + beside + " or in PATH"
	}
	return "", fmt.Errorf("the engine binary %s is not installed (looked %s)\n"+
		"gitopsctl runs every command through it: install both binaries with\n"+
		"  go install github.com/gitopsctl/gitopsctl/cmd/...@<version>\n"+
		"or set %s to the engine's path", name, where, replay.EnvEngine)
}

// serve answers from the replay record of this invocation. It returns the
// exit code and "", or why there was no answer.
func serve(args []string, engine string, io *iostreams.IOStreams) (int, string) {
	real, err := filepath.EvalSymlinks(engine)
	if err != nil {
		return 0, err.Error()
	}
	id, err := replay.Identity(real)
	if err != nil {
		return 0, err.Error()
	}
	inv, err := replay.This(args, id, io.OutTTY, io.ErrTTY)
	if err != nil {
		return 0, err.Error()
	}
	dir, err := rendercache.DirFromEnv()
	if err != nil {
		return 0, err.Error()
	}
	data, ok := rendercache.New(dir, 0).Get(replay.Key(inv))
	if !ok {
		return 0, "no record"
	}
	rec, err := replay.Decode(data)
	if err != nil {
		return 0, err.Error()
	}
	snap, err := replay.Take(rec.Inputs)
	if err != nil {
		return 0, err.Error()
	}
	if snap.State != rec.State {
		return 0, "inputs changed since the record"
	}
	if err := rec.Write(io.Out, io.ErrOut); err != nil {
		fmt.Fprintf(io.ErrOut, "gitopsctl: %v\n", err)
		return 1, ""
	}
	if os.Getenv(replay.EnvMode) == "trace" {
		fmt.Fprintf(io.ErrOut, "gitopsctl: replay: answered from the record (%d entries checked)\n", snap.Entries)
	}
	return rec.Code, ""
}

// errNoExec is returned where the engine cannot replace this process.
var errNoExec = errors.New("exec not supported")

// runEngine runs the engine with args in this process's place, or (where
// a process cannot be replaced) as a child whose exit code it returns.
func runEngine(engine string, args []string, io *iostreams.IOStreams) int {
	err := execEngine(engine, args)
	if err != nil && !errors.Is(err, errNoExec) {
		fmt.Fprintf(io.ErrOut, "gitopsctl: run %s: %v\n", engine, err)
		return 1
	}
	cmd := exec.Command(engine, args...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = io.In, io.Out, io.ErrOut
	if err := cmd.Run(); err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return ee.ExitCode()
		}
		fmt.Fprintf(io.ErrOut, "gitopsctl: run %s: %v\n", engine, err)
		return 1
	}
	return 0
}
