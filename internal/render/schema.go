package render

import (
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
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
				remote, _ := schemaLoads(doc)
				for _, r := range remote {
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

// schemaLoads returns the documents a schema document makes the
// validator load: each $ref, $dynamicRef and $recursiveRef resolved
// against the $id in scope (from file:///values.schema.json, where Helm
// puts the schema), and a $schema that is not one of json-schema.org's
// drafts (which the validator has built in). remote are those it fetches
// over the network; outside are all that are not the document itself or
// Helm's URNs (remote ones too). Both are sorted. The values of default,
// const, enum and examples are data, not schema.
func schemaLoads(doc any) (remote, outside []string) {
	root, _ := url.Parse("file:///values.schema.json")
	add := func(u *url.URL) {
		switch {
		case u.Scheme == "urn":
		case u.Scheme == "http" || u.Scheme == "https":
			if u.Host == "json-schema.org" {
				return
			}
			remote = append(remote, u.String())
			outside = append(outside, u.String())
		default:
			outside = append(outside, u.String())
		}
	}
	var walk func(v any, base *url.URL)
	walk = func(v any, base *url.URL) {
		switch t := v.(type) {
		case map[string]any:
			if id, ok := t["$id"].(string); ok {
				if u, err := base.Parse(id); err == nil {
					base = u
				}
			}
			for _, k := range []string{"$ref", "$dynamicRef", "$recursiveRef"} {
				if r, ok := t[k].(string); ok && !strings.HasPrefix(r, "#") {
					if u, err := base.Parse(r); err == nil {
						u.Fragment = ""
						add(u)
					} else {
						outside = append(outside, r)
					}
				}
			}
			if m, ok := t["$schema"].(string); ok {
				if u, err := url.Parse(m); err == nil {
					add(u)
				}
			}
			for k, x := range t {
				switch k {
				case "default", "const", "enum", "examples":
					continue
				}
				walk(x, base)
			}
		case []any:
			for _, x := range t {
				walk(x, base)
			}
		}
	}
	walk(doc, root)
	sort.Strings(remote)
	sort.Strings(outside)
	return slices.Compact(remote), slices.Compact(outside)
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
