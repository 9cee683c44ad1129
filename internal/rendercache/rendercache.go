// Package rendercache is the content-addressed cache of rendered apps that
// render, diff, check and seal share: an entry is named by the digest of
// everything an app's output depends on (the caller computes it) and holds
// the output. It lives under the user cache directory next to the chart
// cache, is bounded in size (least recently used entries go first), and is
// safe with concurrent processes: entries are written atomically (temp
// file and rename) and each carries a checksum of its content, so that a
// corrupt or truncated entry is ignored (and rewritten by the next render),
// never trusted.
package rendercache

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"hash/crc32"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gitopsctl/gitopsctl/internal/fsutil"
)

// EnvDir overrides the default directory.
const EnvDir = "GITOPSCTL_RENDER_CACHE_DIR"

// DefaultMaxBytes bounds the cache unless Options.MaxBytes says otherwise.
const DefaultMaxBytes = 512 << 20

// magic starts every entry; the version changes when the format does.
const magic = "gitopsctl-render-cache 2\n"

// castagnoli is CRC-32C, which the CPU computes at memory speed: the
// checksum is there to catch a damaged or truncated file, not an attacker
// (whoever can write the cache directory can write any entry), and a
// SHA-256 of the large entries diff keeps was a tenth of a warm diff.
// Made on first use: the gitopsctl front links this package, and most of
// its runs read no entry.
var castagnoli = sync.OnceValue(func() *crc32.Table { return crc32.MakeTable(crc32.Castagnoli) })

// EnvChartDir names the chart cache directory (see DefaultChartDir).
const EnvChartDir = "GITOPSCTL_CACHE_DIR"

// DefaultChartDir is $GITOPSCTL_CACHE_DIR, else <user cache
// dir>/gitopsctl/charts: the chart cache (package charts), next to which
// the render cache lives. It is here, not in package charts, so that the
// gitopsctl front finds the render cache without linking Helm.
func DefaultChartDir() (string, error) {
	if d := os.Getenv(EnvChartDir); d != "" {
		return filepath.Abs(d)
	}
	d, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("chart cache: %w (set %s)", err, EnvChartDir)
	}
	return filepath.Join(d, "gitopsctl", "charts"), nil
}

// DefaultDir is $GITOPSCTL_RENDER_CACHE_DIR, else "renders" next to the
// chart cache directory chartDir (<user cache dir>/gitopsctl/renders by
// default).
func DefaultDir(chartDir string) (string, error) {
	if d := os.Getenv(EnvDir); d != "" {
		return filepath.Abs(d)
	}
	return filepath.Join(filepath.Dir(chartDir), "renders"), nil
}

// DirFromEnv is the render cache directory the environment alone names (no
// --cache-dir, no chart cache directory in a config): where the gitopsctl
// front looks for replay records.
func DirFromEnv() (string, error) {
	chartDir, err := DefaultChartDir()
	if err != nil {
		return "", err
	}
	return DefaultDir(chartDir)
}

// Cache is a render cache directory.
type Cache struct {
	dir string
	max int64
}

// New returns the cache in dir (created on first write), bounded to
// maxBytes (0 = DefaultMaxBytes).
func New(dir string, maxBytes int64) *Cache {
	if maxBytes <= 0 {
		maxBytes = DefaultMaxBytes
	}
	return &Cache{dir: dir, max: maxBytes}
}

// Dir is the cache directory.
func (c *Cache) Dir() string { return c.dir }

// validKey: keys are lower-case hex digests (they name files).
func validKey(key string) bool {
	if len(key) < 16 || len(key) > 128 {
		return false
	}
	for _, r := range key {
		if !('0' <= r && r <= '9' || 'a' <= r && r <= 'f') {
			return false
		}
	}
	return true
}

func (c *Cache) path(key string) string {
	return filepath.Join(c.dir, key[:2], key)
}

// Get returns the content stored under key. A missing, unreadable, corrupt
// or truncated entry is a miss (false). A hit marks the entry as recently
// used.
func (c *Cache) Get(key string) ([]byte, bool) {
	if !validKey(key) {
		return nil, false
	}
	p := c.path(key)
	data, err := fsutil.ReadFile(p)
	if err != nil {
		return nil, false
	}
	content, ok := decode(data)
	if !ok {
		return nil, false
	}
	now := time.Now()
	_ = os.Chtimes(p, now, now) // recency for eviction; best effort
	return content, true
}

// Put stores content under key, replacing what was there, atomically.
func (c *Cache) Put(key string, content []byte) error { return c.PutParts(key, content) }

