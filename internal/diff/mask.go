package diff

import (
	"encoding/base64"
	"sort"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// Markers written in place of secret material. They never depend on the
// value, so nothing about it (not even its length) reaches the output.
const (
	hiddenValue    = "<hidden>"
	hiddenOld      = "<hidden: old value>"
	hiddenNew      = "<hidden: new value>"
	sealedValue    = "<sealed>"
	sealedOld      = "<sealed: old ciphertext>"
	sealedNew      = "<sealed: new ciphertext>"
	lastAppliedAnn = "kubectl.kubernetes.io/last-applied-configuration"
)

func isSecret(u *unstructured.Unstructured) bool {
	gvk := u.GroupVersionKind()
	return u != nil && gvk.Group == "" && gvk.Kind == "Secret"
}

func isSealedSecret(u *unstructured.Unstructured) bool {
	gvk := u.GroupVersionKind()
	return u != nil && gvk.Group == "bitnami.com" && gvk.Kind == "SealedSecret"
}

// mask returns copies of base and head (either may be nil) that are safe to
// print, and which secret keys changed. For a Secret the values of data and
// stringData are replaced by markers that only say whether the value
// changed. For a SealedSecret, ciphertexts are abbreviated; a ciphertext
// that changed under a key present on both sides counts as resealed and is
// masked identically on both sides, so that a pure reseal leaves the two
// copies equal.
func mask(base, head *unstructured.Unstructured) (bm, hm map[string]any, keys *Keys) {
	if base != nil {
		bm = base.DeepCopy().Object
	}
	if head != nil {
		hm = head.DeepCopy().Object
	}
	switch {
	case (base == nil || isSecret(base)) && (head == nil || isSecret(head)):
		keys = maskSecret(bm, hm)
	case (base == nil || isSealedSecret(base)) && (head == nil || isSealedSecret(head)):
		keys = maskSealed(bm, hm)
	default:
		// A kind change under the same key cannot happen (kind is part of
		// the key), but mask defensively anyway.
		if base != nil && isSecret(base) {
			maskSecret(bm, nil)
		}
		if head != nil && isSecret(head) {
			maskSecret(nil, hm)
		}
	}
	return bm, hm, keys
}

// secretValues returns a Secret's effective values: data (base64-decoded)
// overlaid with stringData, as the API server merges them.
func secretValues(m map[string]any) map[string]string {
	out := map[string]string{}
	if m == nil {
		return out
	}
	if data, ok := m["data"].(map[string]any); ok {
		for k, v := range data {
			s, _ := v.(string)
			if dec, err := base64.StdEncoding.DecodeString(s); err == nil {
				out[k] = string(dec)
			} else {
				out[k] = s
			}
		}
	}
	if sd, ok := m["stringData"].(map[string]any); ok {
		for k, v := range sd {
			s, _ := v.(string)
			out[k] = s
		}
	}
	return out
}

func maskSecret(bm, hm map[string]any) *Keys {
	bv, hv := secretValues(bm), secretValues(hm)
	keys := &Keys{}
	status := map[string]string{} // key -> same | changed
	for k, b := range bv {
		h, ok := hv[k]
		switch {
		case !ok:
			if hm != nil {
				keys.Removed = append(keys.Removed, k)
			}
		case h != b:
			keys.Changed = append(keys.Changed, k)
			status[k] = "changed"
		default:
			status[k] = "same"
		}
	}
	for k := range hv {
		if _, ok := bv[k]; !ok && bm != nil {
			keys.Added = append(keys.Added, k)
		}
	}
	if bm == nil {
		for k := range hv {
			keys.Added = append(keys.Added, k)
		}
	}
	if hm == nil {
		for k := range bv {
			keys.Removed = append(keys.Removed, k)
		}
	}
	for _, side := range []struct {
		m      map[string]any
		marker string
	}{{bm, hiddenOld}, {hm, hiddenNew}} {
		if side.m == nil {
			continue
		}
		for _, field := range []string{"data", "stringData"} {
			if data, ok := side.m[field].(map[string]any); ok {
				for k := range data {
					if status[k] == "changed" {
						data[k] = side.marker
					} else {
						data[k] = hiddenValue
					}
				}
			}
		}
		if md, ok := side.m["metadata"].(map[string]any); ok {
			if ann, ok := md["annotations"].(map[string]any); ok {
				if _, ok := ann[lastAppliedAnn]; ok {
					ann[lastAppliedAnn] = hiddenValue
				}
			}
		}
	}
	keys.sort()
	return keys
}

func encryptedData(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	spec, _ := m["spec"].(map[string]any)
	if spec == nil {
		return nil
	}
	ed, _ := spec["encryptedData"].(map[string]any)
	return ed
}

func maskSealed(bm, hm map[string]any) *Keys {
	be, he := encryptedData(bm), encryptedData(hm)
	keys := &Keys{}
	for k, b := range be {
		h, ok := he[k]
		switch {
		case !ok:
			keys.Removed = append(keys.Removed, k)
		case h != b:
			keys.Resealed = append(keys.Resealed, k)
		}
	}
	for k := range he {
		if _, ok := be[k]; !ok {
			keys.Added = append(keys.Added, k)
		}
	}
	for k := range be {
		be[k] = sealedValue
	}
	for k := range he {
		he[k] = sealedValue
	}
	keys.sort()
	return keys
}

// distinctReseal marks resealed keys differently on the two sides, for a
// diff of a SealedSecret that changed in more than its ciphertexts.
func distinctReseal(bm, hm map[string]any, keys *Keys) {
	if keys == nil {
		return
	}
	be, he := encryptedData(bm), encryptedData(hm)
	for _, k := range keys.Resealed {
		if be != nil {
			be[k] = sealedOld
		}
		if he != nil {
			he[k] = sealedNew
		}
	}
}

func (k *Keys) sort() {
	sort.Strings(k.Added)
	sort.Strings(k.Removed)
	sort.Strings(k.Changed)
	sort.Strings(k.Resealed)
}
