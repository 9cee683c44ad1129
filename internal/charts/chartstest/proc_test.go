package chartstest_test

import (
	"io"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/gitopsctl/gitopsctl/internal/charts/chartstest"
)

// A Proc serves stand-ins outside a test's TB until Close, which stops the
// servers and removes what they wrote.
func TestProcServesUntilClose(t *testing.T) {
	var p chartstest.Proc
	defer p.Close()
	var mirrors map[string]string
	var dir string
	err := p.Do(func(tb chartstest.TB) {
		dir = tb.TempDir()
		mirrors = chartstest.ServeStandIns(tb, []chartstest.StandIn{
			{Repository: "https://charts.example.com/stable", Name: "web", Version: "1.2.3"},
			{Repository: "oci://registry.example.com/charts", Name: "db", Version: "4.5.6"},
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	repoURL := mirrors["https://charts.example.com/stable"]
	index := get(t, repoURL+"/index.yaml")
	if !strings.Contains(index, "web-1.2.3.tgz") {
		t.Fatalf("index.yaml lacks web-1.2.3.tgz:\n%s", index)
	}
	oci, ok := strings.CutPrefix(mirrors["oci://registry.example.com/charts"], "oci://")
	if !ok || !strings.HasSuffix(oci, "/charts") {
		t.Fatalf("oci mirror = %q", mirrors["oci://registry.example.com/charts"])
	}
	host := strings.TrimSuffix(oci, "/charts")
	if tags := get(t, "http://"+host+"/v2/charts/db/tags/list"); !strings.Contains(tags, "4.5.6") {
		t.Fatalf("tags of charts/db: %s", tags)
	}

	p.Close()
	if _, err := http.Get(repoURL + "/index.yaml"); err == nil {
		t.Error("the Helm repository still answers after Close")
	}
	if _, err := http.Get("http://" + host + "/v2/"); err == nil {
		t.Error("the registry still answers after Close")
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("temp dir after Close: %v", err)
	}
}

// Fatal ends the setup and Do returns its message; cleanups registered
// before it still run at Close.
func TestProcFatal(t *testing.T) {
	var p chartstest.Proc
	var dir string
	reached := false
	err := p.Do(func(tb chartstest.TB) {
		dir = tb.TempDir()
		tb.Fatal("no ", "chart")
		reached = true
	})
	if err == nil || err.Error() != "no chart" {
		t.Fatalf("err = %v, want no chart", err)
	}
	if reached {
		t.Error("setup went on after Fatal")
	}
	if _, err := os.Stat(dir); err != nil {
		t.Fatalf("temp dir before Close: %v", err)
	}
	p.Close()
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("temp dir after Close: %v", err)
	}
	if err := p.Do(func(chartstest.TB) {}); err != nil {
		t.Errorf("a later Do: %v", err)
	}
}

func get(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s\n%s", url, resp.Status, body)
	}
	return string(body)
}
