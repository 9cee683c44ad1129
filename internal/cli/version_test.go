package cli

import (
	"runtime/debug"
	"testing"
)

func TestBuildVersion(t *testing.T) {
	deps := []*debug.Module{{Path: "helm.sh/helm/v3", Version: "v3.22.0"}}
	tests := []struct {
		name     string
		ldflags  string
		info     *debug.BuildInfo
		want     string
		wantHelm string
	}{
		{"ldflags win", "v9.9.9", &debug.BuildInfo{Main: debug.Module{Version: "v1.2.3"}, Deps: deps}, "v9.9.9", "v3.22.0"},
		{"go install module@version", "dev", &debug.BuildInfo{Main: debug.Module{Version: "v1.2.3"}, Deps: deps}, "v1.2.3", "v3.22.0"},
		{"go build in a clean checkout", "dev", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"},
			Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "0123456789abcdef0123"}, {Key: "vcs.modified", Value: "false"}}}, "0123456789ab", ""},
		{"go build with changes", "dev", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"},
			Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "0123456789abcdef0123"}, {Key: "vcs.modified", Value: "true"}}}, "0123456789ab-dirty", ""},
		{"nothing recorded", "dev", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}, "dev", ""},
		{"replaced helm", "dev", &debug.BuildInfo{Deps: []*debug.Module{{Path: "helm.sh/helm/v3", Version: "v3.1.0", Replace: &debug.Module{Version: "v3.22.1"}}}}, "dev", "v3.22.1"},
		{"no build info", "dev", nil, "dev", ""},
	}
	defer func(v string, r func() (*debug.BuildInfo, bool)) { Version, readBuildInfo = v, r }(Version, readBuildInfo)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			Version = tt.ldflags
			readBuildInfo = func() (*debug.BuildInfo, bool) { return tt.info, tt.info != nil }
			got := buildVersion()
			if got.Version != tt.want || got.Helm != tt.wantHelm || got.ArgoCDRules != ArgoCDRulesVersion {
				t.Fatalf("buildVersion() = %+v, want version %q, helm %q", got, tt.want, tt.wantHelm)
			}
		})
	}
}
