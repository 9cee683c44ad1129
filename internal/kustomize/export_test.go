package kustomize

// Test helpers shared with the external tests of this directory (the
// helmCharts conformance test renders with internal/render, which imports
// this package).
var (
	Tree           = tree
	KustomizeCLI   = kustomizeCLI
	CLIBuild       = cliBuild
	ArgoEdits      = argoEdits
	DiffObjects    = diffObjects
	BuildModuleCLI = buildModuleCLI
)
