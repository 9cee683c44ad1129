package seal

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"path"
	"strings"
	"time"

	"github.com/gitopsctl/gitopsctl/internal/layout"
)

// Problem kinds reported by Check.
const (
	ProblemTracked = "tracked-plaintext" // a plaintext or state file is tracked or staged in git
	ProblemMissing = "missing"           // plaintext keys not sealed
	ProblemStale   = "stale"             // plaintext changed since sealing (or cannot be verified)
	ProblemCert    = "cert"              // sealed with another certificate (a note: see ServiceReport.Notes)
	ProblemScope   = "scope"             // sealed with another scope
	ProblemTarget  = "target"            // sealed for another name/namespace
	ProblemInvalid = "invalid"           // a file cannot be read or the service cannot be located
)

// Problem is one finding of Check.
type Problem struct {
	Kind   string   `json:"kind"`
	Keys   []string `json:"keys,omitempty"`
	Detail string   `json:"detail"`
}

// ServiceReport is Check's finding for one service.
type ServiceReport struct {
	Service  string    `json:"service"`
	Sealed   int       `json:"sealed"`
	Problems []Problem `json:"problems"`
	// Notes are findings that need no action: keys sealed with another
	// cert than the current one (kind cert) stay valid while the
	// controller keeps that key, which it does after renewing it.
	Notes []Problem `json:"notes,omitempty"`
}

// Report is what Check found.
type Report struct {
	Fingerprint string          `json:"certFingerprint"`
	Scope       Scope           `json:"scope"`
	Warnings    []string        `json:"warnings"`
	Services    []ServiceReport `json:"services"`
}

// OK reports whether no service has a problem.
func (r *Report) OK() bool { return len(r.Failing()) == 0 }

// Failing returns the services with problems.
func (r *Report) Failing() []ServiceReport {
	var out []ServiceReport
	for _, s := range r.Services {
		if len(s.Problems) > 0 {
			out = append(out, s)
		}
	}
	return out
}

// CheckOptions are the inputs of Check: the same sealer settings seal uses
// (scope, cert, locator, overrides), the services (none: all), and the clock.
type CheckOptions struct {
	Sealer
	Services []string
	Now      time.Time
}

// Check reports, without writing anything, every service whose sealed data
// is missing, stale, or sealed under another cert, scope, name or namespace,
// and any plaintext file tracked by git. Staleness is judged from the local
// plaintext and seal state when present; the cert, scope and target from
// secrets.yaml alone, so Check works on a machine without plaintext (CI).
// An expired cert is an error; one close to expiry adds a warning.
func Check(ctx context.Context, o CheckOptions) (*Report, error) {
	if o.Cert == nil {
		return nil, ErrNoCert
	}
	warn, err := o.Cert.Validate(o.Now)
	if err != nil {
		return nil, err
	}
	rep := &Report{Fingerprint: o.Cert.Fingerprint, Scope: o.scope(), Warnings: []string{}, Services: []ServiceReport{}}
	if warn != "" {
		rep.Warnings = append(rep.Warnings, warn)
	}
	services, err := selectServices(o.ConfigsDir, o.Services, len(o.Services) == 0)
	if err != nil {
		return nil, err
	}
	tracked, err := TrackedPlaintext(o.ConfigsDir)
	if err != nil {
		return nil, err
	}
	trackedBy := map[string][]string{}
	for _, f := range tracked {
		svc, _, _ := strings.Cut(f, "/")
		if !strings.Contains(f, "/") {
			svc = ""
		}
		trackedBy[svc] = append(trackedBy[svc], f)
	}
	if files := trackedBy[""]; len(files) > 0 {
		rep.Services = append(rep.Services, ServiceReport{Service: ".", Problems: []Problem{{Kind: ProblemTracked, Detail: "tracked by git: " + strings.Join(files, ", ")}}})
	}
	for _, svc := range services {
		sr := o.checkService(ctx, svc, &rep.Warnings)
		if files := trackedBy[svc]; len(files) > 0 {
			sr.Problems = append([]Problem{{Kind: ProblemTracked, Detail: "tracked by git: " + strings.Join(files, ", ")}}, sr.Problems...)
		}
		rep.Services = append(rep.Services, sr)
	}
	return rep, nil
}

