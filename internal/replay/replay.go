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
	"hash"
	"io"
	"os"
	"path/filepath"
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

// Encode returns the stored form of r.
func (r *Record) Encode() ([]byte, error) {
	h, err := json.Marshal(header{Inputs: r.Inputs, State: r.State, Code: r.Code})
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	b.WriteString(format)
	b.Write(binary.AppendUvarint(nil, uint64(len(h))))
	b.Write(h)
	for _, c := range r.Chunks {
		b.WriteByte(byte(c.Stream))
		b.Write(binary.AppendUvarint(nil, uint64(len(c.Data))))
		b.Write(c.Data)
	}
	return b.Bytes(), nil
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
	field(format, inv.Engine, inv.Dir, fmt.Sprint(inv.OutTTY, inv.ErrTTY))
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
	return fmt.Sprintf("%s %d %s", filepath.Base(path), fi.Size(), metaOf(fi)), nil
}

// Snapshot is the state of the inputs: a digest of their metadata, and the
// newest modification or change time among them.
type Snapshot struct {
	State   string
	Newest  time.Time
	Entries int
}

// Take walks the inputs and returns their Snapshot. It fails when an input
// cannot be read, when there are more than MaxEntries entries, or when a
// tree is on a file system whose times are not trusted.
func Take(in Inputs) (Snapshot, error) {
	w := &walker{h: sha256.New(), seen: map[devIno]bool{}}
	for _, t := range in.Trees {
		if !filepath.IsAbs(t) {
			return Snapshot{}, fmt.Errorf("%s: not an absolute path", t)
		}
		w.dev = 0 // checked when the walk enters the tree
		w.text("tree", t)
		if err := w.entry(t, t, walkAll); err != nil {
			return Snapshot{}, err
		}
	}
	for _, p := range in.Paths {
		if !filepath.IsAbs(p) {
			return Snapshot{}, fmt.Errorf("%s: not an absolute path", p)
		}
		if err := trust(filepath.Dir(p)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return Snapshot{}, err
		}
		w.text("path", p)
		if err := w.entry(p, p, walkNone); err != nil {
			return Snapshot{}, err
		}
	}
	return Snapshot{State: hex.EncodeToString(w.h.Sum(nil)), Newest: w.newest, Entries: w.n}, nil
}

// trust fails unless dir is on a Trusted file system.
func trust(dir string) error {
	ok, err := Trusted(dir)
	if err == nil && !ok {
		err = fmt.Errorf("%s: its file system's times are not trusted", dir)
	}
	return err
}

// walk says how far a walker goes below an entry.
type walk int

const (
	walkNone walk = iota // the entry itself
	walkAll              // a directory and everything below it
	walkGit              // a .git directory: what names the checked-out state
)

type devIno struct{ dev, ino uint64 }

type walker struct {
	h      hash.Hash
	n      int
	newest time.Time
	seen   map[devIno]bool // directories walked (links may loop)
	dev    uint64          // the device of the directory being walked
	buf    []byte
}

func (w *walker) text(kind, s string) {
	w.buf = append(w.buf[:0], kind...)
	w.buf = append(w.buf, 0)
	w.buf = append(w.buf, s...)
	w.buf = append(w.buf, 0)
	w.h.Write(w.buf)
}

// entry hashes the entry at full (named name in the hash) and, as how
// says, what is below it.
func (w *walker) entry(full, name string, how walk) error {
	st, err := lstat(full)
	if errors.Is(err, os.ErrNotExist) {
		w.text("absent", name)
		return nil
	}
	if err != nil {
		return err
	}
	return w.stat(full, name, st, how)
}

func (w *walker) stat(full, name string, st meta, how walk) error {
	w.n++
	if w.n > MaxEntries {
		return fmt.Errorf("more than %d files to check", MaxEntries)
	}
	if st.newest.After(w.newest) {
		w.newest = st.newest
	}
	w.buf = append(w.buf[:0], name...)
	w.buf = append(w.buf, 0)
	w.buf = st.append(w.buf)
	w.h.Write(w.buf)
	switch {
	case st.link:
		target, err := os.Readlink(full)
		if err != nil {
			return err
		}
		w.text("link", target)
		if how == walkNone {
			return nil
		}
		// What the link leads to: walked as if it were here.
		tst, err := stat(full)
		if errors.Is(err, os.ErrNotExist) {
			w.text("dangling", name)
			return nil
		}
		if err != nil {
			return err
		}
		return w.stat(full, name+"/@", tst, how)
	case st.dir && how != walkNone:
		if w.seen[st.id] {
			w.text("again", name)
			return nil
		}
		w.seen[st.id] = true
		if st.id.dev != w.dev {
			// Another file system (a mount, or where a link leads).
			if err := trust(full); err != nil {
				return err
			}
			w.dev = st.id.dev
			defer func(dev uint64) { w.dev = dev }(w.dev)
		}
		return w.dir(full, name, how)
	}
	return nil
}

// gitWalked are the directories of a .git directory that are walked (the
// refs, their logs for names like main@{1}, and info/ with the excludes
// and grafts); its other directories (objects, hooks, ...) are not.
var gitWalked = map[string]bool{"refs": true, "logs": true, "info": true}

func (w *walker) dir(full, name string, how walk) error {
	names, err := readDir(full)
	if err != nil {
		return err
	}
	for _, n := range names {
		p, pn := full+string(os.PathSeparator)+n, name+"/"+n
		st, err := lstat(p)
		if errors.Is(err, os.ErrNotExist) {
			w.text("gone", pn) // removed while listed: the state is changing
			continue
		}
		if err != nil {
			return err
		}
		switch {
		case how == walkGit && st.dir && !gitWalked[n]:
			continue // not even its times: a fetch or a gc changes them
		case how == walkGit && st.dir:
			err = w.stat(p, pn, st, walkAll)
		case n == ".git" && st.dir:
			err = w.stat(p, pn, st, walkGit)
		case n == ".git":
			err = w.gitFile(p, pn, st)
		default:
			err = w.stat(p, pn, st, how)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// gitFile hashes a .git file (a linked work tree or a submodule) and the
// git directory it names, with its common directory.
func (w *walker) gitFile(full, name string, st meta) error {
	if err := w.stat(full, name, st, walkNone); err != nil {
		return err
	}
	data, err := os.ReadFile(full)
	if err != nil {
		return err
	}
	w.text("gitfile", string(data))
	dir, ok := strings.CutPrefix(strings.TrimSpace(string(data)), "gitdir:")
	if !ok {
		return nil
	}
	dir = strings.TrimSpace(dir)
	if !filepath.IsAbs(dir) {
		dir = filepath.Join(filepath.Dir(full), dir)
	}
	if err := w.entry(dir, name+"/@gitdir", walkGit); err != nil {
		return err
	}
	common, err := os.ReadFile(filepath.Join(dir, "commondir"))
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	c := strings.TrimSpace(string(common))
	if !filepath.IsAbs(c) {
		c = filepath.Join(dir, c)
	}
	return w.entry(c, name+"/@common", walkGit)
}
