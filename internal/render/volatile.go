package render

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path"
	"regexp"
	"slices"
	"strings"
	"sync"
	"text/template/parse"

	"helm.sh/helm/v3/pkg/chart"
)

// A replay record (package replay) holds a render's output for as long as
// the files it read are unchanged. Output that is not a function of the
// files makes a render unfit for one: template functions that read the
// clock or draw random values, and values schemas that load documents from
// outside the chart. (The render cache keeps such output as Argo CD's
// repo-server keeps its manifests; a cached app is printed from the cache,
// which is what a replay prints too.)

// volatileFuncs are the functions of Helm's and ApplicationSets' template
// languages whose result is not a function of their arguments: the time,
// random values, generated keys and certificates, salted hashes.
var volatileFuncs = regexp.MustCompile(`\b(now|ago|rand(Alpha|AlphaNum|Numeric|Ascii|Bytes|Int)|uuidv4|gen(CA|CAWithKey|PrivateKey|SelfSignedCert|SelfSignedCertWithKey|SignedCert|SignedCertWithKey)|htpasswd|bcrypt|encryptAES|shuffle)\b`)

// tplFunc matches a call of tpl, which runs text that is not a template
// file (values, chart files) as a template.
var tplFunc = regexp.MustCompile(`\btpl\b`)

// quoted matches the string literals and comments of an action, which
// name no function.
var quoted = regexp.MustCompile("(?s)\"(\\\\.|[^\"\\\\])*\"|`[^`]*`|/\\*.*?\\*/")

// volatileCall returns the first volatile function named inside a {{ }}
// action of text, or "".
func volatileCall(text []byte) string { return callIn(text, volatileFuncs) }

// callIn returns the first function fn matches that an action of text
// calls, or "". String literals and comments are left out.
func callIn(text []byte, fn *regexp.Regexp) string {
	for {
		i := bytes.Index(text, []byte("{{"))
		if i < 0 {
			return ""
		}
		text = text[i+2:]
		j := bytes.Index(text, []byte("}}"))
		if j < 0 {
			j = len(text)
		}
		action := quoted.ReplaceAll(text[:j], []byte(`""`))
		for _, m := range fn.FindAllIndex(action, -1) {
			// .Values.now and $now are a field and a variable.
			if m[0] > 0 && (action[m[0]-1] == '.' || action[m[0]-1] == '$') {
				continue
			}
			return string(action[m[0]:m[1]])
		}
		text = text[j:]
	}
}

// replayGuard tells whether a workspace's output may be replayed.
type replayGuard struct {
	files   sync.Map // *chart.File -> the volatile function it calls, or ""
	reaches sync.Map // the charts' templates (reachKey) -> reached
	// outside holds the apps (*App) whose values schema loads an outside
	// document: the render cache does not keep them either (its key does
	// not cover that document, and a cached app is not validated).
	outside sync.Map
	mu      sync.Mutex
	why     string // the first reason it may not, or ""
}

func (g *replayGuard) refuse(why string) {
	g.mu.Lock()
	if g.why == "" {
		g.why = why
	}
	g.mu.Unlock()
}

func (g *replayGuard) reason() string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.why
}

// checkChart refuses replay when a template of ch or of its subcharts
// calls a volatile function (or calls tpl, and the values vals or a file
// of the chart do), or (when the values are validated) a values schema
// refers to a document outside itself, and then marks app a (nil: none)
// as one the render cache must not keep.
func (g *replayGuard) checkChart(ch *chart.Chart, vals map[string]any, schema bool, a *App) {
	usesTpl := false
	r := g.reach(ch)
	if r.parsed {
		usesTpl = r.tpl
		if r.fn != "" {
			g.refuse(fmt.Sprintf("chart %s calls %s", r.where, r.fn))
		}
	}
	var walk func(c *chart.Chart, prefix string)
	walk = func(c *chart.Chart, prefix string) {
		name := prefix + c.Name()
		for _, f := range c.Templates {
			if r.parsed {
				break
			}
			v, ok := g.files.Load(f)
			if !ok {
				call := volatileCall(f.Data)
				if call == "" && callIn(f.Data, tplFunc) != "" {
					call = "tpl"
				}
				v, _ = g.files.LoadOrStore(f, call)
			}
			switch fn := v.(string); fn {
			case "":
			case "tpl":
				usesTpl = true
			default:
				g.refuse(fmt.Sprintf("chart %s: %s calls %s", name, f.Name, fn))
			}
		}
		if usesTpl {
			for _, f := range c.Files {
				if fn := volatileCall(f.Data); fn != "" {
					g.refuse(fmt.Sprintf("chart %s: %s, which tpl may run, calls %s", name, f.Name, fn))
				}
			}
		}
		if schema && len(c.Schema) > 0 {
			var doc any
			if json.Unmarshal(c.Schema, &doc) == nil {
				if _, refs := schemaLoads(doc); len(refs) > 0 {
					g.refuse(fmt.Sprintf("chart %s: values.schema.json refers to %s", name, refs[0]))
					if a != nil {
						g.outside.Store(a, true)
					}
				}
			}
		}
		for _, d := range c.Dependencies() {
			walk(d, name+"/")
		}
	}
	walk(ch, "")
	if usesTpl {
		if fn := valuesCall(vals); fn != "" {
			g.refuse(fmt.Sprintf("chart %s: a value, which tpl may run, calls %s", ch.Name(), fn))
		}
	}
}

