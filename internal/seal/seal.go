// Package seal seals each service's plaintext secrets into its
// secrets.yaml with the sealed-secrets controller's public certificate,
// byte-compatible with kubeseal, without churn: a key whose plaintext,
// scope, name, namespace and certificate are unchanged keeps its exact
// ciphertext.
//
// Files per service in the configs-repo (see internal/layout):
// secrets.yaml (committed: scope, certFingerprint, sealedFor, encryptedData),
// secrets.local.env (git-ignored plaintext, dotenv) and secrets.local.state
// (git-ignored no-churn record, see state).
package seal

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/bitnami-labs/sealed-secrets/pkg/crypto"

	"github.com/gitopsctl/gitopsctl/internal/dotenv"
	"github.com/gitopsctl/gitopsctl/internal/fsutil"
	"github.com/gitopsctl/gitopsctl/internal/layout"
	"github.com/gitopsctl/gitopsctl/internal/services"
	"github.com/gitopsctl/gitopsctl/internal/yamledit"
)

// Sealer holds what sealing a service needs.
type Sealer struct {
	ConfigsDir string
	Scope      Scope
	Cert       *Cert
	// CertWarning, set by NewSealer, says the cert expires soon ("" when
	// it does not). Callers of Plan report it; Run and Check do.
	CertWarning string
	// Locate finds the SealedSecret's name and namespace (strict and
	// namespace-wide scopes). Name and Namespace override it.
	Locate    Locator
	Name      string
	Namespace string
	// Relocate locates every service again, ignoring where the seal state
	// says it was located (--no-cache).
	Relocate bool
	// Force reseals every key; Prune drops sealed keys the plaintext lacks.
	Force bool
	Prune bool
	// Rotate reseals every key sealed with another cert than this one
	// (keys sealed with an older cert are otherwise kept: the controller
	// keeps its older keys after renewing). A sealed key without local
	// plaintext cannot be resealed: Rotate then refuses unless Prune.
	Rotate bool
	// Rand is the randomness source (default crypto/rand).
	Rand io.Reader
}

func (s *Sealer) rand() io.Reader {
	if s.Rand != nil {
		return s.Rand
	}
	return rand.Reader
}

// lockedReader serialises reads so one io.Reader can feed parallel sealing.
type lockedReader struct {
	mu sync.Mutex
	r  io.Reader
}

func (l *lockedReader) Read(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.r.Read(p)
}

// Target returns where service's SealedSecret lives, applying the overrides.
// Cluster-wide sealing is bound to no name or namespace.
func (s *Sealer) Target(ctx context.Context, service string) (Target, error) {
	t, _, err := s.target(ctx, service, Location{})
	return t, err
}

// target is Target given what an earlier run located (known, from the seal
// state); it also returns what the Locator answered (zero when it was not
// asked).
func (s *Sealer) target(ctx context.Context, service string, known Location) (Target, Location, error) {
	scope := s.scope()
	if scope == ClusterWide {
		return Target{}, Location{}, nil
	}
	if s.Namespace != "" && (s.Name != "" || scope == NamespaceWide) {
		t := Target{Name: s.Name, Namespace: s.Namespace}
		if scope == NamespaceWide {
			t.Name = ""
		}
		return t, Location{}, nil
	}
	if s.Locate == nil {
		return Target{}, Location{}, fmt.Errorf("%w: pass --name and --namespace", ErrNoSealedSecret)
	}
	if s.Relocate {
		known = Location{}
	}
	loc, err := s.Locate(ctx, service, known)
	if err != nil {
		return Target{}, Location{}, err
	}
	t := loc.Target
	if s.Name != "" {
		t.Name = s.Name
	}
	if s.Namespace != "" {
		t.Namespace = s.Namespace
	}
	if scope == NamespaceWide {
		t.Name = ""
	}
	return t, loc, nil
}

