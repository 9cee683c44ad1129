// Package env manages a service's environment variables in the
// configs-repo (the port of manage-env.sh): config keys in
// <service>/config.yaml (`config:`), secret keys sealed into
// <service>/secrets.yaml and kept in plaintext only in the git-ignored
// <service>/secrets.local.env. Edits keep the files' comments, layout and
// key order; values keep their exact bytes.
package env

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/gitopsctl/gitopsctl/internal/dotenv"
	"github.com/gitopsctl/gitopsctl/internal/fsutil"
	"github.com/gitopsctl/gitopsctl/internal/layout"
	"github.com/gitopsctl/gitopsctl/internal/seal"
	"github.com/gitopsctl/gitopsctl/internal/services"
	"github.com/gitopsctl/gitopsctl/internal/yamledit"
)

// Kinds of keys.
const (
	KindConfig = "config"
	KindSecret = "secret"
)

var configPath = []string{"config"}

// SealerFunc returns the sealer to use when secret keys must be sealed. It
// is called only then, so config-only edits need no certificate.
type SealerFunc func(ctx context.Context) (*seal.Sealer, error)

// service is the loaded state of one service's files.
type service struct {
	dir        string
	name       string
	configPath string
	configSrc  []byte
	configDoc  *yamledit.Doc
	config     []yamledit.Entry
	secrets    *seal.SecretsFile
	plain      *dotenv.File
	plainOK    bool   // the plaintext file exists
	plainSrc   []byte // its content as read
}

func load(configsDir, name string) (*service, error) {
	if err := services.Require(configsDir, name); err != nil {
		return nil, err
	}
	s := &service{dir: configsDir, name: name, configPath: layout.ConfigValuesFile(configsDir, name)}
	data, err := seal.ReadFile(configsDir, s.configPath)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	s.configSrc = data
	if s.configDoc, err = yamledit.Parse(s.configPath, data); err != nil {
		return nil, err
	}
	if s.config, err = s.configDoc.Entries(configPath...); err != nil {
		return nil, err
	}
	if s.secrets, err = seal.ReadServiceSecrets(configsDir, name); err != nil {
		return nil, err
	}
	if s.plain, s.plainOK, err = seal.ReadPlaintext(configsDir, name); err != nil {
		return nil, err
	}
	s.plainSrc = s.plain.Bytes()
	return s, nil
}

func (s *service) configValue(k string) (string, bool) {
	for _, e := range s.config {
		if e.Key == k {
			return e.Value, true
		}
	}
	return "", false
}

func (s *service) isSecret(k string) bool {
	if _, ok := s.secrets.Data[k]; ok {
		return true
	}
	_, ok := s.plain.Get(k)
	return ok
}

// ConfigVar is a config key and its value.
type ConfigVar struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// ListResult is a service's keys. Secret values are never included.
type ListResult struct {
	Service string           `json:"service"`
	Config  []ConfigVar      `json:"config"`
	Secrets []seal.KeyStatus `json:"secrets"`
}

// List returns a service's config keys with values and its secret keys with
// their sealing status (values hidden).
func List(configsDir, name string) (*ListResult, error) {
	s, err := load(configsDir, name)
	if err != nil {
		return nil, err
	}
	res := &ListResult{Service: name, Config: []ConfigVar{}}
	for _, e := range s.config {
		res.Config = append(res.Config, ConfigVar{Key: e.Key, Value: e.Value})
	}
	sort.Slice(res.Config, func(i, j int) bool { return res.Config[i].Key < res.Config[j].Key })
	if res.Secrets, err = seal.SecretStatus(configsDir, name); err != nil {
		return nil, err
	}
	if res.Secrets == nil {
		res.Secrets = []seal.KeyStatus{}
	}
	return res, nil
}

// GetResult is one key.
type GetResult struct {
	Service string `json:"service"`
	Key     string `json:"key"`
	Kind    string `json:"kind"`
	Value   string `json:"value"`
	// Status is the secret's sealing status (secrets only).
	Status string `json:"status,omitempty"`
}

