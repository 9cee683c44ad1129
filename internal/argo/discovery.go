package argo

import (
	"strings"

	"github.com/gitopsctl/gitopsctl/internal/gitrepo"
)

// kustomizationNames are the file names that make a directory a Kustomize
// source.
var kustomizationNames = map[string]bool{
	"kustomization.yaml": true,
	"kustomization.yml":  true,
	"Kustomization":      true,
}

// DiscoverType classifies an app path that sets no explicit source type,
// as Argo CD's source discovery does: the files directly in dir are visited
// in lexical order; a name ending in "Chart.yaml" means Helm, a
// kustomization file name means Kustomize, and the last match wins (so a
// directory holding both Chart.yaml and kustomization.yaml is Kustomize).
// Directories are not files; a symbolic link counts by its own name,
// whatever it points to. No match: Directory.
func DiscoverType(r *gitrepo.Repo, dir string) (string, error) {
	ents, err := r.ReadDir(dir)
	if err != nil {
		return "", err
	}
	t := SourceTypeDirectory
	for _, e := range ents {
		if e.IsDir() {
			continue
		}
		name := e.Name()
		if strings.HasSuffix(name, "Chart.yaml") {
			t = SourceTypeHelm
		}
		if kustomizationNames[name] {
			t = SourceTypeKustomize
		}
	}
	return t, nil
}
