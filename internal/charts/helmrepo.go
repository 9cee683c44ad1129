package charts

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/Masterminds/semver/v3"
	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/helmpath"
	"sigs.k8s.io/yaml"
)

// What the chart cache needs of Helm repositories, written here rather
// than taken from Helm's cli, getter and repo packages: those link the
// Kubernetes client and kubectl into the binary, whose initialisation
// every command would pay at start-up. Behaviour follows the helm CLI's.

// Settings locate helm's own configuration files.
type Settings struct {
	// RepositoryConfig is helm's repositories.yaml (names and credentials
	// of Helm repositories).
	RepositoryConfig string
	// RegistryConfig is helm's registry credentials file (OCI registries).
	RegistryConfig string
}

// HelmSettings locates the files as the helm CLI does:
// $HELM_REPOSITORY_CONFIG and $HELM_REGISTRY_CONFIG, else under helm's
// configuration directory.
func HelmSettings() *Settings {
	return &Settings{
		RepositoryConfig: envOr("HELM_REPOSITORY_CONFIG", helmpath.ConfigPath("repositories.yaml")),
		RegistryConfig:   envOr("HELM_REGISTRY_CONFIG", helmpath.ConfigPath("registry/config.json")),
	}
}

func envOr(name, def string) string {
	if v, ok := os.LookupEnv(name); ok {
		return v
	}
	return def
}

// repoEntry is one repository of helm's repositories.yaml.
type repoEntry struct {
	Name                  string `json:"name"`
	URL                   string `json:"url"`
	Username              string `json:"username"`
	Password              string `json:"password"`
	CertFile              string `json:"certFile"`
	KeyFile               string `json:"keyFile"`
	CAFile                string `json:"caFile"`
	InsecureSkipTLSverify bool   `json:"insecure_skip_tls_verify"`
	PassCredentialsAll    bool   `json:"pass_credentials_all"`
}

// repoFile is helm's repositories.yaml.
type repoFile struct {
	Repositories []*repoEntry `json:"repositories"`
}

func loadRepoFile(p string) (*repoFile, error) {
	data, err := os.ReadFile(p)
	if err != nil {
		return nil, err
	}
	var f repoFile
	if err := yaml.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("%s: %w", p, err)
	}
	return &f, nil
}

// get is the entry named name, nil when there is none.
func (f *repoFile) get(name string) *repoEntry {
	for _, e := range f.Repositories {
		if e != nil && e.Name == name {
			return e
		}
	}
	return nil
}

// indexFile is a Helm repository's index.yaml (the parts the cache reads).
type indexFile struct {
	APIVersion string                     `json:"apiVersion"`
	Entries    map[string][]*indexVersion `json:"entries"`
	// The fields below are not used; they are declared so that a YAML
	// index is decoded strictly over exactly the fields helm knows (an
	// unknown or repeated field is an error, as helm makes it).
	ServerInfo  map[string]any    `json:"serverInfo,omitempty"`
	Generated   time.Time         `json:"generated"`
	PublicKeys  []string          `json:"publicKeys,omitempty"`
	Annotations map[string]string `json:"annotations,omitempty"`
}

// indexVersion is one version of a chart in an index.
type indexVersion struct {
	*chart.Metadata
	URLs   []string `json:"urls"`
	Digest string   `json:"digest,omitempty"`
	// Known to helm, not used here (see indexFile).
	Created       time.Time `json:"created,omitempty"`
	Removed       bool      `json:"removed,omitempty"`
	Checksum      string    `json:"checksum,omitempty"`
	Engine        string    `json:"engine,omitempty"`
	TillerVersion string    `json:"tillerVersion,omitempty"`
	URL           string    `json:"url,omitempty"`
}

// parseIndex reads an index.yaml as helm does: valid JSON is decoded
// leniently, anything else as strict YAML (unknown and repeated fields are
// errors); an empty file or one without apiVersion is an error; an entry
// that is empty or whose metadata is invalid is skipped with a warning on
// the standard logger; each chart's versions are sorted newest first.
func parseIndex(data []byte, source string) (*indexFile, error) {
	if len(data) == 0 {
		return nil, fmt.Errorf("empty index.yaml file")
	}
	var idx indexFile
	var err error
	if json.Valid(data) {
		err = json.Unmarshal(data, &idx)
	} else {
		err = yaml.UnmarshalStrict(data, &idx)
	}
	if err != nil {
		return nil, err
	}
	for name, cvs := range idx.Entries {
		kept := cvs[:0]
		for _, cv := range cvs {
			if cv == nil {
				log.Printf("skipping loading invalid entry for chart %q from %s: empty entry", name, source)
				continue
			}
			if cv.Metadata == nil {
				cv.Metadata = &chart.Metadata{}
			}
			if cv.APIVersion == "" {
				cv.APIVersion = chart.APIVersionV1
			}
			if err := cv.Validate(); err != nil && !skippable(err) {
				log.Printf("skipping loading invalid entry for chart %q %q from %s: %s", name, cv.Version, source, err)
				continue
			}
			kept = append(kept, cv)
		}
		sort.SliceStable(kept, func(i, j int) bool { return newer(kept[i].Version, kept[j].Version) })
		idx.Entries[name] = kept
	}
	if idx.APIVersion == "" {
		return nil, fmt.Errorf("no API version specified")
	}
	return &idx, nil
}

