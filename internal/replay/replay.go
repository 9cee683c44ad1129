// Package replay answers a read-only command again without running it, the
// way ccache's direct mode or make answer from file metadata: when the
// command line, the environment, the working directory and the engine
// binary are those of a recorded run, and every file and directory that run
// could have read still has the size, times, inode and mode it had, the
// recorded output is the output.
//
// The engine (the gitopsctl-engine binary, with Helm) records a run; the
// gitopsctl front binary, which links only this package and the render
// cache, replays it. The front starts in a few milliseconds where the
// engine's package initialisation alone takes tens: a warm render served
// by the front never starts the engine.
//
// What a record trusts:
//
//   - Trees are walked whole: every entry's name, type, mode, size,
//     modification and change time, inode and device. A directory's names
//     are its listing, so an added, removed or renamed file shows. A symbolic
//     link is hashed with its target, and a link to a directory outside the
//     walk is walked too. Inside a .git directory only what names the
//     checked-out state is walked (its top-level files such as HEAD, index,
//     config and packed-refs, and refs/, logs/ and info/): objects are
//     content addressed and never change under a name.
//   - Paths are single files (or paths that must stay absent) outside the
//     trees, such as a config file.
//
// A run is recorded only when nothing it could read changed during it or
// within Margin before it started (the change time is set by the kernel on
// every write, chmod and rename and cannot be set back by hand), and only
// on file systems whose times the kernel keeps locally (see Trusted): a
// later change then always moves some time, and a record never serves
// stale output.
package replay

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"
)

// Margin is how long before a run began its inputs must have been left
// alone for the run to be recorded. It is much longer than the tick of any
// local file system's clock (the kernel stamps files with a coarse clock
// that may lag the one the process reads by a tick).
const Margin = time.Second

// MaxEntries bounds a snapshot: a run that could read more entries than
// this is not recorded (checking them would cost more than it saves).
const MaxEntries = 200_000

// MaxOutput bounds what a record keeps of a run's output.
const MaxOutput = 64 << 20

// EnvMode is the environment variable that turns replay off ("off") or
// makes the front and the engine say on stderr what they did with the
// record ("trace"). It is not part of the key.
const EnvMode = "GITOPSCTL_REPLAY"

// EnvEngine names the engine binary the front runs; it is not part of the
// key (the engine's identity is: see Identity).
const EnvEngine = "GITOPSCTL_ENGINE"

// format starts every record; change it when the record's form or what it
// means changes.
const format = "gitopsctl replay 1\n"

// Inputs is everything a run could have read from the file system.
type Inputs struct {
	Trees []string `json:"trees"`
	Paths []string `json:"paths,omitempty"`
}

// Stream names an output stream.
type Stream byte

// The streams a record keeps.
const (
	Stdout Stream = 1
	Stderr Stream = 2
)

// Chunk is one write of a run, in order.
type Chunk struct {
	Stream Stream
	Data   []byte
}

// Record is a recorded run.
type Record struct {
	Inputs Inputs
	// State is the Snapshot of the inputs taken when the run ended.
	State string
	// Code is the run's exit code.
	Code   int
	Chunks []Chunk
}

type header struct {
	Inputs Inputs `json:"inputs"`
	State  string `json:"state"`
	Code   int    `json:"code"`
}

// Parts returns the stored form of r in parts, which share the chunks'
// memory (join them, or write them one after the other).
func (r *Record) Parts() ([][]byte, error) {
	h, err := json.Marshal(header{Inputs: r.Inputs, State: r.State, Code: r.Code})
	if err != nil {
		return nil, err
	}
	head := binary.AppendUvarint([]byte(format), uint64(len(h)))
	parts := [][]byte{append(head, h...)}
	for _, c := range r.Chunks {
		parts = append(parts, binary.AppendUvarint([]byte{byte(c.Stream)}, uint64(len(c.Data))), c.Data)
	}
	return parts, nil
}

