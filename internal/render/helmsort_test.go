package render

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"sort"
	"strings"
	"testing"

	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/releaseutil"
)

// helmSortDocs are documents of every shape the plain sort must either
// answer as Helm does or leave to Helm: kinds known and unknown, hooks,
// head fields spelled or typed unlike Helm's reading, lists, scalars,
// keys JSON cannot hold, YAML errors, comment-only documents.
var helmSortDocs = []string{
	"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  k: v",
	"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d, annotations: {x: y}}\nspec: {replicas: 1}",
	"apiVersion: v1\nkind: Service\nmetadata: {name: s}",
	"apiVersion: v1\nkind: Namespace\nmetadata: {name: n}",
	"apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata: {name: r}",
	"apiVersion: argoproj.io/v1alpha1\nkind: AnalysisTemplate\nmetadata: {name: at}",
	"apiVersion: x/v1\nkind: Zebra\nmetadata: {name: z}",
	"apiVersion: v1\nkind: Secret\nmetadata: {name: sec}\nstringData: {a: b}",
	"# only a comment",
	"kind: ConfigMap",
	"metadata: {name: nokind}",
	"kind: ''\nmetadata: {name: emptykind}",
	"apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: ConfigMap, metadata: {name: li}}",
	"apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: hook\n  annotations:\n    helm.sh/hook: pre-install\n    helm.sh/hook-weight: \"5\"",
	"apiVersion: v1\nkind: Pod\nmetadata:\n  name: t\n  annotations: {helm.sh/hook: test}",
	"apiVersion: v1\nkind: Pod\nmetadata:\n  name: u\n  annotations: {helm.sh/hook: no-such-event}",
	"apiVersion: v1\nkind: Pod\nmetadata:\n  name: ts\n  annotations: {helm.sh/hook: test-success}",
	"apiVersion: v1\nkind: Pod\nmetadata:\n  name: empty-hook\n  annotations: {helm.sh/hook: ''}",
	"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: multi\n  annotations: {helm.sh/hook: ' post-install,PRE-upgrade', helm.sh/hook-weight: x}",
	"apiVersion: v1\nkind: Service\nmetadata:\n  name: hs\n  annotations: {helm.sh/hook: 'pre-install, Test'}",
	"apiVersion: v1\nkind: Secret\nmetadata:\n  name: hd\n  annotations: {helm.sh/hook: post-delete, helm.sh/hook-delete-policy: before-hook-creation}",
	"Kind: Service\nmetadata: {name: upper}",
	"apiVersion: v1\nkind: ConfigMap\nMetadata: {name: upper-meta}",
	"apiVersion: v1\nkind: ConfigMap\nmetadata: {Name: upper-name}",
	"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, Annotations: {helm.sh/hook: pre-install}}",
	"apiVersion: v1\nkind: 5\nmetadata: {name: numkind}",
	"apiVersion: 1.0\nkind: ConfigMap\nmetadata: {name: numapi}",
	"apiVersion: v1\nkind: ConfigMap\nmetadata: [a, b]",
	"apiVersion: v1\nkind: ConfigMap\nmetadata: just-a-string",
	"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: [x]}",
	"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, annotations: {n: 1, b: true}}",
	"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, annotations: [x]}",
	"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, annotations: null}",
	"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {1: intkey}",
	"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {x: .nan}",
	"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {x: [unclosed",
	"- a\n- b",
	"just a scalar",
	"kind: [x",
	"\tkind: tab",
	"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: anch}\na: &x {k: v}\nb: *x",
	"----\nkind: Dashes",
	"apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: sa}",
	"apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: cr}",
	"apiVersion: v1\nkind: Secret\nmetadata: {name: dup}\nkind: Secret",
}

func randomTemplates(rng *rand.Rand) map[string]string {
	files := map[string]string{}
	for f := range 1 + rng.IntN(5) {
		var docs []string
		for range rng.IntN(4) {
			docs = append(docs, helmSortDocs[rng.IntN(len(helmSortDocs))])
		}
		seps := []string{"\n---\n", "\n---   \n", "\n\n---\n\n", "\n--- # c\n"}
		var b strings.Builder
		if rng.IntN(3) == 0 {
			b.WriteString("---\n")
		}
		for i, d := range docs {
			if i > 0 {
				b.WriteString(seps[rng.IntN(len(seps))])
			}
			b.WriteString(d)
		}
		name := fmt.Sprintf("c/templates/t%d.yaml", f)
		switch rng.IntN(8) {
		case 0:
			name = fmt.Sprintf("c/templates/_helpers%d.tpl", f)
		case 1:
			name = fmt.Sprintf("c/charts/sub/templates/s%d.yaml", f)
		}
		files[name] = b.String() + strings.Repeat("\n", rng.IntN(2))
	}
	return files
}

// The plain sort prints and decodes exactly what Helm's sort, printed and
// then decoded section by section, gives, errors included.
func TestPlainSortMatchesHelm(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	ch := &chart.Chart{Metadata: &chart.Metadata{Name: "c"}}
	plain := 0
	for i := range 8_000 {
		files := randomTemplates(rng)
		want, werr := printSorted(ch, files, true, i%2 == 0, false)
		got, gerr := printSorted(ch, files, true, i%2 == 0, true)
		if (werr == nil) != (gerr == nil) || werr != nil && werr.Error() != gerr.Error() {
			t.Fatalf("%q: error %v, want %v", files, gerr, werr)
		}
		if _, _, ok := sortResources(files); ok {
			plain++
		}
		if len(got) != len(want) {
			t.Fatalf("%q: %d sections, want %d", files, len(got), len(want))
		}
		for j := range want {
			if got[j].source != want[j].source || got[j].text != want[j].text || got[j].hook != want[j].hook {
				t.Fatalf("%q: section %d = %q %q, want %q %q", files, j, got[j].source, got[j].text, want[j].source, want[j].text)
			}
			if !got[j].decoded {
				continue
			}
			objs, err := decodeSection(got[j].text)
			if err != nil {
				t.Fatalf("%q: section %d was decoded, but decodeSection says %v", files, j, err)
			}
			if len(objs) == 0 && len(got[j].objs) == 0 {
				continue
			}
			if !reflect.DeepEqual(got[j].objs, objs) {
				t.Fatalf("%q: section %d decoded as\n%#v\nwant\n%#v", files, j, got[j].objs, objs)
			}
		}
	}
	if plain < 800 {
		t.Fatalf("only %d of 8000 inputs took the plain sort: the test exercises little", plain)
	}
}

// splitManifests splits every file where Helm's SplitManifests does.
func TestSplitManifestsAsHelm(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 17))
	pieces := []string{"-", "---", "\n", " ", "\t", "\r", "\f", "\v", "a", "#", "x: 1", "\n---\n", "\u00a0"}
	inputs := []string{"", "---", "---\n---", "a\n---\n---\nb", " \n--- x", "a \n \n---  \n b\n---"}
	for range 50_000 {
		var b strings.Builder
		for range rng.IntN(16) {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		inputs = append(inputs, b.String())
	}
	for _, in := range inputs {
		m := releaseutil.SplitManifests(in)
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Sort(releaseutil.BySplitManifestsOrder(keys))
		want := make([]string, len(keys))
		for i, k := range keys {
			want[i] = m[k]
		}
		if got := splitManifests(in); !reflect.DeepEqual(got, want) && !(len(got) == 0 && len(want) == 0) {
			t.Fatalf("%q: split into %q, want %q", in, got, want)
		}
	}
}
