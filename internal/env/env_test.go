package env

import (
	"context"
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	sscrypto "github.com/bitnami-labs/sealed-secrets/pkg/crypto"

	"github.com/gitopsctl/gitopsctl/internal/seal"
	"github.com/gitopsctl/gitopsctl/internal/seal/sealtest"
)

var now = time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)

type fx struct {
	configs string
	kp      *sealtest.KeyPair
	cert    *seal.Cert
}

func newFx(t *testing.T) fx {
	t.Helper()
	dir := t.TempDir()
	kp, err := sealtest.New(2048, now.Add(-time.Hour), 365*24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := seal.ParseCert("cert.pem", kp.CertPEM)
	if err != nil {
		t.Fatal(err)
	}
	f := fx{configs: dir, kp: kp, cert: cert}
	writeFile(t, f.path("backend/config.yaml"), "# backend settings\nconfig:\n  # verbosity\n  LOG_LEVEL: info  # default\n  KAFKA_BROKERS: kafka:9092\n")
	writeFile(t, f.path("backend/secrets.yaml"), string(seal.NewSecretsFile(seal.Strict)))
	writeFile(t, f.path("frontend/config.yaml"), "config: {}\n")
	return f
}

func (f fx) path(p string) string { return filepath.Join(f.configs, p) }

func (f fx) sealer(context.Context) (*seal.Sealer, error) {
	return &seal.Sealer{ConfigsDir: f.configs, Scope: seal.Strict, Cert: f.cert, Name: "backend-secrets", Namespace: "apps"}, nil
}

func writeFile(t *testing.T, p, s string) {
	t.Helper()
	os.MkdirAll(filepath.Dir(p), 0o755)
	if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

func readFile(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestSetConfigKeepsComments(t *testing.T) {
	f := newFx(t)
	vars, err := ParseAssignments([]string{"LOG_LEVEL=debug", "URL=http://x/?a=b&c=d", "MULTI=line1\nline2 'q' \"d\" é"}, false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Set(context.Background(), SetOptions{ConfigsDir: f.configs, Service: "backend", Vars: vars}); err != nil {
		t.Fatal(err)
	}
	want := "# backend settings\nconfig:\n  # verbosity\n  LOG_LEVEL: debug  # default\n  KAFKA_BROKERS: kafka:9092\n  URL: \"http://x/?a=b&c=d\"\n  MULTI: \"line1\\nline2 'q' \\\"d\\\" é\"\n"
	if got := readFile(t, f.path("backend/config.yaml")); got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
	g, err := Get(f.configs, "backend", "MULTI", false)
	if err != nil || g.Value != "line1\nline2 'q' \"d\" é" || g.Kind != KindConfig {
		t.Fatalf("%+v %v", g, err)
	}
	// No secrets were involved: no cert needed, no plaintext written.
	if _, err := os.Stat(f.path("backend/secrets.local.env")); err == nil {
		t.Fatal("plaintext file created")
	}
}

func TestSetSecretSealsAndHides(t *testing.T) {
	f := newFx(t)
	val := "p@ss=word\nwith 'quotes' \"and\" ünïcode"
	r, err := Set(context.Background(), SetOptions{ConfigsDir: f.configs, Service: "backend", Secret: true,
		Vars: []KV{{"DB_PASSWORD", val}, {"LOG_LEVEL", "moved"}}, Sealer: f.sealer})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(r.Moved, []string{"LOG_LEVEL"}) {
		t.Fatalf("moved %v", r.Moved)
	}
	sf, err := seal.ReadSecretsFile(f.path("backend/secrets.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := base64.StdEncoding.DecodeString(sf.Data["DB_PASSWORD"])
	got, err := sscrypto.HybridDecrypt(nil, f.kp.Keys(), raw, []byte("apps/backend-secrets"))
	if err != nil || string(got) != val {
		t.Fatalf("decrypt: %q %v", got, err)
	}
	if strings.Contains(readFile(t, f.path("backend/config.yaml")), "LOG_LEVEL") {
		t.Fatal("LOG_LEVEL still in config.yaml")
	}
	if fi, _ := os.Stat(f.path("backend/secrets.local.env")); fi.Mode().Perm() != 0o600 {
		t.Fatalf("plaintext mode %v", fi.Mode())
	}
	if !strings.Contains(readFile(t, f.path(".gitignore")), "*.local.env") {
		t.Fatal("gitignore not ensured")
	}
	if _, err := Get(f.configs, "backend", "DB_PASSWORD", false); !errors.Is(err, ErrHidden) {
		t.Fatalf("err = %v", err)
	}
	g, err := Get(f.configs, "backend", "DB_PASSWORD", true)
	if err != nil || g.Value != val || g.Status != seal.StatusSealed {
		t.Fatalf("%+v %v", g, err)
	}
	l, err := List(f.configs, "backend")
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Secrets) != 2 || l.Secrets[0].Key != "DB_PASSWORD" || l.Secrets[0].Status != seal.StatusSealed {
		t.Fatalf("%+v", l.Secrets)
	}
	// A secret cannot be turned into config.
	before := readFile(t, f.path("backend/config.yaml"))
	if _, err := Set(context.Background(), SetOptions{ConfigsDir: f.configs, Service: "backend", Vars: []KV{{"DB_PASSWORD", "x"}}}); err == nil || !strings.Contains(err.Error(), "is a secret") {
		t.Fatalf("err = %v", err)
	}
	if readFile(t, f.path("backend/config.yaml")) != before {
		t.Fatal("refused set wrote config.yaml")
	}
	// Unset removes it everywhere.
	if _, err := Unset(f.configs, "backend", []string{"DB_PASSWORD", "KAFKA_BROKERS"}); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"backend/config.yaml", "backend/secrets.yaml", "backend/secrets.local.env", "backend/secrets.local.state"} {
		if c := readFile(t, f.path(p)); strings.Contains(c, "DB_PASSWORD") || strings.Contains(c, "KAFKA_BROKERS") {
			t.Fatalf("%s still has the key:\n%s", p, c)
		}
	}
	if _, err := Unset(f.configs, "backend", []string{"NOPE"}); err == nil || !strings.Contains(err.Error(), "backend has no key NOPE") {
		t.Fatalf("err = %v", err)
	}
}

func TestImport(t *testing.T) {
	f := newFx(t)
	src := filepath.Join(t.TempDir(), "in.env")
	writeFile(t, src, "# app\nLOG_LEVEL=warn\nDB_PASSWORD='s3cr3t'\nAPI_TOKEN=\"a\\nb\"\nSENTRY_DSN=https://k@sentry/1\n")
	r, err := Import(context.Background(), ImportOptions{ConfigsDir: f.configs, Service: "backend", From: src,
		SecretPatterns: []string{"*_PASSWORD", "*_TOKEN"}, SecretKeys: []string{"SENTRY_DSN"}, Sealer: f.sealer})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(r.Config, []string{"LOG_LEVEL"}) || !reflect.DeepEqual(r.Secrets, []string{"DB_PASSWORD", "API_TOKEN", "SENTRY_DSN"}) {
		t.Fatalf("%+v", r)
	}
	g, _ := Get(f.configs, "backend", "API_TOKEN", true)
	if g.Value != "a\nb" {
		t.Fatalf("%q", g.Value)
	}
	// A malformed file: line number, nothing written.
	writeFile(t, src, "A=1\nB='open\n")
	before := readFile(t, f.path("backend/config.yaml"))
	if _, err := Import(context.Background(), ImportOptions{ConfigsDir: f.configs, Service: "backend", From: src, Sealer: f.sealer}); err == nil || !strings.Contains(err.Error(), "in.env:2: unterminated") {
		t.Fatalf("err = %v", err)
	}
	if readFile(t, f.path("backend/config.yaml")) != before {
		t.Fatal("failed import wrote")
	}
}

func TestErrorsLeaveFilesUntouched(t *testing.T) {
	f := newFx(t)
	snapshot := func() string {
		var b strings.Builder
		filepath.Walk(f.configs, func(p string, fi os.FileInfo, err error) error {
			if err == nil && !fi.IsDir() {
				b.WriteString(p + "\n" + readFile(t, p))
			}
			return nil
		})
		return b.String()
	}
	before := snapshot()
	ctx := context.Background()
	noCert := func(context.Context) (*seal.Sealer, error) { return nil, seal.ErrNoCert }
	cases := map[string]func() error{
		"unknown service": func() error {
			_, err := Set(ctx, SetOptions{ConfigsDir: f.configs, Service: "nope", Vars: []KV{{"A", "b"}}})
			return err
		},
		"bad key": func() error { _, err := ParseAssignments([]string{"1BAD=x"}, false); return err },
		"no cert": func() error {
			_, err := Set(ctx, SetOptions{ConfigsDir: f.configs, Service: "backend", Secret: true, Vars: []KV{{"A", "b"}}, Sealer: noCert})
			return err
		},
	}
	for name, fn := range cases {
		if err := fn(); err == nil {
			t.Errorf("%s: no error", name)
		}
		if snapshot() != before {
			t.Fatalf("%s: files changed", name)
		}
	}
	writeFile(t, f.path("frontend/config.yaml"), "config:\n  A: [unclosed\n")
	if _, err := List(f.configs, "frontend"); err == nil || !strings.Contains(err.Error(), "frontend/config.yaml:2") {
		t.Fatalf("err = %v", err)
	}
}

func TestDiff(t *testing.T) {
	f := newFx(t)
	writeFile(t, f.path("frontend/config.yaml"), "config:\n  LOG_LEVEL: info\n  PUBLIC_URL: x\n  KAFKA_BROKERS: k\n")
	if _, err := Set(context.Background(), SetOptions{ConfigsDir: f.configs, Service: "backend", Secret: true, Vars: []KV{{"KAFKA_BROKERS", "s"}, {"DB_PASSWORD", "p"}}, Sealer: f.sealer}); err != nil {
		t.Fatal(err)
	}
	d, err := Diff(f.configs, "backend", "frontend")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(d.OnlyA, []DiffKey{{"DB_PASSWORD", KindSecret}}) || !reflect.DeepEqual(d.OnlyB, []DiffKey{{"PUBLIC_URL", KindConfig}}) ||
		!reflect.DeepEqual(d.KindDiffers, []string{"KAFKA_BROKERS"}) || d.Common != 1 || d.Same() {
		t.Fatalf("%+v", d)
	}
}
