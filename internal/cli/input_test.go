package cli

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// hostile are YAML inputs built to exhaust a parser: far too deep, or
// aliases that expand without bound. Each sits under a key the reader
// expects, so nothing but its size and shape is wrong.
func hostile() map[string]struct{ src, msg string } {
	var block strings.Builder // about 2 MB of block maps, 2000 levels deep
	block.WriteString("config:\n")
	for i := 1; block.Len() < 2<<20; i++ {
		block.WriteString(strings.Repeat(" ", i) + "a:\n")
	}
	laughs := "a0: &a0 [x,x,x,x,x,x,x,x,x]\n"
	for i := 1; i < 12; i++ {
		laughs += fmt.Sprintf("a%d: &a%d [%s]\n", i, i, strings.TrimSuffix(strings.Repeat(fmt.Sprintf("*a%d,", i-1), 9), ","))
	}
	chain := "b: &b [x, x]\n"
	for i := range 40 {
		chain += fmt.Sprintf("c%d: &b [*b, *b, *b, *b]\n", i)
	}
	return map[string]struct{ src, msg string }{
		"flow-100k":     {"config:\n  A: " + strings.Repeat("[", 100_000) + "\n", "nested more than 1000 levels deep"},
		"flowmaps-1MB":  {"config:\n  A: " + strings.Repeat("{a: ", 1<<20/4) + "\n", "nested more than 1000 levels deep"},
		"block-2MB":     {block.String(), "nested more than 1000 levels deep"},
		"laughs":        {laughs, "aliases expand to more than 100000 nodes"},
		"anchor-chains": {chain, "aliases expand to more than 100000 nodes"},
	}
}

// Every reader refuses hostile YAML with an error naming the file; none
// crashes the process (this test runs the commands in-process, so a stack
// overflow or out-of-memory would take the test binary down).
func TestHostileYAML(t *testing.T) {
	if testing.Short() {
		t.Skip("large inputs")
	}
	root := t.TempDir()
	repo := filepath.Join(root, "gitops-repo")
	configs := filepath.Join(root, "configs-repo")
	if code, _, stderr := runCLI(t, nil, "init", repo, "--configs", configs, "--registry", "ghcr.io/acme"); code != ExitOK {
		t.Fatalf("init: %d %s", code, stderr)
	}
	writeTestCert(t, filepath.Join(repo, "sealed-secrets.pem"))
	if code, _, stderr := runCLI(t, nil, "--repo", repo, "new-service", "backend", "--env", "LOG_LEVEL=info"); code != ExitOK {
		t.Fatalf("new-service: %d %s", code, stderr)
	}
	if err := os.WriteFile(filepath.Join(configs, "backend", "secrets.local.env"), []byte("PASSWORD=x\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	targets := []struct {
		file string
		args []string
		// helm: Helm's chart loader reads the file, with its own limits
		// and messages.
		helm bool
	}{
		{filepath.Join(configs, "backend", "config.yaml"), []string{"env", "list", "backend"}, false},
		{filepath.Join(configs, "backend", "config.yaml"), []string{"env", "set", "backend", "A=b"}, false},
		{filepath.Join(configs, "backend", "secrets.yaml"), []string{"seal", "backend"}, false},
		{filepath.Join(repo, "charts", "backend", "values.yaml"), []string{"bump", "backend", "--tag", "v2", "--no-commit"}, false},
		{filepath.Join(repo, "charts", "backend", "values.yaml"), []string{"render"}, true},
		{filepath.Join(repo, "argo-apps", "clusters", "prod", "app", "extra.yaml"), []string{"render"}, false},
		{filepath.Join(repo, ".gitopsctl.yaml"), []string{"env", "list", "backend"}, false},
		{filepath.Join(repo, "charts", "backend", "values.yaml"), []string{"new-service", "backend", "--force"}, false},
		{filepath.Join(configs, "backend", "config.yaml"), []string{"new-service", "backend", "--force"}, false},
		{filepath.Join(repo, "argo-apps", "projects", "app.yaml"), []string{"new-service", "other"}, false},
	}
	for name, h := range hostile() {
		for _, tg := range targets {
			rel, _ := filepath.Rel(root, tg.file)
			rel = strings.TrimPrefix(rel, "gitops-repo/") // gitops-repo paths are shown relative to it
			t.Run(name+"/"+strings.ReplaceAll(rel, "/", "_")+"/"+tg.args[len(tg.args)-1], func(t *testing.T) {
				orig, err := os.ReadFile(tg.file)
				if err != nil && !os.IsNotExist(err) {
					t.Fatal(err)
				}
				if err := os.WriteFile(tg.file, []byte(h.src), 0o644); err != nil {
					t.Fatal(err)
				}
				defer func() {
					if orig == nil {
						os.Remove(tg.file)
					} else if err := os.WriteFile(tg.file, orig, 0o644); err != nil {
						t.Fatal(err)
					}
				}()
				code, _, stderr := runCLI(t, nil, append([]string{"--repo", repo}, tg.args...)...)
				if code != ExitError {
					t.Fatalf("exit %d, want %d; stderr:\n%.2000s", code, ExitError, stderr)
				}
				msg, where := h.msg, rel
				if tg.helm {
					msg, where = "values.yaml", "charts/backend"
				}
				if !strings.Contains(stderr, where) || !strings.Contains(stderr, msg) || strings.Count(stderr, "\n") > 2 {
					t.Fatalf("stderr %.2000q: want one error naming %s with %q", stderr, rel, h.msg)
				}
				if got, err := os.ReadFile(tg.file); err != nil || string(got) != h.src {
					t.Fatalf("%s was changed", rel)
				}
			})
		}
	}
}

// writeTestCert writes a self-signed RSA certificate like the sealed-secrets
// controller's.
func writeTestCert(t *testing.T, path string) {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "sealed-secret"},
		NotBefore:    time.Unix(0, 0),
		NotAfter:     time.Unix(0, 0).AddDate(200, 0, 0),
		KeyUsage:     x509.KeyUsageEncipherOnly,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		t.Fatal(err)
	}
}
