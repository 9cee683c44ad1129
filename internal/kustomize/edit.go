package kustomize

import (
	"errors"
	"fmt"
	"path"
	"sort"
	"strings"

	"sigs.k8s.io/kustomize/api/pkg/util"
	"sigs.k8s.io/kustomize/api/types"
)

// The edits below reproduce, on the decoded kustomization, what Argo CD's
// Build (util/kustomize/kustomize.go in argoproj/argo-cd) asks of
// "kustomize edit" on a temporary copy before "kustomize build", in its
// order: set nameprefix, set namesuffix, set image, set replicas, add
// label, add annotation, set namespace, the patches appended to patches:,
// add component. The semantics of each command follow kustomize's
// commands/edit (sigs.k8s.io/kustomize/kustomize/v5): every command reads
// the file, applies FixKustomization (bases into resources and the like)
// and writes it back.

// editor applies the options to one kustomization.
type editor struct {
	o *Options
	// subst is Argo CD's envsubst over the build environment.
	subst func(string) string
	// componentExists reports whether a component path (relative to the
	// kustomization directory) exists, for ignoreMissingComponents.
	componentExists func(string) bool
	// glob expands a component pattern relative to the kustomization
	// directory, as "kustomize edit add component" does.
	glob func(string) ([]string, error)
	// file is the kustomization's file name.
	file string
}

func (e *editor) apply(k *types.Kustomization) error {
	o := e.o
	k.FixKustomization()
	if o.NamePrefix != "" {
		k.NamePrefix = o.NamePrefix
	}
	if o.NameSuffix != "" {
		k.NameSuffix = o.NameSuffix
	}
	if len(o.Images) > 0 {
		args := make([]string, len(o.Images))
		for i, im := range o.Images {
			args[i] = e.subst(im)
		}
		if err := setImages(k, args); err != nil {
			return fmt.Errorf("images: %w", err)
		}
	}
	if len(o.Replicas) > 0 {
		if err := setReplicas(k, o.Replicas); err != nil {
			return fmt.Errorf("replicas: %w", err)
		}
	}
	if len(o.CommonLabels) > 0 {
		vals := map[string]string{}
		for n, v := range o.CommonLabels {
			vals[n] = e.subst(v)
		}
		if err := addLabels(k, vals, o.ForceCommonLabels, o.LabelWithoutSelector, o.LabelIncludeTemplates); err != nil {
			return fmt.Errorf("commonLabels: %w", err)
		}
	}
	if len(o.CommonAnnotations) > 0 {
		vals := map[string]string{}
		for n, v := range o.CommonAnnotations {
			if o.CommonAnnotationsEnvsubst {
				v = e.subst(v)
			}
			vals[n] = v
		}
		if err := addAnnotations(k, vals, o.ForceCommonAnnotations); err != nil {
			return fmt.Errorf("commonAnnotations: %w", err)
		}
	}
	if o.Namespace != "" {
		k.Namespace = o.Namespace
	}
	if len(o.Patches) > 0 {
		k.Patches = append(k.Patches, o.Patches...)
	}
	if len(o.Components) > 0 {
		if err := e.addComponents(k); err != nil {
			return fmt.Errorf("components: %w", err)
		}
	}
	return nil
}

var errImageInvalid = errors.New("invalid format of image, use one of: <image>=<newimage>:<newtag>, <image>=<newimage>@<digest>, <image>=<newimage>:<newtag>@<digest>, <image>=<newimage>, <image>:<newtag>, <image>:<newtag>@<digest>, <image>@<digest>")

// preserve ("*") as a new name, tag or digest keeps the kustomization's own.
const preserve = "*"

// parseImage reads one "kustomize edit set image" argument.
func parseImage(arg string) (types.Image, error) {
	key, value, hasKey := strings.Cut(arg, "=")
	if !hasKey {
		value = arg
	}
	name, tag, digest := util.SplitImageName(value)
	if name == arg {
		return types.Image{}, fmt.Errorf("%q: %w", arg, errImageInvalid)
	}
	im := types.Image{NewTag: tag, Digest: digest}
	if hasKey {
		im.Name, im.NewName = key, name
	} else {
		im.Name = name
	}
	return im, nil
}

// setImages is "kustomize edit set image ARGS": an argument replaces the
// kustomization's entry of the same name (keeping its fields given as
// "*"), other entries stay, and the list is sorted by name.
func setImages(k *types.Kustomization, args []string) error {
	byName := map[string]types.Image{}
	for _, a := range args {
		im, err := parseImage(a)
		if err != nil {
			return err
		}
		byName[im.Name] = im
	}
	given := map[string]bool{}
	for n := range byName {
		given[n] = true
	}
	for _, old := range k.Images {
		if !given[old.Name] {
			byName[old.Name] = old
			continue
		}
		im := byName[old.Name]
		if im.NewName == preserve {
			im.NewName = old.NewName
		}
		if im.NewTag == preserve {
			im.NewTag = old.NewTag
		}
		if im.Digest == preserve {
			im.Digest = old.Digest
		}
		byName[old.Name] = im
	}
	images := make([]types.Image, 0, len(byName))
	for _, im := range byName {
		if im.NewName == preserve {
			im.NewName = ""
		}
		if im.NewTag == preserve {
			im.NewTag = ""
		}
		if im.Digest == preserve {
			im.Digest = ""
		}
		images = append(images, im)
	}
	sort.Slice(images, func(i, j int) bool { return images[i].Name < images[j].Name })
	k.Images = images
	return nil
}

