package charts

import (
	"context"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"helm.sh/helm/v3/pkg/repo"
)

// resolveURL resolves chart URLs of an index as helm's repo package does.
func TestResolveURLAsHelm(t *testing.T) {
	for _, c := range [][2]string{
		{"https://charts.example.com", "app-1.0.0.tgz"},
		{"https://charts.example.com/", "app-1.0.0.tgz"},
		{"https://charts.example.com/sub", "app-1.0.0.tgz"},
		{"https://charts.example.com/sub/", "../other/app-1.0.0.tgz"},
		{"https://charts.example.com/sub", "/root/app-1.0.0.tgz"},
		{"https://charts.example.com/sub?token=x", "app-1.0.0.tgz"},
		{"https://charts.example.com/a%2Fb", "app-1.0.0.tgz"},
		{"https://charts.example.com", "https://cdn.example.com/app-1.0.0.tgz"},
		{"https://charts.example.com", "app 1.0.0.tgz"},
		{"https://charts.example.com", "::bad"},
	} {
		got, err := resolveURL(c[0], c[1])
		want, werr := repo.ResolveReferenceURL(c[0], c[1])
		if (err == nil) != (werr == nil) || got != want {
			t.Errorf("resolveURL(%q, %q) = %q, %v; helm: %q, %v", c[0], c[1], got, err, want, werr)
		}
	}
}

const testIndex = `apiVersion: v1
entries:
  app:
  - name: app
    version: 1.2.0
    urls: [app-1.2.0.tgz]
    digest: aaa
  - name: app
    version: 1.10.0
    urls: [app-1.10.0.tgz, https://mirror.example.com/app-1.10.0.tgz]
    digest: bbb
  -
  - name: app
    version: not-semver
    urls: [app-x.tgz]
  - name: app
    version: 2.0.0-rc.1
    urls: [app-2.0.0-rc.1.tgz]
  - name: app
    version: 0.9.0
    urls: [app-0.9.0.tgz]
    dependencies:
    - {name: redis, version: 1.0.0}
    - {name: redis, version: 1.0.0}
  other:
  - version: 3.0.0
    urls: [other-3.0.0.tgz]
  - name: other
    version: 3.1.0
    urls: [other-3.1.0.tgz]
`

type flatVersion struct {
	Version, Digest string
	URLs            []string
}

// parseIndex keeps, skips and orders an index's versions as helm's repo
// package does, in YAML and JSON, and refuses what it refuses.
func TestParseIndexAsHelm(t *testing.T) {
	cases := map[string]string{
		"yaml":           testIndex,
		"json":           `{"apiVersion":"v1","entries":{"app":[{"name":"app","version":"1.0.0","urls":["a.tgz"],"digest":"d"},{"name":"app","version":"1.1.0","urls":["b.tgz"]}]}}`,
		"no apiVersion":  "entries:\n  app:\n  - name: app\n    version: 1.0.0\n",
		"empty":          "",
		"not an index":   "- a\n- b\n",
		"no entries":     "apiVersion: v1\n",
		"whitespace":     "\n\n",
		"bad yaml":       "apiVersion: v1\nentries: {app: [\n",
		"metadata error": "apiVersion: v1\nentries:\n  app:\n  - name: app\n    version: 1.0.0\n    type: nonsense\n    urls: [a.tgz]\n",
		// A YAML index is decoded strictly, a JSON one is not.
		"unknown top field":     "apiVersion: v1\nunknownTop: 1\nentries:\n  web:\n  - {name: web, version: 1.0.0, urls: [a.tgz]}\n",
		"unknown version field": "apiVersion: v1\nentries:\n  web:\n  - {name: web, version: 1.0.0, urls: [a.tgz], bogus: x}\n",
		"repeated field":        "apiVersion: v1\nentries:\n  web:\n  - {name: web, version: 1.0.0, version: 2.0.0, urls: [a.tgz]}\n",
		"json unknown field":    `{"apiVersion":"v1","bogus":1,"entries":{"web":[{"name":"web","version":"1.0.0","urls":["a.tgz"],"x":2}]}}`,
		"every known field": `apiVersion: v1
generated: "2024-01-01T00:00:00Z"
serverInfo: {contextPath: /x}
publicKeys: [k]
annotations: {a: b}
entries:
  web:
  - name: web
    version: 1.0.0
    apiVersion: v2
    appVersion: "1"
    description: d
    home: https://h
    icon: https://i
    keywords: [k]
    sources: [https://s]
    maintainers: [{name: m, email: m@example.com}]
    annotations: {a: b}
    kubeVersion: ">=1.20.0-0"
    type: application
    deprecated: false
    dependencies: [{name: dep, version: 1.0.0, repository: https://r}]
    urls: [a.tgz]
    created: "2024-01-01T00:00:00Z"
    removed: false
    digest: d
    checksum: c
    engine: gotpl
    tillerVersion: ">2"
    url: https://u
`,
	}
	for name, data := range cases {
		t.Run(name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "index.yaml")
			if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
				t.Fatal(err)
			}
			want, werr := repo.LoadIndexFile(p)
			got, err := parseIndex([]byte(data), "test")
			if (err == nil) != (werr == nil) {
				t.Fatalf("error %v; helm: %v", err, werr)
			}
			if name == "every known field" && err != nil {
				t.Fatalf("a complete index is refused: %v", err)
			}
			if err != nil {
				return
			}
			gotFlat, wantFlat := map[string][]flatVersion{}, map[string][]flatVersion{}
			for n, cvs := range got.Entries {
				for _, cv := range cvs {
					gotFlat[n] = append(gotFlat[n], flatVersion{cv.Version, cv.Digest, cv.URLs})
				}
			}
			for n, cvs := range want.Entries {
				for _, cv := range cvs {
					wantFlat[n] = append(wantFlat[n], flatVersion{cv.Version, cv.Digest, cv.URLs})
				}
			}
			if !reflect.DeepEqual(gotFlat, wantFlat) {
				t.Fatalf("entries %+v\nhelm:   %+v", gotFlat, wantFlat)
			}
		})
	}
}

