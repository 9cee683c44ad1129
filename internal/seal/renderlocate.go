package seal

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"strings"
	"sync"

	"github.com/gitopsctl/gitopsctl/internal/argo"
	"github.com/gitopsctl/gitopsctl/internal/layout"
	"github.com/gitopsctl/gitopsctl/internal/manifest"
	"github.com/gitopsctl/gitopsctl/internal/render"
)

// locateProbeKey is the placeholder key RenderLocator seals into the chart's
// values (only in memory) when a service has no sealed key yet, so the chart
// renders the SealedSecret it would render with one.
const locateProbeKey = "GITOPSCTL_LOCATE_PROBE"

// RenderLocator finds a service's SealedSecret by rendering the service's
// Application exactly as Argo CD would (release name, namespace, value files
// and overrides included), so strict scope always binds the name and
// namespace the cluster will see. open is called once, on first use; the
// workspace it opens should mask ciphertexts (see LocateOptions), so that
// what is located, and the input digest the render cache keeps it under, do
// not change when keys are resealed. A service whose app's inputs are
// unchanged is located without rendering: when the digest of its inputs
// (InputDigest) is the one known (recorded in the seal state), or the
// render cache holds the answer for it.
func RenderLocator(open func(context.Context) (*render.Workspace, error)) Locator {
	return renderLocator(open, nil)
}

// renderLocator is RenderLocator calling rendered (when set) each time it
// renders a service's app.
func renderLocator(open func(context.Context) (*render.Workspace, error), rendered func(service string)) Locator {
	var (
		once    sync.Once
		ws      *render.Workspace
		openErr error
	)
	return func(ctx context.Context, service string, known Location) (Location, error) {
		once.Do(func() { ws, openErr = open(ctx) })
		if openErr != nil {
			return Location{}, openErr
		}
		app := ws.App(service)
		if app == nil {
			app = appReading(ws, service)
		}
		if app == nil {
			if errs := ws.DiscoveryErrors(); len(errs) > 0 {
				// The Application may be missing because its manifest
				// failed to render: say why, not just "not found".
				return Location{}, fmt.Errorf("cannot locate the SealedSecret: no Application named %q was found under %s, and rendering the Applications failed (fix it, or pass --name and --namespace): %w",
					service, ws.Root(), errors.Join(errs...))
			}
			return Location{}, fmt.Errorf("%w: no Application named %q under %s: pass --name and --namespace", ErrNoSealedSecret, service, ws.Root())
		}
		inputs, ok := ws.InputDigest(app)
		if !ok {
			inputs = ""
		}
		// Located before for these very inputs: no render needed.
		if inputs != "" && known.Inputs == inputs && known.Name != "" && known.Namespace != "" {
			return known, nil
		}
		if data, ok := ws.Derived(app, locateKind); ok {
			var t Target
			if err := json.Unmarshal(data, &t); err == nil && t.Name != "" && t.Namespace != "" {
				return Location{Target: t, Inputs: inputs}, nil
			}
		}
		if rendered != nil {
			rendered(service)
		}
		t, err := locate(ctx, ws, app, service)
		if err != nil {
			return Location{}, err
		}
		if data, err := json.Marshal(t); err == nil {
			ws.StoreDerived(app, locateKind, data)
		}
		return Location{Target: t, Inputs: inputs}, nil
	}
}

// locateKind names the located SealedSecret among what the render cache
// keeps per input digest.
const locateKind = "sealedsecret-target"

// locate renders app to find its one SealedSecret (with a placeholder
// sealed key when the plain render has none).
func locate(ctx context.Context, ws *render.Workspace, app *render.App, service string) (Target, error) {
	res := ws.RenderApps(ctx, []*render.App{app})[0]
	if res.Err != nil {
		return Target{}, renderFailed(res.Err)
	}
	found := sealedSecrets(res.Objects)
	if len(found) == 0 {
		srcs, ok := withProbeKey(app.Sources)
		if !ok {
			return Target{}, fmt.Errorf("%w: Application %s has no Helm chart source: pass --name and --namespace", ErrNoSealedSecret, service)
		}
		res = ws.RenderVariant(ctx, app, srcs)
		if res.Err != nil {
			return Target{}, renderFailed(res.Err)
		}
		found = sealedSecrets(res.Objects)
	}
	switch len(found) {
	case 0:
		return Target{}, fmt.Errorf("%w: Application %s renders no SealedSecret, even with a sealed key: pass --name and --namespace", ErrNoSealedSecret, service)
	case 1:
		return found[0], nil
	default:
		names := make([]string, len(found))
		for i, t := range found {
			names[i] = t.String()
		}
		//lint:ignore ST1005 the message starts with the kind name Application
		return Target{}, fmt.Errorf("Application %s renders %d SealedSecrets (%s): pass --name and --namespace", service, len(found), strings.Join(names, ", "))
	}
}

// appReading finds the Application whose Helm value files list
// <dir>/secrets.yaml of a ref source (a service's per-cluster layer, such
// as backend/clusters/prod, is read by the service's Application in that
// cluster).
func appReading(ws *render.Workspace, dir string) *render.App {
	want := "/" + path.Join(dir, layout.ServiceSecretsFile)
	for _, a := range ws.Apps() {
		for _, s := range a.Sources {
			if s.Helm == nil {
				continue
			}
			for _, vf := range s.Helm.ValueFiles {
				if strings.HasPrefix(vf, "$") && strings.HasSuffix(vf, want) && !strings.Contains(strings.TrimSuffix(vf, want), "/") {
					return a
				}
			}
		}
	}
	return nil
}

// renderFailed says why the SealedSecret could not be located: the render
// error already names the Application and the chart file and line.
func renderFailed(err error) error {
	return fmt.Errorf("cannot locate the SealedSecret (fix the chart, or pass --name and --namespace): %w", err)
}

func sealedSecrets(objs []manifest.Object) []Target {
	var out []Target
	for _, o := range objs {
		k := o.Key()
		if k.Group == "bitnami.com" && k.Kind == "SealedSecret" {
			out = append(out, Target{Name: k.Name, Namespace: k.Namespace})
		}
	}
	return out
}

// withProbeKey returns a copy of srcs whose first Helm chart source sets one
// placeholder sealed key (as a parameter, the highest precedence).
func withProbeKey(srcs []argo.ApplicationSource) ([]argo.ApplicationSource, bool) {
	out := make([]argo.ApplicationSource, len(srcs))
	copy(out, srcs)
	for i, s := range out {
		if s.Ref != "" || (s.Path == "" && s.Chart == "") || s.Directory != nil {
			continue
		}
		h := argo.ApplicationSourceHelm{}
		if s.Helm != nil {
			h = *s.Helm
		}
		h.Parameters = append(append([]argo.HelmParameter(nil), h.Parameters...),
			argo.HelmParameter{Name: "sealedSecrets.encryptedData." + locateProbeKey, Value: "AgA="})
		out[i].Helm = &h
		return out, true
	}
	return nil, false
}
