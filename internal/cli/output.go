package cli

import (
	"encoding/json"
	"fmt"
	"strings"

	"sigs.k8s.io/yaml"
)

// printData writes v to stdout as JSON or YAML when -o asks for it, else the
// text that text() builds.
func printData(f *Factory, v any, text func(w *strings.Builder)) error {
	switch f.Output() {
	case "json":
		b, err := json.MarshalIndent(v, "", "  ")
		if err != nil {
			return err
		}
		_, err = f.IO.Out.Write(append(b, '\n'))
		return err
	case "yaml":
		b, err := yaml.Marshal(v)
		if err != nil {
			return err
		}
		_, err = f.IO.Out.Write(b)
		return err
	default:
		var w strings.Builder
		text(&w)
		_, err := f.IO.Out.Write([]byte(w.String()))
		return err
	}
}

// plural picks the word for n things.
func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// count writes n and the word for n things: "1 app", "3 apps".
func count(n int, one, many string) string { return fmt.Sprintf("%d %s", n, plural(n, one, many)) }