// ErrHidden is returned (wrapped) when a secret is read without reveal.
var ErrHidden = errors.New("secret values are hidden")

// Get returns one key. A secret's plaintext is returned only with reveal,
// and only from the local plaintext file.
func Get(configsDir, name, key string, reveal bool) (*GetResult, error) {
	if msg := dotenv.KeyError(key); msg != "" {
		return nil, errors.New(msg)
	}
	s, err := load(configsDir, name)
	if err != nil {
		return nil, err
	}
	if v, ok := s.configValue(key); ok {
		return &GetResult{Service: name, Key: key, Kind: KindConfig, Value: v}, nil
	}
	if !s.isSecret(key) {
		return nil, fmt.Errorf("%s has no key %s", name, key)
	}
	if !reveal {
		return nil, fmt.Errorf("%s: %s is a secret: %w (pass --reveal to print its plaintext)", name, key, ErrHidden)
	}
	v, ok := s.plain.Get(key)
	if !ok {
		return nil, fmt.Errorf("%s: %s is sealed, but there is no plaintext for it in %s on this machine (sealed values can only be decrypted by the controller)",
			name, key, path.Join(name, layout.PlaintextFile))
	}
	status := seal.StatusNotSealed
	if st, err := seal.SecretStatus(configsDir, name); err == nil {
		for _, ks := range st {
			if ks.Key == key {
				status = ks.Status
			}
		}
	}
	return &GetResult{Service: name, Key: key, Kind: KindSecret, Value: v, Status: status}, nil
}

// KV is one KEY=VALUE assignment.
type KV struct {
	Key   string
	Value string
}

// ParseAssignments parses KEY=VALUE arguments; the value is everything after
// the first '=', byte for byte. args are the command's arguments after
// SERVICE (which errors count as argument 1). With secret, an argument that
// is not KEY=VALUE is never shown, nor the text before its '=': it may be
// the secret itself.
func ParseAssignments(args []string, secret bool) ([]KV, error) {
	var out []KV
	seen := map[string]bool{}
	for i, a := range args {
		pos := i + 2
		k, v, ok := strings.Cut(a, "=")
		if !ok {
			if secret {
				return nil, fmt.Errorf("argument %d is not KEY=VALUE (not shown: it may be a secret)", pos)
			}
			return nil, fmt.Errorf("argument %d: %q is not KEY=VALUE", pos, a)
		}
		if !dotenv.ValidKey(k) {
			if secret {
				return nil, fmt.Errorf("argument %d: invalid key before '=' (not shown: it may be part of a secret): an environment variable name is letters, digits and '_', not starting with a digit", pos)
			}
			return nil, fmt.Errorf("argument %d: %s", pos, dotenv.KeyError(k))
		}
		if seen[k] {
			return nil, fmt.Errorf("%s is given twice", k)
		}
		seen[k] = true
		out = append(out, KV{k, v})
	}
	return out, nil
}

// ChangeResult says what a set, unset or import changed.
type ChangeResult struct {
	Service string `json:"service"`
	// Config and Secrets list the keys set; Removed the keys removed.
	Config  []string `json:"config"`
	Secrets []string `json:"secrets"`
	Removed []string `json:"removed"`
	// Moved are keys that were config keys and are now secrets.
	Moved []string `json:"moved"`
	// Seal is what sealing did, when secrets were set.
	Seal *seal.ServiceResult `json:"seal,omitempty"`
	// Wrote lists the files written, relative to the configs-repo.
	Wrote []string `json:"wrote"`
	// Warnings are things the user should know (e.g. a plaintext file's
	// mode was tightened, or the sealing cert changed).
	Warnings []string `json:"warnings,omitempty"`
	// Cleaned are temporary files of interrupted runs that were removed.
	Cleaned []string `json:"cleaned,omitempty"`
	// DryRun is set when nothing was written: Config, Secrets and Moved
	// say what would be set (env import --dry-run).
	DryRun bool `json:"dryRun,omitempty"`
}

