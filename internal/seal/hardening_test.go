package seal

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gitopsctl/gitopsctl/internal/fsutil"
	"github.com/gitopsctl/gitopsctl/internal/layout"
	"github.com/gitopsctl/gitopsctl/internal/seal/sealtest"
	"github.com/gitopsctl/gitopsctl/internal/testutil/readonly"
)

func TestFetchRefusesRedirectToHTTP(t *testing.T) {
	k := newTestKey(t, testNow.Add(-time.Hour), 365*24*time.Hour)
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write(k.pem) }))
	defer plain.Close()
	tls := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, plain.URL+"/v1/cert.pem", http.StatusFound)
	}))
	defer tls.Close()
	_, err := LoadCert(context.Background(), CertSource{Ref: tls.URL + "/v1/cert.pem", Client: tls.Client()})
	if err == nil || !strings.Contains(err.Error(), "refusing a redirect away from https") {
		t.Fatalf("err = %v, want the redirect refused", err)
	}
	// A redirect that stays on https is followed.
	tls2 := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/moved" {
			http.Redirect(w, r, "/v1/cert.pem", http.StatusFound)
			return
		}
		w.Write(k.pem)
	}))
	defer tls2.Close()
	if _, err := LoadCert(context.Background(), CertSource{Ref: tls2.URL + "/moved", Client: tls2.Client()}); err != nil {
		t.Fatalf("https to https redirect: %v", err)
	}
}

func TestFetchTimesOut(t *testing.T) {
	done := make(chan struct{})
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-done // never answers while the test runs
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(done) })
	_, err := LoadCert(context.Background(), CertSource{Ref: srv.URL + "/v1/cert.pem", Client: srv.Client(), Timeout: 100 * time.Millisecond})
	if err == nil || !strings.Contains(err.Error(), "timeout") || !strings.Contains(err.Error(), "--timeout") {
		t.Fatalf("err = %v, want a timeout", err)
	}
}

func TestParseCertRejectsWeakRSA(t *testing.T) {
	kp, err := sealtest.New(1024, testNow.Add(-time.Hour), 365*24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	_, err = ParseCert("weak.pem", kp.CertPEM)
	if err == nil || !strings.Contains(err.Error(), "the RSA key has 1024 bits; sealing needs at least 2048") {
		t.Fatalf("err = %v", err)
	}
}

func TestFetchCertRefusesToOverwriteNonCert(t *testing.T) {
	k := newTestKey(t, testNow.Add(-time.Hour), 365*24*time.Hour)
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write(k.pem) }))
	defer srv.Close()
	dir := t.TempDir()
	cfg := filepath.Join(dir, ".gitopsctl.yaml")
	write(t, cfg, "cluster: prod\n")
	o := FetchOptions{Client: srv.Client(), URL: srv.URL + "/v1/cert.pem", Out: cfg, Now: testNow}
	if _, err := FetchCert(context.Background(), o); err == nil || !strings.Contains(err.Error(), "exists and is not a PEM certificate; refusing to overwrite it (pass --force") {
		t.Fatalf("err = %v", err)
	}
	if read(t, cfg) != "cluster: prod\n" {
		t.Fatal("the config was overwritten")
	}
	o.Force = true
	if _, err := FetchCert(context.Background(), o); err != nil || read(t, cfg) != string(k.pem) {
		t.Fatalf("--force: %v", err)
	}
	// Replacing another cert is allowed, and reported.
	other := newTestKey(t, testNow.Add(-time.Hour), 365*24*time.Hour)
	old := filepath.Join(dir, "cert.pem")
	write(t, old, string(other.pem))
	res, err := FetchCert(context.Background(), FetchOptions{Client: srv.Client(), URL: srv.URL, Out: old, Now: testNow})
	if err != nil || res.Replaced != other.cert.Fingerprint {
		t.Fatalf("res = %+v, err = %v", res, err)
	}
}

// clusterOpts seals without a locator (cluster-wide needs no target).
func clusterOpts(configs string, k testKey) Options {
	return Options{Sealer: Sealer{ConfigsDir: configs, Scope: ClusterWide, Cert: k.cert}, All: true, Now: testNow, LockWait: time.Hour}
}

func configsWith(t *testing.T, services ...string) string {
	dir := t.TempDir()
	write(t, filepath.Join(dir, ".gitignore"), layout.ConfigsGitignore)
	for _, s := range services {
		write(t, filepath.Join(dir, s, "secrets.yaml"), string(NewSecretsFile(ClusterWide)))
		write(t, filepath.Join(dir, s, "secrets.local.env"), "TOKEN="+s+"-secret\n")
		os.Chmod(filepath.Join(dir, s, "secrets.local.env"), 0o600)
	}
	return dir
}