// PutParts stores the concatenation of parts under key, as Put does,
// without joining them in memory first (a replay record holds a whole
// render's output).
func (c *Cache) PutParts(key string, parts ...[]byte) error {
	if !validKey(key) {
		return fmt.Errorf("render cache: invalid key %q", key)
	}
	p := c.path(key)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return fmt.Errorf("render cache: %w", err)
	}
	// Temp file in the same directory and rename, as fsutil writes, but
	// without syncing: an entry lost or torn by a crash fails its checksum
	// and is rendered again, so durability is not worth a sync per app.
	tmp, err := os.CreateTemp(filepath.Dir(p), fsutil.TempName(key, "tmp", nil))
	if err != nil {
		return fmt.Errorf("render cache: %w", err)
	}
	w := bufio.NewWriterSize(tmp, 64<<10) // large parts go straight through
	for _, b := range append([][]byte{header(parts)}, parts...) {
		if err == nil {
			_, err = w.Write(b)
		}
	}
	if err == nil {
		err = w.Flush()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), p)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("render cache: %w", err)
	}
	return nil
}

// header starts an entry of the content parts: magic, then "<crc32c in
// hex> <length>\n"; the content follows.
func header(parts [][]byte) []byte {
	var sum uint32
	n := 0
	for _, p := range parts {
		sum = crc32.Update(sum, castagnoli(), p)
		n += len(p)
	}
	return fmt.Appendf([]byte(magic), "%08x %d\n", sum, n)
}

func decode(data []byte) ([]byte, bool) {
	rest, ok := bytes.CutPrefix(data, []byte(magic))
	if !ok {
		return nil, false
	}
	head, content, ok := bytes.Cut(rest, []byte("\n"))
	if !ok || len(head) < 10 || head[8] != ' ' {
		return nil, false
	}
	sum, err1 := strconv.ParseUint(string(head[:8]), 16, 32)
	n, err2 := strconv.Atoi(string(head[9:]))
	if err1 != nil || err2 != nil || n != len(content) || uint32(sum) != crc32.Checksum(content, castagnoli()) {
		return nil, false
	}
	return content, true
}

// entry is one cache file found by a scan.
type entry struct {
	path string
	size int64
	used time.Time
}

// scan lists the entries (temp files of interrupted writes are left to
// Clean). A missing directory is empty.
func (c *Cache) scan() ([]entry, error) {
	var out []entry
	err := filepath.WalkDir(c.dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		if d.IsDir() || !validKey(d.Name()) {
			return nil
		}
		fi, err := d.Info()
		if err != nil {
			return nil // removed meanwhile
		}
		out = append(out, entry{path: p, size: fi.Size(), used: fi.ModTime()})
		return nil
	})
	return out, err
}

// Info describes the cache.
type Info struct {
	Dir      string `json:"dir"`
	Entries  int    `json:"entries"`
	Bytes    int64  `json:"bytes"`
	MaxBytes int64  `json:"maxBytes"`
}

// Info counts the entries and their size.
func (c *Cache) Info() (Info, error) {
	es, err := c.scan()
	if err != nil {
		return Info{}, fmt.Errorf("render cache %s: %w", c.dir, err)
	}
	in := Info{Dir: c.dir, Entries: len(es), MaxBytes: c.max}
	for _, e := range es {
		in.Bytes += e.size
	}
	return in, nil
}

// Evict removes the least recently used entries until the cache holds at
// most its bound. Entries another process removes meanwhile are skipped.
func (c *Cache) Evict() (removed int, err error) {
	es, err := c.scan()
	if err != nil {
		return 0, fmt.Errorf("render cache %s: %w", c.dir, err)
	}
	var total int64
	for _, e := range es {
		total += e.size
	}
	if total <= c.max {
		return 0, nil
	}
	sort.Slice(es, func(i, j int) bool {
		if !es[i].used.Equal(es[j].used) {
			return es[i].used.Before(es[j].used)
		}
		return es[i].path < es[j].path
	})
	for _, e := range es {
		if total <= c.max {
			break
		}
		if err := os.Remove(e.path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return removed, fmt.Errorf("render cache: %w", err)
		}
		total -= e.size
		removed++
	}
	return removed, nil
}

// Clean removes every entry (and temp files of interrupted writes), and
// returns how many entries it removed.
func (c *Cache) Clean() (removed int, err error) {
	es, err := c.scan()
	if err != nil {
		return 0, fmt.Errorf("render cache %s: %w", c.dir, err)
	}
	for _, e := range es {
		if err := os.Remove(e.path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return removed, fmt.Errorf("render cache: %w", err)
		}
		removed++
	}
	subs, err := os.ReadDir(c.dir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return removed, nil
		}
		return removed, fmt.Errorf("render cache: %w", err)
	}
	for _, s := range subs {
		if !s.IsDir() || len(s.Name()) != 2 {
			continue
		}
		sub := filepath.Join(c.dir, s.Name())
		if names, err := os.ReadDir(sub); err == nil {
			for _, n := range names {
				if strings.HasPrefix(n.Name(), ".") || fsutil.IsTemp(n.Name()) {
					_ = os.Remove(filepath.Join(sub, n.Name()))
				}
			}
		}
		_ = os.Remove(sub) // only when empty
	}
	return removed, nil
}
