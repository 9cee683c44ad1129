package cli

import (
	"fmt"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"
)

// Version is set at build time with -ldflags "-X ...cli.Version=..." (make
// build does, from git describe). Left at "dev", the version comes from the
// Go build info instead: see versionString.
var Version = "dev"

// ArgoCDRulesVersion is the Argo CD release whose rendering rules the
// renderer follows (the Helm and multi-source rules are unchanged since
// v3.3).
const ArgoCDRulesVersion = "v3.5.1"

// helmModule is the Helm library render embeds.
const helmModule = "helm.sh/helm/v3"

// versionInfo is what 'gitopsctl version' prints.
type versionInfo struct {
	Version string `json:"version"`
	// Revision and Modified are the git commit the binary was built from
	// and whether the work tree had changes (when go build recorded them).
	Revision string `json:"revision,omitempty"`
	Modified bool   `json:"modified,omitempty"`
	Go       string `json:"goVersion,omitempty"`
	// Helm is the version of the Helm library that renders charts.
	Helm string `json:"helm,omitempty"`
	// ArgoCDRules is the Argo CD release whose rendering rules render follows.
	ArgoCDRules string `json:"argoCDRules"`
}

// readBuildInfo is debug.ReadBuildInfo, replaceable in tests.
var readBuildInfo = debug.ReadBuildInfo

// buildVersion works out the version from Version and the Go build info:
// the -ldflags value when set; else the module version when built with
// 'go install module@version'; else the git commit go build recorded
// (vcs.revision, with "-dirty" when vcs.modified); else "dev".
func buildVersion() versionInfo {
	vi := versionInfo{Version: Version, ArgoCDRules: ArgoCDRulesVersion}
	bi, ok := readBuildInfo()
	if !ok {
		return vi
	}
	vi.Go = bi.GoVersion
	for _, d := range bi.Deps {
		if d.Path == helmModule {
			vi.Helm = d.Version
			if d.Replace != nil && d.Replace.Version != "" {
				vi.Helm = d.Replace.Version
			}
		}
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			vi.Revision = s.Value
		case "vcs.modified":
			vi.Modified = s.Value == "true"
		}
	}
	if Version != "dev" && Version != "" {
		return vi
	}
	switch {
	case bi.Main.Version != "" && bi.Main.Version != "(devel)":
		vi.Version = bi.Main.Version
	case vi.Revision != "":
		vi.Version = shortHash(vi.Revision)
		if vi.Modified {
			vi.Version += "-dirty"
		}
	}
	return vi
}

// versionString is the version --version and debug logs show.
func versionString() string { return buildVersion().Version }

func newVersionCmd(f *Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the gitopsctl version, and the Helm and Argo CD versions it matches",
		Long: `Print the gitopsctl version, the git commit it was built from (when the build
recorded one), the version of the Helm library that renders charts, and the
Argo CD release whose rendering rules render follows.

The version is the one a release build sets, else the module version of
'go install github.com/gitopsctl/gitopsctl/cmd/...@VERSION', else the
commit 'go build' recorded (with -dirty for uncommitted changes), else dev.`,
		Example: `  gitopsctl version
  gitopsctl version -o json | jq -r .helm`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			vi := buildVersion()
			return printData(f, vi, func(w *strings.Builder) {
				fmt.Fprintf(w, "gitopsctl %s\n", vi.Version)
				if vi.Revision != "" {
					mod := ""
					if vi.Modified {
						mod = " (modified)"
					}
					fmt.Fprintf(w, "  commit:        %s%s\n", vi.Revision, mod)
				}
				if vi.Helm != "" {
					fmt.Fprintf(w, "  helm:          %s\n", vi.Helm)
				}
				fmt.Fprintf(w, "  argo cd rules: %s\n", vi.ArgoCDRules)
				if vi.Go != "" {
					fmt.Fprintf(w, "  go:            %s\n", vi.Go)
				}
			})
		},
	}
}
