package seal

import (
	"context"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	neturl "net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gitopsctl/gitopsctl/internal/fsutil"
)

// ExpiryWarning is how long before a certificate's expiry seal starts warning.
const ExpiryWarning = 30 * 24 * time.Hour

// maxCertSize bounds what is read from a file or URL.
const maxCertSize = 1 << 20

// Cert is the sealed-secrets controller's public certificate.
type Cert struct {
	// Source is the file or URL it was read from.
	Source string
	X509   *x509.Certificate
	Key    *rsa.PublicKey
	// Fingerprint is "sha256:" and the hex SHA-256 of the certificate (DER).
	Fingerprint string
	// PEM is the certificate as read.
	PEM []byte
}

// Fingerprint returns "sha256:<hex>" of a certificate's DER bytes.
func Fingerprint(der []byte) string {
	sum := sha256.Sum256(der)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// ParseCert reads the first PEM CERTIFICATE block of data; its key must be RSA.
func ParseCert(source string, data []byte) (*Cert, error) {
	rest := data
	for {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			return nil, fmt.Errorf("cert %s: no PEM CERTIFICATE block found (expected the sealed-secrets controller's cert.pem)", source)
		}
		if block.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("cert %s: %w", source, err)
		}
		key, ok := c.PublicKey.(*rsa.PublicKey)
		if !ok {
			return nil, fmt.Errorf("cert %s: the public key is %s, not RSA (sealed-secrets seals with RSA-OAEP)", source, c.PublicKeyAlgorithm)
		}
		if bits := key.N.BitLen(); bits < MinRSABits {
			return nil, fmt.Errorf("cert %s: the RSA key has %d bits; sealing needs at least %d (the controller makes 4096-bit keys): is this the controller's cert?", source, bits, MinRSABits)
		}
		end := len(data) - len(rest)
		return &Cert{Source: source, X509: c, Key: key, Fingerprint: Fingerprint(c.Raw), PEM: data[:end]}, nil
	}
}

// CertSource says where to read the certificate from.
type CertSource struct {
	// Ref is a PEM file path or an https URL.
	Ref string
	// BaseDir resolves a relative file path.
	BaseDir string
	// Client fetches URLs (default: a client of its own). Redirects to
	// anything but https are refused whatever client is given.
	Client *http.Client
	// Timeout bounds a fetch (0: DefaultFetchTimeout).
	Timeout time.Duration
}

// DefaultFetchTimeout bounds fetching the cert from a URL.
const DefaultFetchTimeout = 30 * time.Second

// ErrNoCert is returned when no certificate is configured.
var ErrNoCert = errors.New("no sealing certificate: pass --cert FILE|URL or set sealing.cert in .gitopsctl.yaml (save the controller's cert with 'gitopsctl seal fetch-cert --url https://CONTROLLER/v1/cert.pem --out FILE')")

// LoadCert reads the certificate from a file or an https URL.
func LoadCert(ctx context.Context, src CertSource) (*Cert, error) {
	ref := src.Ref
	switch {
	case ref == "":
		return nil, ErrNoCert
	case strings.HasPrefix(ref, "http://"):
		return nil, fmt.Errorf("cert %s: refusing plain http; use an https URL or a file", ref)
	case strings.HasPrefix(ref, "https://"):
		data, err := fetch(ctx, src.Client, ref, src.Timeout)
		if err != nil {
			return nil, err
		}
		return ParseCert(ref, data)
	}
	p := ref
	if !filepath.IsAbs(p) && src.BaseDir != "" {
		p = filepath.Join(src.BaseDir, p)
	}
	f, err := os.Open(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("read cert: %w (save the controller's cert there with 'gitopsctl seal fetch-cert --url https://CONTROLLER/v1/cert.pem --out %s', or pass --cert FILE|URL)", err, p)
	}
	if err != nil {
		return nil, fmt.Errorf("read cert: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxCertSize))
	if err != nil {
		return nil, fmt.Errorf("read cert %s: %w", p, err)
	}
	return ParseCert(p, data)
}

// errInsecureRedirect is returned by the redirect check.
var errInsecureRedirect = errors.New("refusing a redirect away from https")

func fetch(ctx context.Context, client *http.Client, url string, timeout time.Duration) ([]byte, error) {
	if timeout <= 0 {
		timeout = DefaultFetchTimeout
	}
	c := &http.Client{}
	if client != nil {
		cp := *client
		c = &cp
	}
	c.Timeout = timeout
	prev := c.CheckRedirect
	c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if req.URL.Scheme != "https" {
			return fmt.Errorf("%w (to %s)", errInsecureRedirect, req.URL.Redacted())
		}
		if len(via) >= 10 {
			return errors.New("stopped after 10 redirects")
		}
		if prev != nil {
			return prev(req, via)
		}
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, fmt.Errorf("fetch cert %s: %w", url, err)
	}
	fail := func(err error) error {
		var ne net.Error
		if errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()) {
			return fmt.Errorf("fetch cert %s: timeout: no complete answer within %s (raise it with --timeout)", url, timeout)
		}
		if errors.Is(err, errInsecureRedirect) {
			var ue *neturl.Error
			if errors.As(err, &ue) {
				err = ue.Err
			}
			return fmt.Errorf("fetch cert %s: %w", url, err)
		}
		return fmt.Errorf("fetch cert: %w", err)
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, fail(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("fetch cert %s: %s", url, resp.Status)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxCertSize))
	if err != nil {
		return nil, fail(err)
	}
	return data, nil
}

