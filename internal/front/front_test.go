package front

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/gitopsctl/gitopsctl/internal/replay"
)

func TestFindEngine(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the engine is gitopsctl-engine.exe there")
	}
	bin := t.TempDir()
	engine := filepath.Join(bin, EngineName)
	if err := os.WriteFile(engine, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	empty := t.TempDir()

	// $GITOPSCTL_ENGINE first.
	t.Setenv("PATH", empty)
	t.Setenv(replay.EnvEngine, engine)
	if got, err := FindEngine(); err != nil || got != engine {
		t.Errorf("with %s set: %q, %v", replay.EnvEngine, got, err)
	}
	t.Setenv(replay.EnvEngine, filepath.Join(empty, "nope"))
	if _, err := FindEngine(); err == nil || !strings.Contains(err.Error(), replay.EnvEngine+"=") {
		t.Errorf("a missing $%s: %v", replay.EnvEngine, err)
	}

	// Then PATH (the test binary has no engine beside it).
	t.Setenv(replay.EnvEngine, "")
	t.Setenv("PATH", empty+string(os.PathListSeparator)+bin)
	if got, err := FindEngine(); err != nil || got != engine {
		t.Errorf("in PATH: %q, %v", got, err)
	}

	// Beside the front, found through the link to it, wins over PATH.
	front := filepath.Join(bin, "gitopsctl")
	if err := os.WriteFile(front, nil, 0o755); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(t.TempDir(), "gitopsctl")
	if err := os.Symlink(front, link); err != nil {
		t.Fatal(err)
	}
	other := t.TempDir()
	if err := os.WriteFile(filepath.Join(other, EngineName), []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", other)
	for _, exe := range []string{front, link} {
		if got, err := findEngine(exe); err != nil || got != engine {
			t.Errorf("beside %s: %q, %v", exe, got, err)
		}
	}

	// Nowhere: the error says what to install.
	t.Setenv("PATH", empty)
	_, err := FindEngine()
	if err == nil {
		t.Fatal("no engine anywhere, and no error")
	}
	for _, want := range []string{"gitopsctl-engine is not installed", "or in PATH", "go install github.com/gitopsctl/gitopsctl/cmd/...@", replay.EnvEngine} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
}
