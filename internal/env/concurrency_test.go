package env

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gitopsctl/gitopsctl/internal/seal"
)

func plainKeys(t *testing.T, f fx) []string {
	t.Helper()
	p, _, err := seal.ReadPlaintext(f.configs, "backend")
	if err != nil {
		t.Fatal(err)
	}
	k := p.Keys()
	sort.Strings(k)
	return k
}

func sealedKeys(t *testing.T, f fx) []string {
	t.Helper()
	sf, err := seal.ReadServiceSecrets(f.configs, "backend")
	if err != nil {
		t.Fatal(err)
	}
	k := append([]string(nil), sf.Order...)
	sort.Strings(k)
	return k
}

// Parallel 'env set --secret' on one service: every key survives.
func TestConcurrentSetSecretLosesNoKey(t *testing.T) {
	f := newFx(t)
	const n = 12
	var wg sync.WaitGroup
	errs := make([]error, n)
	var want []string
	for i := 0; i < n; i++ {
		key := fmt.Sprintf("KEY_%02d", i)
		want = append(want, key)
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			_, errs[i] = Set(context.Background(), SetOptions{ConfigsDir: f.configs, Service: "backend", Secret: true,
				Vars: []KV{{key, "value-" + key}}, Sealer: f.sealer, LockWait: time.Hour})
		}(i)
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	sort.Strings(want)
	if got := plainKeys(t, f); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("plaintext keys %v, want %v", got, want)
	}
	if got := sealedKeys(t, f); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("sealed keys %v, want %v", got, want)
	}
	assertNoStrayFiles(t, f)
}

// 'seal' running while 'env set --secret' adds keys: nothing sealed is lost
// and nothing set is left unsealed.
func TestConcurrentSealAndSet(t *testing.T) {
	f := newFx(t)
	if _, err := Set(context.Background(), SetOptions{ConfigsDir: f.configs, Service: "backend", Secret: true, Vars: []KV{{"FIRST", "1"}}, Sealer: f.sealer}); err != nil {
		t.Fatal(err)
	}
	const n = 8
	var wg sync.WaitGroup
	errs := make([]error, 2*n)
	want := []string{"FIRST"}
	for i := 0; i < n; i++ {
		key := fmt.Sprintf("KEY_%02d", i)
		want = append(want, key)
		wg.Add(2)
		go func(i int) {
			defer wg.Done()
			_, errs[i] = Set(context.Background(), SetOptions{ConfigsDir: f.configs, Service: "backend", Secret: true,
				Vars: []KV{{key, "v"}}, Sealer: f.sealer, LockWait: time.Hour})
		}(i)
		go func(i int) {
			defer wg.Done()
			sl, _ := f.sealer(context.Background())
			_, errs[n+i] = seal.Run(context.Background(), seal.Options{Sealer: *sl, Services: []string{"backend"}, Now: now, LockWait: time.Hour})
		}(i)
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	sort.Strings(want)
	if got := sealedKeys(t, f); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("sealed keys %v, want %v", got, want)
	}
	if got := plainKeys(t, f); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("plaintext keys %v, want %v", got, want)
	}
	assertNoStrayFiles(t, f)
}

func assertNoStrayFiles(t *testing.T, f fx) {
	t.Helper()
	entries, _ := os.ReadDir(f.path("backend"))
	for _, e := range entries {
		switch e.Name() {
		case "config.yaml", "secrets.yaml", "secrets.local.env", "secrets.local.state":
		default:
			t.Errorf("stray file %s", e.Name())
		}
	}
}

func TestSecretArgumentsAreNeverEchoed(t *testing.T) {
	for _, args := range [][]string{{"hunter2"}, {"A=1", "hunter2"}, {"hun-ter2=x"}, {"9hunter2=x"}} {
		_, err := ParseAssignments(args, true)
		if err == nil {
			t.Fatalf("%q: no error", args)
		}
		if strings.Contains(err.Error(), "hunter2") || strings.Contains(err.Error(), "hun-ter") {
			t.Errorf("%q: error shows the secret: %v", args, err)
		}
		if !strings.Contains(err.Error(), "argument ") {
			t.Errorf("%q: error %v does not say which argument", args, err)
		}
	}
	_, err := ParseAssignments([]string{"A=1", "hunter2"}, true)
	if err == nil || !strings.HasPrefix(err.Error(), "argument 3 is not KEY=VALUE") {
		t.Errorf("err = %v", err)
	}
	// Config values are not secret: the argument is shown.
	if _, err := ParseAssignments([]string{"NOEQUALS"}, false); err == nil || !strings.Contains(err.Error(), `"NOEQUALS" is not KEY=VALUE`) {
		t.Errorf("err = %v", err)
	}
}