// Validate refuses an expired (or not yet valid) certificate and returns a
// warning when it expires within ExpiryWarning of now.
func (c *Cert) Validate(now time.Time) (warning string, err error) {
	na := c.X509.NotAfter
	switch {
	case now.After(na):
		return "", fmt.Errorf("cert %s expired on %s; fetch the controller's current cert (gitopsctl seal fetch-cert)", c.Source, na.UTC().Format(time.DateOnly))
	case now.Before(c.X509.NotBefore):
		return "", fmt.Errorf("cert %s is not valid before %s", c.Source, c.X509.NotBefore.UTC().Format(time.RFC3339))
	case na.Sub(now) < ExpiryWarning:
		days := int(na.Sub(now).Hours() / 24)
		return fmt.Sprintf("cert %s expires on %s (in %d days); secrets sealed with it keep working, but fetch the new cert once the controller renews it", c.Source, na.UTC().Format(time.DateOnly), days), nil
	}
	return "", nil
}

// FetchOptions are the inputs of FetchCert.
type FetchOptions struct {
	URL string
	// Out is the file to write. An existing file that is not a PEM
	// certificate is refused unless Force is set.
	Out     string
	Force   bool
	Client  *http.Client
	Timeout time.Duration
	Now     time.Time
}

// FetchResult is what FetchCert saved.
type FetchResult struct {
	Cert    *Cert
	Warning string
	// Replaced is the fingerprint of the cert Out held before, when it
	// held a different one.
	Replaced string
}

// FetchCert downloads the controller's public certificate from an https
// URL, checks it and saves it to Out atomically.
func FetchCert(ctx context.Context, o FetchOptions) (*FetchResult, error) {
	if !strings.HasPrefix(o.URL, "https://") {
		return nil, fmt.Errorf("fetch-cert: %q is not an https URL", o.URL)
	}
	var old []byte
	if fi, err := os.Stat(o.Out); err == nil {
		if fi.IsDir() {
			return nil, fmt.Errorf("fetch-cert: %s is a directory", o.Out)
		}
		if old, err = os.ReadFile(o.Out); err != nil {
			return nil, fmt.Errorf("fetch-cert: %w", err)
		}
		if !o.Force && !isPEMCert(old) {
			return nil, fmt.Errorf("fetch-cert: %s exists and is not a PEM certificate; refusing to overwrite it (pass --force to replace it)", o.Out)
		}
	}
	c, err := LoadCert(ctx, CertSource{Ref: o.URL, Client: o.Client, Timeout: o.Timeout})
	if err != nil {
		return nil, err
	}
	warn, err := c.Validate(o.Now)
	if err != nil {
		return nil, err
	}
	res := &FetchResult{Cert: c, Warning: warn}
	if prev, err := ParseCert(o.Out, old); err == nil && prev.Fingerprint != c.Fingerprint {
		res.Replaced = prev.Fingerprint
	}
	if err := fsutil.WriteFileAtomic(o.Out, c.PEM, 0o644); err != nil {
		return nil, err
	}
	return res, nil
}

// isPEMCert reports whether data holds a PEM CERTIFICATE block.
func isPEMCert(data []byte) bool {
	for rest := data; ; {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			return false
		}
		if b.Type == "CERTIFICATE" {
			return true
		}
	}
}
