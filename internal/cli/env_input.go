package cli

import (
	"fmt"
	"strings"

	"github.com/gitopsctl/gitopsctl/internal/env"
)

// readSecretValues fills the values of env set --secret keys given without
// one (see env.ParseSecretArgs): at a hidden prompt when standard input is
// a terminal, else (and for KEY=-) from standard input, which only one key
// can read. Values are never echoed.
func (f *Factory) readSecretValues(vars []env.KV, pending []int, stdin []bool) error {
	fromStdin := 0
	for i := range pending {
		if stdin[i] || !f.IO.InTTY {
			fromStdin++
		}
	}
	if fromStdin > 1 {
		return usageError("only one key can read its value from standard input; give the others as KEY=VALUE, or run on a terminal to be asked for each")
	}
	for i, at := range pending {
		kv := &vars[at]
		if stdin[i] || !f.IO.InTTY {
			if f.IO.In == nil {
				return fmt.Errorf("%s: no standard input to read the value from", kv.Key)
			}
			v, err := env.ReadValue(f.IO.In, kv.Key)
			if err != nil {
				return err
			}
			kv.Value = v
			continue
		}
		b, err := f.IO.ReadSecret(fmt.Sprintf("Value for %s (input hidden): ", kv.Key))
		if err != nil {
			return fmt.Errorf("%s: read the value at the prompt: %w", kv.Key, err)
		}
		if kv.Value, err = env.CheckPrompted(kv.Key, b); err != nil {
			return err
		}
	}
	return nil
}

// writePreview is env import --dry-run's text.
func writePreview(w *strings.Builder, r *env.ChangeResult) {
	fmt.Fprintf(w, "Dry run: nothing written. %s would get:\n", r.Service)
	for _, k := range r.Config {
		fmt.Fprintf(w, "  config  %s\n", k)
	}
	moved := map[string]bool{}
	for _, k := range r.Moved {
		moved[k] = true
	}
	for _, k := range r.Secrets {
		note := "sealed"
		if moved[k] {
			note = "sealed, moved from config"
		}
		fmt.Fprintf(w, "  secret  %s (%s)\n", k, note)
	}
	fmt.Fprintf(w, "%s, %s\n", count(len(r.Config), "config key", "config keys"), count(len(r.Secrets), "secret", "secrets"))
}
