package appset

import (
	"encoding/json"
	"fmt"
	"strings"

	"sigs.k8s.io/yaml"
)

// applyPatch applies a rendered templatePatch (YAML or JSON) to a
// generated Application as a strategic merge patch on Argo CD's
// Application type does (applicationset/controllers/template/patch.go):
// maps merge key by key, null deletes, lists are replaced (the type
// declares no merge keys) except metadata.finalizers, which merges; the
// patch cannot change spec.project.
func applyPatch(app map[string]any, patch string) (map[string]any, error) {
	data := []byte(patch)
	if s := strings.TrimSpace(patch); s == "" || s[0] != '{' {
		j, err := yaml.YAMLToJSON(data)
		if err != nil {
			return nil, fmt.Errorf("error while converting template to json %q: %w", patch, err)
		}
		data = j
	}
	var p map[string]any
	if err := json.Unmarshal(data, &p); err != nil {
		return nil, fmt.Errorf("invalid templatePatch %q: %w", patch, err)
	}
	project := lookup(app, "spec", "project")
	out := patchMap(deepCopy(app).(map[string]any), p, "")
	if spec, ok := out["spec"].(map[string]any); ok {
		if project != nil {
			spec["project"] = project
		} else {
			delete(spec, "project")
		}
	}
	return out, nil
}

func patchMap(dst, p map[string]any, at string) map[string]any {
	for k, pv := range p {
		field := k
		if at != "" {
			field = at + "." + k
		}
		if pv == nil {
			delete(dst, k)
			continue
		}
		dm, dIsMap := dst[k].(map[string]any)
		pm, pIsMap := pv.(map[string]any)
		switch {
		case dIsMap && pIsMap:
			dst[k] = patchMap(dm, pm, field)
		case pIsMap:
			dst[k] = patchMap(map[string]any{}, pm, field)
		case field == "metadata.finalizers":
			dst[k] = unionList(dst[k], pv)
		default:
			dst[k] = pv
		}
	}
	return dst
}

func unionList(a, b any) any {
	al, _ := a.([]any)
	bl, ok := b.([]any)
	if !ok {
		return b
	}
	out := append([]any(nil), al...)
	seen := map[string]bool{}
	for _, x := range al {
		seen[fmt.Sprint(x)] = true
	}
	for _, x := range bl {
		if !seen[fmt.Sprint(x)] {
			seen[fmt.Sprint(x)] = true
			out = append(out, x)
		}
	}
	return out
}

func lookup(m map[string]any, keys ...string) any {
	var cur any = m
	for _, k := range keys {
		mm, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = mm[k]
	}
	return cur
}
