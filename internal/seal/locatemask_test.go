package seal

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gitopsctl/gitopsctl/internal/config"
	"github.com/gitopsctl/gitopsctl/internal/render"
	"github.com/gitopsctl/gitopsctl/internal/rendercache"
)

func TestMaskCiphertexts(t *testing.T) {
	src := "# header\nsealedSecrets:\n  scope: strict\n  certFingerprint: sha256:ab\n  sealedFor: ns/app-secrets\n  encryptedData:\n    B: AgBxyz==\n    A: 'AgBqq'\nother: 1\n"
	got := string(MaskCiphertexts("/r", "svc/secrets.yaml", []byte(src)))
	want := strings.NewReplacer("AgBxyz==", maskedCiphertext, "'AgBqq'", maskedCiphertext, "sha256:ab", maskedField, "ns/app-secrets", maskedField).Replace(src)
	if got != want {
		t.Fatalf("masked:\n%s\nwant:\n%s", got, want)
	}
	// Resealed (other ciphertexts, cert, name): same mask. The key set
	// and the other fields stay.
	other := strings.NewReplacer("AgBxyz==", "AgBother", "'AgBqq'", "AgBelse", "sha256:ab", "sha256:cd", "ns/app-secrets", "ns2/x").Replace(src)
	if m := string(MaskCiphertexts("/r", "svc/secrets.yaml", []byte(other))); m != got {
		t.Fatalf("masks differ:\n%s\n%s", m, got)
	}
	for _, changed := range []string{
		strings.Replace(src, "B: AgBxyz==", "C: AgBxyz==", 1),
		strings.Replace(src, "scope: strict", "scope: namespace-wide", 1),
		strings.Replace(src, "other: 1", "other: 2", 1),
	} {
		if m := string(MaskCiphertexts("/r", "svc/secrets.yaml", []byte(changed))); m == got {
			t.Fatalf("a change other than a ciphertext was masked away:\n%s", changed)
		}
	}
	// Left as they are: other files, files without sealed keys, bad YAML.
	for _, c := range []struct{ path, src string }{
		{"svc/config.yaml", src},
		{"svc/secrets.yaml", "sealedSecrets:\n  encryptedData: {}\n"},
		{"svc/secrets.yaml", "sealedSecrets:\n  encryptedData:\n    A: [x\n"},
		{"svc/secrets.yaml", "sealedSecrets:\n  scope: bogus\n  encryptedData:\n    A: AgB\n"},
	} {
		if m := string(MaskCiphertexts("/r", c.path, []byte(c.src))); m != c.src {
			t.Fatalf("%s changed:\n%s", c.path, m)
		}
	}
}

// sealCounting seals like `gitopsctl seal` in a new process: a new
// workspace (ciphertexts masked) over the render cache in cacheDir (none
// when ""), with --force. It returns the result and the services whose app
// was rendered to locate.
func sealCounting(t *testing.T, f fixture, k testKey, cacheDir string, force bool, services ...string) (*Result, []string) {
	return sealCountingWith(t, f, k, cacheDir, func(o *Options) { o.Force = force }, services...)
}

func sealCountingWith(t *testing.T, f fixture, k testKey, cacheDir string, mod func(*Options), services ...string) (*Result, []string) {
	t.Helper()
	var mu sync.Mutex
	var rendered []string
	loc := renderLocator(func(ctx context.Context) (*render.Workspace, error) {
		cfg, err := config.Load(config.Options{RepoDir: f.repo})
		if err != nil {
			return nil, err
		}
		o := render.Options{Config: cfg, CacheSalt: "test"}
		if cacheDir != "" {
			o.RenderCache = rendercache.New(cacheDir, 0)
		}
		return render.Open(ctx, LocateOptions(o))
	}, func(svc string) {
		mu.Lock()
		rendered = append(rendered, svc)
		mu.Unlock()
	})
	o := f.opts(k, services...)
	o.Locate = loc
	mod(&o)
	return f.seal(t, o), rendered
}