func (s *Sealer) scope() Scope {
	if s.Scope == "" {
		return Strict
	}
	return s.Scope
}

// ReadPlaintext reads a service's plaintext file; exists is false when there
// is none.
func ReadPlaintext(configsDir, service string) (f *dotenv.File, exists bool, err error) {
	p := layout.PlaintextPath(configsDir, service)
	data, err := readRepoFile(configsDir, p)
	if errors.Is(err, fs.ErrNotExist) {
		f, _ := dotenv.Parse(p, nil)
		return f, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	f, err = dotenv.Parse(relTo(configsDir, p), data)
	if err != nil {
		return nil, false, err
	}
	return f, true, nil
}

// ServiceResult says what sealing did to one service.
type ServiceResult struct {
	Service string  `json:"service"`
	Scope   Scope   `json:"scope"`
	Target  *Target `json:"target,omitempty"`
	// Sealed are the keys (re)sealed now; Unchanged kept their ciphertext.
	Sealed    []string `json:"sealed"`
	Unchanged []string `json:"unchanged"`
	// Pruned were dropped (--prune); SealedOnly are sealed keys the local
	// plaintext lacks, kept as they are.
	Pruned     []string `json:"pruned"`
	SealedOnly []string `json:"sealedOnly"`
	// OlderCert are keys left sealed with another cert than the current
	// one (valid while the controller keeps that key; --rotate reseals
	// them), and OlderCerts those certs' fingerprints.
	OlderCert  []string `json:"olderCert,omitempty"`
	OlderCerts []string `json:"olderCerts,omitempty"`
	// NoPlaintext is set when the service has no local plaintext file.
	NoPlaintext bool `json:"noPlaintext,omitempty"`
	// Warnings are things the user should know, e.g. that the cert changed.
	Warnings []string `json:"warnings,omitempty"`
	// Wrote lists the files written, relative to the configs-repo.
	Wrote []string `json:"wrote"`
}

// Plan is the sealing of one service, computed but not yet written.
type Plan struct {
	Result ServiceResult
	writes []fileWrite
}

type fileWrite struct {
	path string
	data []byte
	perm fs.FileMode
}

// AddTo queues the plan's files on b, secrets.yaml before the state (should
// a crash stop the renames in between, the next run only reseals). Private
// files (the state) get their mode even when they exist.
func (p *Plan) AddTo(b *fsutil.Batch) {
	for _, w := range p.writes {
		b.Add(fsutil.File{Path: w.path, Data: w.data, Perm: w.perm, ForcePerm: w.perm == 0o600})
	}
}

// ContextError is returned when sealed keys are bound to another cert,
// scope, name or namespace and the local plaintext cannot reseal them.
type ContextError struct {
	Service string
	Keys    []string
	Why     string
}

func (e *ContextError) Error() string {
	return fmt.Sprintf("%s: %s, but %s %s %s not in %s, so %s cannot be resealed: add the plaintext (gitopsctl env set %s --secret KEY=VALUE) or drop %s (gitopsctl seal %s --prune)",
		e.Service, e.Why, plural(len(e.Keys), "key", "keys"), strings.Join(e.Keys, ", "), isAre(len(e.Keys)),
		layout.PlaintextFile, plural(len(e.Keys), "it", "they"), e.Service, itThem(len(e.Keys)), e.Service)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
func isAre(n int) string  { return plural(n, "is", "are") }
func itThem(n int) string { return plural(n, "it", "them") }

// Plan computes the sealing of service from plain (its plaintext file;
// exists=false when it has none). It writes nothing.
func (s *Sealer) Plan(ctx context.Context, service string, plain *dotenv.File, exists bool) (*Plan, error) {
	pp, err := s.prepare(ctx, service, plain, exists)
	if err != nil {
		return nil, err
	}
	return pp.finish(ctx)
}

// pendingPlan is a Plan whose keys to seal are known (the SealedSecret is
// located) but not yet encrypted: Run locates services while it encrypts
// the keys of those located before.
type pendingPlan struct {
	s                      *Sealer
	plan                   *Plan
	service                string
	done                   bool // nothing to encrypt or edit: plan is final
	sf                     *SecretsFile
	values                 map[string]string
	toSeal                 []string
	cur                    sealContext
	next                   *state
	nextLoc                *located // what this run located, to record
	located                bool     // the Locator was asked
	oldState               []byte
	fileCert               string
	secretsPath, statePath string
}

// prepare is the first half of Plan: everything up to encrypting (reading
// the files, locating the SealedSecret, deciding which keys to seal).
func (s *Sealer) prepare(ctx context.Context, service string, plain *dotenv.File, exists bool) (*pendingPlan, error) {
	dir := s.ConfigsDir
	res := ServiceResult{Service: service, Scope: s.scope(), Sealed: []string{}, Unchanged: []string{}, Pruned: []string{}, SealedOnly: []string{}, Wrote: []string{}}
	plan := &Plan{Result: res}
	secretsPath := layout.SecretsValuesFile(dir, service)
	sf, err := readSecrets(dir, service)
	if err != nil {
		return nil, err
	}
	values := plain.Map()
	if !exists {
		plan.Result.NoPlaintext = true
		plan.Result.SealedOnly = append(plan.Result.SealedOnly, sf.Order...)
		return &pendingPlan{plan: plan, done: true}, nil
	}
	if len(plain.Keys()) == 0 {
		// Nothing to seal: no target or cert needed.
		switch {
		case len(sf.Order) == 0:
		case s.Prune:
			plan.Result.Pruned = append([]string{}, sf.Order...)
			e := editor{name: secretsPath, src: sf.Doc.Bytes()}
			for _, k := range sf.Order {
				e.del(dataPath, k)
			}
			if e.err != nil {
				return nil, e.err
			}
			plan.writes = append(plan.writes, fileWrite{secretsPath, e.src, 0o644})
			plan.Result.Wrote = append(plan.Result.Wrote, filepath.ToSlash(filepath.Join(service, layout.ServiceSecretsFile)))
		default:
			plan.Result.SealedOnly = append([]string{}, sf.Order...)
		}
		return &pendingPlan{plan: plan, done: true}, nil
	}
	if s.Cert == nil {
		return nil, ErrNoCert
	}
	if err := checkSize(service, plain); err != nil {
		return nil, err
	}
	statePath := layout.SealStatePath(dir, service)
	oldState, err := readRepoFile(dir, statePath)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	st := parseState(oldState)
	t, loc, err := s.target(ctx, service, st.location())
	if err != nil {
		return nil, fmt.Errorf("%s: %w", service, err)
	}
	if s.scope() != ClusterWide {
		plan.Result.Target = &t
	}
	cur := sealContext{Scope: s.scope(), Label: s.scope().Label(t), Fingerprint: s.Cert.Fingerprint}
	rec := sf.context()
	// The cert is not part of it: ciphertext sealed with an older cert
	// stays valid while the controller keeps that key, so a newer cert
	// alone reseals nothing (that would change checksum/secrets and roll
	// every service); --rotate does it on purpose.
	sameContext := sf.hasSealed && rec.Scope == cur.Scope && rec.Label == cur.Label

	next := st
	if next == nil {
		if next, err = newState(s.rand()); err != nil {
			return nil, err
		}
	}
	next = &state{Version: stateVersion, Salt: next.Salt, Keys: map[string]keyState{}}
	if st != nil {
		next.Located = st.Located
	}
	var nextLoc *located
	if loc.Inputs != "" {
		nextLoc = &located{Inputs: loc.Inputs, Name: loc.Name, Namespace: loc.Namespace}
	}

	var toSeal []string
	older := map[string]string{} // kept key -> the other cert it is sealed with
	for _, k := range plain.Keys() {
		ct := sf.Data[k]
		keyCert := st.certOf(k, ct, rec.Fingerprint)
		if !s.Force && sameContext && !(s.Rotate && keyCert != cur.Fingerprint) && st.freshAny(k, values[k], ct, rec) {
			plan.Result.Unchanged = append(plan.Result.Unchanged, k)
			ks := st.Keys[k]
			ks.Cert = keyCert
			next.Keys[k] = ks
			if keyCert != cur.Fingerprint {
				older[k] = keyCert
			}
			continue
		}
		toSeal = append(toSeal, k)
	}
	var sealedOnly, rotateBlocked []string
	for _, k := range sf.Order {
		if _, ok := values[k]; !ok {
			sealedOnly = append(sealedOnly, k)
			if c := st.certOf(k, sf.Data[k], rec.Fingerprint); c != cur.Fingerprint {
				rotateBlocked = append(rotateBlocked, k)
			}
		}
	}
	if len(sealedOnly) > 0 {
		switch {
		case s.Prune:
			plan.Result.Pruned = sealedOnly
		case len(toSeal) > 0 && len(sf.Data) > 0 && !sameContext:
			return nil, &ContextError{Service: service, Keys: sealedOnly, Why: describeChange(sf, cur)}
		case s.Rotate && len(rotateBlocked) > 0:
			return nil, &ContextError{Service: service, Keys: rotateBlocked,
				Why: "--rotate reseals every key with the current cert (" + shortFP(cur.Fingerprint) + ")"}
		default:
			plan.Result.SealedOnly = sealedOnly
			for _, k := range sealedOnly {
				if c := st.certOf(k, sf.Data[k], rec.Fingerprint); c != cur.Fingerprint {
					older[k] = c
				}
			}
		}
	}
	plan.Result.OlderCert, plan.Result.OlderCerts = olderKeys(sf.Order, older)
	// secrets.yaml names one cert: the current one once every key is
	// sealed with it, else the one the other keys were sealed with.
	fileCert := cur.Fingerprint
	if len(plan.Result.OlderCert) > 0 && rec.Fingerprint != "" {
		fileCert = rec.Fingerprint
	}
	if len(toSeal) > 0 && len(plan.Result.OlderCert) > 0 {
		plan.Result.Warnings = append(plan.Result.Warnings, fmt.Sprintf(
			"%s: sealed %s with the current cert %s; %s %s sealed with an older cert (%s) and %s kept: "+
				"the controller keeps its older keys when it renews, so both decrypt, and nothing else rolls out. "+
				"'gitopsctl seal %s --rotate' reseals %s with the current cert. "+
				"If the controller did not renew its key, the current cert is the wrong one and the controller cannot unseal %s",
			service, strings.Join(toSeal, ", "), cur.Fingerprint,
			strings.Join(plan.Result.OlderCert, ", "), isAre(len(plan.Result.OlderCert)), strings.Join(plan.Result.OlderCerts, ", "), isAre(len(plan.Result.OlderCert)),
			sealArgs(service), itThem(len(plan.Result.OlderCert)), strings.Join(toSeal, ", ")))
	}

	return &pendingPlan{s: s, plan: plan, service: service, sf: sf, values: values, toSeal: toSeal, cur: cur, next: next,
		nextLoc: nextLoc, located: loc.Target != (Target{}), oldState: oldState, fileCert: fileCert, secretsPath: secretsPath, statePath: statePath}, nil
}

// finish is the second half of Plan: it encrypts the keys to seal and
// edits secrets.yaml and the state (in memory).
func (pp *pendingPlan) finish(ctx context.Context) (*Plan, error) {
	if pp.done {
		return pp.plan, nil
	}
	s, plan, service, sf, values, toSeal, cur, next := pp.s, pp.plan, pp.service, pp.sf, pp.values, pp.toSeal, pp.cur, pp.next
	oldState, fileCert, secretsPath, statePath := pp.oldState, pp.fileCert, pp.secretsPath, pp.statePath
	// Encrypt.
	label := []byte(cur.Label)
	rnd := s.rand()
	sealed := make(map[string]string, len(toSeal))
	for _, k := range toSeal {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		raw, err := crypto.HybridEncrypt(rnd, s.Cert.Key, []byte(values[k]), label)
		if err != nil {
			return nil, fmt.Errorf("%s: seal %s: %w", service, k, err)
		}
		ct := base64.StdEncoding.EncodeToString(raw)
		sealed[k] = ct
		next.Keys[k] = keyState{MAC: next.mac(k, values[k], cur), Sealed: digest(ct), Cert: cur.Fingerprint}
	}
	plan.Result.Sealed = toSeal
	if plan.Result.Sealed == nil {
		plan.Result.Sealed = []string{}
	}

	// Edit secrets.yaml.
	if len(toSeal) > 0 || len(plan.Result.Pruned) > 0 {
		src := sf.Doc.Bytes()
		if !sf.Exists || len(bytes.TrimSpace(src)) == 0 {
			src = NewSecretsFile(cur.Scope)
		}
		e := editor{name: secretsPath, src: src}
		if sf.Exists && len(bytes.TrimSpace(sf.Doc.Bytes())) > 0 {
			e.doc = sf.Doc // already parsed
		}
		if len(toSeal) > 0 {
			header := []yamledit.KV{{Key: fieldScope, Value: string(cur.Scope)}, {Key: fieldFingerprint, Value: fileCert}}
			if sf.hasSealed {
				e.setAll(sealedPath, append(header, yamledit.KV{Key: fieldSealedFor, Value: cur.Label}))
			} else {
				e.setAll(sealedPath, header)
				e.set(sealedPath, fieldSealedFor, cur.Label)
			}
			kvs := make([]yamledit.KV, 0, len(toSeal))
			for _, k := range toSeal {
				kvs = append(kvs, yamledit.KV{Key: k, Value: sealed[k]})
			}
			e.setAll(dataPath, kvs)
		}
		for _, k := range plan.Result.Pruned {
			e.del(dataPath, k)
		}
		if e.err != nil {
			return nil, e.err
		}
		if !bytes.Equal(e.src, sf.Doc.Bytes()) || !sf.Exists {
			plan.writes = append(plan.writes, fileWrite{secretsPath, e.src, 0o644})
			plan.Result.Wrote = append(plan.Result.Wrote, filepath.ToSlash(filepath.Join(service, layout.ServiceSecretsFile)))
		}
	}
	if nb := next.bytes(); !bytes.Equal(nb, oldState) && (len(next.Keys) > 0 || oldState != nil) {
		// Written anyway: record where the SealedSecret was located now
		// (a file is not rewritten for that alone, so a run with nothing
		// changed changes no byte).
		if pp.located {
			next.Located = pp.nextLoc
			nb = next.bytes()
		}
		plan.writes = append(plan.writes, fileWrite{statePath, nb, 0o600})
		plan.Result.Wrote = append(plan.Result.Wrote, filepath.ToSlash(filepath.Join(service, layout.SealStateFile)))
	}
	return plan, nil
}

func describeChange(sf *SecretsFile, cur sealContext) string {
	switch {
	case Scope(sf.Scope) != cur.Scope:
		return fmt.Sprintf("the sealed keys were sealed with scope %q, now %q", sf.Scope, cur.Scope)
	default:
		return fmt.Sprintf("the sealed keys were sealed for %q, now %q", sf.SealedFor, cur.Label)
	}
}

// olderKeys lists the keys of order found in older, and the distinct certs
// they name, sorted.
func olderKeys(order []string, older map[string]string) (keys, certs []string) {
	seen := map[string]bool{}
	for _, k := range order {
		if c, ok := older[k]; ok {
			keys = append(keys, k)
			if !seen[c] {
				seen[c] = true
				certs = append(certs, c)
			}
		}
	}
	sort.Strings(certs)
	return keys, certs
}

func shortFP(fp string) string {
	if fp == "" {
		return "unknown"
	}
	if len(fp) > 19 {
		return fp[:19]
	}
	return fp
}

// editor applies successive edits to a YAML file, re-parsing in between.
type editor struct {
	name string
	src  []byte
	doc  *yamledit.Doc // src parsed, when known
	err  error
}

func (e *editor) parsed() *yamledit.Doc {
	if e.doc == nil && e.err == nil {
		e.doc, e.err = yamledit.Parse(e.name, e.src)
	}
	return e.doc
}

func (e *editor) apply(f func(d *yamledit.Doc) ([]byte, error)) {
	d := e.parsed()
	if e.err != nil {
		return
	}
	src, err := f(d)
	if err != nil {
		e.err = err
		return
	}
	if !bytes.Equal(src, e.src) {
		e.src, e.doc = src, nil
	}
}

func (e *editor) set(path []string, key, value string) {
	e.apply(func(d *yamledit.Doc) ([]byte, error) { return d.SetBefore(path, key, value, "encryptedData") })
}

func (e *editor) setAll(path []string, kvs []yamledit.KV) {
	e.apply(func(d *yamledit.Doc) ([]byte, error) { return d.SetAll(path, kvs) })
}

func (e *editor) del(path []string, key string) {
	e.apply(func(d *yamledit.Doc) ([]byte, error) {
		src, _, err := d.Delete(path, key)
		return src, err
	})
}

// Options are the inputs of Run.
type Options struct {
	Sealer
	// Services to seal; with All, every service of the configs-repo.
	Services []string
	All      bool
	// Now checks the certificate's validity.
	Now time.Time
	// Jobs bounds parallel work (default: the number of CPUs).
	Jobs int
	// Progress, when set, is called as services complete.
	Progress func(done, total int)
	// LockWait is how long to wait for another gitopsctl updating one of
	// the services (0: DefaultLockWait).
	LockWait time.Duration
}

// Result is what Run did.
type Result struct {
	Cert        string          `json:"cert"`
	Fingerprint string          `json:"certFingerprint"`
	NotAfter    time.Time       `json:"certNotAfter"`
	Scope       Scope           `json:"scope"`
	Warnings    []string        `json:"warnings"`
	Gitignore   bool            `json:"gitignoreUpdated"`
	Services    []ServiceResult `json:"services"`
	// Cleaned are temporary files of interrupted runs that were removed.
	Cleaned []string `json:"cleaned,omitempty"`
}

// Run seals the selected services: it checks the cert, refuses to run when
// plaintext is tracked by git, locks the services against other gitopsctl
// runs, makes sure the configs-repo ignores plaintext, plans every service
// in parallel (locating some while encrypting the keys of others, see
// planAll) and, when every plan succeeded, writes the changed files of
// all services together, all or nothing (see fsutil.Batch).
func Run(ctx context.Context, o Options) (*Result, error) {
	if o.Cert == nil {
		return nil, ErrNoCert
	}
	warn, err := o.Cert.Validate(o.Now)
	if err != nil {
		return nil, err
	}
	res := &Result{Cert: o.Cert.Source, Fingerprint: o.Cert.Fingerprint, NotAfter: o.Cert.X509.NotAfter.UTC(), Scope: o.scope(), Warnings: []string{}}
	if warn != "" {
		res.Warnings = append(res.Warnings, warn)
	}
	services, err := selectServices(o.ConfigsDir, o.Services, o.All)
	if err != nil {
		return nil, err
	}
	if (o.Name != "" || o.Namespace != "") && len(services) != 1 {
		return nil, fmt.Errorf("--name and --namespace apply to one service; %d selected", len(services))
	}
	if err := GuardPlaintext(o.ConfigsDir); err != nil {
		return nil, err
	}
	locks, err := LockServices(ctx, o.ConfigsDir, services, o.LockWait)
	if err != nil {
		return nil, err
	}
	defer locks.Release()
	res.Cleaned = locks.Cleaned
	for _, svc := range services {
		warns, err := TightenPlaintext(o.ConfigsDir, svc)
		if err != nil {
			return nil, err
		}
		res.Warnings = append(res.Warnings, warns...)
	}
	if o.Rand != nil {
		o.Rand = &lockedReader{r: o.Rand}
	}
	jobs := o.Jobs
	if jobs <= 0 {
		jobs = runtime.GOMAXPROCS(0)
	}
	plans, errs := o.planAll(ctx, services, jobs)
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	if res.Gitignore, err = EnsureGitignore(o.ConfigsDir); err != nil {
		return nil, err
	}
	if err := GuardIgnored(o.ConfigsDir, services); err != nil {
		return nil, err
	}
	b := NewBatch()
	for _, p := range plans {
		p.AddTo(b)
	}
	if err := b.Commit(); err != nil {
		return nil, err
	}
	for _, p := range plans {
		res.Services = append(res.Services, p.Result)
		res.Warnings = append(res.Warnings, p.Result.Warnings...)
	}
	return res, nil
}

func selectServices(configsDir string, names []string, all bool) ([]string, error) {
	if all {
		if len(names) > 0 {
			return nil, fmt.Errorf("give service names or --all, not both")
		}
		return services.List(configsDir)
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("no service given: name services or pass --all")
	}
	seen := map[string]bool{}
	var out []string
	for _, n := range names {
		if err := services.Require(configsDir, n); err != nil {
			return nil, err
		}
		if !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out, nil
}

// RemoveKeys plans dropping keys from a service's secrets.yaml and seal
// state (env unset). Keys not sealed are ignored; Result.Pruned lists the
// ones removed from secrets.yaml.
func RemoveKeys(configsDir, service string, keys []string) (*Plan, error) {
	plan := &Plan{Result: ServiceResult{Service: service, Sealed: []string{}, Unchanged: []string{}, Pruned: []string{}, SealedOnly: []string{}, Wrote: []string{}}}
	secretsPath := layout.SecretsValuesFile(configsDir, service)
	sf, err := readSecrets(configsDir, service)
	if err != nil {
		return nil, err
	}
	e := editor{name: secretsPath, src: sf.Doc.Bytes()}
	for _, k := range keys {
		if _, ok := sf.Data[k]; ok {
			e.del(dataPath, k)
			plan.Result.Pruned = append(plan.Result.Pruned, k)
		}
	}
	if e.err != nil {
		return nil, e.err
	}
	if len(plan.Result.Pruned) > 0 {
		plan.writes = append(plan.writes, fileWrite{secretsPath, e.src, 0o644})
		plan.Result.Wrote = append(plan.Result.Wrote, filepath.ToSlash(filepath.Join(service, layout.ServiceSecretsFile)))
	}
	statePath := layout.SealStatePath(configsDir, service)
	old, err := readRepoFile(configsDir, statePath)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	if st := parseState(old); st != nil {
		for _, k := range keys {
			delete(st.Keys, k)
		}
		if nb := st.bytes(); !bytes.Equal(nb, old) {
			plan.writes = append(plan.writes, fileWrite{statePath, nb, 0o600})
			plan.Result.Wrote = append(plan.Result.Wrote, filepath.ToSlash(filepath.Join(service, layout.SealStateFile)))
		}
	}
	return plan, nil
}

// sealArgs is how a seal command line names a service or, for a cluster's
// value layer (SVC/clusters/C), the service and its --cluster.
func sealArgs(name string) string {
	if svc, cluster, ok := services.SplitLayer(name); ok {
		return svc + " --cluster " + cluster
	}
	return name
}
