package seal

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/gitopsctl/gitopsctl/internal/argo"
	"github.com/gitopsctl/gitopsctl/internal/layout"
)

// Target is where a service's SealedSecret (and the Secret it unseals to)
// lives in the cluster.
type Target struct {
	Name      string `json:"name"`
	Namespace string `json:"namespace"`
}

func (t Target) String() string { return t.Namespace + "/" + t.Name }

// Locator tells where a service's SealedSecret is rendered. This is the seam
// between sealing and rendering: AppLocator reads the Application manifest
// and applies the naming contract; a renderer-backed Locator can replace it
// without any other change.
type Locator func(ctx context.Context, service string) (Target, error)

// ErrNoSealedSecret is returned (wrapped) when a service renders no
// SealedSecret, so a strict or namespace-wide seal needs --name/--namespace.
var ErrNoSealedSecret = errors.New("no SealedSecret found for the service")

// SecretName is the SealedSecret name of a release (the chart contract).
func SecretName(release string) string { return release + "-secrets" }

// AppLocator finds a service's Application at
// argo-apps/clusters/<cluster>/*/<service>.yaml under repoDir. The
// SealedSecret is "<release>-secrets" (release = helm.releaseName, else the
// Application name) in the Helm namespace (helm.namespace, else the
// destination namespace), and the chart must have a SealedSecret template.
func AppLocator(repoDir, cluster string) Locator {
	return func(_ context.Context, service string) (Target, error) {
		pattern := filepath.Join(layout.ClusterAppsDir(repoDir, cluster, "*"), service+".yaml")
		matches, err := filepath.Glob(pattern)
		if err != nil {
			return Target{}, err
		}
		switch len(matches) {
		case 0:
			return Target{}, fmt.Errorf("%w: no Application %s in %s: pass --name and --namespace", ErrNoSealedSecret,
				filepath.ToSlash(filepath.Join(layout.AppsDir, "clusters", cluster, "*", service+".yaml")), repoDir)
		case 1:
		default:
			return Target{}, fmt.Errorf("more than one Application for %s: %s", service, strings.Join(matches, ", "))
		}
		data, err := os.ReadFile(matches[0])
		if err != nil {
			return Target{}, err
		}
		app, err := argo.DecodeApplication(data)
		if err != nil {
			return Target{}, fmt.Errorf("%s: %w", matches[0], err)
		}
		var chart *argo.ApplicationSource
		for _, s := range app.Spec.GetSources() {
			if s.Ref == "" && (s.Path != "" || s.Chart != "") {
				s := s
				chart = &s
				break
			}
		}
		if chart == nil {
			return Target{}, fmt.Errorf("%w: %s has no chart source", ErrNoSealedSecret, matches[0])
		}
		release, ns := app.Name, app.Spec.Destination.Namespace
		if h := chart.Helm; h != nil {
			if h.ReleaseName != "" {
				release = h.ReleaseName
			}
			if h.Namespace != "" {
				ns = h.Namespace
			}
		}
		if ns == "" {
			return Target{}, fmt.Errorf("%s: the Application has no destination namespace: pass --namespace", matches[0])
		}
		if chart.Path != "" {
			dir := filepath.Join(repoDir, filepath.FromSlash(chart.Path), "templates")
			if ok, known := hasSealedSecretTemplate(dir); known && !ok {
				return Target{}, fmt.Errorf("%w: chart %s has no SealedSecret template: pass --name and --namespace", ErrNoSealedSecret, chart.Path)
			}
		}
		return Target{Name: SecretName(release), Namespace: ns}, nil
	}
}

// hasSealedSecretTemplate reports whether a template in dir declares a
// SealedSecret; known is false when dir cannot be read (a remote chart).
func hasSealedSecretTemplate(dir string) (ok, known bool) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return false, false
	}
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err == nil && strings.Contains(string(b), "kind: SealedSecret") {
			return true, true
		}
	}
	return false, true
}
