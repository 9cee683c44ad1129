package seal

import (
	"sort"

	"github.com/gitopsctl/gitopsctl/internal/layout"
)

// Secret key statuses reported by SecretStatus.
const (
	StatusSealed     = "sealed"      // sealed, and matches the local plaintext (or there is none to compare)
	StatusStale      = "stale"       // the local plaintext differs from what was sealed (or cannot be verified)
	StatusNotSealed  = "not-sealed"  // in the local plaintext only
	StatusSealedOnly = "sealed-only" // sealed, not in the local plaintext
)

// KeyStatus is the state of one secret key of a service.
type KeyStatus struct {
	Key       string `json:"key"`
	Sealed    bool   `json:"sealed"`
	Plaintext bool   `json:"plaintext"`
	Status    string `json:"status"`
}

// SecretStatus lists a service's secret keys (sorted) with their status,
// judged against the seal context recorded in secrets.yaml. It needs no
// certificate and never returns plaintext.
func SecretStatus(configsDir, service string) ([]KeyStatus, error) {
	sf, err := readSecrets(configsDir, service)
	if err != nil {
		return nil, err
	}
	plain, _, err := ReadPlaintext(configsDir, service)
	if err != nil {
		return nil, err
	}
	var st *state
	if data, err := readRepoFile(configsDir, layout.SealStatePath(configsDir, service)); err == nil {
		st = parseState(data)
	}
	values := plain.Map()
	rec := sf.context()
	var out []KeyStatus
	for k, ct := range sf.Data {
		ks := KeyStatus{Key: k, Sealed: true, Status: StatusSealedOnly}
		if v, ok := values[k]; ok {
			ks.Plaintext = true
			ks.Status = StatusSealed
			if !sf.hasSealed || !st.freshAny(k, v, ct, rec) {
				ks.Status = StatusStale
			}
		}
		out = append(out, ks)
	}
	for k := range values {
		if _, ok := sf.Data[k]; !ok {
			out = append(out, KeyStatus{Key: k, Plaintext: true, Status: StatusNotSealed})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out, nil
}
