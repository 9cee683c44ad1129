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

	inputs *replay.Inputs // set once the command succeeded
	cache  *rendercache.Cache
}

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
	if n := len(r.chunks); n > 0 && r.chunks[n-1].Stream == s {
		r.chunks[n-1].Data = append(r.chunks[n-1].Data, p...)
		return
	}
	r.chunks = append(r.chunks, replay.Chunk{Stream: s, Data: slices.Clone(p)})
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
// is not the engine binary (a test calling Main).
func (f *Factory) startRecording() {
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
}

// recordInputs says that the command succeeded and that its output
// depends, on the file system, on nothing but the repository directories
// trees and the config file (as found from the working directory), and that
// cache is the render cache it used.
func (f *Factory) recordInputs(trees []string, cfg *config.Loaded, cache *rendercache.Cache) {
	if f.rec == nil {
		return
	}
	in := &replay.Inputs{Trees: trees}
	if cfg.File != "" {
		in.Paths = append(in.Paths, cfg.File)
	}
	if f.v.GetString("config") == "" && f.RepoFlag() == "" {
		// Found by walking up from the working directory: a config file
		// made on the way would be found first.
		if wd, err := os.Getwd(); err == nil && cfg.File != "" {
			for d := wd; d != filepath.Dir(cfg.File); {
				in.Paths = append(in.Paths, filepath.Join(d, layout.ConfigFileName))
				parent := filepath.Dir(d)
				if parent == d {
					break
				}
				d = parent
			}
		}
	}
	f.rec.inputs, f.rec.cache = in, cache
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
	case r.inputs == nil:
		return "not recorded: the command read more than its repositories"
	case r.over:
		return fmt.Sprintf("not recorded: more than %d bytes of output", replay.MaxOutput)
	case r.cache == nil:
		return "not recorded: no render cache"
	}
	chartDir, err := rendercache.DefaultChartDir()
	if err != nil {
		return "not recorded: " + err.Error()
	}
	if dir, err := rendercache.DefaultDir(chartDir); err != nil || dir != r.cache.Dir() {
		return "not recorded: the render cache is not where the environment alone puts it"
	}
	exe, err := os.Executable()
	if err == nil {
		exe, err = filepath.EvalSymlinks(exe)
	}
	if err != nil {
		return "not recorded: " + err.Error()
	}
	id, err := replay.Identity(exe)
	if err != nil {
		return "not recorded: " + err.Error()
	}
	wd, err := os.Getwd()
	if err != nil {
		return "not recorded: " + err.Error()
	}
	snap, err := replay.Take(*r.inputs)
	if err != nil {
		return "not recorded: " + err.Error()
	}
	if !snap.Newest.Before(r.start.Add(-replay.Margin)) {
		return fmt.Sprintf("not recorded: an input changed less than %s before the run began", replay.Margin)
	}
	rec := replay.Record{Inputs: *r.inputs, State: snap.State, Code: code, Chunks: r.chunks}
	data, err := rec.Encode()
	if err == nil {
		key := replay.Key(replay.Invocation{Args: r.args, Dir: wd, Env: os.Environ(), Engine: id, OutTTY: f.IO.OutTTY, ErrTTY: f.IO.ErrTTY})
		err = r.cache.Put(key, data)
	}
	if err != nil {
		return "not recorded: " + err.Error()
	}
	return fmt.Sprintf("recorded (%d entries to check)", snap.Entries)
}

// logTo sends the standard logger (Helm's warnings) to w, the command's
// stderr, so that --quiet silences them and a record keeps them.
func logTo(w io.Writer) { log.SetOutput(w) }
