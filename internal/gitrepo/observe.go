package gitrepo

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io/fs"
	"path"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/go-git/go-git/v5/plumbing"
)

// Op is a kind of question a reader asks a view about one path.
type Op byte

// The questions a view records (Log) and answers again (Ask).
const (
	OpResolve  Op = 'r' // Resolve: the resolved path
	OpRead     Op = 'f' // ReadFile or BlobID: the content (recorded as readable or not)
	OpStat     Op = 's' // Stat: the kind of entry, links followed
	OpLstat    Op = 'l' // FS Lstat: the kind of entry itself
	OpExists   Op = 'e' // Exists
	OpReadDir  Op = 'd' // ReadDir: the names and kinds of the entries
	OpReadLink Op = 'k' // FS ReadLink: the link's target
)

// Seen is one question a view was asked and its answer.
type Seen struct {
	Op   Op
	Path string // as asked
	// Answer is the answer in a form that compares equal between views
	// exactly when a reader would see the same: a resolved path, an entry
	// kind, a digest of a listing, the git blob id of a file's content, an
	// error's kind.
	Answer string
	// Linked: answering followed a symbolic link, or the path is not
	// written in canonical form, so the answer may depend on entries
	// other than the path and its parents.
	Linked bool
}

// Log records the questions readers ask of a view, once per question and
// path. A view with a log (SetLog) adds to it on every question; what a
// computation read of a view is then known, and another view of the same
// repository gives the same result when it answers those questions the
// same way.
type Log struct {
	seen sync.Map // logKey -> Seen
	n    atomic.Int64
}

type logKey struct {
	op Op
	p  string
}

// NewLog returns an empty log.
func NewLog() *Log { return &Log{} }

// Entries returns what was recorded, sorted by path, then question.
func (l *Log) Entries() []Seen {
	out := make([]Seen, 0, l.n.Load())
	l.seen.Range(func(_, v any) bool {
		out = append(out, v.(Seen))
		return true
	})
	slices.SortFunc(out, func(a, b Seen) int {
		if c := strings.Compare(a.Path, b.Path); c != 0 {
			return c
		}
		return int(a.Op) - int(b.Op)
	})
	return out
}

// SetLog makes the view record every question asked of it in l (nil
// stops recording). Questions asked before are not in l: set it before
// the view is read.
func (r *Repo) SetLog(l *Log) { r.log.Store(l) }

// logs is the Repo's log field type.
type logs = atomic.Pointer[Log]

// note records a question when the view has a log (linked and answer
// are called only then).
func (r *Repo) note(op Op, p string, linked func(string) bool, answer func() string) {
	l := r.log.Load()
	if l == nil {
		return
	}
	k := logKey{op, p}
	if _, ok := l.seen.Load(k); ok {
		return // asked before: the view answers the same
	}
	_, _, canonical := splitCanonical(p)
	if _, loaded := l.seen.LoadOrStore(k, Seen{Op: op, Path: p, Answer: answer(), Linked: !canonical && p != "." || linked(p)}); !loaded {
		l.n.Add(1)
	}
}

// followed reports whether resolving p follows a link or cannot be
// checked path by path.
func (r *Repo) followed(p string) bool {
	res := r.resolve(p)
	return res.links > 0 || res.unverified
}

// parentFollowed is followed for the directory of an FS name (the name
// itself is not followed).
func (f repoFS) parentFollowed(name string) bool {
	return name != "." && f.r.followed(path.Dir(name))
}

// Ask answers the question op about p as Seen.Answer records it: equal
// to a recorded answer when this view gives a reader what the recorded
// view gave.
func (r *Repo) Ask(op Op, p string) string {
	switch op {
	case OpResolve:
		rp, err := r.Resolve(p)
		return pathAnswer(rp, err)
	case OpRead:
		data, err := r.ReadFile(p)
		return r.contentAnswer(p, data, err)
	case OpStat:
		fi, err := r.Stat(p)
		return infoAnswer(fi, err)
	case OpLstat:
		fi, err := repoFS{r}.Lstat(p)
		return infoAnswer(fi, err)
	case OpExists:
		return existsAnswer(r.Exists(p))
	case OpReadDir:
		ents, err := r.ReadDir(p)
		return dirAnswer(ents, err, Clean(p) == ".")
	case OpReadLink:
		t, err := repoFS{r}.ReadLink(p)
		return pathAnswer(t, err)
	}
	return "?"
}

// contentAnswer is the git blob id of what ReadFile(p) returned: the
// stored one for a view of a commit or an index whose contents are not
// rewritten, else computed (a work tree's file with the content of a
// commit's blob gets that blob's id).
func (r *Repo) contentAnswer(p string, data []byte, err error) string {
	if err != nil {
		return errAnswer(err)
	}
	if r.Filter == nil {
		if b, ok := r.b.(interface {
			blobID(p string) (plumbing.Hash, bool)
		}); ok {
			if res := r.resolve(p); res.err == nil && res.missing == nil {
				if h, ok := b.blobID(res.rp); ok {
					return "@" + h.String()
				}
			}
		}
	}
	return "@" + plumbing.ComputeHash(plumbing.BlobObject, data).String()
}

// pathAnswer answers with a path: a resolved path, a link's target.
func pathAnswer(p string, err error) string {
	if err != nil {
		return errAnswer(err)
	}
	return "=" + p
}

func existsAnswer(ok bool) string {
	if ok {
		return "yes"
	}
	return "no"
}

// errAnswer is "" for no error, else the error's kind: a missing entry, a
// path outside the root, or another error with its message.
func errAnswer(err error) string {
	var oe *OutsideError
	switch {
	case err == nil:
		return ""
	case errors.Is(err, fs.ErrNotExist):
		return "!missing"
	case errors.As(err, &oe):
		return "!outside"
	}
	return "!" + err.Error()
}

// infoAnswer is the kind of entry fi describes: what the views of one
// repository agree on (a commit's tree keeps no sizes or times, and only
// the executable bit of the permissions).
func infoAnswer(fi fs.FileInfo, err error) string {
	if err != nil {
		return errAnswer(err)
	}
	return modeAnswer(fi.Mode())
}

func modeAnswer(m fs.FileMode) string {
	switch {
	case m&fs.ModeSymlink != 0:
		return "l"
	case m.IsDir():
		return "d"
	case m.IsRegular() && m&0o111 != 0:
		return "x"
	case m.IsRegular():
		return "f"
	}
	return "o"
}

// dirAnswer digests a listing (ReadDir's, sorted by name on every view):
// each entry's name and kind, leaving out the root's .git (a work tree's
// root holds it, no commit does, no reader reads it).
func dirAnswer(ents []fs.DirEntry, err error, root bool) string {
	if err != nil {
		return errAnswer(err)
	}
	h := sha256.New()
	var b strings.Builder
	for _, e := range ents {
		if root && e.Name() == ".git" {
			continue
		}
		b.Reset()
		b.WriteString(e.Name())
		b.WriteByte(0)
		kind := modeAnswer(e.Type())
		if e.Type().IsRegular() {
			kind = "f" // a listing gives the type, not the permissions
		}
		b.WriteString(kind)
		b.WriteByte(0)
		h.Write([]byte(b.String()))
	}
	return "#" + hex.EncodeToString(h.Sum(nil)[:16])
}
