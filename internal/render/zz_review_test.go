package render

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"helm.sh/helm/v3/pkg/chart"
)

func TestZZLayout(t *testing.T) {
	cfg := seedRepos(t, 15, false)
	filepath.Walk(filepath.Join(cfg.RepoDir, "charts/backend"), func(p string, i os.FileInfo, err error) error { t.Log(p); return nil })
	_ = context.Background
	_ = strings.Contains
	_ = chart.Chart{}
}
