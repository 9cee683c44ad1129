package cli

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gitopsctl/gitopsctl/internal/iostreams"
)

// A cert close to expiry is a warning, printed exactly once by every
// command that seals or checks sealing.
func TestCertExpiryWarnedOnce(t *testing.T) {
	root := t.TempDir()
	repo := filepath.Join(root, "gitops-repo")
	configs := filepath.Join(root, "configs-repo")
	if code, _, stderr := runCLI(t, nil, "init", repo, "--registry", "ghcr.io/acme"); code != ExitOK {
		t.Fatalf("init: %d %s", code, stderr)
	}
	if code, _, stderr := runCLI(t, nil, "--repo", repo, "new-service", "backend"); code != ExitOK {
		t.Fatalf("new-service: %d %s", code, stderr)
	}
	notAfter := time.Date(2030, 1, 31, 0, 0, 0, 0, time.UTC)
	certFile := filepath.Join(root, "cert.pem")
	writeExpiringCert(t, certFile, notAfter)
	if err := os.WriteFile(filepath.Join(configs, "backend", "secrets.local.env"), []byte("API_KEY=hunter2\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	now := notAfter.Add(-10 * 24 * time.Hour)
	for _, args := range [][]string{
		{"seal", "backend"},
		{"seal", "--check", "backend"},
		{"env", "set", "backend", "--secret", "TOKEN=s3cret"},
	} {
		io, _, errOut := iostreams.Test()
		f := &Factory{IO: io, Now: func() time.Time { return now }, Getenv: func(string) string { return "" }, v: newViper()}
		code := run(context.Background(), f, append([]string{"--repo", repo, "--configs", configs}, append(args, "--cert", certFile)...))
		if code != ExitOK {
			t.Fatalf("%v: exit %d: %s", args, code, errOut)
		}
		if n := strings.Count(errOut.String(), "expires on 2030-01-31"); n != 1 {
			t.Errorf("%v: the expiry warning is printed %d times, want once:\n%s", args, n, errOut)
		}
	}
}

func writeExpiringCert(t *testing.T, file string, notAfter time.Time) {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "sealed-secret"},
		NotBefore:    notAfter.AddDate(-1, 0, 0),
		NotAfter:     notAfter,
		KeyUsage:     x509.KeyUsageKeyEncipherment,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		t.Fatal(err)
	}
}