// repositories.yaml reads as helm's repo package reads it.
func TestRepoFileAsHelm(t *testing.T) {
	p := filepath.Join(t.TempDir(), "repositories.yaml")
	data := `apiVersion: ""
generated: "2024-01-01T00:00:00Z"
repositories:
- name: one
  url: https://one.example.com/charts
  username: u
  password: p
  certFile: /c.pem
  keyFile: /k.pem
  caFile: /ca.pem
  insecure_skip_tls_verify: true
  pass_credentials_all: true
- name: two
  url: http://two.example.com
`
	if err := os.WriteFile(p, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := loadRepoFile(p)
	if err != nil {
		t.Fatal(err)
	}
	want, err := repo.LoadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Repositories) != len(want.Repositories) {
		t.Fatalf("%d repositories, helm %d", len(got.Repositories), len(want.Repositories))
	}
	for i, e := range want.Repositories {
		g := got.Repositories[i]
		if w := (repoEntry{e.Name, e.URL, e.Username, e.Password, e.CertFile, e.KeyFile, e.CAFile, e.InsecureSkipTLSverify, e.PassCredentialsAll}); *g != w {
			t.Errorf("entry %d: %+v, helm %+v", i, *g, w)
		}
		if got.get(e.Name) != g {
			t.Errorf("get(%q) is not entry %d", e.Name, i)
		}
	}
	if got.get("three") != nil {
		t.Error("get of an unknown name")
	}
}

// Basic credentials go to the repository's own host only (unless
// pass_credentials_all), over https, with the entry's CA; a non-200
// answer is an error naming the URL and status.
func TestHTTPGetCredentials(t *testing.T) {
	var gotAuth []string
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, p, ok := r.BasicAuth()
		if ok {
			gotAuth = append(gotAuth, u+":"+p)
		} else {
			gotAuth = append(gotAuth, "")
		}
		if r.Header.Get("User-Agent") != "gitopsctl" {
			t.Errorf("User-Agent %q", r.Header.Get("User-Agent"))
		}
		if strings.HasSuffix(r.URL.Path, "/missing") {
			http.NotFound(w, r)
			return
		}
		w.Write([]byte("ok"))
	})
	srv := httptest.NewTLSServer(handler)
	defer srv.Close()
	// Another host: same address, another port (httptest servers share
	// one certificate).
	srv2 := httptest.NewTLSServer(handler)
	defer srv2.Close()
	dir := t.TempDir()
	ca := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	other := srv2.URL
	for _, tc := range []struct {
		passAll bool
		href    string
		want    string
	}{
		{false, srv.URL + "/index.yaml", "u:p"},
		{false, other + "/app.tgz", ""},
		{true, other + "/app.tgz", "u:p"},
	} {
		s := &Settings{RepositoryConfig: filepath.Join(dir, "repositories.yaml")}
		conf := "repositories:\n- name: r\n  url: " + srv.URL + "\n  username: u\n  password: p\n  caFile: " + ca + "\n"
		if tc.passAll {
			conf += "  pass_credentials_all: true\n"
		}
		if err := os.WriteFile(s.RepositoryConfig, []byte(conf), 0o600); err != nil {
			t.Fatal(err)
		}
		c, err := New(Options{Dir: t.TempDir(), Settings: s})
		if err != nil {
			t.Fatal(err)
		}
		gotAuth = nil
		b, err := c.httpGet(context.Background(), tc.href, srv.URL)
		if err != nil || string(b) != "ok" {
			t.Fatalf("%s: %q, %v", tc.href, b, err)
		}
		if len(gotAuth) != 1 || gotAuth[0] != tc.want {
			t.Errorf("%s (pass all %v): credentials %q, want %q", tc.href, tc.passAll, gotAuth, tc.want)
		}
		_, err = c.httpGet(context.Background(), srv.URL+"/missing", srv.URL)
		if err == nil || !strings.Contains(err.Error(), "failed to fetch "+srv.URL+"/missing : 404") {
			t.Errorf("missing: %v", err)
		}
		// A URL's password and query never reach the message.
		withCreds := strings.Replace(srv.URL, "https://", "https://user:hunter2@", 1) + "/missing?token=tok3n"
		_, err = c.httpGet(context.Background(), withCreds, srv.URL)
		if err == nil || strings.Contains(err.Error(), "hunter2") || strings.Contains(err.Error(), "tok3n") || !strings.Contains(err.Error(), ": 404") {
			t.Errorf("missing, with credentials in the URL: %v", err)
		}
	}
	// Without the CA the server is not trusted.
	c, err := New(Options{Dir: t.TempDir(), Settings: &Settings{RepositoryConfig: filepath.Join(dir, "none.yaml")}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.httpGet(context.Background(), srv.URL+"/index.yaml", srv.URL); err == nil {
		t.Error("untrusted server accepted")
	}
}
