package seal

import (
	"context"
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	ssv1 "github.com/bitnami-labs/sealed-secrets/pkg/apis/sealedsecrets/v1alpha1"
	sscrypto "github.com/bitnami-labs/sealed-secrets/pkg/crypto"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/serializer"
)

var secretValues = map[string]string{
	"DB_PASSWORD": "p@ss=word 'quoted' \"double\"",
	"PEM":         "-----BEGIN KEY-----\nabc\n-----END KEY-----\n",
	"UNICODE":     "héllo wörld 🌍",
	"EMPTY":       "",
}

func writePlain(t testing.TB, f fixture, svc string, m map[string]string) {
	t.Helper()
	var b strings.Builder
	for _, k := range sortedKeys(m) {
		b.WriteString(formatLine(k, m[k]))
	}
	write(t, filepath.Join(f.configs, svc, "secrets.local.env"), b.String())
}

// unseal decrypts secrets.yaml through the controller's own code path: a
// SealedSecret object with the given name, namespace and scope annotations.
func unseal(t testing.TB, k testKey, sf *SecretsFile, name, namespace string, scope Scope) (map[string]string, error) {
	t.Helper()
	ss := &ssv1.SealedSecret{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: namespace, Annotations: scope.Annotations()},
		Spec: ssv1.SealedSecretSpec{
			Template:      ssv1.SecretTemplateSpec{ObjectMeta: metav1.ObjectMeta{Annotations: scope.Annotations()}},
			EncryptedData: sf.Data,
		},
	}
	sec, err := ss.Unseal(serializer.NewCodecFactory(runtime.NewScheme()), k.keys())
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for key, v := range sec.Data {
		out[key] = string(v)
	}
	return out, nil
}

func TestRoundTripPerScope(t *testing.T) {
	k := newTestKey(t, testNow.Add(-time.Hour), 365*24*time.Hour)
	for _, scope := range []Scope{Strict, NamespaceWide, ClusterWide} {
		t.Run(string(scope), func(t *testing.T) {
			f := newFixture(t, map[string]string{"backend": "apps"})
			writePlain(t, f, "backend", secretValues)
			o := f.opts(k, "backend")
			o.Scope = scope
			r := f.seal(t, o)
			if got := r.Services[0].Sealed; len(got) != len(secretValues) {
				t.Fatalf("sealed %v", got)
			}
			sf := f.secrets(t, "backend")
			if sf.Scope != string(scope) || sf.Fingerprint != k.cert.Fingerprint {
				t.Fatalf("scope %q fingerprint %q", sf.Scope, sf.Fingerprint)
			}
			// Bare crypto: HybridDecrypt with the scope's label.
			label := ssv1.EncryptionLabel("apps", "backend-secrets", scope.sealing())
			for key, want := range secretValues {
				raw, err := base64.StdEncoding.DecodeString(sf.Data[key])
				if err != nil {
					t.Fatal(err)
				}
				got, err := sscrypto.HybridDecrypt(randReader(), k.keys(), raw, label)
				if err != nil || string(got) != want {
					t.Fatalf("%s: HybridDecrypt = %q, %v; want %q", key, got, err, want)
				}
			}
			// The controller's path: Unseal.
			got, err := unseal(t, k, sf, "backend-secrets", "apps", scope)
			if err != nil || !reflect.DeepEqual(got, secretValues) {
				t.Fatalf("Unseal = %q, %v", got, err)
			}
			_, errName := unseal(t, k, sf, "other-secrets", "apps", scope)
			_, errNS := unseal(t, k, sf, "backend-secrets", "other", scope)
			switch scope {
			case Strict:
				if errName == nil || errNS == nil {
					t.Fatalf("strict: wrong name/namespace decrypted (%v, %v)", errName, errNS)
				}
				if !strings.Contains(errName.Error(), "no key could decrypt secret") {
					t.Fatalf("unexpected error %v", errName)
				}
			case NamespaceWide:
				if errName != nil || errNS == nil {
					t.Fatalf("namespace-wide: name %v, namespace %v", errName, errNS)
				}
			case ClusterWide:
				if errName != nil || errNS != nil {
					t.Fatalf("cluster-wide: %v, %v", errName, errNS)
				}
			}
			// A different scope at decryption time fails (except the label coincides).
			if scope != Strict {
				if _, err := unseal(t, k, sf, "backend-secrets", "apps", Strict); err == nil {
					t.Fatal("decrypted under strict scope")
				}
			}
		})
	}
}

