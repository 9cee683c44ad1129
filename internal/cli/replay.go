package cli

import (
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/gitopsctl/gitopsctl/internal/config"
	"github.com/gitopsctl/gitopsctl/internal/layout"
	"github.com/gitopsctl/gitopsctl/internal/rendercache"
	"github.com/gitopsctl/gitopsctl/internal/replay"
)

// A command whose output depends only on files it can name records its run
// for the gitopsctl front to replay (package replay): startRecording when
// it begins, recordInputs when it has succeeded, and Main stores the
// record after the command returned 0.

// recording is a run being recorded.
type recording struct {
	args  []string
	start time.Time

	mu     sync.Mutex
	chunks []replay.Chunk
	size   int
	over   bool // more output than a record keeps

	// snap is the snapshot of early, taken while the command runs
	// (startSnapshot); nil when none was started.
	snap  chan snapResult
	early replay.Inputs

	inputs *replay.Inputs // set once the command succeeded
	why    string         // or why its output depends on more
	cache  *rendercache.Cache
}

type snapResult struct {
	s   replay.Snapshot
	err error
}

// chunkBlock is the size of the blocks output is copied into: a block is
// filled before the next is made, so a large output is copied once,
// never moved again as one buffer grows.
const chunkBlock = 64 << 10

func (r *recording) add(s replay.Stream, p []byte) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.over || len(p) == 0 {
		return
	}
	if r.size += len(p); r.size > replay.MaxOutput {
		r.over, r.chunks = true, nil
		return
	}
	for len(p) > 0 {
		n := len(r.chunks)
		if n == 0 || r.chunks[n-1].Stream != s || len(r.chunks[n-1].Data) == cap(r.chunks[n-1].Data) {
			r.chunks = append(r.chunks, replay.Chunk{Stream: s, Data: make([]byte, 0, max(chunkBlock, len(p)))})
			n++
		}
		c := &r.chunks[n-1]
		k := min(len(p), cap(c.Data)-len(c.Data))
		c.Data = append(c.Data, p[:k]...)
		p = p[k:]
	}
}

// startSnapshot takes the snapshot of in while the command runs. That is
// as safe as taking it after: a file that changes after the run began has
// a change time after it, and then the run is not recorded.
func (r *recording) startSnapshot(in replay.Inputs) {
	r.early = in
	r.snap = make(chan snapResult, 1)
	go func() {
		s, err := replay.Take(in)
		r.snap <- snapResult{s, err}
	}()
}

// snapshot is the snapshot of the inputs: the early one when it covers
// the same inputs, else one taken now.
func (r *recording) snapshot() (replay.Snapshot, error) {
	if r.snap != nil {
		res := <-r.snap
		if slices.Equal(r.early.Trees, r.inputs.Trees) && slices.Equal(r.early.Paths, r.inputs.Paths) {
			return res.s, res.err
		}
	}
	return replay.Take(*r.inputs)
}

// tee writes to w and to the recording.
type tee struct {
	w io.Writer
	r *recording
	s replay.Stream
}

func (t tee) Write(p []byte) (int, error) {
	n, err := t.w.Write(p)
	t.r.add(t.s, p[:n])
	return n, err
}

// replayMode is $GITOPSCTL_REPLAY: "off", "trace" or "" (on).
func (f *Factory) replayMode() string { return f.Getenv(replay.EnvMode) }

// startRecording records what the command writes from now on, unless
// replay is off, --verbose logs (timings change every run) or the process
// is not the engine binary (a test calling Main), and starts the snapshot
// of the repositories cfg names.
func (f *Factory) startRecording(cfg *config.Loaded) {
	if f.args == nil || f.replayMode() == "off" || f.verbose {
		return
	}
	r := &recording{args: f.args, start: f.start}
	stderr := f.stderr()
	if f.IO.ErrOut == stderr {
		f.IO.ErrOut = tee{w: stderr, r: r, s: replay.Stderr}
		f.errOut = f.IO.ErrOut
	} else {
		f.errOut = tee{w: stderr, r: r, s: replay.Stderr}
	}
	f.IO.Out = tee{w: f.IO.Out, r: r, s: replay.Stdout}
	f.rec = r
	trees := []string{filepath.Clean(cfg.RepoDir), filepath.Clean(cfg.ConfigsDir)}
	slices.Sort(trees)
	r.startSnapshot(replay.Inputs{Trees: slices.Compact(trees), Paths: f.configPaths(cfg)})
}