// SetOptions are the inputs of Set.
type SetOptions struct {
	ConfigsDir string
	Service    string
	Vars       []KV
	// Secret makes every key a secret.
	Secret bool
	// SecretPatterns are the globs of key names that look secret: a config
	// key matching one (or holding a URL with a password) gets a warning.
	SecretPatterns []string
	Sealer         SealerFunc
	// LockWait is how long to wait for another gitopsctl updating the
	// service (0: seal.DefaultLockWait).
	LockWait time.Duration
}

// Set sets config keys (or, with Secret, seals secret keys).
func Set(ctx context.Context, o SetOptions) (*ChangeResult, error) {
	var cfg, sec []KV
	if o.Secret {
		sec = o.Vars
	} else {
		cfg = o.Vars
	}
	return apply(ctx, o.ConfigsDir, o.Service, cfg, sec, o.Sealer, o.LockWait, o.SecretPatterns)
}

// ImportOptions are the inputs of Import.
type ImportOptions struct {
	ConfigsDir string
	Service    string
	// From is the dotenv file to import; FromInput ("-") reads In.
	From string
	In   io.Reader
	// DryRun computes the split into config and secrets and checks it
	// against the service's files, and writes nothing (no cert needed).
	DryRun bool
	// SecretPatterns are globs of key names that are secrets (e.g. *_PASSWORD);
	// SecretKeys are further secret key names.
	SecretPatterns []string
	SecretKeys     []string
	Sealer         SealerFunc
	LockWait       time.Duration
}

// IsSecretKey reports whether key is a secret by name or pattern.
func IsSecretKey(key string, patterns, keys []string) bool {
	for _, k := range keys {
		if k == key {
			return true
		}
	}
	for _, p := range patterns {
		if ok, _ := path.Match(p, key); ok {
			return true
		}
	}
	return false
}

// Import reads a dotenv file and sets its keys: secrets by name or pattern
// (sealed), the rest config.
func Import(ctx context.Context, o ImportOptions) (*ChangeResult, error) {
	name := o.From
	var data []byte
	var err error
	if o.From == FromInput {
		name = "<stdin>"
		if o.In == nil {
			return nil, errors.New("import: no standard input")
		}
		// The bound keeps a runaway pipe from filling memory; a dotenv
		// this large could not fit one Secret anyway.
		data, err = io.ReadAll(io.LimitReader(o.In, maxImport+1))
		if err == nil && len(data) > maxImport {
			err = fmt.Errorf("more than %d bytes", maxImport)
		}
	} else {
		data, err = os.ReadFile(o.From)
	}
	if err != nil {
		return nil, fmt.Errorf("import %s: %w", name, err)
	}
	f, err := dotenv.Parse(name, data)
	if err != nil {
		return nil, err
	}
	for _, k := range o.SecretKeys {
		if msg := dotenv.KeyError(k); msg != "" {
			return nil, fmt.Errorf("--secret-keys: %s", msg)
		}
	}
	for _, p := range o.SecretPatterns {
		if _, err := path.Match(p, "X"); err != nil {
			return nil, fmt.Errorf("secret pattern %q: %w", p, err)
		}
	}
	var cfg, sec []KV
	vals := f.Map()
	for _, k := range f.Keys() {
		if IsSecretKey(k, o.SecretPatterns, o.SecretKeys) {
			sec = append(sec, KV{k, vals[k]})
		} else {
			cfg = append(cfg, KV{k, vals[k]})
		}
	}
	if len(cfg)+len(sec) == 0 {
		return nil, fmt.Errorf("import: %s has no KEY=value lines", name)
	}
	if o.DryRun {
		return preview(o.ConfigsDir, o.Service, cfg, sec, o.SecretPatterns)
	}
	return apply(ctx, o.ConfigsDir, o.Service, cfg, sec, o.Sealer, o.LockWait, o.SecretPatterns)
}

