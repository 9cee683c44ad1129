package render

import (
	"bytes"
	"crypto/tls"
	"fmt"
	"log"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chartutil"
)

// Values schema validation as `helm template` does it (chartutil's
// ValidateAgainstSchema: the chart's values.schema.json against its
// values, then each subchart's against its part, errors collected under
// the charts' names), with each distinct schema compiled once per process:
// Helm compiles it again for every render, which was a sixth of rendering
// many apps made from one chart.

type compiledSchema struct {
	once sync.Once
	sch  *jsonschema.Schema
	err  error
}

// schemas holds the compiled schemas by content.
var schemas sync.Map // string -> *compiledSchema

// compileSchema compiles a values.schema.json with the loaders Helm uses
// (files, http(s) with Helm's timeout, URNs through chartutil.URNResolver).
func compileSchema(schemaJSON []byte) (*jsonschema.Schema, error) {
	v, _ := schemas.LoadOrStore(string(schemaJSON), &compiledSchema{})
	c := v.(*compiledSchema)
	c.once.Do(func() {
		defer func() {
			if r := recover(); r != nil {
				c.sch, c.err = nil, fmt.Errorf("unable to validate schema: %s", r)
			}
		}()
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(schemaJSON))
		if err != nil {
			c.err = err
			return
		}
		comp := jsonschema.NewCompiler()
		comp.UseLoader(jsonschema.SchemeURLLoader{
			"file":  jsonschema.FileLoader{},
			"http":  schemaHTTPLoader(),
			"https": schemaHTTPLoader(),
			"urn":   urnLoader{},
		})
		if err := comp.AddResource("file:///values.schema.json", doc); err != nil {
			c.err = err
			return
		}
		c.sch, c.err = comp.Compile("file:///values.schema.json")
	})
	return c.sch, c.err
}

// urnLoader resolves URN references through chartutil.URNResolver, as
// Helm does; one it cannot resolve is a permissive schema, with one warning
// per URN on the standard logger.
type urnLoader struct{}

var warnedURNs sync.Map

func (urnLoader) Load(u string) (any, error) {
	if doc, err := chartutil.URNResolver(u); err == nil && doc != nil {
		return doc, nil
	}
	if _, warned := warnedURNs.LoadOrStore(u, true); !warned {
		log.Printf("WARNING: unresolved URN reference ignored; using permissive schema: %s", u)
	}
	return jsonschema.UnmarshalJSON(strings.NewReader("true"))
}

func schemaHTTPLoader() *chartutil.HTTPURLLoader {
	l := chartutil.HTTPURLLoader(http.Client{
		Timeout:   15 * time.Second,
		Transport: &http.Transport{Proxy: http.ProxyFromEnvironment, TLSClientConfig: &tls.Config{}},
	})
	return &l
}

// validateValues is chartutil.ToRenderValuesWithSchemaValidation's schema
// check of the coalesced values, with the same error.
func validateValues(ch *chart.Chart, vals chartutil.Values) error {
	if err := validateSchemas(ch, vals); err != nil {
		return fmt.Errorf("values don't meet the specifications of the schema(s) in the following chart(s):\n%s", err.Error())
	}
	return nil
}

func validateSchemas(ch *chart.Chart, vals map[string]any) error {
	var sb strings.Builder
	if ch.Schema != nil {
		if err := validateSingleSchema(vals, ch.Schema); err != nil {
			fmt.Fprintf(&sb, "%s:\n", ch.Name())
			sb.WriteString(err.Error())
		}
	}
	for _, sub := range ch.Dependencies() {
		raw, ok := vals[sub.Name()]
		if !ok || raw == nil {
			continue
		}
		subVals, ok := raw.(map[string]any)
		if !ok {
			fmt.Fprintf(&sb, "%s:\ninvalid type for values: expected object (map), got %T\n", sub.Name(), raw)
			continue
		}
		if err := validateSchemas(sub, subVals); err != nil {
			sb.WriteString(err.Error())
		}
	}
	if sb.Len() > 0 {
		return fmt.Errorf("%s", sb.String())
	}
	return nil
}

func validateSingleSchema(vals map[string]any, schemaJSON []byte) (reterr error) {
	defer func() {
		if r := recover(); r != nil {
			reterr = fmt.Errorf("unable to validate schema: %s", r)
		}
	}()
	sch, err := compileSchema(schemaJSON)
	if err != nil {
		return err
	}
	if len(vals) == 0 {
		vals = map[string]any{}
	}
	if err := sch.Validate(vals); err != nil {
		//lint:ignore ST1005 Helm's own message ends with a newline; kept byte for byte
		return fmt.Errorf("%s\n", strings.TrimPrefix(err.Error(), "jsonschema validation failed with 'file:///values.schema.json#'\n"))
	}
	return nil
}
