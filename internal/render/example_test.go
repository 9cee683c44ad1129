package render_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/gitopsctl/gitopsctl/internal/config"
	"github.com/gitopsctl/gitopsctl/internal/render"
	"github.com/gitopsctl/gitopsctl/internal/render/benchgen"
)

// Open a workspace (here the working trees; set Rev / ConfigsRev to read
// commits), list the discovered apps and render two of them.
func ExampleOpen() {
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)
	_ = benchgen.Generate(dir, benchgen.Options{Services: 2})
	cfg, _ := config.Load(config.Options{RepoDir: filepath.Join(dir, "gitops-repo")})

	ctx := context.Background()
	ws, err := render.Open(ctx, render.Options{Config: cfg})
	if err != nil {
		panic(err)
	}
	for _, a := range ws.Apps() {
		fmt.Printf("app %s (project %s) defined in %s:%d\n", a.Name, a.Project, a.File, a.Line)
	}
	results, err := ws.Render(ctx, "backend", "ingestion")
	if err != nil {
		panic(err) // an *render.UnknownAppsError
	}
	for _, r := range results {
		if r.Err != nil {
			fmt.Println(r.Err) // an *render.Error with app, file and line
			continue
		}
		for _, o := range r.Objects {
			k := o.Key()
			fmt.Printf("  %s %s/%s from %s\n", k.Kind, k.Namespace, k.Name, o.Source)
		}
	}
	// Output:
	// app backend (project app) defined in argo-apps/clusters/prod/app/backend.yaml:1
	// app ingestion (project app) defined in argo-apps/clusters/prod/app/ingestion.yaml:1
	// app root-app (project default) defined in root-app.yaml:1
	//   ConfigMap backend/backend-config from backend/templates/configmap.yaml
	//   ConfigMap backend/backend-k6 from backend/templates/test-configmap.yaml
	//   Service backend/backend from backend/templates/service-active.yaml
	//   Service backend/backend-preview from backend/templates/service-preview.yaml
	//   HorizontalPodAutoscaler backend/backend from backend/templates/hpa.yaml
	//   AnalysisTemplate backend/backend-smoke from backend/templates/analysis-template.yaml
	//   Rollout backend/backend from backend/templates/rollout.yaml
	//   SealedSecret backend/backend-secrets from backend/templates/sealedsecret.yaml
	//   ConfigMap ingestion/ingestion-config from ingestion/templates/configmap.yaml
	//   ConfigMap ingestion/ingestion-k6 from ingestion/templates/test-configmap.yaml
	//   Service ingestion/ingestion from ingestion/templates/service-active.yaml
	//   Service ingestion/ingestion-preview from ingestion/templates/service-preview.yaml
	//   HorizontalPodAutoscaler ingestion/ingestion from ingestion/templates/hpa.yaml
	//   AnalysisTemplate ingestion/ingestion-smoke from ingestion/templates/analysis-template.yaml
	//   Rollout ingestion/ingestion from ingestion/templates/rollout.yaml
}
