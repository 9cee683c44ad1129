package cli

import (
	"net"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// A cert URL that never answers: every command that loads the cert gives
// up after --timeout instead of hanging.
func TestCertURLThatNeverAnswersTimesOut(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Skip(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c) // held open, never answered
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
	})
	root := t.TempDir()
	repo := filepath.Join(root, "gitops-repo")
	if code, _, stderr := runCLI(t, nil, "init", repo, "--registry", "ghcr.io/acme"); code != ExitOK {
		t.Fatalf("init: %s", stderr)
	}
	if code, _, stderr := runCLI(t, nil, "--repo", repo, "new-service", "backend"); code != ExitOK {
		t.Fatalf("new-service: %s", stderr)
	}
	url := "https://" + ln.Addr().String() + "/v1/cert.pem"
	for _, args := range [][]string{
		{"env", "set", "backend", "--secret", "A=hunter2"},
		{"seal", "backend"},
		{"seal", "--check"},
		{"seal", "fetch-cert", "--url", url, "--out", filepath.Join(root, "cert.pem")},
	} {
		if args[1] != "fetch-cert" {
			args = append(args, "--cert", url)
		}
		args = append(append([]string{"--repo", repo}, args...), "--timeout", "200ms")
		code, _, stderr := runCLI(t, nil, args...)
		if code != ExitError || !strings.Contains(stderr, "timeout: no complete answer within 200ms (raise it with --timeout)") {
			t.Errorf("%v: exit %d, stderr %q", args, code, stderr)
		}
		if strings.Contains(stderr, "hunter2") {
			t.Errorf("%v: stderr shows the secret", args)
		}
	}
}
