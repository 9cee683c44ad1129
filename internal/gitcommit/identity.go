package gitcommit

import (
	"fmt"
	"net/mail"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing/object"
)

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

// Signatures resolves author and committer: the --author flag, then
// GIT_AUTHOR_* / GIT_COMMITTER_*, then user.name / user.email from the
// repository's config, then the global config. A committer that cannot be
// found otherwise is the author.
func (r *Repo) Signatures(o IdentityOptions) (author, committer object.Signature, err error) {
	getenv := o.Getenv
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	cfg, cerr := r.repo.ConfigScoped(config.GlobalScope)
	var cfgName, cfgEmail string
	if cerr == nil {
		cfgName, cfgEmail = cfg.User.Name, cfg.User.Email
	}
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
		return author, committer, fmt.Errorf("no git identity: pass --author \"Name <email>\", set GIT_AUTHOR_NAME and GIT_AUTHOR_EMAIL, or run git config user.name / user.email")
	}
	return author, committer, nil
}