func TestNoChurn(t *testing.T) {
	k := newTestKey(t, testNow.Add(-time.Hour), 365*24*time.Hour)
	f := newFixture(t, map[string]string{"backend": "apps", "frontend": "web"})
	writePlain(t, f, "backend", secretValues)
	writePlain(t, f, "frontend", map[string]string{"API_TOKEN": "t0k"})
	f.seal(t, f.opts(k))
	snap := func() map[string]string {
		m := map[string]string{}
		filepath.Walk(f.configs, func(p string, info os.FileInfo, err error) error {
			if err == nil && !info.IsDir() {
				m[p] = read(t, p)
			}
			return nil
		})
		return m
	}
	before := snap()
	r := f.seal(t, f.opts(k))
	if after := snap(); !reflect.DeepEqual(before, after) {
		t.Fatal("a second seal with nothing changed changed files")
	}
	for _, s := range r.Services {
		if len(s.Sealed) != 0 || len(s.Wrote) != 0 {
			t.Fatalf("%s: resealed %v, wrote %v", s.Service, s.Sealed, s.Wrote)
		}
	}
	old := f.secrets(t, "backend").Data
	changed := map[string]string{}
	for key, v := range secretValues {
		changed[key] = v
	}
	changed["UNICODE"] = "changed"
	writePlain(t, f, "backend", changed)
	r = f.seal(t, f.opts(k))
	if got := r.Services[0].Sealed; !reflect.DeepEqual(got, []string{"UNICODE"}) {
		t.Fatalf("resealed %v, want [UNICODE]", got)
	}
	now := f.secrets(t, "backend").Data
	for key := range old {
		if (old[key] != now[key]) != (key == "UNICODE") {
			t.Fatalf("%s: ciphertext changed=%v", key, old[key] != now[key])
		}
	}
	if read(t, filepath.Join(f.configs, "frontend/secrets.yaml")) != before[filepath.Join(f.configs, "frontend/secrets.yaml")] {
		t.Fatal("frontend changed")
	}
	// --force reseals everything.
	o := f.opts(k, "backend")
	o.Force = true
	r = f.seal(t, o)
	if len(r.Services[0].Sealed) != len(secretValues) {
		t.Fatalf("force resealed %v", r.Services[0].Sealed)
	}
	// A ciphertext edited by hand in secrets.yaml is resealed.
	p := filepath.Join(f.configs, "backend/secrets.yaml")
	sf := f.secrets(t, "backend")
	write(t, p, strings.Replace(read(t, p), sf.Data["PEM"], "AgBtampered", 1))
	r = f.seal(t, f.opts(k, "backend"))
	if !reflect.DeepEqual(r.Services[0].Sealed, []string{"PEM"}) {
		t.Fatalf("resealed %v, want [PEM]", r.Services[0].Sealed)
	}
}

