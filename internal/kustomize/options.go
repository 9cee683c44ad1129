package kustomize

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"sigs.k8s.io/kustomize/api/types"
)

// Options are an Application source's kustomize: block, with the fields
// and JSON names of Argo CD's ApplicationSourceKustomize
// (pkg/apis/application/v1alpha1/types.go in argoproj/argo-cd).
type Options struct {
	NamePrefix                string            `json:"namePrefix,omitempty"`
	NameSuffix                string            `json:"nameSuffix,omitempty"`
	Images                    []string          `json:"images,omitempty"`
	CommonLabels              map[string]string `json:"commonLabels,omitempty"`
	Version                   string            `json:"version,omitempty"`
	CommonAnnotations         map[string]string `json:"commonAnnotations,omitempty"`
	ForceCommonLabels         bool              `json:"forceCommonLabels,omitempty"`
	ForceCommonAnnotations    bool              `json:"forceCommonAnnotations,omitempty"`
	Namespace                 string            `json:"namespace,omitempty"`
	CommonAnnotationsEnvsubst bool              `json:"commonAnnotationsEnvsubst,omitempty"`
	Replicas                  []Replica         `json:"replicas,omitempty"`
	Patches                   []types.Patch     `json:"patches,omitempty"`
	Components                []string          `json:"components,omitempty"`
	IgnoreMissingComponents   bool              `json:"ignoreMissingComponents,omitempty"`
	LabelWithoutSelector      bool              `json:"labelWithoutSelector,omitempty"`
	KubeVersion               string            `json:"kubeVersion,omitempty"`
	APIVersions               []string          `json:"apiVersions,omitempty"`
	LabelIncludeTemplates     bool              `json:"labelIncludeTemplates,omitempty"`
}

// Replica is one replicas: override; Count is an integer or a string of
// one, as in Argo CD (intstr.IntOrString).
type Replica struct {
	Name  string          `json:"name"`
	Count json.RawMessage `json:"count"`
}

// count is the replica count as Argo CD's KustomizeReplica.GetIntCount
// reads it.
func (r Replica) count() (int, error) {
	var n int
	if err := json.Unmarshal(r.Count, &n); err == nil {
		return n, nil
	}
	var s string
	if err := json.Unmarshal(r.Count, &s); err == nil {
		n, err := strconv.Atoi(s)
		if err != nil {
			return 0, fmt.Errorf("expected integer value for count. Received: %s", s)
		}
		return n, nil
	}
	return 0, fmt.Errorf("expected integer value for count. Received: %s", string(r.Count))
}

// ParseOptions decodes a kustomize: block (nil for none). Unknown fields are
// an error: a misspelt option would otherwise be ignored silently.
func ParseOptions(m map[string]any) (*Options, error) {
	if m == nil {
		return nil, nil
	}
	data, err := json.Marshal(m)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var o Options
	if err := dec.Decode(&o); err != nil {
		return nil, fmt.Errorf("kustomize options: %w", err)
	}
	for _, r := range o.Replicas {
		if _, err := r.count(); err != nil {
			return nil, fmt.Errorf("kustomize options: replicas %q: %w", r.Name, err)
		}
	}
	return &o, nil
}

// edits reports whether the options change the kustomization before the
// build (Argo CD runs no "kustomize edit" otherwise).
func (o *Options) edits() bool {
	return o != nil && (o.NamePrefix != "" || o.NameSuffix != "" || len(o.Images) > 0 || len(o.Replicas) > 0 ||
		len(o.CommonLabels) > 0 || len(o.CommonAnnotations) > 0 || o.Namespace != "" || len(o.Patches) > 0 ||
		len(o.Components) > 0)
}

// BuildOptions are the kustomize build flags a config may set, the subset
// of Argo CD's kustomize.buildOptions (argocd-cm) that renders offline.
type BuildOptions struct {
	// EnableHelm is --enable-helm: kustomizations may inflate helmCharts.
	EnableHelm bool
	// LoadRestrictionsNone is --load-restrictor LoadRestrictionsNone: a
	// kustomization may read files outside its own directory (never outside
	// the repository).
	LoadRestrictionsNone bool
}

// ParseBuildOptions reads a kustomize build flags string as Argo CD's
// kustomize.buildOptions: --enable-helm and --load-restrictor
// (LoadRestrictionsRootOnly, the default, or LoadRestrictionsNone) are
// understood; any other flag is an error naming it, since it would change
// the output in a way gitopsctl does not reproduce.
func ParseBuildOptions(s string) (BuildOptions, error) {
	var b BuildOptions
	f := strings.Fields(s)
	for i := 0; i < len(f); i++ {
		flag, val, hasVal := strings.Cut(f[i], "=")
		switch flag {
		case "--enable-helm":
			if hasVal {
				v, err := strconv.ParseBool(val)
				if err != nil {
					return b, fmt.Errorf("kustomize build option %s: %q is not a boolean", flag, val)
				}
				b.EnableHelm = v
				continue
			}
			b.EnableHelm = true
		case "--load-restrictor", "--load_restrictor":
			if !hasVal {
				if i+1 >= len(f) {
					return b, fmt.Errorf("kustomize build option %s needs a value (%s or %s)", flag, types.LoadRestrictionsRootOnly, types.LoadRestrictionsNone)
				}
				i++
				val = f[i]
			}
			switch val {
			case types.LoadRestrictionsNone.String():
				b.LoadRestrictionsNone = true
			case types.LoadRestrictionsRootOnly.String():
				b.LoadRestrictionsNone = false
			default:
				return b, fmt.Errorf("kustomize build option %s: unknown value %q (want %s or %s)", flag, val, types.LoadRestrictionsRootOnly, types.LoadRestrictionsNone)
			}
		default:
			return b, fmt.Errorf("kustomize build option %q is not supported offline (supported: --enable-helm, --load-restrictor)", f[i])
		}
	}
	return b, nil
}