// A forced seal changes every ciphertext, and nothing the location of a
// SealedSecret depends on: the next seal locates every service without
// rendering, and so does the next forced one.
func TestSealAfterForceRendersNothing(t *testing.T) {
	k := newTestKey(t, testNow.Add(-time.Hour), 365*24*time.Hour)
	f := newFixture(t, map[string]string{"api": "team-a", "web": "team-b"})
	writePlain(t, f, "api", map[string]string{"A": "1", "B": "2"})
	writePlain(t, f, "web", map[string]string{"C": "3"})
	cache := t.TempDir()
	if _, rendered := sealCounting(t, f, k, cache, false); len(rendered) != 2 {
		t.Fatalf("first seal rendered %v, want both services", rendered)
	}
	// Sealing added keys to secrets.yaml: an input of the apps.
	if _, rendered := sealCounting(t, f, k, cache, false); len(rendered) != 2 {
		t.Fatalf("second seal rendered %v, want both services (their secrets.yaml gained keys)", rendered)
	}
	before := f.secrets(t, "api").Data["A"]
	res, rendered := sealCounting(t, f, k, cache, true)
	if len(rendered) != 0 || len(res.Services[0].Sealed) != 2 || f.secrets(t, "api").Data["A"] == before {
		t.Fatalf("forced seal: rendered %v, sealed %v", rendered, res.Services[0].Sealed)
	}
	res, rendered = sealCounting(t, f, k, cache, false)
	if len(rendered) != 0 {
		t.Fatalf("seal after a forced seal rendered %v, want nothing", rendered)
	}
	for _, s := range res.Services {
		if len(s.Sealed) != 0 || len(s.Wrote) != 0 || s.Target == nil || s.Target.Namespace == "" {
			t.Fatalf("seal after a forced seal: %+v", s)
		}
	}
	// Without a render cache, the seal state says where each service was
	// located, and for which inputs: no render either.
	if _, rendered := sealCounting(t, f, k, "", false); len(rendered) != 0 {
		t.Fatalf("no render cache: rendered %v, want nothing", rendered)
	}
	st := parseState([]byte(read(t, filepath.Join(f.configs, "api/secrets.local.state"))))
	if st == nil || st.Version != stateVersion || st.Located == nil || st.Located.Name != "api-secrets" || st.Located.Namespace != "team-a" || len(st.Located.Inputs) != 64 {
		t.Fatalf("state: %+v", st)
	}
	// Relocate (--no-cache) renders every service again.
	if _, rendered := sealCountingWith(t, f, k, "", func(o *Options) { o.Relocate = true }); len(rendered) != 2 {
		t.Fatalf("relocate: rendered %v, want both services", rendered)
	}
	// A forced seal with neither renders nothing.
	if _, rendered := sealCounting(t, f, k, "", true); len(rendered) != 0 {
		t.Fatalf("forced, no render cache: rendered %v, want nothing", rendered)
	}
}

// A located SealedSecret is never served for inputs it was not located
// from: the chart template naming it, the Application's namespace and the
// service's config.yaml each move it, and the next seal (render cache
// warm) seals for the new location.
func TestSealLocationNeverStale(t *testing.T) {
	for _, c := range []struct {
		name  string
		cache bool
	}{{"render cache", true}, {"seal state only", false}} {
		t.Run(c.name, func(t *testing.T) {
			cache := ""
			if c.cache {
				cache = t.TempDir()
			}
			testSealLocationNeverStale(t, cache)
		})
	}
}