func (o *CheckOptions) checkService(ctx context.Context, svc string, warnings *[]string) ServiceReport {
	sr := ServiceReport{Service: svc, Problems: []Problem{}}
	add := func(kind string, keys []string, format string, a ...any) {
		sr.Problems = append(sr.Problems, Problem{Kind: kind, Keys: keys, Detail: fmt.Sprintf(format, a...)})
	}
	sf, err := readSecrets(o.ConfigsDir, svc)
	if err != nil {
		add(ProblemInvalid, nil, "%v", err)
		return sr
	}
	sr.Sealed = len(sf.Data)
	var corrupt []string
	for _, k := range sf.Order {
		if raw, err := base64.StdEncoding.DecodeString(sf.Data[k]); err != nil || len(raw) < 2+64 {
			corrupt = append(corrupt, k)
		}
	}
	if len(corrupt) > 0 {
		add(ProblemInvalid, corrupt, "not a sealed-secrets ciphertext (base64 of an RSA-wrapped key and AES-GCM data)")
	}
	plain, exists, err := ReadPlaintext(o.ConfigsDir, svc)
	if err != nil {
		add(ProblemInvalid, nil, "%v", err)
		return sr
	}
	values := plain.Map()
	if len(sf.Data) == 0 && len(values) == 0 {
		return sr
	}
	var label string
	t, err := o.Target(ctx, svc)
	switch {
	case err == nil:
		label = o.scope().Label(t)
	case errors.Is(err, ErrNoSealedSecret) && sf.hasSealed:
		// Sealed with --name/--namespace for a SealedSecret that cannot be
		// located from here: trust the recorded target, and say so.
		label = sf.SealedFor
		*warnings = append(*warnings, fmt.Sprintf("%s: %v; trusting the recorded target %s", svc, err, labelText(sf.SealedFor, true)))
	default:
		add(ProblemInvalid, nil, "%v", err)
		return sr
	}
	cur := sealContext{Scope: o.scope(), Label: label, Fingerprint: o.Cert.Fingerprint}
	var st *state
	if data, err := readRepoFile(o.ConfigsDir, layout.SealStatePath(o.ConfigsDir, svc)); err == nil {
		st = parseState(data)
	}
	sameContext := true
	if len(sf.Data) > 0 {
		// Keys sealed with another cert: a note, per cert (the state
		// knows each key's cert; without it, secrets.yaml's).
		byCert := map[string][]string{}
		var certs []string
		for _, k := range sf.Order {
			c := st.certOf(k, sf.Data[k], sf.Fingerprint)
			if c == cur.Fingerprint {
				continue
			}
			if byCert[c] == nil {
				certs = append(certs, c)
			}
			byCert[c] = append(byCert[c], k)
		}
		for _, c := range certs {
			sr.Notes = append(sr.Notes, Problem{Kind: ProblemCert, Keys: byCert[c], Detail: fmt.Sprintf(
				"sealed with cert %s, the current cert is %s: valid while the controller keeps that older key (it keeps them when it renews); 'gitopsctl seal %s --rotate' reseals with the current cert",
				shortFP(c), shortFP(cur.Fingerprint), sealArgs(svc))})
		}
		switch {
		case Scope(sf.Scope) != cur.Scope:
			add(ProblemScope, sf.Order, "sealed with scope %q, configured %q", sf.Scope, cur.Scope)
			sameContext = false
		case !sf.hasSealed || sf.SealedFor != cur.Label:
			add(ProblemTarget, sf.Order, "sealed for %s, but the SealedSecret is %s", labelText(sf.SealedFor, sf.hasSealed), labelText(cur.Label, true))
			sameContext = false
		}
	}
	if !exists {
		return sr
	}
	var missing, stale []string
	rec := cur
	rec.Fingerprint = sf.Fingerprint
	for _, k := range plain.Keys() {
		ct, ok := sf.Data[k]
		switch {
		case !ok:
			missing = append(missing, k)
		case sameContext && !st.freshAny(k, values[k], ct, rec):
			stale = append(stale, k)
		}
	}
	if len(missing) > 0 {
		add(ProblemMissing, missing, "in %s but not sealed", path.Join(svc, layout.PlaintextFile))
	}
	if len(stale) > 0 {
		add(ProblemStale, stale, "the plaintext changed since it was sealed (or was never sealed from this machine)")
	}
	return sr
}

func labelText(label string, known bool) string {
	switch {
	case !known:
		return "an unrecorded name/namespace"
	case label == "":
		return "any namespace (cluster-wide)"
	case !strings.Contains(label, "/"):
		return "namespace " + label
	}
	return label
}
