package seal

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestCertValidity(t *testing.T) {
	k := newTestKey(t, testNow.Add(-24*time.Hour), 40*24*time.Hour)
	if w, err := k.cert.Validate(testNow); w != "" || err != nil {
		t.Fatalf("valid cert: %q %v", w, err)
	}
	w, err := k.cert.Validate(testNow.Add(20 * 24 * time.Hour))
	if err != nil || !strings.Contains(w, "expires on 2026-04-09 (in 19 days)") {
		t.Fatalf("near expiry: %q %v", w, err)
	}
	if _, err := k.cert.Validate(testNow.Add(40 * 24 * time.Hour)); err == nil || !strings.Contains(err.Error(), "expired on 2026-04-09") {
		t.Fatalf("expired: %v", err)
	}
	if _, err := k.cert.Validate(testNow.Add(-48 * time.Hour)); err == nil || !strings.Contains(err.Error(), "not valid before") {
		t.Fatalf("not yet valid: %v", err)
	}
}

func TestParseCertErrors(t *testing.T) {
	ek, _ := ecdsa.GenerateKey(elliptic.P256(), randReader())
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "ec"}, NotBefore: testNow, NotAfter: testNow.Add(time.Hour)}
	der, err := x509.CreateCertificate(randReader(), tmpl, tmpl, &ek.PublicKey, ek)
	if err != nil {
		t.Fatal(err)
	}
	ecPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	for name, tc := range map[string]struct {
		data []byte
		want string
	}{
		"not pem":  {[]byte("hello"), "no PEM CERTIFICATE block found"},
		"key only": {pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: []byte{1}}), "no PEM CERTIFICATE block found"},
		"garbage":  {pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte{1, 2}}), "x509"},
		"ecdsa":    {ecPEM, "the public key is ECDSA, not RSA"},
	} {
		if _, err := ParseCert("c.pem", tc.data); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want %q", name, err, tc.want)
		}
	}
}

func TestLoadCert(t *testing.T) {
	k := newTestKey(t, testNow.Add(-time.Hour), 365*24*time.Hour)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "cert.pem"), k.pem, 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := LoadCert(context.Background(), CertSource{Ref: "cert.pem", BaseDir: dir})
	if err != nil || c.Fingerprint != k.cert.Fingerprint {
		t.Fatalf("%v %v", c, err)
	}
	if !strings.HasPrefix(c.Fingerprint, "sha256:") || len(c.Fingerprint) != 71 {
		t.Fatalf("fingerprint %q", c.Fingerprint)
	}
	if _, err := LoadCert(context.Background(), CertSource{Ref: "missing.pem", BaseDir: dir}); err == nil || !strings.Contains(err.Error(), "no such file") {
		t.Fatalf("missing: %v", err)
	}
	if _, err := LoadCert(context.Background(), CertSource{}); err != ErrNoCert {
		t.Fatalf("none: %v", err)
	}
	if _, err := LoadCert(context.Background(), CertSource{Ref: "http://x/cert.pem"}); err == nil || !strings.Contains(err.Error(), "refusing plain http") {
		t.Fatalf("http: %v", err)
	}

	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v1/cert.pem" {
			http.NotFound(w, r)
			return
		}
		w.Write(k.pem)
	}))
	defer srv.Close()
	c, err = LoadCert(context.Background(), CertSource{Ref: srv.URL + "/v1/cert.pem", Client: srv.Client()})
	if err != nil || c.Fingerprint != k.cert.Fingerprint {
		t.Fatalf("url: %v %v", c, err)
	}
	if _, err := LoadCert(context.Background(), CertSource{Ref: srv.URL + "/nope", Client: srv.Client()}); err == nil || !strings.Contains(err.Error(), "404") {
		t.Fatalf("404: %v", err)
	}
	out := filepath.Join(dir, "fetched.pem")
	if _, err := FetchCert(context.Background(), FetchOptions{Client: srv.Client(), URL: srv.URL + "/v1/cert.pem", Out: out, Now: testNow}); err != nil {
		t.Fatal(err)
	}
	if got := read(t, out); got != string(k.pem) {
		t.Fatal("fetched cert differs")
	}
	if _, err := FetchCert(context.Background(), FetchOptions{Client: srv.Client(), URL: srv.URL + "/v1/cert.pem", Out: filepath.Join(dir, "late.pem"), Now: testNow.Add(2 * 365 * 24 * time.Hour)}); err == nil {
		t.Fatal("fetched an expired cert")
	}
	if _, err := os.Stat(filepath.Join(dir, "late.pem")); err == nil {
		t.Fatal("an expired cert was saved")
	}
}

func TestEnsureGitignore(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, ".gitignore"), "node_modules\n*.local.env")
	changed, err := EnsureGitignore(dir)
	if err != nil || !changed {
		t.Fatal(changed, err)
	}
	got := read(t, filepath.Join(dir, ".gitignore"))
	if !strings.HasPrefix(got, "node_modules\n*.local.env\n# gitopsctl") || !strings.Contains(got, "\n*.local.state\n") || strings.Count(got, "*.local.env\n") != 1 {
		t.Fatalf("%q", got)
	}
	if changed, _ := EnsureGitignore(dir); changed {
		t.Fatal("second run changed it")
	}
}
