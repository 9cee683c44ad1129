package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"sigs.k8s.io/yaml"
)

// printData writes v to stdout as JSON or YAML when -o asks for it, else the
// text that text() builds.
func printData(f *Factory, v any, text func(w *strings.Builder)) error {
	return printDataStream(f, v, func(w io.Writer) error {
		var b strings.Builder
		text(&b)
		_, err := io.WriteString(w, b.String())
		return err
	})
}

// printDataStream is printData for text written straight to stdout (a
// rendered YAML stream, a coloured diff).
func printDataStream(f *Factory, v any, text func(w io.Writer) error) error {
	switch f.Output() {
	case "json":
		// Not HTML-escaped: values such as "<hidden>" and Go templates
		// stay readable.
		enc := json.NewEncoder(f.IO.Out)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	case "yaml":
		b, err := yaml.Marshal(v)
		if err != nil {
			return err
		}
		_, err = f.IO.Out.Write(b)
		return err
	default:
		return text(f.IO.Out)
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