func TestSealedOnlyKeysKeptAndPruned(t *testing.T) {
	k := newTestKey(t, testNow.Add(-time.Hour), 365*24*time.Hour)
	k2 := newTestKey(t, testNow.Add(-time.Hour), 365*24*time.Hour)
	f := newFixture(t, map[string]string{"backend": "apps"})
	writePlain(t, f, "backend", map[string]string{"A": "1", "B": "2"})
	f.seal(t, f.opts(k))
	// A teammate without B's plaintext seals: B stays.
	writePlain(t, f, "backend", map[string]string{"A": "1"})
	r := f.seal(t, f.opts(k))
	if !reflect.DeepEqual(r.Services[0].SealedOnly, []string{"B"}) {
		t.Fatalf("sealedOnly %v", r.Services[0].SealedOnly)
	}
	if _, ok := f.secrets(t, "backend").Data["B"]; !ok {
		t.Fatal("B was dropped")
	}
	// No plaintext file at all: nothing touched.
	os.Remove(filepath.Join(f.configs, "backend/secrets.local.env"))
	before := read(t, filepath.Join(f.configs, "backend/secrets.yaml"))
	o := f.opts(k)
	o.Prune = true
	f.seal(t, o)
	if read(t, filepath.Join(f.configs, "backend/secrets.yaml")) != before {
		t.Fatal("--prune without a plaintext file changed secrets.yaml")
	}
	// A newer cert keeps B (valid while the controller keeps the older
	// key), but --rotate cannot reseal it: refused, nothing written.
	writePlain(t, f, "backend", map[string]string{"A": "1"})
	if r := f.seal(t, f.opts(k2)); !reflect.DeepEqual(r.Services[0].SealedOnly, []string{"B"}) || len(r.Services[0].Sealed) != 0 {
		t.Fatalf("newer cert: %+v", r.Services[0])
	}
	o = f.opts(k2)
	o.Rotate = true
	_, err := Run(context.Background(), o)
	var ce *ContextError
	if !errors.As(err, &ce) || !reflect.DeepEqual(ce.Keys, []string{"B"}) || !strings.Contains(err.Error(), "--rotate reseals every key with the current cert") {
		t.Fatalf("err = %v", err)
	}
	if read(t, filepath.Join(f.configs, "backend/secrets.yaml")) != before {
		t.Fatal("refused seal wrote secrets.yaml")
	}
	// --prune drops it.
	o = f.opts(k)
	o.Prune = true
	r = f.seal(t, o)
	if !reflect.DeepEqual(r.Services[0].Pruned, []string{"B"}) {
		t.Fatalf("pruned %v", r.Services[0].Pruned)
	}
	if _, ok := f.secrets(t, "backend").Data["B"]; ok {
		t.Fatal("B still sealed")
	}
}

func TestTrackedPlaintextRefused(t *testing.T) {
	k := newTestKey(t, testNow.Add(-time.Hour), 365*24*time.Hour)
	f := newFixture(t, map[string]string{"backend": "apps"})
	gitCmd(t, f.configs, "init", "-q")
	writePlain(t, f, "backend", map[string]string{"A": "1"})
	if _, err := EnsureGitignore(f.configs); err != nil {
		t.Fatal(err)
	}
	gitCmd(t, f.configs, "add", "-A")
	if out := gitCmd(t, f.configs, "status", "--porcelain", "--ignored"); !strings.Contains(out, "!! backend/secrets.local.env") {
		t.Fatalf("plaintext not ignored by git:\n%s", out)
	}
	gitCmd(t, f.configs, "commit", "-qm", "init")
	f.seal(t, f.opts(k)) // ignored and untracked: fine

	// Staged with -f: refused.
	gitCmd(t, f.configs, "add", "-f", "backend/secrets.local.env")
	before := read(t, filepath.Join(f.configs, "backend/secrets.yaml"))
	writePlain(t, f, "backend", map[string]string{"A": "2"})
	_, err := Run(context.Background(), f.opts(k))
	var te *TrackedError
	if !errors.As(err, &te) || !reflect.DeepEqual(te.Files, []string{"backend/secrets.local.env"}) {
		t.Fatalf("err = %v", err)
	}
	if read(t, filepath.Join(f.configs, "backend/secrets.yaml")) != before {
		t.Fatal("refused seal wrote")
	}
	rep, err := Check(context.Background(), CheckOptions{Sealer: f.opts(k).Sealer, Now: testNow})
	if err != nil || rep.OK() || rep.Failing()[0].Problems[0].Kind != ProblemTracked {
		t.Fatalf("check: %+v %v", rep, err)
	}
	// Index formats go-git reads (v4) and does not (split index: git CLI).
	gitCmd(t, f.configs, "update-index", "--index-version", "4")
	if _, err := Run(context.Background(), f.opts(k)); !errors.As(err, &te) {
		t.Fatalf("index v4: err = %v", err)
	}
	gitCmd(t, f.configs, "update-index", "--split-index")
	if _, err := Run(context.Background(), f.opts(k)); !errors.As(err, &te) {
		t.Fatalf("split index: err = %v", err)
	}
	gitCmd(t, f.configs, "update-index", "--no-split-index")
	// Committed, then removed from the index: still in HEAD, still refused.
	gitCmd(t, f.configs, "commit", "-qm", "oops")
	gitCmd(t, f.configs, "rm", "-q", "--cached", "backend/secrets.local.env")
	if _, err := Run(context.Background(), f.opts(k)); !errors.As(err, &te) {
		t.Fatalf("err = %v", err)
	}
	gitCmd(t, f.configs, "commit", "-qm", "remove")
	if _, err := Run(context.Background(), f.opts(k)); err != nil {
		t.Fatal(err)
	}
	// The configs-repo as a subdirectory of a larger repository.
	outer := t.TempDir()
	gitCmd(t, outer, "init", "-q")
	write(t, filepath.Join(outer, "configs/svc/config.yaml"), "config: {}\n")
	write(t, filepath.Join(outer, "configs/svc/secrets.local.state"), "{}")
	gitCmd(t, outer, "add", "-f", "configs/svc/secrets.local.state")
	files, err := TrackedPlaintext(filepath.Join(outer, "configs"))
	if err != nil || !reflect.DeepEqual(files, []string{"svc/secrets.local.state"}) {
		t.Fatalf("files %v err %v", files, err)
	}
}

