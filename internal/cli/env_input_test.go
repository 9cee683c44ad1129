package cli

import (
	"bytes"
	"context"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	sscrypto "github.com/bitnami-labs/sealed-secrets/pkg/crypto"

	"github.com/gitopsctl/gitopsctl/internal/iostreams"
	"github.com/gitopsctl/gitopsctl/internal/seal"
	"github.com/gitopsctl/gitopsctl/internal/seal/sealtest"
)

// fakeTerminal answers hidden prompts with its lines, in order.
type fakeTerminal struct{ lines []string }

func (t *fakeTerminal) ReadSecret() ([]byte, error) {
	if len(t.lines) == 0 {
		return nil, os.ErrClosed
	}
	l := t.lines[0]
	t.lines = t.lines[1:]
	return []byte(l), nil
}

// secretFixture is a gitops-repo/configs-repo pair with service backend and
// a controller key pair whose cert is the repo's sealing.cert.
type secretFixture struct {
	repo, configs string
	kp            *sealtest.KeyPair
}

func newSecretFixture(t *testing.T) secretFixture {
	t.Helper()
	root := t.TempDir()
	fx := secretFixture{repo: filepath.Join(root, "gitops-repo"), configs: filepath.Join(root, "configs-repo")}
	if code, _, stderr := runCLI(t, nil, "init", fx.repo, "--configs", fx.configs, "--registry", "ghcr.io/acme"); code != ExitOK {
		t.Fatalf("init: %d %s", code, stderr)
	}
	kp, err := sealtest.New(2048, time.Unix(0, 0), 100*365*24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	fx.kp = kp
	if err := os.WriteFile(filepath.Join(fx.repo, "sealed-secrets.pem"), kp.CertPEM, 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := runCLI(t, nil, "--repo", fx.repo, "new-service", "backend"); code != ExitOK {
		t.Fatalf("new-service: %d %s", code, stderr)
	}
	return fx
}

// runWithIO runs gitopsctl with the given streams.
func runWithIO(io *iostreams.IOStreams, args ...string) int {
	f := &Factory{IO: io, Now: func() time.Time { return time.Unix(0, 0).UTC() }, Getenv: func(string) string { return "" }, v: newViper()}
	return run(context.Background(), f, args)
}

// unsealed decrypts key of backend's secrets.yaml as the controller would.
func (fx secretFixture) unsealed(t *testing.T, key string) string {
	t.Helper()
	sf, err := seal.ReadSecretsFile(filepath.Join(fx.configs, "backend", "secrets.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := base64.StdEncoding.DecodeString(sf.Data[key])
	if err != nil {
		t.Fatalf("%s: %v", key, err)
	}
	got, err := sscrypto.HybridDecrypt(nil, fx.kp.Keys(), raw, []byte(sf.SealedFor))
	if err != nil {
		t.Fatalf("decrypt %s: %v", key, err)
	}
	return string(got)
}

// On a terminal, env set --secret KEY asks for each value at a hidden
// prompt (on stderr); the value reaches secrets.yaml sealed, exactly, and
// is never printed.
func TestEnvSetSecretPrompt(t *testing.T) {
	fx := newSecretFixture(t)
	values := []string{`s3cr=t "x" ü`, "second\tvalue"}
	io, out, errOut := iostreams.Test()
	io.InTTY = true
	io.Secret = &fakeTerminal{lines: values}
	if code := runWithIO(io, "--repo", fx.repo, "env", "set", "backend", "--secret", "DB_PASSWORD", "API_TOKEN"); code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"Value for DB_PASSWORD (input hidden): \n", "Value for API_TOKEN (input hidden): \n"} {
		if !strings.Contains(errOut.String(), want) {
			t.Errorf("stderr %q lacks prompt %q", errOut, want)
		}
	}
	for _, v := range values {
		if strings.Contains(out.String()+errOut.String(), v) {
			t.Fatalf("value %q was printed", v)
		}
	}
	if got := fx.unsealed(t, "DB_PASSWORD"); got != values[0] {
		t.Errorf("DB_PASSWORD unsealed to %q, want %q", got, values[0])
	}
	if got := fx.unsealed(t, "API_TOKEN"); got != values[1] {
		t.Errorf("API_TOKEN unsealed to %q, want %q", got, values[1])
	}
}

// An empty answer at the prompt sets nothing and writes nothing.
func TestEnvSetSecretPromptEmpty(t *testing.T) {
	fx := newSecretFixture(t)
	secrets := filepath.Join(fx.configs, "backend", "secrets.yaml")
	before, _ := os.ReadFile(secrets)
	io, _, errOut := iostreams.Test()
	io.InTTY = true
	io.Secret = &fakeTerminal{lines: []string{""}}
	if code := runWithIO(io, "--repo", fx.repo, "env", "set", "backend", "--secret", "DB_PASSWORD"); code != ExitError {
		t.Fatalf("exit %d, want %d: %s", code, ExitError, errOut)
	}
	if !strings.Contains(errOut.String(), "DB_PASSWORD: empty value typed: nothing set") {
		t.Errorf("stderr %q", errOut)
	}
	after, _ := os.ReadFile(secrets)
	if !bytes.Equal(before, after) {
		t.Error("secrets.yaml changed")
	}
	if _, err := os.Stat(filepath.Join(fx.configs, "backend", "secrets.local.env")); !os.IsNotExist(err) {
		t.Errorf("plaintext written: %v", err)
	}
}

// Not a terminal: the value comes from the injected stdin, and KEY=- reads
// it even on a terminal.
func TestEnvSetSecretStdin(t *testing.T) {
	fx := newSecretFixture(t)
	io, _, errOut := iostreams.Test()
	io.In = strings.NewReader("line one\nline two\r\n")
	if code := runWithIO(io, "--repo", fx.repo, "env", "set", "backend", "--secret", "CERT_PEM"); code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if got := fx.unsealed(t, "CERT_PEM"); got != "line one\nline two" {
		t.Errorf("unsealed %q", got)
	}
	io, _, errOut = iostreams.Test()
	io.InTTY = true
	io.Secret = &fakeTerminal{lines: []string{"typed"}}
	io.In = strings.NewReader("piped\n")
	if code := runWithIO(io, "--repo", fx.repo, "env", "set", "backend", "--secret", "A_TOKEN=-", "B_TOKEN"); code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if a, b := fx.unsealed(t, "A_TOKEN"), fx.unsealed(t, "B_TOKEN"); a != "piped" || b != "typed" {
		t.Errorf("A_TOKEN %q B_TOKEN %q", a, b)
	}
}
