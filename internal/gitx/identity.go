package gitx

import (
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// ErrNoIdentity is returned by Identities when no commit author can be
// determined.
var ErrNoIdentity = errors.New("no git identity: set GIT_AUTHOR_NAME and GIT_AUTHOR_EMAIL, or run git config --global user.name NAME and git config --global user.email EMAIL")

// errNoIdentityFlag is ErrNoIdentity for a command that has --author.
var errNoIdentityFlag = fmt.Errorf("no git identity: pass --author \"Name <email>\", set GIT_AUTHOR_NAME and GIT_AUTHOR_EMAIL, or run git config user.name / user.email")

// ParseIdentity parses "Name <email>".
func ParseIdentity(s string) (object.Signature, error) {
	a, err := mail.ParseAddress(s)
	if err != nil || a.Name == "" {
		return object.Signature{}, fmt.Errorf("invalid identity %q: want \"Name <email>\"", s)
	}
	return object.Signature{Name: a.Name, Email: a.Address}, nil
}

// IdentityOptions say where author and committer come from.
type IdentityOptions struct {
	// Author is the --author flag ("Name <email>"), optional.
	Author string
	// Getenv reads GIT_AUTHOR_NAME/EMAIL and GIT_COMMITTER_NAME/EMAIL.
	Getenv func(string) string
	// Now is the commit time.
	Now time.Time
}

// Identities resolves author and committer for a commit in dir, which may
// be the work tree root of an existing repository or a directory that is
// not one yet. See resolveIdentities for the order.
func Identities(dir string, o IdentityOptions) (author, committer object.Signature, err error) {
	var repo *git.Repository
	if r, oerr := git.PlainOpen(dir); oerr == nil {
		repo = r
	}
	return resolveIdentities(o, repo)
}

// Signatures resolves author and committer for a commit in r, as
// Identities does.
func (r *Repo) Signatures(o IdentityOptions) (author, committer object.Signature, err error) {
	author, committer, err = resolveIdentities(o, r.repo)
	if errors.Is(err, ErrNoIdentity) {
		err = errNoIdentityFlag
	}
	return author, committer, err
}

// resolveIdentities is the one rule for who a commit is by: the --author
// flag, then GIT_AUTHOR_* / GIT_COMMITTER_*, then user.name / user.email
// from the repository's local config (repo may be nil), then the global
// config. A committer name or email that cannot be found otherwise is the
// author's.
func resolveIdentities(o IdentityOptions, repo *git.Repository) (author, committer object.Signature, err error) {
	getenv := o.Getenv
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	cfgName, cfgEmail := userConfig(repo)
	pick := func(vals ...string) string {
		for _, v := range vals {
			if v = strings.TrimSpace(v); v != "" {
				return v
			}
		}
		return ""
	}
	var flagName, flagEmail string
	if o.Author != "" {
		a, err := ParseIdentity(o.Author)
		if err != nil {
			return author, committer, err
		}
		flagName, flagEmail = a.Name, a.Email
	}
	author = object.Signature{
		Name:  pick(flagName, getenv("GIT_AUTHOR_NAME"), cfgName),
		Email: pick(flagEmail, getenv("GIT_AUTHOR_EMAIL"), cfgEmail),
		When:  o.Now,
	}
	committer = object.Signature{
		Name:  pick(getenv("GIT_COMMITTER_NAME"), cfgName, author.Name),
		Email: pick(getenv("GIT_COMMITTER_EMAIL"), cfgEmail, author.Email),
		When:  o.Now,
	}
	if author.Name == "" || author.Email == "" {
		return author, committer, ErrNoIdentity
	}
	return author, committer, nil
}

// userConfig is user.name and user.email: the repository's local config
// (when repo is not nil) over the global one.
func userConfig(repo *git.Repository) (name, email string) {
	if cfg, err := config.LoadConfig(config.GlobalScope); err == nil {
		name, email = cfg.User.Name, cfg.User.Email
	}
	if repo != nil {
		if cfg, err := repo.Config(); err == nil {
			if cfg.User.Name != "" {
				name = cfg.User.Name
			}
			if cfg.User.Email != "" {
				email = cfg.User.Email
			}
		}
	}
	return name, email
}
