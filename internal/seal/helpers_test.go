package seal

import (
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	sscrypto "github.com/bitnami-labs/sealed-secrets/pkg/crypto"
)

// testKey is a controller key pair generated for the test (2048 bits keeps
// the suite fast; the controller's default is 4096).
type testKey struct {
	priv *rsa.PrivateKey
	cert *Cert
	pem  []byte
}

func newTestKey(t testing.TB, notBefore time.Time, validFor time.Duration) testKey {
	t.Helper()
	return newTestKeyBits(t, 2048, notBefore, validFor)
}

func newTestKeyBits(t testing.TB, bits int, notBefore time.Time, validFor time.Duration) testKey {
	t.Helper()
	priv, err := rsa.GenerateKey(randReader(), bits)
	if err != nil {
		t.Fatal(err)
	}
	c, err := sscrypto.SignKeyWithNotBefore(randReader(), priv, notBefore, validFor, "sealed-secret")
	if err != nil {
		t.Fatal(err)
	}
	p := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
	cert, err := ParseCert("test.pem", p)
	if err != nil {
		t.Fatal(err)
	}
	return testKey{priv: priv, cert: cert, pem: p}
}

func (k testKey) keys() map[string]*rsa.PrivateKey {
	fp, _ := sscrypto.PublicKeyFingerprint(&k.priv.PublicKey)
	return map[string]*rsa.PrivateKey{fp: k.priv}
}

var testNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// fixture is a gitops-repo + configs-repo pair with services.
type fixture struct {
	repo, configs string
}

const appTemplate = `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: SVC
  namespace: argocd
spec:
  project: app
  destination:
    server: https://kubernetes.default.svc
    namespace: NS
  sources:
    - repoURL: https://github.com/acme/gitops-repo.git
      path: charts/SVC
      targetRevision: HEAD
      helm:
        valueFiles: [values.yaml, $configs/SVC/config.yaml, $configs/SVC/secrets.yaml]
    - repoURL: https://github.com/acme/configs-repo.git
      targetRevision: HEAD
      ref: configs
`

func newFixture(t testing.TB, services map[string]string) fixture {
	t.Helper()
	root := t.TempDir()
	f := fixture{repo: filepath.Join(root, "gitops-repo"), configs: filepath.Join(root, "configs-repo")}
	for svc, ns := range services {
		app := strings.NewReplacer("SVC", svc, "NS", ns).Replace(appTemplate)
		write(t, filepath.Join(f.repo, "argo-apps/clusters/prod/app", svc+".yaml"), app)
		write(t, filepath.Join(f.repo, "charts", svc, "templates/sealedsecret.yaml"), "apiVersion: bitnami.com/v1alpha1\nkind: SealedSecret\n")
		write(t, filepath.Join(f.configs, svc, "config.yaml"), "config: {}\n")
		write(t, filepath.Join(f.configs, svc, "secrets.yaml"), string(NewSecretsFile(Strict)))
	}
	return f
}

func write(t testing.TB, p, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func read(t testing.TB, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func (f fixture) opts(k testKey, services ...string) Options {
	return Options{
		Sealer:   Sealer{ConfigsDir: f.configs, Scope: Strict, Cert: k.cert, Locate: AppLocator(f.repo, "prod")},
		Services: services,
		All:      len(services) == 0,
		Now:      testNow,
	}
}

func (f fixture) seal(t testing.TB, o Options) *Result {
	t.Helper()
	r, err := Run(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func (f fixture) secrets(t testing.TB, svc string) *SecretsFile {
	t.Helper()
	sf, err := ReadSecretsFile(filepath.Join(f.configs, svc, "secrets.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return sf
}

func gitCmd(t testing.TB, dir string, args ...string) string {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "HOME="+dir,
		"GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return string(out)
}

var _ = x509.ParseCertificate
