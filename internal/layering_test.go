package internal

import (
	"bytes"
	"fmt"
	"os/exec"
	"sort"
	"strings"
	"testing"
)

const module = "github.com/gitopsctl/gitopsctl/"

// Layers of the module's packages (see doc.go). A package missing here
// fails the test: a new package needs a decision.
const (
	layerMain    = "main"
	layerTool    = "tool"
	layerCLI     = "cli"
	layerVerb    = "verb"
	layerShared  = "shared"
	layerTesting = "test support"
)

var layers = map[string]string{
	"cmd/gitopsctl":                           layerMain,
	"cmd/gitopsctl-engine":                    layerMain,
	"scripts/sealkit":                         layerTool,
	"internal/render/benchgen/cmd/benchgen":   layerTool,
	"internal/charts/chartstest/cmd/standins": layerTool,
	"internal/cli":                            layerCLI,
	"internal/front":                          layerCLI,

	"internal/scaffold": layerVerb,
	"internal/env":      layerVerb,
	"internal/seal":     layerVerb,
	"internal/bump":     layerVerb,
	"internal/render":   layerVerb,
	"internal/diff":     layerVerb,
	"internal/check":    layerVerb,

	"internal/inventory": layerVerb,

	"internal/argo":        layerShared,
	"internal/appset":      layerShared,
	"internal/charts":      layerShared,
	"internal/kustomize":   layerShared,
	"internal/config":      layerShared,
	"internal/layout":      layerShared,
	"internal/services":    layerShared,
	"internal/gitrepo":     layerShared,
	"internal/gitx":        layerShared,
	"internal/manifest":    layerShared,
	"internal/rules":       layerShared,
	"internal/yamledit":    layerShared,
	"internal/safeyaml":    layerShared,
	"internal/dotenv":      layerShared,
	"internal/fsutil":      layerShared,
	"internal/rendercache": layerShared,
	"internal/replay":      layerShared,
	"internal/iostreams":   layerShared,
	"internal/earlygc":     layerShared,
	"templates":            layerShared,

	"internal": layerShared, // this package: the map, no code

	"internal/gittest":           layerTesting,
	"internal/seal/sealtest":     layerTesting,
	"internal/render/benchgen":   layerTesting,
	"internal/charts/chartstest": layerTesting,
	"internal/testutil/golden":   layerTesting,
	"internal/testutil/readonly": layerTesting,
}

// verbImports are the only imports allowed from one verb package to
// another (the reasons are in doc.go).
var verbImports = map[[2]string]bool{
	{"internal/env", "internal/seal"}:        true,
	{"internal/seal", "internal/render"}:     true,
	{"internal/diff", "internal/render"}:     true,
	{"internal/check", "internal/render"}:    true,
	{"internal/scaffold", "internal/render"}: true,

	{"internal/inventory", "internal/env"}:    true,
	{"internal/inventory", "internal/render"}: true,
}

// mayImport says which layers a layer may import.
var mayImport = map[string][]string{
	layerMain:    {layerCLI, layerShared},
	layerTool:    {layerVerb, layerShared, layerTesting},
	layerCLI:     {layerVerb, layerShared},
	layerVerb:    {layerVerb, layerShared}, // verb → verb only per verbImports
	layerShared:  {layerShared},
	layerTesting: {layerShared, layerTesting},
}

// violations lists the imports (package → its module imports, both
// relative to the module) that break the layering.
func violations(imports map[string][]string) []string {
	var out []string
	for pkg, deps := range imports {
		from, ok := layers[pkg]
		if !ok {
			out = append(out, fmt.Sprintf("%s: package has no layer; add it to layers in internal/layering_test.go and to internal/doc.go", pkg))
			continue
		}
		for _, dep := range deps {
			to, ok := layers[dep]
			if !ok {
				continue // reported as a package of its own
			}
			allowed := false
			for _, l := range mayImport[from] {
				allowed = allowed || l == to
			}
			if from == layerVerb && to == layerVerb {
				allowed = verbImports[[2]string{pkg, dep}]
			}
			if !allowed {
				out = append(out, fmt.Sprintf("%s (%s) imports %s (%s): not allowed by the layering in internal/doc.go", pkg, from, dep, to))
			}
		}
	}
	sort.Strings(out)
	return out
}