// lockService takes the service's lock (see seal.LockServices) and makes
// its plaintext private.
func lockService(ctx context.Context, dir, name string, wait time.Duration, res *ChangeResult) (*seal.Locks, error) {
	if err := services.Require(dir, name); err != nil {
		return nil, err
	}
	locks, err := seal.LockServices(ctx, dir, []string{name}, wait)
	if err != nil {
		return nil, err
	}
	res.Cleaned = locks.Cleaned
	warns, err := seal.TightenPlaintext(dir, name)
	if err != nil {
		locks.Release()
		return nil, err
	}
	res.Warnings = append(res.Warnings, warns...)
	return locks, nil
}

func newChange(name string) *ChangeResult {
	return &ChangeResult{Service: name, Config: []string{}, Secrets: []string{}, Removed: []string{}, Moved: []string{}, Wrote: []string{}, Warnings: []string{}}
}

// apply sets config and secret keys of one service under the service's
// lock: every file is computed first, then all are written together (see
// fsutil.Batch), so an error leaves the files as they were.
func apply(ctx context.Context, dir, name string, cfg, sec []KV, sealer SealerFunc, wait time.Duration, patterns []string) (*ChangeResult, error) {
	res := newChange(name)
	if err := services.Require(dir, name); err != nil {
		return nil, err
	}
	var sl *seal.Sealer
	if len(sec) > 0 {
		if err := seal.GuardPlaintext(dir); err != nil {
			return nil, err
		}
		if sealer == nil {
			return nil, seal.ErrNoCert
		}
		// The cert may come from the network: fetch it before locking.
		var err error
		if sl, err = sealer(ctx); err != nil {
			return nil, err
		}
		if sl.CertWarning != "" {
			res.Warnings = append(res.Warnings, sl.CertWarning)
		}
	}
	locks, err := lockService(ctx, dir, name, wait, res)
	if err != nil {
		return nil, err
	}
	defer locks.Release()
	s, err := load(dir, name)
	if err != nil {
		return nil, err
	}
	if err := s.refuseSecretToConfig(cfg); err != nil {
		return nil, err
	}
	res.Warnings = append(res.Warnings, secretLooking(name, cfg, patterns)...)
	cfgSrc := s.configSrc
	if len(bytes.TrimSpace(cfgSrc)) == 0 {
		cfgSrc = []byte("config: {}\n")
	}
	for _, kv := range cfg {
		if cfgSrc, err = setYAML(s.configPath, cfgSrc, kv.Key, kv.Value); err != nil {
			return nil, err
		}
		res.Config = append(res.Config, kv.Key)
	}
	b := seal.NewBatch()
	var plan *seal.Plan
	if len(sec) > 0 {
		for _, kv := range sec {
			if _, ok := s.configValue(kv.Key); ok {
				if cfgSrc, err = deleteYAML(s.configPath, cfgSrc, kv.Key); err != nil {
					return nil, err
				}
				res.Moved = append(res.Moved, kv.Key)
			}
			s.plain.Set(kv.Key, kv.Value)
			res.Secrets = append(res.Secrets, kv.Key)
		}
		plan, err = sl.Plan(ctx, name, s.plain, true)
		if err != nil {
			return nil, err
		}
		res.Seal = &plan.Result
		res.Warnings = append(res.Warnings, plan.Result.Warnings...)
		// The plaintext first: should a crash stop the renames midway, the
		// next seal seals what it holds.
		if !s.plainOK || !bytes.Equal(s.plain.Bytes(), s.plainSrc) {
			p := layout.PlaintextPath(dir, name)
			b.Add(fsutil.File{Path: p, Data: s.plain.Bytes(), Perm: 0o600, ForcePerm: true})
			res.Wrote = append(res.Wrote, rel(dir, p))
		}
	}
	if !bytes.Equal(cfgSrc, s.configSrc) {
		b.Add(fsutil.File{Path: s.configPath, Data: cfgSrc, Perm: 0o644})
		res.Wrote = append(res.Wrote, rel(dir, s.configPath))
	}
	if len(sec) > 0 {
		if _, err := seal.EnsureGitignore(dir); err != nil {
			return nil, err
		}
		if err := seal.GuardIgnored(dir, []string{name}); err != nil {
			return nil, err
		}
	}
	if plan != nil {
		plan.AddTo(b)
		res.Wrote = append(res.Wrote, plan.Result.Wrote...)
	}
	if err := b.Commit(); err != nil {
		return nil, err
	}
	return res, nil
}