func snapshotDir(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && d.Name() != LockName {
			b, _ := os.ReadFile(p)
			rel, _ := filepath.Rel(dir, p)
			out[rel] = string(b)
		}
		return nil
	})
	return out
}

func TestRunReadOnlyServiceChangesNothing(t *testing.T) {
	k := newTestKey(t, testNow.Add(-time.Hour), 365*24*time.Hour)
	services := []string{"s01", "s02", "s03", "s04", "s05", "s06", "s07", "s08", "s09", "s10"}
	dir := configsWith(t, services...)
	// A lock file left behind (writable) lets the lock be taken even in the
	// read-only directory, so the failure comes from writing the files.
	write(t, filepath.Join(dir, "s07", LockName), "")
	before := snapshotDir(t, dir)
	ro := filepath.Join(dir, "s07")
	undo := readonly.Make(t, ro)
	t.Cleanup(undo)
	_, err := Run(context.Background(), clusterOpts(dir, k))
	if err == nil {
		t.Fatal("sealing into a read-only service directory succeeded")
	}
	if !strings.Contains(err.Error(), "write "+filepath.Join(dir, "s07")) {
		t.Errorf("err = %v, want it to name the file in s07 it could not write", err)
	}
	undo()
	after := snapshotDir(t, dir)
	if len(after) != len(before) {
		t.Errorf("files before %d, after %d", len(before), len(after))
	}
	for p, c := range before {
		if after[p] != c {
			t.Errorf("%s changed", p)
		}
	}
	// And once writable, all are sealed.
	if _, err := Run(context.Background(), clusterOpts(dir, k)); err != nil {
		t.Fatal(err)
	}
	for _, s := range services {
		if sf := (fixture{configs: dir}).secrets(t, s); len(sf.Data) != 1 {
			t.Errorf("%s not sealed", s)
		}
	}
}

func TestRunRemovesLeftoverTempFiles(t *testing.T) {
	k := newTestKey(t, testNow.Add(-time.Hour), 365*24*time.Hour)
	dir := configsWith(t, "api")
	leftovers := []string{".secrets.tmp-123.local.env", ".secrets.local.env.tmp-9", ".secrets.yaml.tmp-4", ".secrets.bak-77.local.state"}
	for _, n := range leftovers {
		write(t, filepath.Join(dir, "api", n), "TOKEN=leftover\n")
	}
	res, err := Run(context.Background(), clusterOpts(dir, k))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Cleaned) != len(leftovers) {
		t.Errorf("cleaned %v", res.Cleaned)
	}
	for _, n := range leftovers {
		if _, err := os.Stat(filepath.Join(dir, "api", n)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s left behind", n)
		}
	}
	entries, _ := os.ReadDir(filepath.Join(dir, "api"))
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if strings.Join(names, ",") != "secrets.local.env,secrets.local.state,secrets.yaml" {
		t.Errorf("files: %v", names)
	}
}

func TestPlaintextTempNamesAreGitIgnored(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git")
	}
	dir := configsWith(t, "api")
	gitCmd(t, dir, "init", "-q")
	for _, f := range []string{layout.PlaintextFile, layout.SealStateFile, layout.ServiceSecretsFile, layout.ServiceConfigFile} {
		for _, kind := range []string{"tmp", "bak"} {
			name := "api/" + strings.Replace(NewBatch().TempNameFor(f, kind), "*", "12345", 1)
			if !fsutil.IsTemp(filepath.Base(name)) {
				t.Errorf("%s is not recognised as a temp file", name)
			}
			cmd := exec.Command("git", "check-ignore", "-q", "--no-index", name)
			cmd.Dir = dir
			if err := cmd.Run(); err != nil {
				t.Errorf("git does not ignore %s: %v", name, err)
			}
		}
	}
	cmd := exec.Command("git", "check-ignore", "-q", "--no-index", "api/"+LockName)
	cmd.Dir = dir
	if err := cmd.Run(); err != nil {
		t.Errorf("git does not ignore the lock file: %v", err)
	}
}

func TestRunRefusesUnignoredPlaintext(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git")
	}
	k := newTestKey(t, testNow.Add(-time.Hour), 365*24*time.Hour)
	dir := configsWith(t, "api", "web")
	write(t, filepath.Join(dir, ".gitignore"), layout.ConfigsGitignore+"!web/secrets.local.env\n")
	gitCmd(t, dir, "init", "-q")
	before := snapshotDir(t, dir)
	_, err := Run(context.Background(), clusterOpts(dir, k))
	var ne *NotIgnoredError
	if !errors.As(err, &ne) || !strings.Contains(err.Error(), "web/secrets.local.env") || !strings.Contains(err.Error(), ".gitignore:6: !web/secrets.local.env") {
		t.Fatalf("err = %v", err)
	}
	for p, c := range snapshotDir(t, dir) {
		if before[p] != c {
			t.Errorf("%s changed", p)
		}
	}
}

