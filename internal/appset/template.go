package appset

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"text/template"

	"github.com/Masterminds/sprig/v3"
	"github.com/gosimple/slug"
	"sigs.k8s.io/yaml"
)

// The template functions of goTemplate: Sprig's generic functions without
// those that read the controller's environment (env, expandenv,
// getHostByName), plus normalize, slugify, toYaml, fromYaml and
// fromYamlArray (applicationset/utils/utils.go init and
// applicationset/utils/template_functions.go in Argo CD).
var baseTemplate = func() *template.Template {
	fm := sprig.GenericFuncMap()
	for _, name := range RemovedSprigFuncs {
		delete(fm, name)
	}
	fm["normalize"] = SanitizeName
	fm["slugify"] = slugify
	fm["toYaml"] = toYAML
	fm["fromYaml"] = fromYAML
	fm["fromYamlArray"] = fromYAMLArray
	return template.New("base").Funcs(fm)
}()

// RemovedSprigFuncs are the Sprig functions Argo CD takes out of goTemplate.
var RemovedSprigFuncs = []string{"env", "expandenv", "getHostByName"}

var invalidDNSChars = regexp.MustCompile(`[^-a-z0-9.]`)

// SanitizeName turns s into a DNS-1123 subdomain as Argo CD's
// normalize/basenameNormalized/nameNormalized do: lower case, every
// character other than a-z, 0-9, '-' and '.' becomes '-', at most 253
// bytes, no leading or trailing '-' or '.'.
func SanitizeName(s string) string {
	s = invalidDNSChars.ReplaceAllString(strings.ToLower(s), "-")
	if len(s) > 253 {
		s = s[:253]
	}
	return strings.Trim(s, "-.")
}

// slug keeps its options in package variables; one slugify at a time.
var slugMu sync.Mutex

// slugify takes [maxSize int [, smartTruncate bool,]] name: a URL-safe
// slug of the sanitized name, at most maxSize (50) characters, cut at a
// word boundary unless smartTruncate is false.
func slugify(args ...any) (string, error) {
	maxSize, smart, name := 50, true, ""
	for i, a := range args {
		var ok bool
		switch i {
		case len(args) - 1:
			name, ok = a.(string)
		case 0:
			maxSize, ok = a.(int)
		case 1:
			smart, ok = a.(bool)
		default:
			return "", errors.New("slugify takes [maxSize int [, smartTruncate bool,]] name")
		}
		if !ok {
			return "", fmt.Errorf("slugify: argument %d has the wrong type (%T)", i+1, a)
		}
	}
	slugMu.Lock()
	defer slugMu.Unlock()
	slug.EnableSmartTruncate = smart
	slug.MaxLength = maxSize
	return slug.Make(SanitizeName(name)), nil
}

func toYAML(v any) (string, error) {
	data, err := yaml.Marshal(v)
	if err != nil {
		return "", err
	}
	return strings.TrimSuffix(string(data), "\n"), nil
}

func fromYAML(s string) (map[string]any, error) {
	m := map[string]any{}
	if err := yaml.Unmarshal([]byte(s), &m); err != nil {
		return nil, err
	}
	return m, nil
}

func fromYAMLArray(s string) ([]any, error) {
	a := []any{}
	if err := yaml.Unmarshal([]byte(s), &a); err != nil {
		return nil, err
	}
	return a, nil
}

// checkOptions accepts the goTemplateOptions text/template knows.
func checkOptions(opts []string) error {
	for _, o := range opts {
		switch o {
		case "missingkey=default", "missingkey=invalid", "missingkey=zero", "missingkey=error":
		default:
			return fmt.Errorf("goTemplateOptions: unknown option %q (known: missingkey=default, missingkey=invalid, missingkey=zero, missingkey=error)", o)
		}
	}
	return nil
}

// templated is the quick test Argo CD applies before fasttemplate: "{{"
// and later "}}" on one line.
var templated = regexp.MustCompile(`.*{{.*}}.*`)

// replace renders one string with params (Render.Replace in
// applicationset/utils/utils.go): with goTemplate, as a text/template with
// the functions above and the options given; without, fasttemplate's
// "{{ key }}" substitution, where a key that is not a string parameter is
// left as it was written.
func replace(s string, params map[string]any, goTemplate bool, opts []string) (string, error) {
	if goTemplate {
		t, err := baseTemplate.Clone()
		if err != nil {
			return "", err
		}
		for _, o := range opts {
			t = t.Option(o)
		}
		if t, err = t.Parse(s); err != nil {
			return "", fmt.Errorf("failed to parse template %s: %w", s, err)
		}
		var b bytes.Buffer
		if err := t.Execute(&b, params); err != nil {
			return "", fmt.Errorf("failed to execute go template %s: %w", s, err)
		}
		return b.String(), nil
	}
	if !templated.MatchString(s) {
		return s, nil
	}
	return fastReplace(s, params)
}

// fastReplace does what fasttemplate.ExecuteFuncString does with "{{" and
// "}}" as tags: every "{{tag}}" becomes the string parameter named by the
// trimmed tag, or stays as written; a "{{" without a "}}" after it is an
// error.
func fastReplace(s string, params map[string]any) (string, error) {
	var b strings.Builder
	for {
		i := strings.Index(s, "{{")
		if i < 0 {
			b.WriteString(s)
			return b.String(), nil
		}
		b.WriteString(s[:i])
		s = s[i+2:]
		j := strings.Index(s, "}}")
		if j < 0 {
			return "", fmt.Errorf("invalid template: cannot find end tag %q in %q", "}}", "{{"+s)
		}
		tag := s[:j]
		s = s[j+2:]
		key := strings.TrimSpace(tag)
		if v, ok := params[key].(string); ok && key != "" {
			b.WriteString(v)
		} else {
			b.WriteString("{{" + tag + "}}")
		}
	}
}

// renderValue renders every string of v, map keys included, with params;
// entries of a map whose value is null are dropped (Render.deeplyReplace in
// applicationset/utils/utils.go walks the typed Application the same way).
func renderValue(v any, params map[string]any, goTemplate bool, opts []string) (any, error) {
	switch t := v.(type) {
	case string:
		return replace(t, params, goTemplate, opts)
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, x := range t {
			if x == nil {
				continue
			}
			rx, err := renderValue(x, params, goTemplate, opts)
			if err != nil {
				return nil, err
			}
			rk, err := replace(k, params, goTemplate, opts)
			if err != nil {
				return nil, err
			}
			out[rk] = rx
		}
		return out, nil
	case []any:
		out := make([]any, len(t))
		for i, x := range t {
			rx, err := renderValue(x, params, goTemplate, opts)
			if err != nil {
				return nil, err
			}
			out[i] = rx
		}
		return out, nil
	default:
		return v, nil
	}
}