func TestCheck(t *testing.T) {
	k := newTestKey(t, testNow.Add(-time.Hour), 365*24*time.Hour)
	f := newFixture(t, map[string]string{"backend": "apps", "frontend": "web", "worker": "jobs"})
	writePlain(t, f, "backend", map[string]string{"A": "1", "B": "2"})
	writePlain(t, f, "frontend", map[string]string{"T": "x"})
	f.seal(t, f.opts(k))
	check := func(mod func(*CheckOptions)) map[string][]string {
		o := CheckOptions{Sealer: f.opts(k).Sealer, Now: testNow}
		if mod != nil {
			mod(&o)
		}
		rep, err := Check(context.Background(), o)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string][]string{}
		for _, s := range rep.Failing() {
			for _, p := range s.Problems {
				got[s.Service] = append(got[s.Service], p.Kind+":"+strings.Join(p.Keys, ","))
			}
		}
		return got
	}
	if got := check(nil); len(got) != 0 {
		t.Fatalf("fresh seal: %v", got)
	}
	writePlain(t, f, "backend", map[string]string{"A": "changed", "B": "2", "C": "new"})
	want := map[string][]string{"backend": {"missing:C", "stale:A"}}
	if got := check(nil); !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v want %v", got, want)
	}
	// Without plaintext (CI), only cert/scope/target count.
	os.Remove(filepath.Join(f.configs, "backend/secrets.local.env"))
	if got := check(nil); len(got) != 0 {
		t.Fatalf("without plaintext: %v", got)
	}
	if got := check(func(o *CheckOptions) { o.Scope = NamespaceWide }); !reflect.DeepEqual(got, map[string][]string{"backend": {"scope:A,B"}, "frontend": {"scope:T"}}) {
		t.Fatalf("scope: %v", got)
	}
	// The Application moved to another namespace.
	app := filepath.Join(f.repo, "argo-apps/clusters/prod/app/frontend.yaml")
	write(t, app, strings.Replace(read(t, app), "namespace: web", "namespace: web2", 1))
	if got := check(nil); !reflect.DeepEqual(got, map[string][]string{"frontend": {"target:T"}}) {
		t.Fatalf("target: %v", got)
	}
	// A hand-edited ciphertext that is not one.
	p := filepath.Join(f.configs, "backend/secrets.yaml")
	sf := f.secrets(t, "backend")
	write(t, p, strings.Replace(read(t, p), sf.Data["B"], "not-base64!", 1))
	if got := check(nil); !reflect.DeepEqual(got["backend"], []string{"invalid:B"}) {
		t.Fatalf("corrupt: %v", got)
	}
	// An expired cert is an error.
	if _, err := Check(context.Background(), CheckOptions{Sealer: f.opts(k).Sealer, Now: testNow.Add(400 * 24 * time.Hour)}); err == nil || !strings.Contains(err.Error(), "expired") {
		t.Fatalf("err = %v", err)
	}
}

