// Package argo holds the Argo CD Application and AppProject types gitopsctl
// reads and writes. They mirror the fields of argoproj/argo-cd's
// pkg/apis/application/v1alpha1 that matter offline, with the same JSON
// names, so manifests decode strictly (unknown fields are errors).
package argo

import (
	"bytes"
	"fmt"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"
)

const (
	Group        = "argoproj.io"
	APIVersion   = "argoproj.io/v1alpha1"
	KindApp      = "Application"
	KindProject  = "AppProject"
	DefaultProj  = "default"
	InClusterURL = "https://kubernetes.default.svc"
)

// Application is an Argo CD Application.
type Application struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata"`
	Spec              ApplicationSpec    `json:"spec"`
	Status            *ApplicationStatus `json:"status,omitempty"`
	Operation         map[string]any     `json:"operation,omitempty"`
}

// ApplicationStatus is kept opaque: gitopsctl never reads it.
type ApplicationStatus map[string]any

// ApplicationSpec is the desired state of an Application.
type ApplicationSpec struct {
	Source               *ApplicationSource     `json:"source,omitempty"`
	Sources              []ApplicationSource    `json:"sources,omitempty"`
	Destination          ApplicationDestination `json:"destination"`
	Project              string                 `json:"project"`
	SyncPolicy           *SyncPolicy            `json:"syncPolicy,omitempty"`
	IgnoreDifferences    []map[string]any       `json:"ignoreDifferences,omitempty"`
	Info                 []map[string]string    `json:"info,omitempty"`
	RevisionHistoryLimit *int64                 `json:"revisionHistoryLimit,omitempty"`
	SourceHydrator       map[string]any         `json:"sourceHydrator,omitempty"`
}

// HasMultipleSources reports whether spec.sources is used (spec.source is then ignored).
func (s ApplicationSpec) HasMultipleSources() bool { return len(s.Sources) > 0 }

// GetSources returns the sources in effect.
func (s ApplicationSpec) GetSources() []ApplicationSource {
	if s.HasMultipleSources() {
		return s.Sources
	}
	if s.Source != nil {
		return []ApplicationSource{*s.Source}
	}
	return nil
}

// ApplicationSource is one source of an Application.
type ApplicationSource struct {
	RepoURL        string                      `json:"repoURL"`
	Path           string                      `json:"path,omitempty"`
	TargetRevision string                      `json:"targetRevision,omitempty"`
	Helm           *ApplicationSourceHelm      `json:"helm,omitempty"`
	Kustomize      map[string]any              `json:"kustomize,omitempty"`
	Directory      *ApplicationSourceDirectory `json:"directory,omitempty"`
	Plugin         map[string]any              `json:"plugin,omitempty"`
	Chart          string                      `json:"chart,omitempty"`
	Ref            string                      `json:"ref,omitempty"`
	Name           string                      `json:"name,omitempty"`
}

// ApplicationSourceHelm holds Helm options of a source.
type ApplicationSourceHelm struct {
	ValueFiles              []string        `json:"valueFiles,omitempty"`
	Parameters              []HelmParameter `json:"parameters,omitempty"`
	ReleaseName             string          `json:"releaseName,omitempty"`
	Values                  string          `json:"values,omitempty"`
	FileParameters          []HelmFileParam `json:"fileParameters,omitempty"`
	Version                 string          `json:"version,omitempty"`
	PassCredentials         bool            `json:"passCredentials,omitempty"`
	IgnoreMissingValueFiles bool            `json:"ignoreMissingValueFiles,omitempty"`
	SkipCrds                bool            `json:"skipCrds,omitempty"`
	SkipSchemaValidation    bool            `json:"skipSchemaValidation,omitempty"`
	SkipTests               bool            `json:"skipTests,omitempty"`
	ValuesObject            *RawObject      `json:"valuesObject,omitempty"`
	Namespace               string          `json:"namespace,omitempty"`
	KubeVersion             string          `json:"kubeVersion,omitempty"`
	APIVersions             []string        `json:"apiVersions,omitempty"`
}

// RawObject keeps an arbitrary JSON object (valuesObject) as raw bytes.
type RawObject struct{ Raw []byte }

func (r RawObject) MarshalJSON() ([]byte, error) {
	if len(r.Raw) == 0 {
		return []byte("null"), nil
	}
	return r.Raw, nil
}

func (r *RawObject) UnmarshalJSON(b []byte) error {
	r.Raw = append([]byte(nil), b...)
	return nil
}