// moduleImports runs go list over the module: each package's non-test
// imports within the module, paths relative to the module.
func moduleImports(t *testing.T) map[string][]string {
	t.Helper()
	// go test puts its own go first on the test's PATH.
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("go not found on PATH: %v", err)
	}
	cmd := exec.Command(goBin, "list", "-f", `{{.ImportPath}}{{range .Imports}} {{.}}{{end}}`, module+"...")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	imports := map[string][]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		pkg := strings.TrimPrefix(f[0], module)
		imports[pkg] = nil
		for _, dep := range f[1:] {
			if rel, ok := strings.CutPrefix(dep, module); ok {
				imports[pkg] = append(imports[pkg], rel)
			}
		}
	}
	return imports
}

func TestLayering(t *testing.T) {
	imports := moduleImports(t)
	if len(imports) < len(layers)/2 {
		t.Fatalf("go list found only %d packages", len(imports))
	}
	for _, v := range violations(imports) {
		t.Error(v)
	}
	for pkg := range layers {
		if _, ok := imports[pkg]; !ok {
			t.Errorf("%s is in layers but not in the module; remove it", pkg)
		}
	}
}

// TestLayeringRules shows the rules reject what they should.
func TestLayeringRules(t *testing.T) {
	for _, tc := range []struct {
		pkg, dep string
		bad      bool
	}{
		{"internal/check", "internal/diff", true},
		{"internal/check", "internal/render", false},
		{"internal/render", "internal/seal", true},
		{"internal/seal", "internal/env", true},
		{"internal/env", "internal/seal", false},
		{"internal/gitx", "internal/render", true},
		{"internal/yamledit", "internal/safeyaml", false},
		{"internal/bump", "internal/cli", true},
		{"internal/seal", "internal/seal/sealtest", true},
		{"internal/cli", "internal/bump", false},
		{"cmd/gitopsctl", "internal/seal", true},
		{"internal/newpkg", "internal/layout", true},
	} {
		got := violations(map[string][]string{tc.pkg: {tc.dep}})
		if (len(got) > 0) != tc.bad {
			t.Errorf("%s → %s: violations %q, want bad=%v", tc.pkg, tc.dep, got, tc.bad)
		}
	}
}

// startupHeavy are packages the binary must not link: their package
// initialisation (the Kubernetes client and kubectl, which Helm's action,
// getter and repo packages pull in) is paid by every command's start-up.
// The project has its own code for the little it needs of them (render's
// dependency check, charts' repository index, kustomize's name template).
var startupHeavy = []string{
	"helm.sh/helm/v3/pkg/action",
	"helm.sh/helm/v3/pkg/getter",
	"helm.sh/helm/v3/pkg/repo",
	"k8s.io/kubectl/pkg/scheme",
	"k8s.io/client-go/kubernetes",
}

// deps lists what the command cmd (relative to the module) links.
func deps(t *testing.T, cmd string) map[string]bool {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("go not found on PATH: %v", err)
	}
	c := exec.Command(goBin, "list", "-deps", module+cmd)
	var stderr bytes.Buffer
	c.Stderr = &stderr
	out, err := c.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	deps := map[string]bool{}
	for _, p := range strings.Fields(string(out)) {
		deps[p] = true
	}
	return deps
}

func TestBinaryLeavesOutStartupHeavyPackages(t *testing.T) {
	deps := deps(t, "cmd/gitopsctl-engine")
	if !deps["helm.sh/helm/v3/pkg/engine"] {
		t.Fatalf("go list -deps lacks helm's engine: %d packages", len(deps))
	}
	for _, p := range startupHeavy {
		if deps[p] {
			t.Errorf("the engine links %s (go list -deps ./cmd/gitopsctl-engine); find the importer with go list -deps -f '{{.ImportPath}} {{.Imports}}' and use the project's own code", p)
		}
	}
}

// frontLinks is all the front (cmd/gitopsctl) may link besides the
// standard library: it must start in a few milliseconds, so no Helm, no
// Kubernetes types, no git library, no cobra (see internal/front).
var frontLinks = map[string]bool{
	"golang.org/x/sys/unix":         true,
	"golang.org/x/sys/windows":      true,
	"golang.org/x/term":             true,
	module + "cmd/gitopsctl":        true,
	module + "internal/front":       true,
	module + "internal/replay":      true,
	module + "internal/rendercache": true,
	module + "internal/fsutil":      true,
	module + "internal/iostreams":   true,
}

func TestFrontLinksOnlyWhatStartsFast(t *testing.T) {
	deps := deps(t, "cmd/gitopsctl")
	if !deps[module+"internal/replay"] {
		t.Fatalf("go list -deps lacks internal/replay: %d packages", len(deps))
	}
	for p := range deps {
		if strings.Contains(strings.SplitN(p, "/", 2)[0], ".") && !frontLinks[p] {
			t.Errorf("the front links %s (go list -deps ./cmd/gitopsctl): keep it out, the front is for start-up time", p)
		}
	}
}