// errBadRecord is what Decode says of anything that is not a whole record.
var errBadRecord = errors.New("not a replay record")

// Decode parses what Encode returned.
func Decode(data []byte) (*Record, error) {
	rest, ok := bytes.CutPrefix(data, []byte(format))
	if !ok {
		return nil, errBadRecord
	}
	next := func() ([]byte, bool) {
		n, k := binary.Uvarint(rest)
		if k <= 0 || n > uint64(len(rest)-k) {
			return nil, false
		}
		b := rest[k : k+int(n)]
		rest = rest[k+int(n):]
		return b, true
	}
	hb, ok := next()
	if !ok {
		return nil, errBadRecord
	}
	var h header
	if err := json.Unmarshal(hb, &h); err != nil || h.State == "" {
		return nil, errBadRecord
	}
	r := &Record{Inputs: h.Inputs, State: h.State, Code: h.Code}
	for len(rest) > 0 {
		s := Stream(rest[0])
		if s != Stdout && s != Stderr {
			return nil, errBadRecord
		}
		rest = rest[1:]
		b, ok := next()
		if !ok {
			return nil, errBadRecord
		}
		r.Chunks = append(r.Chunks, Chunk{Stream: s, Data: b})
	}
	return r, nil
}

// Write writes the record's output to the streams, in the order it was
// written.
func (r *Record) Write(stdout, stderr io.Writer) error {
	for _, c := range r.Chunks {
		w := stdout
		if c.Stream == Stderr {
			w = stderr
		}
		if _, err := w.Write(c.Data); err != nil {
			return err
		}
	}
	return nil
}

// Invocation is what, besides the file system, a run's output depends on.
type Invocation struct {
	Args []string
	// Dir is the working directory.
	Dir string
	// Env is the environment (os.Environ form).
	Env []string
	// Engine is the Identity of the engine binary.
	Engine string
	// OutTTY and ErrTTY tell whether the streams are terminals.
	OutTTY, ErrTTY bool
	// User is the user and groups (another user may not read the files).
	User string
}

// This returns the Invocation of this process with args, the engine binary
// identified by engine (see Identity) and the streams' terminal flags.
func This(args []string, engine string, outTTY, errTTY bool) (Invocation, error) {
	wd, err := os.Getwd()
	if err != nil {
		return Invocation{}, err
	}
	groups, _ := os.Getgroups()
	slices.Sort(groups)
	return Invocation{
		Args: args, Dir: wd, Env: os.Environ(), Engine: engine, OutTTY: outTTY, ErrTTY: errTTY,
		User: fmt.Sprint(os.Getuid(), os.Getgid(), groups),
	}, nil
}

// ignoredEnv are variables a shell changes from one command to the next
// that no command reads, and the two replay's own.
var ignoredEnv = map[string]bool{"_": true, "OLDPWD": true, "PWD": true, "SHLVL": true, EnvMode: true, EnvEngine: true}

// Key is the record key of an invocation.
func Key(inv Invocation) string {
	h := sha256.New()
	field := func(parts ...string) {
		for _, p := range parts {
			h.Write(binary.AppendUvarint(nil, uint64(len(p))))
			h.Write([]byte(p))
		}
		h.Write([]byte{0})
	}
	field(format, inv.Engine, inv.Dir, fmt.Sprint(inv.OutTTY, inv.ErrTTY), inv.User)
	field(inv.Args...)
	env := make([]string, 0, len(inv.Env))
	for _, kv := range inv.Env {
		k, _, _ := strings.Cut(kv, "=")
		if !ignoredEnv[k] {
			env = append(env, kv)
		}
	}
	slices.Sort(env)
	field(env...)
	return hex.EncodeToString(h.Sum(nil))
}

// Identity names the binary at path by its metadata: a rebuilt or
// reinstalled engine has another.
func Identity(path string) (string, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%d %s", fi.Size(), metaOf(fi)), nil
}