// HelmParameter is a --set (or --set-string with ForceString) parameter.
type HelmParameter struct {
	Name        string `json:"name,omitempty"`
	Value       string `json:"value,omitempty"`
	ForceString bool   `json:"forceString,omitempty"`
}

// HelmFileParam is a --set-file parameter.
type HelmFileParam struct {
	Name string `json:"name,omitempty"`
	Path string `json:"path,omitempty"`
}

// ApplicationSourceDirectory holds Directory source options.
type ApplicationSourceDirectory struct {
	Recurse bool           `json:"recurse,omitempty"`
	Jsonnet map[string]any `json:"jsonnet,omitempty"`
	Exclude string         `json:"exclude,omitempty"`
	Include string         `json:"include,omitempty"`
}

// ApplicationDestination is where an Application deploys.
type ApplicationDestination struct {
	Server    string `json:"server,omitempty"`
	Namespace string `json:"namespace,omitempty"`
	Name      string `json:"name,omitempty"`
}

// SyncPolicy is kept loosely typed except for the fields gitopsctl writes.
type SyncPolicy struct {
	Automated                *SyncPolicyAutomated `json:"automated,omitempty"`
	SyncOptions              []string             `json:"syncOptions,omitempty"`
	Retry                    map[string]any       `json:"retry,omitempty"`
	ManagedNamespaceMetadata map[string]any       `json:"managedNamespaceMetadata,omitempty"`
}

// SyncPolicyAutomated enables automated sync.
type SyncPolicyAutomated struct {
	Prune      bool  `json:"prune,omitempty"`
	SelfHeal   bool  `json:"selfHeal,omitempty"`
	AllowEmpty bool  `json:"allowEmpty,omitempty"`
	Enabled    *bool `json:"enabled,omitempty"`
}

// AppProject is an Argo CD AppProject.
type AppProject struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata"`
	Spec              AppProjectSpec `json:"spec"`
	Status            map[string]any `json:"status,omitempty"`
}

// AppProjectSpec restricts what Applications of the project may do.
type AppProjectSpec struct {
	SourceRepos                     []string                 `json:"sourceRepos,omitempty"`
	Destinations                    []ApplicationDestination `json:"destinations,omitempty"`
	Description                     string                   `json:"description,omitempty"`
	Roles                           []map[string]any         `json:"roles,omitempty"`
	ClusterResourceWhitelist        []GroupKind              `json:"clusterResourceWhitelist,omitempty"`
	ClusterResourceBlacklist        []GroupKind              `json:"clusterResourceBlacklist,omitempty"`
	NamespaceResourceBlacklist      []GroupKind              `json:"namespaceResourceBlacklist,omitempty"`
	NamespaceResourceWhitelist      []GroupKind              `json:"namespaceResourceWhitelist,omitempty"`
	OrphanedResources               map[string]any           `json:"orphanedResources,omitempty"`
	SyncWindows                     []map[string]any         `json:"syncWindows,omitempty"`
	SignatureKeys                   []map[string]any         `json:"signatureKeys,omitempty"`
	SourceNamespaces                []string                 `json:"sourceNamespaces,omitempty"`
	PermitOnlyProjectScopedClusters bool                     `json:"permitOnlyProjectScopedClusters,omitempty"`
	DestinationServiceAccounts      []map[string]any         `json:"destinationServiceAccounts,omitempty"`
}

// GroupKind names a resource kind; "*" matches any.
type GroupKind struct {
	Group string `json:"group"`
	Kind  string `json:"kind"`
}

// DecodeApplication decodes one YAML/JSON document strictly.
func DecodeApplication(doc []byte) (*Application, error) {
	var a Application
	if err := yaml.UnmarshalStrict(doc, &a); err != nil {
		return nil, fmt.Errorf("decode Application: %w", err)
	}
	if a.Kind != KindApp {
		return nil, fmt.Errorf("decode Application: kind is %q", a.Kind)
	}
	return &a, nil
}

// DecodeAppProject decodes one YAML/JSON document strictly.
func DecodeAppProject(doc []byte) (*AppProject, error) {
	var p AppProject
	if err := yaml.UnmarshalStrict(doc, &p); err != nil {
		return nil, fmt.Errorf("decode AppProject: %w", err)
	}
	if p.Kind != KindProject {
		return nil, fmt.Errorf("decode AppProject: kind is %q", p.Kind)
	}
	return &p, nil
}

// Marshal renders an object as YAML.
func Marshal(v any) ([]byte, error) {
	b, err := yaml.Marshal(v)
	if err != nil {
		return nil, err
	}
	return bytes.TrimLeft(b, "\n"), nil
}
