package seal

import (
	"context"
	"fmt"
	"time"
)

// Scopes are the scope names, for flags and completion.
var Scopes = []string{string(Strict), string(NamespaceWide), string(ClusterWide)}

// Setup is what a Sealer is built from: the command line's choices, each
// falling back to the config file's.
type Setup struct {
	ConfigsDir string
	// Cert is --cert: a PEM file (relative to WorkDir) or an https URL.
	// ConfigCert, sealing.cert, is used when Cert is empty; a relative
	// path there is relative to RepoDir.
	Cert, ConfigCert string
	WorkDir, RepoDir string
	// Scope is --scope; ConfigScope, sealing.scope, is used when Scope is
	// empty; strict when both are.
	Scope, ConfigScope string
	// Name and Namespace override the located SealedSecret name and
	// namespace (one service only).
	Name, Namespace string
	// Timeout bounds fetching the cert from a URL (0: DefaultFetchTimeout).
	Timeout time.Duration
	Locate  Locator
	// Relocate: see Sealer.Relocate.
	Relocate bool
	// Now checks the certificate's validity.
	Now time.Time
}

// NewSealer resolves the scope and the certificate, loads the certificate
// and refuses an expired one (or one not yet valid). A cert close to expiry
// is not an error: Sealer.CertWarning says so, and Run, Check and every
// caller of Plan report it once among their warnings.
func NewSealer(ctx context.Context, s Setup) (*Sealer, error) {
	scope, err := ParseScope(s.Scope)
	if s.Scope == "" {
		if scope, err = ParseScope(s.ConfigScope); err != nil {
			err = fmt.Errorf("sealing.scope: %w", err)
		}
	}
	if err != nil {
		return nil, err
	}
	ref, base := s.Cert, s.WorkDir
	if ref == "" {
		ref, base = s.ConfigCert, s.RepoDir
	}
	cert, err := LoadCert(ctx, CertSource{Ref: ref, BaseDir: base, Timeout: s.Timeout})
	if err != nil {
		return nil, err
	}
	warn, err := cert.Validate(s.Now)
	if err != nil {
		return nil, err
	}
	return &Sealer{
		ConfigsDir:  s.ConfigsDir,
		Scope:       scope,
		Cert:        cert,
		CertWarning: warn,
		Locate:      s.Locate,
		Relocate:    s.Relocate,
		Name:        s.Name,
		Namespace:   s.Namespace,
	}, nil
}
