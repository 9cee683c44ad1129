package render

import (
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strings"

	"helm.sh/helm/v3/pkg/chart"
)

// schemaFix is the advice on schemas that need the network.
const schemaFix = "set helm.skipSchemaValidation: true on the Application's source to skip it"

// offlineSchemaRefs returns, for the chart and its enabled subcharts, the
// http(s) $refs of values.schema.json files that Helm's schema validation
// would fetch over the network ("chart: url" each, sorted).
func offlineSchemaRefs(ch *chart.Chart) []string {
	var out []string
	var walk func(c *chart.Chart, prefix string)
	walk = func(c *chart.Chart, prefix string) {
		name := prefix + c.Name()
		if len(c.Schema) > 0 {
			var doc any
			if json.Unmarshal(c.Schema, &doc) == nil {
				for _, r := range schemaRefs(doc, remoteRef) {
					out = append(out, name+": "+r)
				}
			}
		}
		for _, d := range c.Dependencies() {
			walk(d, name+"/")
		}
	}
	walk(ch, "")
	sort.Strings(out)
	return out
}

// schemaRefs returns the $ref values in a schema document that keep
// accepts.
func schemaRefs(v any, keep func(ref string) bool) []string {
	var out []string
	switch t := v.(type) {
	case map[string]any:
		if r, ok := t["$ref"].(string); ok && keep(r) {
			out = append(out, r)
		}
		for _, x := range t {
			out = append(out, schemaRefs(x, keep)...)
		}
	case []any:
		for _, x := range t {
			out = append(out, schemaRefs(x, keep)...)
		}
	}
	return out
}

// remoteRef: a $ref fetched over the network (json-schema.org's
// meta-schemas are built into the validator).
func remoteRef(r string) bool {
	u, err := url.Parse(r)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "json-schema.org"
}

// outsideRef: a $ref that loads another document (a URL, or a path, which
// Helm resolves against the root directory); "#..." points into the
// document and "urn:" to Helm's own.
func outsideRef(r string) bool {
	return !strings.HasPrefix(r, "#") && !strings.HasPrefix(r, "urn:")
}

// schemaNetworkErr explains a schema validation failure that came from
// fetching a $ref over the network.
func schemaNetworkErr(err error) error {
	msg := err.Error()
	for _, s := range []string{"HTTP request to", "dial tcp", "no such host", "i/o timeout", "connection refused"} {
		if strings.Contains(msg, s) {
			return fmt.Errorf("%w (the chart's values.schema.json refers to a schema over the network; %s)", err, schemaFix)
		}
	}
	return err
}
