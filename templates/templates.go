// Package templates embeds the files gitopsctl scaffolds: the service chart,
// the Argo CD Application, AppProject and root Application manifests, the
// configs-repo value files and the platform wrapper charts.
//
// Files whose name ends in ".tmpl" are Go text/templates rendered with the
// delimiters "[[" and "]]" (so that Helm's "{{ }}" passes through untouched);
// the ".tmpl" suffix is dropped from the output name. Every other file is
// copied verbatim.
package templates

import "embed"

// FS holds every template, rooted at this directory.
//
//go:embed all:chart all:argo all:configs all:platform
var FS embed.FS

// Roots of the template sets inside FS.
const (
	// Chart is the per-service Helm chart (charts/<service>/).
	Chart = "chart"
	// Platform holds the platform wrapper charts: common/ (Chart.yaml with
	// the upstream dependency) and one directory per component (values.yaml
	// and templates of its own).
	Platform = "platform"
	// Application is a service's multi-source Application.
	Application = "argo/application.yaml.tmpl"
	// PlatformApplication is a platform component's single-source Application.
	PlatformApplication = "argo/platform-application.yaml.tmpl"
	// AppProject is one AppProject under argo-apps/projects/.
	AppProject = "argo/appproject.yaml.tmpl"
	// RootApp is the App of Apps at the gitops-repo root.
	RootApp = "argo/root-app.yaml.tmpl"
	// ConfigValues is <service>/config.yaml in the configs-repo.
	ConfigValues = "configs/config.yaml.tmpl"
	// SecretsValues is <service>/secrets.yaml in the configs-repo.
	SecretsValues = "configs/secrets.yaml.tmpl"
)

// LeftDelim and RightDelim delimit template actions in ".tmpl" files.
const (
	LeftDelim  = "[["
	RightDelim = "]]"
)
