package bump

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestValidate(t *testing.T) {
	digest := "sha256:" + strings.Repeat("a", 64)
	ok := []Options{
		{Services: []string{"backend"}, Tag: "v1.4.2"},
		{Services: []string{"backend"}, Tag: "1.10"},
		{Services: []string{"backend"}, Tag: "_x"},
		{Services: []string{"backend"}, Tag: strings.Repeat("a", 128)},
		{Services: []string{"backend"}, Digest: digest},
		{Services: []string{"backend", "worker-2"}, Tag: "v1", Digest: digest},
		{Services: []string{"backend"}, Tag: "latest", AllowLatest: true},
		{Services: []string{"Any_Name"}, Tag: "v1", File: "x.yaml"},
	}
	for _, o := range ok {
		if err := Validate(&o); err != nil {
			t.Errorf("Validate(%+v): %v", o, err)
		}
	}
	bad := map[string]Options{
		"name at least one service":   {Tag: "v1"},
		"--tag or --digest":           {Services: []string{"a"}},
		"invalid tag":                 {Services: []string{"a"}, Tag: "-v1"},
		"refusing tag \"latest\"":     {Services: []string{"a"}, Tag: "latest"},
		"refusing tag \"LATEST\"":     {Services: []string{"a"}, Tag: "LATEST"},
		"invalid digest":              {Services: []string{"a"}, Digest: "sha256:ABC"},
		"one service only":            {Services: []string{"a", "b"}, Tag: "v1", File: "f"},
		"given twice":                 {Services: []string{"a", "a"}, Tag: "v1"},
		"invalid service name":        {Services: []string{"../x"}, Tag: "v1"},
		"empty segment":               {Services: []string{"a"}, Tag: "v1", Key: "a..b"},
		"same":                        {Services: []string{"a"}, Tag: "v1", Digest: digest, Key: "x", DigestKey: "x"},
		"--push needs a commit":       {Services: []string{"a"}, Tag: "v1", Push: true, NoCommit: true},
		"--retries must be 0 or more": {Services: []string{"a"}, Tag: "v1", Retries: -1},
		"invalid identity":            {Services: []string{"a"}, Tag: "v1", Author: "x"},
	}
	for want, o := range bad {
		err := Validate(&o)
		if err == nil || !errors.Is(err, ErrUsage) || !strings.Contains(err.Error(), want) {
			t.Errorf("Validate(%+v) = %v, want usage error with %q", o, err, want)
		}
	}
	long := Options{Services: []string{"a"}, Tag: strings.Repeat("a", 129)}
	if err := Validate(&long); err == nil {
		t.Error("129-character tag accepted")
	}
}

func TestMessage(t *testing.T) {
	one := []ServiceResult{{Service: "backend", Old: "v1", New: "v2", File: "charts/backend/values.yaml"}}
	if got := Message(one); got != "backend: bump image tag to v2" {
		t.Errorf("one: %q", got)
	}
	d := "sha256:" + strings.Repeat("0", 64)
	if got := Message([]ServiceResult{{Service: "b", NewDigest: d}}); got != "b: bump image digest to "+d {
		t.Errorf("digest: %q", got)
	}
	two := append(one, ServiceResult{Service: "worker", New: "v2", File: "charts/worker/values.yaml"})
	want := "backend, worker: bump image tag to v2\n\n- backend: v1 -> v2 (charts/backend/values.yaml)\n- worker: (none) -> v2 (charts/worker/values.yaml)\n"
	if got := Message(two); got != want {
		t.Errorf("two:\n%s\nwant\n%s", got, want)
	}
	var many []ServiceResult
	for _, s := range []string{"a", "b", "c", "d"} {
		many = append(many, ServiceResult{Service: s, Old: "v1", New: "v2", File: s})
	}
	if got := Message(many); !strings.HasPrefix(got, "bump image tag to v2 in 4 services\n\n- a: v1 -> v2 (a)\n") {
		t.Errorf("many: %q", got)
	}
}

func TestRunNoCommitAllOrNothing(t *testing.T) {
	repo := t.TempDir()
	write := func(svc, content string) string {
		p := filepath.Join(repo, "charts", svc, "values.yaml")
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, []byte(content), 0o644)
		return p
	}
	a := write("a", "image:\n  tag: v1 # c\n")
	b := write("b", "image: nginx\n")
	_, err := Run(context.Background(), Options{RepoDir: repo, Services: []string{"a", "b"}, Tag: "v2", NoCommit: true})
	if err == nil || !strings.Contains(err.Error(), "charts/b/values.yaml:1: key path image.tag crosses a non-map") {
		t.Fatalf("err = %v", err)
	}
	if got, _ := os.ReadFile(a); string(got) != "image:\n  tag: v1 # c\n" {
		t.Errorf("a was written: %q", got)
	}
	_ = b
	res, err := Run(context.Background(), Options{RepoDir: repo, Services: []string{"a"}, Tag: "v2", NoCommit: true})
	if err != nil || !res.Changed() || res.Commit != "" || res.Services[0].Old != "v1" {
		t.Fatalf("%+v %v", res, err)
	}
	if got, _ := os.ReadFile(a); string(got) != "image:\n  tag: v2 # c\n" {
		t.Errorf("a: %q", got)
	}
	res, err = Run(context.Background(), Options{RepoDir: repo, Services: []string{"a"}, Tag: "v2"})
	if err != nil || res.Changed() {
		t.Errorf("already at tag: %+v %v", res, err)
	}
}

func TestRunEditsSymlinkTarget(t *testing.T) {
	repo := t.TempDir()
	shared := filepath.Join(repo, "shared.yaml")
	os.WriteFile(shared, []byte("image:\n  tag: v1\n"), 0o644)
	os.MkdirAll(filepath.Join(repo, "charts", "a"), 0o755)
	link := filepath.Join(repo, "charts", "a", "values.yaml")
	if err := os.Symlink("../../shared.yaml", link); err != nil {
		t.Skip(err)
	}
	if _, err := Run(context.Background(), Options{RepoDir: repo, Services: []string{"a"}, Tag: "v2", NoCommit: true}); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the link was replaced: %v %v", fi, err)
	}
	if got, _ := os.ReadFile(shared); string(got) != "image:\n  tag: v2\n" {
		t.Errorf("target: %q", got)
	}
}
