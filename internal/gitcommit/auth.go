package gitcommit

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/go-git/go-git/v5/plumbing/transport"
	"github.com/go-git/go-git/v5/plumbing/transport/http"
	"github.com/go-git/go-git/v5/plumbing/transport/ssh"
)

// TokenEnv lists the environment variables read, in order, for an HTTPS
// token.
var TokenEnv = []string{"GITOPSCTL_GIT_TOKEN", "GITHUB_TOKEN", "GH_TOKEN"}

// Auth picks credentials for a remote URL: for http(s), a token from the
// first of TokenEnv that is set (user name GITOPSCTL_GIT_USER, default
// "x-access-token"), or none; for ssh, the SSH agent when SSH_AUTH_SOCK is
// set, else ~/.ssh/id_ed25519 or ~/.ssh/id_rsa; for local paths, none.
func Auth(url string, getenv func(string) string) (transport.AuthMethod, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	ep, err := transport.NewEndpoint(url)
	if err != nil {
		return nil, fmt.Errorf("remote URL %q: %w", url, err)
	}
	switch ep.Protocol {
	case "http", "https":
		if ep.User != "" && ep.Password != "" {
			return nil, nil
		}
		for _, name := range TokenEnv {
			if tok := getenv(name); tok != "" {
				user := getenv("GITOPSCTL_GIT_USER")
				if user == "" {
					user = "x-access-token"
				}
				return &http.BasicAuth{Username: user, Password: tok}, nil
			}
		}
		return nil, nil
	case "ssh":
		user := ep.User
		if user == "" {
			user = "git"
		}
		if getenv("SSH_AUTH_SOCK") != "" {
			a, err := ssh.NewSSHAgentAuth(user)
			if err != nil {
				return nil, fmt.Errorf("ssh agent: %w", err)
			}
			return a, nil
		}
		home := getenv("HOME")
		for _, k := range []string{"id_ed25519", "id_ecdsa", "id_rsa"} {
			p := filepath.Join(home, ".ssh", k)
			if _, err := os.Stat(p); err == nil {
				a, err := ssh.NewPublicKeysFromFile(user, p, "")
				if err != nil {
					return nil, fmt.Errorf("ssh key %s: %w", p, err)
				}
				return a, nil
			}
		}
		return nil, fmt.Errorf("no SSH credentials for %s: start an ssh-agent (SSH_AUTH_SOCK) or add ~/.ssh/id_ed25519", url)
	}
	return nil, nil
}
