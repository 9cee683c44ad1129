package seal

import (
	"context"
	"crypto/rsa"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	ssv1 "github.com/bitnami-labs/sealed-secrets/pkg/apis/sealedsecrets/v1alpha1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/serializer"
)

// unsealWith decrypts secrets.yaml as a controller holding all of keys does
// (it keeps its older keys after renewing): each key is tried.
func unsealWith(t testing.TB, sf *SecretsFile, name, namespace string, keys ...testKey) (map[string]string, error) {
	t.Helper()
	all := map[string]*rsa.PrivateKey{}
	for _, k := range keys {
		for fp, p := range k.keys() {
			all[fp] = p
		}
	}
	ss := &ssv1.SealedSecret{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: namespace},
		Spec:       ssv1.SealedSecretSpec{EncryptedData: sf.Data},
	}
	sec, err := ss.Unseal(serializer.NewCodecFactory(runtime.NewScheme()), all)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for k, v := range sec.Data {
		out[k] = string(v)
	}
	return out, nil
}

func readState(t testing.TB, f fixture, svc string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(read(t, filepath.Join(f.configs, svc, "secrets.local.state"))), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// The controller renewed its key (k1 -> k2, k1 kept): seal reseals
// nothing, check notes the older cert instead of failing, a new key is
// sealed with k2 while the others keep k1 (the controller decrypts both),
// and --rotate reseals every key with k2.
func TestKeyRenewal(t *testing.T) {
	k1 := newTestKey(t, testNow.Add(-40*24*time.Hour), 365*24*time.Hour)
	k2 := newTestKey(t, testNow.Add(-time.Hour), 365*24*time.Hour)
	f := newFixture(t, map[string]string{"backend": "apps"})
	writePlain(t, f, "backend", secretValues)
	f.seal(t, f.opts(k1))
	secretsPath := filepath.Join(f.configs, "backend/secrets.yaml")
	sealedK1 := read(t, secretsPath)

	// Each key's cert is recorded in the state.
	for k, v := range readState(t, f, "backend")["keys"].(map[string]any) {
		if c := v.(map[string]any)["cert"]; c != k1.cert.Fingerprint {
			t.Fatalf("state: %s sealed with %v", k, c)
		}
	}

	rep, err := Check(context.Background(), CheckOptions{Sealer: f.opts(k2).Sealer, Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() {
		t.Fatalf("check failed on an older cert: %+v", rep.Failing())
	}
	notes := rep.Services[0].Notes
	if len(notes) != 1 || notes[0].Kind != ProblemCert || len(notes[0].Keys) != len(secretValues) || !strings.Contains(notes[0].Detail, "--rotate") {
		t.Fatalf("notes %+v", notes)
	}

	// Nothing resealed: secrets.yaml byte for byte, so no rollout.
	r := f.seal(t, f.opts(k2))
	if len(r.Services[0].Sealed) != 0 || len(r.Services[0].OlderCert) != len(secretValues) {
		t.Fatalf("newer cert resealed: %+v", r.Services[0])
	}
	if read(t, secretsPath) != sealedK1 {
		t.Fatal("secrets.yaml changed")
	}
	// env list's view: still sealed, not stale.
	st, err := SecretStatus(f.configs, "backend")
	if err != nil {
		t.Fatal(err)
	}
	for _, ks := range st {
		if ks.Status != StatusSealed {
			t.Fatalf("status %+v", ks)
		}
	}

	// A new key: sealed with k2; the others keep k1; the file still names k1.
	values := map[string]string{"NEW": "fresh"}
	for k, v := range secretValues {
		values[k] = v
	}
	writePlain(t, f, "backend", values)
	r = f.seal(t, f.opts(k2))
	if !reflect.DeepEqual(r.Services[0].Sealed, []string{"NEW"}) || !reflect.DeepEqual(r.Services[0].OlderCerts, []string{k1.cert.Fingerprint}) {
		t.Fatalf("new key: %+v", r.Services[0])
	}
	sf := f.secrets(t, "backend")
	if sf.Fingerprint != k1.cert.Fingerprint {
		t.Fatalf("file fingerprint %s, want the older cert's while keys use it", sf.Fingerprint)
	}
	if got, err := unsealWith(t, sf, "backend-secrets", "apps", k1, k2); err != nil || !reflect.DeepEqual(got, values) {
		t.Fatalf("controller with both keys: %v %v", got, err)
	}
	if _, err := unsealWith(t, sf, "backend-secrets", "apps", k2); err == nil {
		t.Fatal("k2 alone decrypts keys sealed with k1")
	}
	// Run again: nothing changes (per-key certs from the state).
	if r = f.seal(t, f.opts(k2)); len(r.Services[0].Sealed) != 0 {
		t.Fatalf("rerun resealed %v", r.Services[0].Sealed)
	}
	rep, _ = Check(context.Background(), CheckOptions{Sealer: f.opts(k2).Sealer, Now: testNow})
	if !rep.OK() || len(rep.Services[0].Notes) != 1 || len(rep.Services[0].Notes[0].Keys) != len(secretValues) {
		t.Fatalf("check after mixed seal: %+v", rep.Services)
	}

	// --rotate: every key sealed with k1 is resealed with k2, NEW kept.
	o := f.opts(k2)
	o.Rotate = true
	r = f.seal(t, o)
	if len(r.Services[0].Sealed) != len(secretValues) || len(r.Services[0].OlderCert) != 0 || !reflect.DeepEqual(r.Services[0].Unchanged, []string{"NEW"}) {
		t.Fatalf("rotate: %+v", r.Services[0])
	}
	sf = f.secrets(t, "backend")
	if sf.Fingerprint != k2.cert.Fingerprint {
		t.Fatal("file fingerprint not updated by --rotate")
	}
	if got, err := unsealWith(t, sf, "backend-secrets", "apps", k2); err != nil || !reflect.DeepEqual(got, values) {
		t.Fatalf("after rotate, k2 alone: %v %v", got, err)
	}
	rep, _ = Check(context.Background(), CheckOptions{Sealer: f.opts(k2).Sealer, Now: testNow})
	if !rep.OK() || len(rep.Services[0].Notes) != 0 {
		t.Fatalf("check after rotate: %+v", rep.Services)
	}
	// --rotate again: nothing left to reseal.
	if r = f.seal(t, o); len(r.Services[0].Sealed) != 0 {
		t.Fatalf("second rotate resealed %v", r.Services[0].Sealed)
	}
}

// A state file written before certs were recorded per key (version 1) is
// still read: its keys count as sealed with the cert secrets.yaml names, so
// a newer cert reseals nothing; the state is then rewritten as version 2.
func TestKeyRenewalReadsVersion1State(t *testing.T) {
	k1 := newTestKey(t, testNow.Add(-time.Hour), 365*24*time.Hour)
	k2 := newTestKey(t, testNow.Add(-time.Hour), 365*24*time.Hour)
	f := newFixture(t, map[string]string{"backend": "apps"})
	writePlain(t, f, "backend", map[string]string{"A": "1", "B": "2"})
	f.seal(t, f.opts(k1))
	statePath := filepath.Join(f.configs, "backend/secrets.local.state")
	m := readState(t, f, "backend")
	m["version"] = 1
	for _, v := range m["keys"].(map[string]any) {
		delete(v.(map[string]any), "cert")
	}
	b, _ := json.Marshal(m)
	if err := os.WriteFile(statePath, b, 0o600); err != nil {
		t.Fatal(err)
	}
	before := read(t, filepath.Join(f.configs, "backend/secrets.yaml"))
	r := f.seal(t, f.opts(k2))
	if len(r.Services[0].Sealed) != 0 || len(r.Services[0].Unchanged) != 2 {
		t.Fatalf("version 1 state: %+v", r.Services[0])
	}
	if read(t, filepath.Join(f.configs, "backend/secrets.yaml")) != before {
		t.Fatal("secrets.yaml changed")
	}
	m = readState(t, f, "backend")
	if m["version"] != float64(2) {
		t.Fatalf("state version %v", m["version"])
	}
	for k, v := range m["keys"].(map[string]any) {
		if c := v.(map[string]any)["cert"]; c != k1.cert.Fingerprint {
			t.Fatalf("%s: cert %v", k, c)
		}
	}
}
