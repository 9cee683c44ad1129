package bump

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"

	"github.com/gitopsctl/gitopsctl/internal/layout"
	"github.com/gitopsctl/gitopsctl/internal/safeyaml"
	"github.com/gitopsctl/gitopsctl/internal/services"
	"github.com/gitopsctl/gitopsctl/internal/yamledit"
)

// PromoteOptions are the inputs of Promote. The embedded Options carry the
// commit and push settings (Services, Tag, Digest, File and RepoDir are
// set by Promote).
type PromoteOptions struct {
	Options
	// GitopsDir and ConfigsDir are the two repository roots.
	GitopsDir  string
	ConfigsDir string
	Service    string
	From, To   string
}

// PromoteResult is what Promote did.
type PromoteResult struct {
	Service string `json:"service"`
	From    string `json:"from"`
	To      string `json:"to"`
	// Tag and Digest are the values promoted ("" when the source has none);
	// TagFrom and DigestFrom are the files they were read from.
	Tag        string `json:"tag,omitempty"`
	Digest     string `json:"digest,omitempty"`
	TagFrom    string `json:"tagFrom,omitempty"`
	DigestFrom string `json:"digestFrom,omitempty"`
	// File is the target cluster's values file (configs-repo relative).
	File string `json:"file"`
	// Changed is false when the target already held the values (nothing
	// committed); Old and OldDigest are what it held.
	Changed   bool   `json:"changed"`
	Old       string `json:"old"`
	OldDigest string `json:"oldDigest,omitempty"`
	Commit    string `json:"commit,omitempty"`
	Pushed    bool   `json:"pushed"`
	Message   string `json:"message,omitempty"`
	// Run is bump's result for the edit, commit and push.
	Run *Result `json:"-"`
}

// Promote copies a service's image tag and digest from one cluster's
// values to another's: from <service>/clusters/<from>/config.yaml (falling
// back, key by key, to charts/<service>/values.yaml, which every cluster
// reads first) into <service>/clusters/<to>/config.yaml of the
// configs-repo, byte-exactly, as one commit, pushed as bump pushes (the
// edit re-applied on the remote tip when another push came first). When
// the target already holds the values nothing is committed.
func Promote(ctx context.Context, o PromoteOptions) (*PromoteResult, error) {
	if o.From == o.To {
		return nil, usage("--from and --to are both %s", o.From)
	}
	if !serviceRE.MatchString(o.Service) {
		return nil, usage("invalid service name %q: use lowercase letters, digits and '-'", o.Service)
	}
	for _, c := range []string{o.From, o.To} {
		if err := services.Require(o.ConfigsDir, services.LayerPath(o.Service, c)); err != nil {
			return nil, err
		}
	}
	if o.Key == "" {
		o.Key = DefaultKey
	}
	if o.DigestKey == "" {
		o.DigestKey = DefaultDigestKey
	}
	res := &PromoteResult{Service: o.Service, From: o.From, To: o.To}
	fromRel := filepath.ToSlash(filepath.Join(services.LayerPath(o.Service, o.From), layout.ServiceConfigFile))
	toRel := filepath.ToSlash(filepath.Join(services.LayerPath(o.Service, o.To), layout.ServiceConfigFile))
	chartRel := filepath.ToSlash(filepath.Join(layout.ChartsDir, o.Service, "values.yaml"))
	from, err := readValues(filepath.Join(o.ConfigsDir, filepath.FromSlash(fromRel)))
	if err != nil {
		return nil, err
	}
	chart, err := readValues(layout.ValuesFile(o.GitopsDir, o.Service))
	if err != nil {
		return nil, err
	}
	to, err := readValues(filepath.Join(o.ConfigsDir, filepath.FromSlash(toRel)))
	if err != nil {
		return nil, err
	}
	get := func(key string) (val, file string, err error) {
		p, err := yamledit.ParsePath(key)
		if err != nil {
			return "", "", usage("%v", err)
		}
		for _, src := range []struct {
			data []byte
			rel  string
		}{{from, fromRel}, {chart, chartRel}} {
			if src.data == nil {
				continue
			}
			s, err := yamledit.Get(src.data, p)
			if err != nil {
				return "", "", fmt.Errorf("%s: %w", src.rel, err)
			}
			if s.Found && s.Value != "" {
				return s.Value, src.rel, nil
			}
		}
		return "", "", nil
	}
	if res.Tag, res.TagFrom, err = get(o.Key); err != nil {
		return nil, err
	}
	if res.Digest, res.DigestFrom, err = get(o.DigestKey); err != nil {
		return nil, err
	}
	if res.Tag == "" && res.Digest == "" {
		return nil, fmt.Errorf("promote %s: cluster %s has no %s or %s (in %s or %s)", o.Service, o.From, o.Key, o.DigestKey, fromRel, chartRel)
	}
	if res.Digest == "" && to != nil {
		p, _ := yamledit.ParsePath(o.DigestKey)
		if s, err := yamledit.Get(to, p); err == nil && s.Found && s.Value != "" {
			return nil, fmt.Errorf("promote %s: %s pins %s %s but cluster %s has no digest; remove it from %s first", o.Service, toRel, o.DigestKey, s.Value, o.From, toRel)
		}
	}
	res.File = toRel

	bo := o.Options
	bo.RepoDir = o.ConfigsDir
	bo.Services = []string{o.Service}
	bo.File = filepath.Join(o.ConfigsDir, filepath.FromSlash(toRel))
	bo.Tag, bo.Digest = res.Tag, res.Digest
	bo.AllowLatest = true // the source cluster runs it already
	if bo.Message == "" {
		what := "image tag " + res.Tag
		switch {
		case res.Tag == "":
			what = "image digest " + res.Digest
		case res.Digest != "":
			what += " (" + res.Digest + ")"
		}
		bo.Message = fmt.Sprintf("%s: promote %s from %s to %s", o.Service, what, o.From, o.To)
	}
	r, err := Run(ctx, bo)
	if err != nil {
		return nil, err
	}
	res.Run = r
	if len(r.Services) == 1 {
		s := r.Services[0]
		res.Changed, res.Old, res.OldDigest = s.Changed, s.Old, s.OldDigest
	}
	res.Commit, res.Pushed = r.Commit, r.Pushed
	if res.Changed {
		res.Message = r.Message
	}
	return res, nil
}

// readValues reads a values file (nil when it does not exist).
func readValues(p string) ([]byte, error) {
	b, err := safeyaml.ReadFile(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	return b, err
}
