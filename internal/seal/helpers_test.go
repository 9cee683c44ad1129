package seal

import (
	"github.com/gitopsctl/gitopsctl/internal/gittest"

	"context"
	"crypto/rsa"
	"encoding/pem"
	"os"
	"path/filepath"
	"testing"
	"time"

	sscrypto "github.com/bitnami-labs/sealed-secrets/pkg/crypto"

	"github.com/gitopsctl/gitopsctl/internal/config"
	"github.com/gitopsctl/gitopsctl/internal/render"
	"github.com/gitopsctl/gitopsctl/internal/scaffold"
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

// fixture is a gitops-repo + configs-repo pair scaffolded by the real
// init/new-service code, one service per entry (name -> namespace).
type fixture struct {
	repo, configs string
}

func newFixture(t testing.TB, services map[string]string) fixture {
	t.Helper()
	ctx := context.Background()
	root := t.TempDir()
	f := fixture{repo: filepath.Join(root, "gitops-repo"), configs: filepath.Join(root, "configs-repo")}
	getenv := func(string) string { return "" }
	now := func() time.Time { return testNow }
	if _, err := scaffold.Init(ctx, scaffold.InitOptions{RepoDir: f.repo, ConfigsDir: f.configs, Registry: "ghcr.io/acme", Now: now, Getenv: getenv}); err != nil {
		t.Fatal(err)
	}
	cfg := f.config(t)
	for svc, ns := range services {
		o := scaffold.DefaultServiceOptions()
		o.Name, o.Namespace = svc, ns
		o.RepoDir, o.ConfigsDir = f.repo, f.configs
		o.Cluster, o.RepoURL, o.ConfigsURL, o.Registry, o.Scope = cfg.Cluster, cfg.GitopsRepo.URL, cfg.ConfigsRepo.URL, cfg.Registry, string(Strict)
		if _, err := scaffold.NewService(ctx, o); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

func (f fixture) config(t testing.TB) *config.Loaded {
	t.Helper()
	cfg, err := config.Load(config.Options{RepoDir: f.repo})
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// locator renders the fixture's Applications to find each SealedSecret.
func (f fixture) locator() Locator {
	return RenderLocator(func(ctx context.Context) (*render.Workspace, error) {
		cfg, err := config.Load(config.Options{RepoDir: f.repo})
		if err != nil {
			return nil, err
		}
		return render.Open(ctx, LocateOptions(render.Options{Config: cfg}))
	})
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
		Sealer:   Sealer{ConfigsDir: f.configs, Scope: Strict, Cert: k.cert, Locate: f.locator()},
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
	return gittest.Output(t, dir, args...)
}