func testSealLocationNeverStale(t *testing.T, cache string) {
	k := newTestKey(t, testNow.Add(-time.Hour), 365*24*time.Hour)
	f := newFixture(t, map[string]string{"api": "team-a"})
	writePlain(t, f, "api", map[string]string{"A": "1"})
	sealCounting(t, f, k, cache, false)
	sealCounting(t, f, k, cache, true) // records the location for the sealed key set
	if _, rendered := sealCounting(t, f, k, cache, false); len(rendered) != 0 {
		t.Fatalf("nothing changed, rendered %v", rendered)
	}
	expect := func(step, label string) {
		t.Helper()
		res, rendered := sealCounting(t, f, k, cache, false)
		s := res.Services[0]
		if len(rendered) != 1 || s.Target == nil || s.Target.String() != label || len(s.Sealed) != 1 {
			t.Fatalf("%s: rendered %v, result %+v; want %s resealed", step, rendered, s, label)
		}
		if got := f.secrets(t, "api").SealedFor; got != label {
			t.Fatalf("%s: sealedFor %q, want %q", step, got, label)
		}
		// Resealing changed only what the locate render masks.
		res, rendered = sealCounting(t, f, k, cache, false)
		if s := res.Services[0]; len(rendered) != 0 || s.Target.String() != label || len(s.Sealed) != 0 {
			t.Fatalf("%s, then nothing changed: rendered %v, result %+v", step, rendered, s)
		}
	}
	tmpl := filepath.Join(f.repo, "charts/api/templates/sealedsecret.yaml")
	edit(t, tmpl, "{{ $name }}-secrets", "{{ .Values.sealedName | default (printf \"%s-creds\" $name) }}")
	// (No schema: config.yaml sets the name below.)
	if err := os.Remove(filepath.Join(f.repo, "charts/api/values.schema.json")); err != nil {
		t.Fatal(err)
	}
	expect("chart template", "team-a/api-creds")

	apps, err := filepath.Glob(filepath.Join(f.repo, "argo-apps/clusters/*/*/api.yaml"))
	if err != nil || len(apps) != 1 {
		t.Fatalf("the Application manifest: %v %v", apps, err)
	}
	edit(t, apps[0], "namespace: team-a", "namespace: team-c")
	expect("Application namespace", "team-c/api-creds")

	cfgFile := filepath.Join(f.configs, "api/config.yaml")
	write(t, cfgFile, read(t, cfgFile)+"sealedName: api-vault\n")
	expect("config.yaml", "team-c/api-vault")
}

// edit replaces every old in the file p with new, and fails when there is none.
func edit(t *testing.T, p, old, new string) {
	t.Helper()
	data := read(t, p)
	if !strings.Contains(data, old) {
		t.Fatalf("%s has no %q:\n%s", p, old, data)
	}
	if err := os.WriteFile(p, []byte(strings.ReplaceAll(data, old, new)), 0o644); err != nil {
		t.Fatal(err)
	}
}

// waitingReader is crypto randomness whose first read waits until ready
// is closed: a run that encrypts only after locating everything never
// closes it, and the test hangs until go test's -timeout fails it.
type waitingReader struct {
	once  sync.Once
	ready chan struct{}
}

func (r *waitingReader) Read(p []byte) (int, error) {
	r.once.Do(func() { <-r.ready })
	return randReader().Read(p)
}

// Run locates the next service while it encrypts the keys of one located
// before: with one job, encrypting the first service's keys waits until
// the second service is being located, which a locate-then-encrypt loop
// never does.
func TestRunLocatesWhileEncrypting(t *testing.T) {
	k := newTestKey(t, testNow.Add(-time.Hour), 365*24*time.Hour)
	f := newFixture(t, map[string]string{"a": "ns-a", "b": "ns-b", "c": "ns-c"})
	for _, svc := range []string{"a", "b", "c"} {
		writePlain(t, f, svc, map[string]string{"K": svc})
	}
	f.seal(t, f.opts(k)) // seal states exist: planning reads no randomness
	rnd := &waitingReader{ready: make(chan struct{})}
	var mu sync.Mutex
	var order []string
	o := f.opts(k)
	o.Jobs = 1
	o.Force = true
	o.Rand = rnd
	o.Locate = func(_ context.Context, svc string, _ Location) (Location, error) {
		mu.Lock()
		order = append(order, svc)
		mu.Unlock()
		if svc == "b" {
			close(rnd.ready)
		}
		return Location{Target: Target{Name: svc + "-secrets", Namespace: "ns-" + svc}}, nil
	}
	res := f.seal(t, o)
	if strings.Join(order, ",") != "a,b,c" {
		t.Fatalf("located %v, want a,b,c", order)
	}
	for _, s := range res.Services {
		if len(s.Sealed) != 1 || s.Target.Namespace != "ns-"+s.Service {
			t.Fatalf("%+v", s)
		}
		if got, err := unseal(t, k, f.secrets(t, s.Service), s.Service+"-secrets", "ns-"+s.Service, Strict); err != nil || got["K"] != s.Service {
			t.Fatalf("%s: %v %v", s.Service, got, err)
		}
	}
}