// skippable: a validation error helm ignores in an index (repositories
// that strip dependency aliases).
func skippable(err error) bool {
	_, ok := err.(chart.ValidationError)
	return ok && strings.HasPrefix(err.Error(), "validation: more than one dependency with name or alias")
}

// newer orders versions newest first (semver; text when one is not).
func newer(a, b string) bool {
	va, ea := semver.NewVersion(a)
	vb, eb := semver.NewVersion(b)
	if ea != nil || eb != nil {
		return a > b
	}
	return va.GreaterThan(vb)
}

// resolveURL resolves a chart URL of an index against the repository's
// URL, as helm does: the repository URL is taken as a directory, and keeps
// its query.
func resolveURL(base, ref string) (string, error) {
	r, err := url.Parse(ref)
	if err != nil {
		return "", fmt.Errorf("failed to parse %s as URL: %w", ref, err)
	}
	if r.IsAbs() {
		return ref, nil
	}
	b, err := url.Parse(base)
	if err != nil {
		return "", fmt.Errorf("failed to parse %s as URL: %w", base, err)
	}
	b.RawPath = strings.TrimSuffix(b.RawPath, "/") + "/"
	b.Path = strings.TrimSuffix(b.Path, "/") + "/"
	res := b.ResolveReference(r)
	res.RawQuery = b.RawQuery
	return res.String(), nil
}

// httpGet fetches href with the credentials and TLS settings
// repositories.yaml has for the repository credsFor. Basic credentials go
// only to the repository's own scheme and host (port included), unless
// the entry says pass_credentials_all.
func (c *Cache) httpGet(ctx context.Context, href, credsFor string) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	u, err := url.Parse(href)
	if err != nil {
		return nil, fmt.Errorf("unsupported URL: a Helm repository is http(s)://")
	}
	if u.Scheme != "https" && u.Scheme != "http" {
		return nil, fmt.Errorf("unsupported URL %q: a Helm repository is http(s)://", shownURL(u))
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, href, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("User-Agent", "gitopsctl")
	tr := &http.Transport{DisableCompression: true, Proxy: http.ProxyFromEnvironment}
	if e := c.repoEntry(credsFor); e != nil {
		if e.Username != "" || e.Password != "" {
			ru, err := url.Parse(credsFor)
			if err != nil {
				return nil, fmt.Errorf("repository %s: %w", credsFor, err)
			}
			if ru.Scheme != "https" {
				return nil, fmt.Errorf("repository %s: helm's repositories.yaml has credentials for it, which are never sent over plain %s: use https", credsFor, ru.Scheme)
			}
			if (e.PassCredentialsAll || ru.Scheme == u.Scheme && ru.Host == u.Host) && e.Username != "" && e.Password != "" {
				req.SetBasicAuth(e.Username, e.Password)
			}
		}
		if e.CertFile != "" && e.KeyFile != "" || e.CAFile != "" || e.InsecureSkipTLSverify {
			tc, err := clientTLS(e)
			if err != nil {
				return nil, fmt.Errorf("repository %s: can't create TLS config for client: %w", credsFor, err)
			}
			tr.TLSClientConfig = tc
		}
	}
	cl := &http.Client{Transport: tr, Timeout: c.opts.Timeout}
	defer tr.CloseIdleConnections()
	resp, err := cl.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("failed to fetch %s : %s", shownURL(u), resp.Status)
	}
	return io.ReadAll(resp.Body)
}

// shownURL is u for messages: no password, and no query (which may hold a
// token).
func shownURL(u *url.URL) string {
	c := *u
	if c.RawQuery != "" {
		c.RawQuery = "..."
	}
	return c.Redacted()
}

// clientTLS is the TLS configuration of a repositories.yaml entry: a
// client certificate, a CA bundle, and whether to skip verification.
func clientTLS(e *repoEntry) (*tls.Config, error) {
	tc := &tls.Config{InsecureSkipVerify: e.InsecureSkipTLSverify} //nolint:gosec // asked for in repositories.yaml
	if e.CertFile != "" && e.KeyFile != "" {
		cert, err := tls.LoadX509KeyPair(e.CertFile, e.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("can't load key pair from cert %s and key %s: %w", e.CertFile, e.KeyFile, err)
		}
		tc.Certificates = []tls.Certificate{cert}
	}
	if e.CAFile != "" {
		b, err := os.ReadFile(e.CAFile)
		if err != nil {
			return nil, fmt.Errorf("can't read CA file: %s", e.CAFile)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(b) {
			return nil, fmt.Errorf("failed to append certificates from file: %s", e.CAFile)
		}
		tc.RootCAs = pool
	}
	return tc, nil
}