func rel(dir, p string) string {
	r, err := filepath.Rel(dir, p)
	if err != nil {
		return p
	}
	return filepath.ToSlash(r)
}

func setYAML(name string, src []byte, k, v string) ([]byte, error) {
	d, err := yamledit.Parse(name, src)
	if err != nil {
		return nil, err
	}
	return d.Set(configPath, k, v)
}

func deleteYAML(name string, src []byte, k string) ([]byte, error) {
	d, err := yamledit.Parse(name, src)
	if err != nil {
		return nil, err
	}
	out, _, err := d.Delete(configPath, k)
	return out, err
}

// Unset removes keys everywhere: config.yaml, secrets.yaml, the plaintext
// file and the seal state. A key set nowhere is an error.
func Unset(configsDir, name string, keys []string) (*ChangeResult, error) {
	for _, k := range keys {
		if msg := dotenv.KeyError(k); msg != "" {
			return nil, errors.New(msg)
		}
	}
	res := newChange(name)
	locks, err := lockService(context.Background(), configsDir, name, 0, res)
	if err != nil {
		return nil, err
	}
	defer locks.Release()
	s, err := load(configsDir, name)
	if err != nil {
		return nil, err
	}
	var missing []string
	for _, k := range keys {
		_, isCfg := s.configValue(k)
		if !isCfg && !s.isSecret(k) {
			missing = append(missing, k)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("%s has no key %s", name, strings.Join(missing, ", "))
	}
	cfgSrc := s.configSrc
	plainChanged := false
	for _, k := range keys {
		if _, ok := s.configValue(k); ok {
			if cfgSrc, err = deleteYAML(s.configPath, cfgSrc, k); err != nil {
				return nil, err
			}
		}
		if s.plain.Unset(k) {
			plainChanged = true
		}
		res.Removed = append(res.Removed, k)
	}
	plan, err := seal.RemoveKeys(configsDir, name, keys)
	if err != nil {
		return nil, err
	}
	b := seal.NewBatch()
	if plainChanged {
		p := layout.PlaintextPath(configsDir, name)
		b.Add(fsutil.File{Path: p, Data: s.plain.Bytes(), Perm: 0o600, ForcePerm: true})
		res.Wrote = append(res.Wrote, rel(configsDir, p))
	}
	if !bytes.Equal(cfgSrc, s.configSrc) {
		b.Add(fsutil.File{Path: s.configPath, Data: cfgSrc, Perm: 0o644})
		res.Wrote = append(res.Wrote, rel(configsDir, s.configPath))
	}
	plan.AddTo(b)
	res.Wrote = append(res.Wrote, plan.Result.Wrote...)
	if err := b.Commit(); err != nil {
		return nil, err
	}
	return res, nil
}

// DiffKey is a key present in one service only.
type DiffKey struct {
	Key  string `json:"key"`
	Kind string `json:"kind"`
}

// DiffResult compares the key sets of two services.
type DiffResult struct {
	A     string    `json:"a"`
	B     string    `json:"b"`
	OnlyA []DiffKey `json:"onlyA"`
	OnlyB []DiffKey `json:"onlyB"`
	// KindDiffers are keys both have, config in one and secret in the other.
	KindDiffers []string `json:"kindDiffers"`
	Common      int      `json:"common"`
}

// Same reports whether both services have the same keys of the same kinds.
func (d *DiffResult) Same() bool {
	return len(d.OnlyA)+len(d.OnlyB)+len(d.KindDiffers) == 0
}

func (s *service) kinds() map[string]string {
	m := map[string]string{}
	for _, e := range s.config {
		m[e.Key] = KindConfig
	}
	for k := range s.secrets.Data {
		m[k] = KindSecret
	}
	for _, k := range s.plain.Keys() {
		m[k] = KindSecret
	}
	return m
}

// Diff reports which keys one service has and the other lacks.
func Diff(configsDir, a, b string) (*DiffResult, error) {
	sa, err := load(configsDir, a)
	if err != nil {
		return nil, err
	}
	sb, err := load(configsDir, b)
	if err != nil {
		return nil, err
	}
	ka, kb := sa.kinds(), sb.kinds()
	res := &DiffResult{A: a, B: b, OnlyA: []DiffKey{}, OnlyB: []DiffKey{}, KindDiffers: []string{}}
	for k, kind := range ka {
		other, ok := kb[k]
		switch {
		case !ok:
			res.OnlyA = append(res.OnlyA, DiffKey{k, kind})
		case other != kind:
			res.KindDiffers = append(res.KindDiffers, k)
		default:
			res.Common++
		}
	}
	for k, kind := range kb {
		if _, ok := ka[k]; !ok {
			res.OnlyB = append(res.OnlyB, DiffKey{k, kind})
		}
	}
	sort.Slice(res.OnlyA, func(i, j int) bool { return res.OnlyA[i].Key < res.OnlyA[j].Key })
	sort.Slice(res.OnlyB, func(i, j int) bool { return res.OnlyB[i].Key < res.OnlyB[j].Key })
	sort.Strings(res.KindDiffers)
	return res, nil
}

// maxImport bounds a dotenv read from standard input.
const maxImport = 8 << 20

func (s *service) refuseSecretToConfig(cfg []KV) error {
	for _, kv := range cfg {
		if s.isSecret(kv.Key) {
			return fmt.Errorf("%s: %s is a secret; refusing to turn it into a plain config value (run 'gitopsctl env unset %s %s' first if that is really meant)", s.name, kv.Key, s.name, kv.Key)
		}
	}
	return nil
}

// secretLooking warns about config keys that look like secrets (see
// dotenv.LooksSecret): they would be committed in plain text.
func secretLooking(name string, cfg []KV, patterns []string) []string {
	var out []string
	for _, kv := range cfg {
		if why := dotenv.LooksSecret(kv.Key, kv.Value, patterns); why != "" {
			out = append(out, fmt.Sprintf("%s: %s looks like a secret (%s) but goes to %s in plain text; to seal it instead: gitopsctl env set %s --secret %s",
				name, kv.Key, why, path.Join(name, layout.ServiceConfigFile), name, kv.Key))
		}
	}
	return out
}

// preview is apply without writing: what would be set as config and as
// secrets, which config keys would move to the secrets, and the errors and
// warnings apply would give. It needs no cert and takes no lock.
func preview(dir, name string, cfg, sec []KV, patterns []string) (*ChangeResult, error) {
	res := newChange(name)
	res.DryRun = true
	s, err := load(dir, name)
	if err != nil {
		return nil, err
	}
	if err := s.refuseSecretToConfig(cfg); err != nil {
		return nil, err
	}
	res.Warnings = append(res.Warnings, secretLooking(name, cfg, patterns)...)
	for _, kv := range cfg {
		res.Config = append(res.Config, kv.Key)
	}
	for _, kv := range sec {
		if _, ok := s.configValue(kv.Key); ok {
			res.Moved = append(res.Moved, kv.Key)
		}
		res.Secrets = append(res.Secrets, kv.Key)
	}
	return res, nil
}