// valuesCall returns the first volatile function a string in v calls.
func valuesCall(v any) string {
	switch t := v.(type) {
	case string:
		return volatileCall([]byte(t))
	case map[string]any:
		for _, x := range t {
			if fn := valuesCall(x); fn != "" {
				return fn
			}
		}
	case []any:
		for _, x := range t {
			if fn := valuesCall(x); fn != "" {
				return fn
			}
		}
	}
	return ""
}

// loadsOutside tells whether app a's values schema loads an outside
// document (see checkChart).
func (g *replayGuard) loadsOutside(a *App) bool {
	_, ok := g.outside.Load(a)
	return ok
}

// checkAppSet refuses replay when a goTemplate ApplicationSet's spec calls
// a volatile function.
func (g *replayGuard) checkAppSet(name string, obj map[string]any) {
	spec, _ := obj["spec"].(map[string]any)
	if on, _ := spec["goTemplate"].(bool); !on {
		return
	}
	if fn := valuesCall(spec); fn != "" {
		g.refuse(fmt.Sprintf("ApplicationSet %s calls %s", name, fn))
	}
}

// reach is reach(ch), once per set of charts' templates (a chart is
// cloned for every render, its templates are not).
func (g *replayGuard) reach(ch *chart.Chart) reached {
	var key []byte
	var walk func(c *chart.Chart)
	walk = func(c *chart.Chart) {
		if len(c.Templates) > 0 {
			key = fmt.Appendf(key, "%p/%d;", &c.Templates[0], len(c.Templates))
		}
		for _, d := range c.Dependencies() {
			walk(d)
		}
	}
	walk(ch)
	if v, ok := g.reaches.Load(string(key)); ok {
		return v.(reached)
	}
	r := reach(ch)
	g.reaches.Store(string(key), r)
	return r
}

// volatileName is volatileFuncs as a whole name.
var volatileName = regexp.MustCompile(`^(?:` + volatileFuncs.String()[2:len(volatileFuncs.String())-2] + `)$`)

// reached is what the templates Helm renders can call.
type reached struct {
	parsed bool   // every template parsed: the rest is known
	fn     string // a volatile function they reach ("": none)
	where  string // the template that calls it
	tpl    bool   // they reach tpl
}

// reach follows what the chart's rendered templates (not the partials
// whose names start with "_") call, through include and template of
// defined templates, in the one namespace of defines the chart and its
// subcharts share in Helm. A define that no rendered template reaches
// (a library chart's helper left unused) does not count. An include of a
// name that is not a constant reaches every define.
func reach(ch *chart.Chart) reached {
	defines := map[string][]*parse.Tree{}
	var roots []*parse.Tree
	var files func(c *chart.Chart, prefix string) bool
	files = func(c *chart.Chart, prefix string) bool {
		chartPath := prefix + c.Name()
		for _, f := range c.Templates {
			trees := map[string]*parse.Tree{}
			label := chartPath + ": " + f.Name // where, in a reason
			t := parse.New(label)
			t.Mode = parse.SkipFuncCheck
			if _, err := t.Parse(string(f.Data), "{{", "}}", trees); err != nil {
				return false
			}
			for name, tr := range trees {
				if name == label {
					if !strings.HasPrefix(path.Base(f.Name), "_") {
						roots = append(roots, tr)
					}
					continue
				}
				defines[name] = append(defines[name], tr)
			}
		}
		for _, d := range c.Dependencies() {
			if !files(d, chartPath+"/") {
				return false
			}
		}
		return true
	}
	if !files(ch, "") {
		return reached{}
	}
	r := reached{parsed: true}
	seen := map[*parse.Tree]bool{}
	queue := slices.Clone(roots)
	all := false
	reachName := func(name string) {
		queue = append(queue, defines[name]...)
	}
	var visit func(n parse.Node, in string)
	visitBranch := func(b *parse.BranchNode, in string) {
		visit(b.Pipe, in)
		visit(b.List, in)
		visit(b.ElseList, in)
	}
	visit = func(n parse.Node, in string) {
		switch n := n.(type) {
		case *parse.ListNode:
			if n != nil {
				for _, x := range n.Nodes {
					visit(x, in)
				}
			}
		case *parse.ActionNode:
			visit(n.Pipe, in)
		case *parse.PipeNode:
			if n != nil {
				for _, c := range n.Cmds {
					visit(c, in)
				}
			}
		case *parse.CommandNode:
			if id, ok := n.Args[0].(*parse.IdentifierNode); ok && (id.Ident == "include" || id.Ident == "template") {
				if len(n.Args) > 1 {
					if s, ok := n.Args[1].(*parse.StringNode); ok {
						reachName(s.Text)
					} else {
						all = true
					}
				}
			}
			for _, a := range n.Args {
				visit(a, in)
			}
		case *parse.IdentifierNode:
			switch {
			case n.Ident == "tpl":
				r.tpl = true
			case r.fn == "" && volatileName.MatchString(n.Ident):
				r.fn, r.where = n.Ident, in
			}
		case *parse.ChainNode:
			visit(n.Node, in)
		case *parse.IfNode:
			visitBranch(&n.BranchNode, in)
		case *parse.RangeNode:
			visitBranch(&n.BranchNode, in)
		case *parse.WithNode:
			visitBranch(&n.BranchNode, in)
		case *parse.TemplateNode:
			reachName(n.Name)
			visit(n.Pipe, in)
		}
	}
	for len(queue) > 0 || all {
		if all {
			all = false
			for _, ts := range defines {
				queue = append(queue, ts...)
			}
			continue
		}
		t := queue[0]
		queue = queue[1:]
		if seen[t] {
			continue
		}
		seen[t] = true
		visit(t.Root, t.ParseName)
	}
	return r
}