// setReplicas is "kustomize edit set replicas NAME=COUNT...": given names
// replace the kustomization's entries, others stay, sorted by name.
func setReplicas(k *types.Kustomization, reps []Replica) error {
	byName := map[string]types.Replica{}
	for _, r := range reps {
		n, err := r.count()
		if err != nil {
			return err
		}
		// Argo CD passes "NAME=COUNT"; kustomize splits it at "=" and wants
		// exactly two parts.
		if strings.Contains(r.Name, "=") {
			return fmt.Errorf("invalid replicas argument %q: the name must not contain '='", fmt.Sprintf("%s=%d", r.Name, n))
		}
		byName[r.Name] = types.Replica{Name: r.Name, Count: int64(n)}
	}
	for _, old := range k.Replicas {
		if _, ok := byName[old.Name]; !ok {
			byName[old.Name] = old
		}
	}
	out := make([]types.Replica, 0, len(byName))
	for _, r := range byName {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	k.Replicas = out
	return nil
}

// metadataPairs turns Argo CD's "NAME:VALUE" arguments back into pairs the
// way kustomize reads them: the key ends at the first ":", a value in
// double quotes loses them.
func metadataPairs(kind string, vals map[string]string) (map[string]string, []string, error) {
	out := map[string]string{}
	for n, v := range vals {
		arg := n + ":" + v
		c := strings.Index(arg, ":")
		if c == 0 {
			return nil, nil, fmt.Errorf("invalid %s: '%s' (need k:v pair where v may be quoted)", kind, arg)
		}
		key, val := arg[:c], arg[c+1:]
		if len(val) >= 2 && val[0] == '"' && val[len(val)-1] == '"' {
			val = val[1 : len(val)-1]
		}
		out[key] = val
	}
	keys := make([]string, 0, len(out))
	for k := range out {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return out, keys, nil
}

func putMeta(m map[string]string, kind, k, v string, force bool) error {
	if _, ok := m[k]; ok && !force {
		return fmt.Errorf("%s %s already in kustomization file. Use --force to override", kind, k)
	}
	m[k] = v
	return nil
}

// addAnnotations is "kustomize edit add annotation [--force]".
func addAnnotations(k *types.Kustomization, vals map[string]string, force bool) error {
	pairs, keys, err := metadataPairs("annotation", vals)
	if err != nil {
		return err
	}
	if k.CommonAnnotations == nil {
		k.CommonAnnotations = map[string]string{}
	}
	for _, key := range keys {
		if err := putMeta(k.CommonAnnotations, "annotation", key, pairs[key], force); err != nil {
			return err
		}
	}
	return nil
}

// addLabels is "kustomize edit add label [--force] [--without-selector
// [--include-templates]]": into commonLabels, or without selectors into
// the first labels: entry with the same settings (a new one if none).
func addLabels(k *types.Kustomization, vals map[string]string, force, withoutSelector, includeTemplates bool) error {
	if includeTemplates && !withoutSelector {
		return errors.New("labelIncludeTemplates needs labelWithoutSelector (kustomize: --without-selector flag must be specified for --include-templates to work)")
	}
	pairs, keys, err := metadataPairs("label", vals)
	if err != nil {
		return err
	}
	if !withoutSelector {
		//lint:ignore SA1019 "kustomize edit add label" writes commonLabels, as Argo CD has it do
		common := &k.CommonLabels
		if *common == nil {
			*common = map[string]string{}
		}
		for _, key := range keys {
			if err := putMeta(*common, "label", key, pairs[key], force); err != nil {
				return err
			}
		}
		return nil
	}
	for _, key := range keys {
		i := -1
		for j, l := range k.Labels {
			if !l.IncludeSelectors && l.IncludeTemplates == includeTemplates {
				i = j
				break
			}
		}
		if i < 0 {
			k.Labels = append(k.Labels, types.Label{Pairs: map[string]string{}, IncludeTemplates: includeTemplates})
			i = len(k.Labels) - 1
		}
		if k.Labels[i].Pairs == nil {
			k.Labels[i].Pairs = map[string]string{}
		}
		if err := putMeta(k.Labels[i].Pairs, "label", key, pairs[key], force); err != nil {
			return err
		}
	}
	return nil
}

// addComponents is Argo CD's components step: with
// ignoreMissingComponents the paths that do not exist are dropped first;
// then "kustomize edit add component" expands each as a glob (a pattern
// matching nothing is an error), skips the kustomization file itself and
// entries already listed, and appends the rest.
func (e *editor) addComponents(k *types.Kustomization) error {
	comps := e.o.Components
	if e.o.IgnoreMissingComponents {
		comps = nil
		for _, c := range e.o.Components {
			if e.componentExists(c) {
				comps = append(comps, c)
			}
		}
		if len(comps) == 0 {
			return nil
		}
	}
	var found []string
	for _, c := range comps {
		if isRemote(c) {
			return &RemoteError{Ref: c, Field: "components"}
		}
		m, err := e.glob(c)
		if err != nil {
			return fmt.Errorf("component %q: %w", c, err)
		}
		if len(m) == 0 {
			return fmt.Errorf("component %q has no match: no such file or directory next to the kustomization", c)
		}
		found = append(found, m...)
	}
	for _, c := range found {
		if path.Clean(c) == e.file {
			continue
		}
		dup := false
		for _, have := range k.Components {
			dup = dup || have == c
		}
		if !dup {
			k.Components = append(k.Components, c)
		}
	}
	return nil
}
