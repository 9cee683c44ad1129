package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gitopsctl/gitopsctl/internal/replay"
)

// The recording keeps every write in order and by stream, whatever the
// sizes, and gives up past replay.MaxOutput.
func TestRecordingKeepsWritesInOrder(t *testing.T) {
	r := &recording{}
	big := bytes.Repeat([]byte("0123456789abcdef"), (3*chunkBlock)/16+7)
	var wantOut, wantErr bytes.Buffer
	write := func(s replay.Stream, p []byte) {
		r.add(s, p)
		if s == replay.Stdout {
			wantOut.Write(p)
		} else {
			wantErr.Write(p)
		}
	}
	write(replay.Stdout, []byte("---\n"))
	write(replay.Stdout, big)
	write(replay.Stderr, []byte("note: one\n"))
	write(replay.Stdout, []byte("tail\n"))
	write(replay.Stderr, []byte("note: two\n"))
	rec := replay.Record{Chunks: r.chunks}
	var out, errOut, both bytes.Buffer
	if err := rec.Write(&out, &errOut); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out.Bytes(), wantOut.Bytes()) || !bytes.Equal(errOut.Bytes(), wantErr.Bytes()) {
		t.Fatalf("replayed %d+%d bytes, want %d+%d", out.Len(), errOut.Len(), wantOut.Len(), wantErr.Len())
	}
	// Interleaved as written: the second note after the tail.
	if err := rec.Write(&both, &both); err != nil {
		t.Fatal(err)
	}
	if s := both.String(); !strings.HasSuffix(s, "note: one\ntail\nnote: two\n") {
		t.Errorf("order lost: ends %q", s[len(s)-40:])
	}
	for _, c := range r.chunks {
		if cap(c.Data) > chunkBlock && len(c.Data) != cap(c.Data) {
			t.Errorf("a chunk of cap %d holds %d: a large write was copied into a growing buffer", cap(c.Data), len(c.Data))
		}
	}
	r.add(replay.Stdout, make([]byte, replay.MaxOutput))
	if !r.over || r.chunks != nil {
		t.Errorf("past MaxOutput: over=%v, %d chunks kept", r.over, len(r.chunks))
	}
}

// The pre-commit hook runs the gitopsctl front installed beside the
// engine, which replays what it can.
func TestHookBinary(t *testing.T) {
	bin, lone, tmp := t.TempDir(), t.TempDir(), t.TempDir()
	plain := t.TempDir() // a gitopsctl beside the engine that cannot run
	if err := os.WriteFile(plain+"/gitopsctl", nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{bin + "/gitopsctl", bin + "/gitopsctl-engine", lone + "/gitopsctl-engine", plain + "/gitopsctl-engine", tmp + "/go-build123/gitopsctl", bin + "/other"} {
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, nil, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	real := func(p string) string { r, _ := filepath.EvalSymlinks(p); return r }
	for exe, want := range map[string]string{
		bin + "/gitopsctl-engine":      real(bin + "/gitopsctl"),
		bin + "/gitopsctl":             real(bin + "/gitopsctl"),
		lone + "/gitopsctl-engine":     "gitopsctl", // no front beside it: PATH
		plain + "/gitopsctl-engine":    "gitopsctl", // not executable: PATH
		tmp + "/go-build123/gitopsctl": "gitopsctl", // go run
		bin + "/other":                 "gitopsctl",
	} {
		if got := hookBinaryFor(exe, tmp); got != want {
			t.Errorf("%s: %q, want %q", exe, got, want)
		}
	}
}