func TestImportErrorShowsNoValue(t *testing.T) {
	f := newFx(t)
	from := filepath.Join(t.TempDir(), "in.env")
	writeFile(t, from, "A=1\nB='hunter2'trailing\n")
	_, err := Import(context.Background(), ImportOptions{ConfigsDir: f.configs, Service: "backend", From: from, Sealer: f.sealer})
	if err == nil || !strings.Contains(err.Error(), "in.env:2:") || strings.Contains(err.Error(), "hunter2") || strings.Contains(err.Error(), "trailing") {
		t.Fatalf("err = %v", err)
	}
}

func TestSetMakesPlaintextPrivate(t *testing.T) {
	f := newFx(t)
	writeFile(t, f.path("backend/secrets.local.env"), "OLD=x\n") // 0644
	res, err := Set(context.Background(), SetOptions{ConfigsDir: f.configs, Service: "backend", Secret: true, Vars: []KV{{"NEW", "y"}}, Sealer: f.sealer})
	if err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(f.path("backend/secrets.local.env")); fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v", fi.Mode().Perm())
	}
	if len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], "backend/secrets.local.env was readable by others (mode 0644); changed it to 0600") {
		t.Errorf("warnings %q", res.Warnings)
	}
}

func TestSymlinkedConfigOutsideTheRepoIsRefused(t *testing.T) {
	f := newFx(t)
	outside := filepath.Join(t.TempDir(), "private.yaml")
	writeFile(t, outside, "config:\n  STOLEN: yes\n")
	os.Remove(f.path("frontend/config.yaml"))
	if err := os.Symlink(outside, f.path("frontend/config.yaml")); err != nil {
		t.Skip(err)
	}
	_, err := List(f.configs, "frontend")
	if err == nil || !strings.Contains(err.Error(), "frontend/config.yaml resolved to outside the configs-repo") {
		t.Fatalf("err = %v", err)
	}
	// A symlink inside the repository is fine.
	os.Remove(f.path("frontend/config.yaml"))
	os.Symlink(f.path("backend/config.yaml"), f.path("frontend/config.yaml"))
	if _, err := List(f.configs, "frontend"); err != nil {
		t.Fatal(err)
	}
}

// A write that fails (here: a read-only service directory) leaves the
// plaintext, config.yaml and secrets.yaml as they were, all in step.
func TestSetSecretFailureLeavesFilesInStep(t *testing.T) {
	f := newFx(t)
	if _, err := Set(context.Background(), SetOptions{ConfigsDir: f.configs, Service: "backend", Secret: true, Vars: []KV{{"A", "1"}}, Sealer: f.sealer}); err != nil {
		t.Fatal(err)
	}
	writeFile(t, f.path("backend/"+seal.LockName), "") // so the lock can be taken in the read-only directory
	before := map[string]string{}
	for _, n := range []string{"config.yaml", "secrets.yaml", "secrets.local.env", "secrets.local.state"} {
		before[n] = readFile(t, f.path("backend/"+n))
	}
	dir := f.path("backend")
	if os.Getuid() != 0 {
		os.Chmod(dir, 0o555)
		defer os.Chmod(dir, 0o755)
	} else if out, err := exec.Command("chattr", "+i", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot make %s read-only as root: %v %s", dir, err, out)
	} else {
		defer exec.Command("chattr", "-i", dir).Run()
	}
	_, err := Set(context.Background(), SetOptions{ConfigsDir: f.configs, Service: "backend", Secret: true, Vars: []KV{{"A", "2"}, {"LOG_LEVEL", "x"}}, Sealer: f.sealer})
	if err == nil || !strings.Contains(err.Error(), "write ") {
		t.Fatalf("err = %v", err)
	}
	for n, c := range before {
		if got := readFile(t, f.path("backend/"+n)); got != c {
			t.Errorf("%s changed", n)
		}
	}
}