// configPaths are the config file and, when it was found by walking up
// from the working directory, where a config file made since would be
// found first.
func (f *Factory) configPaths(cfg *config.Loaded) []string {
	if cfg.File == "" {
		return nil
	}
	paths := []string{cfg.File}
	if f.v.GetString("config") != "" || f.RepoFlag() != "" {
		return paths
	}
	wd, err := os.Getwd()
	if err != nil {
		return paths
	}
	for d := wd; d != filepath.Dir(cfg.File); {
		paths = append(paths, filepath.Join(d, layout.ConfigFileName))
		parent := filepath.Dir(d)
		if parent == d {
			break
		}
		d = parent
	}
	return paths
}

// recordInputs says that the command succeeded and that its output
// depends, on the file system, on nothing but the repository directories
// trees and the config file; or, when why is not empty, why it depends on
// more.
func (f *Factory) recordInputs(trees []string, why string) {
	if f.rec == nil {
		return
	}
	if why != "" {
		f.rec.why = why
		return
	}
	f.rec.inputs = &replay.Inputs{Trees: trees, Paths: f.rec.early.Paths}
}

// recordCache names the render cache the command used (nil: none), where
// the record goes.
func (f *Factory) recordCache(cache *rendercache.Cache) {
	if f.rec != nil {
		f.rec.cache = cache
	}
}

// finishRecording stores the record of a run that ended with code 0 and
// said what it read.
func (f *Factory) finishRecording(code int) {
	r := f.rec
	if r == nil {
		return
	}
	f.rec = nil
	why := f.storeRecord(r, code)
	if f.replayMode() == "trace" {
		fmt.Fprintf(f.stderr(), "gitopsctl-engine: replay: %s\n", why)
	}
}

func (f *Factory) storeRecord(r *recording, code int) string {
	switch {
	case code != 0:
		return fmt.Sprintf("not recorded: exit code %d", code)
	case r.why != "":
		return "not recorded: " + r.why
	case r.inputs == nil:
		return "not recorded: the command read more than its repositories"
	case r.over:
		return fmt.Sprintf("not recorded: more than %d bytes of output", replay.MaxOutput)
	case r.cache == nil:
		return "not recorded: no render cache"
	}
	if dir, err := rendercache.DirFromEnv(); err != nil || dir != r.cache.Dir() {
		return "not recorded: the render cache is not where the environment alone puts it"
	}
	id, err := engineIdentity()
	if err != nil {
		return "not recorded: " + err.Error()
	}
	inv, err := replay.This(r.args, id, f.IO.OutTTY, f.IO.ErrTTY)
	if err != nil {
		return "not recorded: " + err.Error()
	}
	snap, err := r.snapshot()
	if err != nil {
		return "not recorded: " + err.Error()
	}
	if !snap.Newest.Before(r.start.Add(-replay.Margin)) {
		return fmt.Sprintf("not recorded: an input changed less than %s before the run began", replay.Margin)
	}
	rec := replay.Record{Inputs: *r.inputs, State: snap.State, Code: code, Chunks: r.chunks}
	parts, err := rec.Parts()
	if err == nil {
		err = r.cache.PutParts(replay.Key(inv), parts...)
	}
	if err != nil {
		return "not recorded: " + err.Error()
	}
	return fmt.Sprintf("recorded (%d entries to check)", snap.Entries)
}

// engineIdentity is the Identity of this binary as the front finds it
// (its path, links followed), provided that is the binary running: one
// installed over it during the run is not.
func engineIdentity() (string, error) {
	exe, err := os.Executable()
	if err == nil {
		exe, err = filepath.EvalSymlinks(exe)
	}
	if err != nil {
		return "", err
	}
	id, err := replay.Identity(exe)
	if err != nil {
		return "", err
	}
	// /proc/self/exe leads to the running binary even once it is replaced.
	if running, err := replay.Identity("/proc/self/exe"); err == nil && running != id {
		return "", fmt.Errorf("%s was replaced while it ran", exe)
	}
	return id, nil
}

// logTo sends the standard logger (Helm's warnings) to w, the command's
// stderr, so that --quiet silences them and a record keeps them.
func logTo(w io.Writer) { log.SetOutput(w) }
