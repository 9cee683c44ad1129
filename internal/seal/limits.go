package seal

import (
	"fmt"
	"sort"

	"github.com/gitopsctl/gitopsctl/internal/dotenv"
)

// MaxSecretBytes is the most a Kubernetes Secret holds: its data, all keys
// together, must not exceed 1 MiB.
const MaxSecretBytes = 1 << 20

// MinRSABits is the smallest RSA key seal accepts (the controller
// generates 4096-bit keys; below 2048 bits RSA is breakable).
const MinRSABits = 2048

// checkSize refuses plaintext that cannot fit one Kubernetes Secret.
func checkSize(service string, plain *dotenv.File) error {
	total := 0
	type kv struct {
		k string
		n int
	}
	var sizes []kv
	for _, k := range plain.Keys() {
		v, _ := plain.Get(k)
		n := len(k) + len(v)
		total += n
		sizes = append(sizes, kv{k, len(v)})
	}
	if total <= MaxSecretBytes {
		return nil
	}
	sort.SliceStable(sizes, func(i, j int) bool { return sizes[i].n > sizes[j].n })
	return fmt.Errorf("%s: the secrets total %d bytes, more than a Kubernetes Secret holds (1 MiB, %d bytes, all keys together); the largest is %s (%d bytes): keep large files out of secrets",
		service, total, MaxSecretBytes, sizes[0].k, sizes[0].n)
}