func TestSecretStatus(t *testing.T) {
	k := newTestKey(t, testNow.Add(-time.Hour), 365*24*time.Hour)
	f := newFixture(t, map[string]string{"backend": "apps"})
	writePlain(t, f, "backend", map[string]string{"A": "1", "B": "2", "C": "3"})
	f.seal(t, f.opts(k))
	writePlain(t, f, "backend", map[string]string{"A": "1", "B": "changed", "D": "4"})
	st, err := SecretStatus(f.configs, "backend")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range st {
		got = append(got, s.Key+"="+s.Status)
	}
	want := []string{"A=sealed", "B=stale", "C=sealed-only", "D=not-sealed"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v want %v", got, want)
	}
}

func TestStateRevealsNoPlaintext(t *testing.T) {
	k := newTestKey(t, testNow.Add(-time.Hour), 365*24*time.Hour)
	f := newFixture(t, map[string]string{"backend": "apps"})
	writePlain(t, f, "backend", map[string]string{"TOKEN": "very-secret-value"})
	f.seal(t, f.opts(k))
	p := filepath.Join(f.configs, "backend/secrets.local.state")
	st := read(t, p)
	if strings.Contains(st, "very-secret-value") {
		t.Fatal("state holds the plaintext")
	}
	if fi, _ := os.Stat(p); fi.Mode().Perm() != 0o600 {
		t.Fatalf("state mode %v", fi.Mode())
	}
	// Two files with the same plaintext get different MACs (per-file salt).
	f2 := newFixture(t, map[string]string{"backend": "apps"})
	writePlain(t, f2, "backend", map[string]string{"TOKEN": "very-secret-value"})
	f2.seal(t, f2.opts(k))
	s1, s2 := parseState([]byte(st)), parseState([]byte(read(t, filepath.Join(f2.configs, "backend/secrets.local.state"))))
	if s1.Keys["TOKEN"].MAC == s2.Keys["TOKEN"].MAC {
		t.Fatal("MAC does not depend on the per-file salt")
	}
}

// The locator renders the Application: the SealedSecret's name follows the
// release name, its namespace follows helm.namespace, both as Argo CD would
// apply them, before and after any key is sealed.
func TestLocatorAndOverrides(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, map[string]string{"backend": "apps"})
	// No key sealed yet: the chart renders no SealedSecret, the locator
	// still finds where it would be.
	tg, err := f.locator()(ctx, "backend", Location{})
	if err != nil || tg.Target != (Target{Name: "backend-secrets", Namespace: "apps"}) {
		t.Fatalf("%v %v", tg, err)
	}
	app := filepath.Join(f.repo, "argo-apps/clusters/prod/app/backend.yaml")
	orig := read(t, app)
	write(t, app, strings.Replace(orig, "helm:\n", "helm:\n        releaseName: be\n        namespace: other\n", 1))
	if tg, err := f.locator()(ctx, "backend", Location{}); err != nil || tg.Target != (Target{Name: "be-secrets", Namespace: "other"}) {
		t.Fatalf("releaseName/namespace ignored: %v %v", tg, err)
	}
	write(t, app, orig)
	if _, err := f.locator()(ctx, "nope", Location{}); !errors.Is(err, ErrNoSealedSecret) {
		t.Fatalf("err = %v", err)
	}
	// A chart that never renders a SealedSecret.
	write(t, filepath.Join(f.repo, "charts/backend/templates/sealedsecret.yaml"), "")
	if _, err := f.locator()(ctx, "backend", Location{}); !errors.Is(err, ErrNoSealedSecret) {
		t.Fatalf("err = %v", err)
	}
	s := Sealer{Scope: Strict, Locate: f.locator(), Name: "x", Namespace: "y"}
	if tg, err := s.Target(ctx, "backend"); err != nil || tg != (Target{"x", "y"}) {
		t.Fatalf("%v %v", tg, err)
	}
	s = Sealer{Scope: NamespaceWide, Namespace: "y"}
	if tg, err := s.Target(ctx, "backend"); err != nil || tg != (Target{"", "y"}) {
		t.Fatalf("%v %v", tg, err)
	}
}
