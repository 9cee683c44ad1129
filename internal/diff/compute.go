package diff

import (
	"context"
	"runtime"
	"sort"
	"strings"

	"golang.org/x/sync/errgroup"

	"github.com/gitopsctl/gitopsctl/internal/render"
)

// Side is one side of a diff: the apps of a pair of repository revisions and
// a way to render them.
type Side interface {
	// Apps lists the Application names.
	Apps() []string
	// Inputs lists the files an app's rendering reads; an error means
	// "unknown" and makes the app count as affected.
	Inputs(app string) ([]render.RepoInput, error)
	// Render renders the named apps.
	Render(ctx context.Context, apps ...string) []render.Rendered
}

// Options select what Compute compares.
type Options struct {
	// Apps restricts the diff to these apps (all when empty).
	Apps []string
	// Changes are the changed paths between the two sides. Nil means
	// unknown: every app is rendered.
	Changes render.Changes
	// Shard restricts the diff to the apps of one shard (zero: all).
	Shard render.Shard
}

// Result is the diff of two sides.
type Result struct {
	// Sides names the revisions compared (set by Run).
	Sides *Sides `json:"sides,omitempty"`
	// Shard is the part of the apps compared, when sharded: Apps,
	// Unchanged and Skipped hold only its apps ('diff merge' joins the
	// shards).
	Shard *render.Shard `json:"shard,omitempty"`
	// Apps are the apps that changed or failed to render, by name.
	Apps []AppDiff `json:"apps"`
	// Unchanged are apps rendered on both sides with identical output.
	Unchanged []string `json:"unchanged"`
	// Skipped are apps not rendered because none of their inputs changed.
	Skipped []string `json:"skipped"`
	// Notes say which roots each side started from when none were given;
	// Warnings list what is not rendered (ApplicationSets). Set by the caller.
	Notes    []string `json:"notes,omitempty"`
	Warnings []string `json:"warnings,omitempty"`
	// AppSetErrors are the ApplicationSets that failed to generate on
	// either side (set by the caller): the diff is incomplete.
	AppSetErrors []string `json:"applicationSetErrors,omitempty"`
}

// Changed reports whether any app changed.
func (r *Result) Changed() bool {
	for _, a := range r.Apps {
		if a.Error == "" {
			return true
		}
	}
	return false
}

// Errors lists the apps that failed to render.
func (r *Result) Errors() []string {
	var out []string
	for _, a := range r.Apps {
		if a.Error != "" {
			out = append(out, a.App)
		}
	}
	return out
}

// Compute renders the affected apps on both sides and compares them.
func Compute(ctx context.Context, base, head Side, opts Options) (*Result, error) {
	inBase, inHead := set(base.Apps()), set(head.Apps())
	all := union(inBase, inHead)
	if len(opts.Apps) > 0 {
		var unknown []string
		for _, a := range opts.Apps {
			if !inBase[a] && !inHead[a] {
				unknown = append(unknown, a)
			}
		}
		if len(unknown) > 0 {
			return nil, &render.UnknownAppsError{Names: unknown, Known: all}
		}
		all = union(set(opts.Apps), nil)
	}
	all = opts.Shard.Filter(all)
	toRender := all
	var skipped []string
	if opts.Changes != nil {
		var bi, hi map[string][]render.RepoInput
		var g errgroup.Group
		g.Go(func() error { bi = inputs(base, inBase, all); return nil })
		g.Go(func() error { hi = inputs(head, inHead, all); return nil })
		_ = g.Wait()
		toRender, skipped = render.Affected(all, bi, hi, opts.Changes)
	}
	res := &Result{Apps: []AppDiff{}, Unchanged: []string{}, Skipped: skipped}
	if opts.Shard.Sharded() {
		sh := opts.Shard
		res.Shard = &sh
	}
	if res.Skipped == nil {
		res.Skipped = []string{}
	}
	var bNames, hNames []string
	for _, a := range toRender {
		if inBase[a] {
			bNames = append(bNames, a)
		}
		if inHead[a] {
			hNames = append(hNames, a)
		}
	}
	bOut, hOut := byApp(base.Render(ctx, bNames...)), byApp(head.Render(ctx, hNames...))
	for _, a := range toRender {
		b, hasB := bOut[a]
		h, hasH := hOut[a]
		var errs []string
		if hasB && b.Err != nil {
			errs = append(errs, "base: "+b.Err.Error())
		}
		if hasH && h.Err != nil {
			errs = append(errs, "head: "+h.Err.Error())
		}
		if len(errs) > 0 {
			res.Apps = append(res.Apps, AppDiff{App: a, Status: "error", Error: strings.Join(errs, "; ")})
			continue
		}
		ad := Compare(a, b.Objects, h.Objects)
		switch {
		case !hasB && hasH:
			ad.Status = "added"
		case hasB && !hasH:
			ad.Status = "removed"
		}
		if ad.Status == "unchanged" {
			res.Unchanged = append(res.Unchanged, a)
			continue
		}
		res.Apps = append(res.Apps, ad)
	}
	return res, nil
}

// inputs asks a side for the inputs of its apps, a few at a time (sides
// are safe for concurrent use).
func inputs(s Side, exists map[string]bool, apps []string) map[string][]render.RepoInput {
	var names []string
	for _, a := range apps {
		if exists[a] {
			names = append(names, a)
		}
	}
	lists := make([][]render.RepoInput, len(names))
	var g errgroup.Group
	g.SetLimit(runtime.GOMAXPROCS(0))
	for i := range names {
		g.Go(func() error {
			if in, err := s.Inputs(names[i]); err == nil {
				lists[i] = in
			}
			return nil
		})
	}
	_ = g.Wait()
	out := make(map[string][]render.RepoInput, len(names))
	for i, n := range names {
		out[n] = lists[i]
	}
	return out
}

func byApp(rs []render.Rendered) map[string]render.Rendered {
	m := make(map[string]render.Rendered, len(rs))
	for _, r := range rs {
		m[r.App] = r
	}
	return m
}

func set(xs []string) map[string]bool {
	m := make(map[string]bool, len(xs))
	for _, x := range xs {
		m[x] = true
	}
	return m
}

func union(a, b map[string]bool) []string {
	m := map[string]bool{}
	for k := range a {
		m[k] = true
	}
	for k := range b {
		m[k] = true
	}
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