func TestRunMakesPlaintextPrivate(t *testing.T) {
	k := newTestKey(t, testNow.Add(-time.Hour), 365*24*time.Hour)
	dir := configsWith(t, "api")
	p := filepath.Join(dir, "api", "secrets.local.env")
	os.Chmod(p, 0o644)
	res, err := Run(context.Background(), clusterOpts(dir, k))
	if err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(p); fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", fi.Mode().Perm())
	}
	if strings.Join(res.Warnings, "\n") != "api/secrets.local.env was readable by others (mode 0644); changed it to 0600" {
		t.Errorf("warnings %q", res.Warnings)
	}
}

func TestRunWarnsWhenTheCertChanges(t *testing.T) {
	k1 := newTestKey(t, testNow.Add(-time.Hour), 365*24*time.Hour)
	k2 := newTestKey(t, testNow.Add(-time.Hour), 365*24*time.Hour)
	dir := configsWith(t, "api")
	res, err := Run(context.Background(), clusterOpts(dir, k1))
	if err != nil || len(res.Warnings) != 0 {
		t.Fatalf("%v %v", res, err)
	}
	if res, err = Run(context.Background(), clusterOpts(dir, k1)); err != nil || len(res.Warnings) != 0 {
		t.Fatalf("same cert: %v %v", res.Warnings, err)
	}
	// A newer cert alone reseals nothing and says nothing.
	if res, err = Run(context.Background(), clusterOpts(dir, k2)); err != nil || len(res.Warnings) != 0 || len(res.Services[0].Sealed) != 0 {
		t.Fatalf("newer cert: %+v %v", res, err)
	}
	// A key sealed with it while others keep the older cert: both named.
	write(t, filepath.Join(dir, "api", "secrets.local.env"), read(t, filepath.Join(dir, "api", "secrets.local.env"))+"NEW_KEY=x\n")
	res, err = Run(context.Background(), clusterOpts(dir, k2))
	if err != nil {
		t.Fatal(err)
	}
	w := strings.Join(res.Warnings, "\n")
	if !strings.Contains(w, "sealed NEW_KEY with the current cert "+k2.cert.Fingerprint) || !strings.Contains(w, "sealed with an older cert ("+k1.cert.Fingerprint+")") || !strings.Contains(w, "--rotate") {
		t.Fatalf("warnings %q", res.Warnings)
	}
}

func TestRunRejectsSecretsLargerThanASecret(t *testing.T) {
	k := newTestKey(t, testNow.Add(-time.Hour), 365*24*time.Hour)
	dir := configsWith(t, "api")
	write(t, filepath.Join(dir, "api", "secrets.local.env"), "SMALL=x\nBIG="+strings.Repeat("a", MaxSecretBytes)+"\n")
	before := snapshotDir(t, dir)
	_, err := Run(context.Background(), clusterOpts(dir, k))
	if err == nil || !strings.Contains(err.Error(), "more than a Kubernetes Secret holds (1 MiB") || !strings.Contains(err.Error(), "the largest is BIG") {
		t.Fatalf("err = %v", err)
	}
	for p, c := range snapshotDir(t, dir) {
		if before[p] != c {
			t.Errorf("%s changed", p)
		}
	}
}

func TestBusyServiceIsAClearError(t *testing.T) {
	k := newTestKey(t, testNow.Add(-time.Hour), 365*24*time.Hour)
	dir := configsWith(t, "api")
	held, err := LockServices(context.Background(), dir, []string{"api"}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	defer held.Release()
	o := clusterOpts(dir, k)
	o.LockWait = time.Nanosecond
	_, err = Run(context.Background(), o)
	want := "busy: another gitopsctl is updating api (pid " + itoa(os.Getpid()) + "); retry"
	if err == nil || err.Error() != want {
		t.Fatalf("err = %v, want %q", err, want)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

func TestReadRefusesSymlinkOutsideRepo(t *testing.T) {
	dir := configsWith(t, "api")
	outside := filepath.Join(t.TempDir(), "elsewhere.yaml")
	write(t, outside, "sealedSecrets: {}\n")
	p := filepath.Join(dir, "api", "secrets.yaml")
	os.Remove(p)
	if err := os.Symlink(outside, p); err != nil {
		t.Skip(err)
	}
	_, err := ReadServiceSecrets(dir, "api")
	if err == nil || !strings.Contains(err.Error(), "api/secrets.yaml resolved to outside the configs-repo") {
		t.Fatalf("err = %v", err)
	}
}
