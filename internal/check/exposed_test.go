package check

import (
	"strings"
	"testing"
)

func TestExposedProblems(t *testing.T) {
	src := `# backend config
config:
  LOG_LEVEL: info
  DB_PASSWORD: hunter2
  "API_TOKEN": 'abc'
  DATABASE_URL: postgres://app:pw@db/app
  PUBLIC_URL: https://example.com
  PORT: 8080
other:
  X_PASSWORD: not env
`
	ps := ExposedProblems(RepoConfigs, "backend/config.yaml", []byte(src), []string{"*_PASSWORD", "*_TOKEN"})
	var got []string
	for _, p := range ps {
		got = append(got, p.String())
		if strings.Contains(p.Message, "hunter2") || strings.Contains(p.Message, "pw@") {
			t.Errorf("value shown: %s", p.Message)
		}
	}
	want := []string{
		"backend/config.yaml:4: exposed: config.DB_PASSWORD looks like a secret (its name matches *_PASSWORD)",
		"backend/config.yaml:5: exposed: config.API_TOKEN looks like a secret (its name matches *_TOKEN)",
		"backend/config.yaml:6: exposed: config.DATABASE_URL looks like a secret (its value is a URL with a password",
	}
	if len(got) != len(want) {
		t.Fatalf("got %d problems:\n%s", len(got), strings.Join(got, "\n"))
	}
	for i := range want {
		if !strings.HasPrefix(got[i], want[i]) {
			t.Errorf("problem %d:\n got %s\nwant %s...", i, got[i], want[i])
		}
	}
}
