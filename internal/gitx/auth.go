package gitx

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

// checkPlainHTTP refuses a plain http:// remote when credentials would be
// sent to it (a token from the environment or a password in the URL): on
// the wire they would be readable by anyone in between. Pushing to such a
// remote without credentials is allowed.
func checkPlainHTTP(remote, url string, auth transport.AuthMethod, getenv func(string) string) error {
	ep, err := transport.NewEndpoint(url)
	if err != nil || ep.Protocol != "http" {
		return nil
	}
	var what string
	switch {
	case ep.Password != "":
		what = "the password in its URL"
	case auth != nil:
		what = "a token"
		if getenv == nil {
			getenv = os.Getenv
		}
		for _, name := range TokenEnv {
			if getenv(name) != "" {
				what = "the token in " + name
				break
			}
		}
	default:
		return nil
	}
	return fmt.Errorf("push: refusing to send %s to remote %q over plain http (%s): use an https:// URL, or push without credentials; --allow-insecure-http sends them anyway", what, remote, redactURL(url))
}

// redactURL drops any user information from a remote URL for messages.
func redactURL(url string) string {
	ep, err := transport.NewEndpoint(url)
	if err != nil || (ep.Protocol != "http" && ep.Protocol != "https") {
		return url
	}
	ep.User, ep.Password = "", ""
	return ep.String()
}
